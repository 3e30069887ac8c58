#!/usr/bin/env node
// NUMA page placement under Disco, beside the paper's table (section 5.4): each workload on a
// FLASH machine of 4 nodes x 2 CPUs in the timing model, three ways in one run: the guest kernel
// on the bare machine (`disco boot`: its allocator is node-local), Disco with one VM of 8 vCPUs
// (first-touch placement only), and the same with `--numa` (hot pages moved or replicated).
// Reports the share of cache misses served by local memory and of those served from another
// node's dirty cache (which no page placement can make local), the simulated time (bare = 100), and
// Disco's page moves, replicas and collapses. Deterministic mode, so the runs are repeatable;
// every run's checksum is checked against guest/workloads/expected.json.
// Usage: node bench/numa.mjs [--size test|paper] [--only a,b] [--json]   (after npm run build)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { table } from '../dist/cli/table.js';
import { DISCO, arg, expected, selectWorkloads, workloadImage } from './common.mjs';

const size = arg('--size', 'test');
const only = arg('--only', 'engineering,raytrace');
const json = process.argv.includes('--json');
/** The paper's table: local misses under IRIX and Disco, Disco's time (bare IRIX = 100). */
const PAPER = { engineering: { irix: 16, disco: 78, time: 67 }, raytrace: { irix: 6, disco: 76, time: 62 } };
const MACHINE = ['--nodes', '4', '--cpus-per-node', '2', '--mem-per-node', '64', '--deterministic'];

const names = selectWorkloads('numa', only);
const { work, image } = workloadImage('numa');

/** One run: 'bare', 'disco' or 'numa'; returns the machine's statistics and Disco's summary. */
function runOnce(name, how) {
  const { args, checksum } = expected.workloads[name][size];
  const disk = path.join(work, 'run.img'), stats = path.join(work, 'stats.json'), consoleDir = path.join(work, 'console');
  fs.copyFileSync(image, disk);
  fs.rmSync(consoleDir, { recursive: true, force: true });
  let argv;
  if (how === 'bare') argv = [DISCO, 'boot', '-q', ...MACHINE, '--disk', disk, '--stats', stats, '--cwd', '/tmp', '--', `/bin/${name}`, ...args];
  else {
    const config = path.join(work, 'vm.json');
    fs.writeFileSync(config, JSON.stringify({ vms: [{ name: 'vm', vcpus: 8, memMB: 192, disk, argv: [`/bin/${name}`, ...args], cwd: '/tmp' }] }));
    argv = [DISCO, 'run', '-q', ...MACHINE, ...(how === 'numa' ? ['--numa'] : []), '--stats', stats, '--console-dir', consoleDir, config];
  }
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = how === 'bare' ? r.stdout : fs.readFileSync(path.join(consoleDir, 'vm.log'), 'utf8');
  const line = `${name} checksum ${checksum}`;
  if (r.status !== 0 || !out.split('\n').includes(line)) throw new Error(`${name} (${how}): exit ${r.status ?? r.signal}, expected "${line}"\n${out.slice(-2000)}${r.stderr}`);
  const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
  const m = how === 'bare' ? s : s.machine;
  let local = 0, dirty = 0, all = 0;
  for (const n of m.nodes) { local += n.localMisses; dirty += n.remoteDirtyMisses; all += n.localMisses + n.remoteCleanMisses + n.remoteDirtyMisses; }
  const count = (c) => (how === 'bare' ? 0 : s.disco.causes[c].count);
  return { cycles: m.simulatedCycles, localPct: +(100 * local / all).toFixed(1), dirtyPct: +(100 * dirty / all).toFixed(1), host: +m.runSeconds.toFixed(2), moves: count('page-move'), replicas: count('page-replica'), collapses: count('page-collapse') };
}

const rows = [];
try {
  for (const name of names) {
    const runs = Object.fromEntries(['bare', 'disco', 'numa'].map((how) => [how, runOnce(name, how)]));
    for (const [how, r] of Object.entries(runs)) rows.push({ workload: name, size, run: how, ...r, time: +(100 * r.cycles / runs.bare.cycles).toFixed(1), paper: PAPER[name] ?? null });
  }
} catch (e) {
  console.error(`numa: ${e.message}`);
  process.exit(1);
}

if (json) console.log(JSON.stringify({ size, rows }, null, 2));
else {
  process.stdout.write(`NUMA placement on 4 nodes x 2 CPUs (${size} size, deterministic; time: bare = 100)\n`);
  process.stdout.write(table(['workload', 'run', 'local misses %', 'remote dirty %', 'M cycles', 'time', 'moves', 'replicas', 'collapses', 'host s'],
    rows.map((r) => [r.workload, r.run, r.localPct, r.dirtyPct, r.cycles / 1e6, r.time, r.moves, r.replicas, r.collapses, r.host])));
  process.stdout.write('The paper (bare IRIX = 100): ' + names.filter((n) => PAPER[n]).map((n) => `${n} local misses ${PAPER[n].irix}% under IRIX, ${PAPER[n].disco}% under Disco, time ${PAPER[n].time}`).join('; ') + '\n');
}
