#!/usr/bin/env node
// Disco's virtualisation overhead, as the paper measured it (section 5.3, its figure 5): each
// workload of guest/workloads on one CPU, on the bare machine (`disco boot`, the guest kernel)
// and under Disco in one VM with one vCPU (`disco run`, the same kernel built with Disco's HAL),
// in one run, side by side. Reports the simulated time of each (the CPU's cycles), their ratio
// (bare = 100, the paper's 103-116), the ratio of host seconds (target 1.5x at most), and where
// Disco's own cycles went, by cause, as a share of the run under Disco. The checksum each run
// prints is checked against guest/workloads/expected.json.
// Usage: node bench/disco-overhead.mjs [--size test|paper] [--repeat N] [--only a,b] [--mem MB] [--json]
//        (after npm run build)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { table } from '../dist/cli/table.js';
import { DISCO, arg, expected, selectWorkloads, workloadImage } from './common.mjs';

const size = arg('--size', 'test');
const repeat = Number(arg('--repeat', '3'));
const only = arg('--only', '');
const memMB = Number(arg('--mem', '128'));
const json = process.argv.includes('--json');
/** The paper's figure 5: run time under Disco, bare IRIX = 100 (one CPU). */
const PAPER = { pmake: 116, engineering: 106, raytrace: 103, database: 116 };

const names = selectWorkloads('disco-overhead', only);
const { work, image } = workloadImage('disco-overhead');

/** One run; returns [simulated cycles, host seconds of the machine loop, the stats JSON]. */
function runOnce(name, underDisco) {
  const { args, checksum } = expected.workloads[name][size];
  const disk = path.join(work, 'run.img'), stats = path.join(work, 'stats.json');
  fs.copyFileSync(image, disk);
  const machine = ['--nodes', '1', '--cpus-per-node', '1', '--mem-per-node', String(memMB)];
  let argv, consoleFile = null;
  if (underDisco) {
    const config = path.join(work, 'vm.json');
    fs.writeFileSync(config, JSON.stringify({ vms: [{ name: 'vm', vcpus: 1, memMB: memMB - 16, disk, argv: [`/bin/${name}`, ...args], cwd: '/tmp' }] }));
    consoleFile = path.join(work, 'console', 'vm.log');
    fs.rmSync(consoleFile, { force: true });
    argv = [DISCO, 'run', '-q', ...machine, '--stats', stats, '--console-dir', path.join(work, 'console'), config];
  } else {
    argv = [DISCO, 'boot', '-q', ...machine, '--disk', disk, '--stats', stats, '--cwd', '/tmp', '--', `/bin/${name}`, ...args];
  }
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = consoleFile === null ? r.stdout : fs.existsSync(consoleFile) ? fs.readFileSync(consoleFile, 'utf8') : '';
  const line = `${name} checksum ${checksum}`;
  if (r.status !== 0 || !out.split('\n').includes(line)) {
    throw new Error(`${name} ${underDisco ? 'under Disco' : 'bare'}: exit ${r.status ?? r.signal}, expected the line "${line}"\n${out.slice(-2000)}${r.stderr}`);
  }
  const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
  const m = underDisco ? s.machine : s;
  return { cycles: m.simulatedCycles, host: m.runSeconds, stats: s };
}

const best = (runs) => ({ cycles: Math.min(...runs.map((r) => r.cycles)), host: Math.min(...runs.map((r) => r.host)), stats: runs[0].stats });
const rows = [];
try {
  for (const name of names) {
    const bare = [], disco = [];
    for (let i = 0; i < repeat; i++) { bare.push(runOnce(name, false)); disco.push(runOnce(name, true)); } // interleaved: same host conditions
    const b = best(bare), d = best(disco);
    const causes = {};
    for (const [cause, c] of Object.entries(d.stats.disco.causes)) causes[cause] = +(100 * c.cycles / d.cycles).toFixed(2);
    rows.push({
      workload: name, size, bareCycles: b.cycles, discoCycles: d.cycles, simulated: +(100 * d.cycles / b.cycles).toFixed(1),
      paper: PAPER[name] ?? null, bareHost: +b.host.toFixed(3), discoHost: +d.host.toFixed(3), host: +(d.host / b.host).toFixed(2), causes,
    });
  }
} catch (e) {
  console.error(`disco-overhead: ${e.message}`);
  process.exit(1);
}

if (json) console.log(JSON.stringify({ size, repeat, memMB, rows }, null, 2));
else {
  process.stdout.write(`Disco overhead on one CPU (${size} size, ${memMB} MB, best of ${repeat}; bare = 100)\n`);
  process.stdout.write(table(['workload', 'bare Mcycles', 'Disco Mcycles', 'simulated', 'paper', 'bare host s', 'Disco host s', 'host x'],
    rows.map((r) => [r.workload, r.bareCycles / 1e6, r.discoCycles / 1e6, r.simulated, r.paper ?? '-', r.bareHost, r.discoHost, r.host])));
  const causes = Object.keys(rows[0].causes);
  process.stdout.write('Disco\'s cycles by cause, % of the run under Disco\n');
  process.stdout.write(table(['workload', ...causes], rows.map((r) => [r.workload, ...causes.map((c) => r.causes[c])])));
}
