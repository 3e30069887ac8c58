#!/usr/bin/env node
// The paper's scalability experiment (section 5.4, its figure 6): pmake on 8 CPUs, the same
// total work run by the guest kernel on the bare machine and under Disco split over 1, 2, 4 and 8
// VMs (each of 8/N vCPUs compiling 1/N of the files with 8/N jobs), in one run, side by side.
// Reports the simulated time until every VM is done (bare = 100, beside the paper's figures) and
// where the time went (user, guest kernel, Disco). Every VM's checksum is checked: the one-VM run
// against guest/workloads/expected.json, the others against each other.
// Usage: node bench/scalability.mjs [--size test|paper] [--vms 1,2,4,8] [--deterministic] [--json]
//        (after npm run build)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { table } from '../dist/cli/table.js';
import { DISCO, arg, expected as all, workloadImage } from './common.mjs';

const size = arg('--size', 'paper');
const counts = arg('--vms', '1,2,4,8').split(',').map(Number);
const json = process.argv.includes('--json');
/** The paper's figure 6: pmake's run time on 8 CPUs, bare IRIX = 100. */
const PAPER = { 1: 136, 2: 92, 4: 64, 8: 60 };
const CPUS = 8;
const MACHINE = ['--nodes', '4', '--cpus-per-node', '2', '--mem-per-node', '128', ...(process.argv.includes('--deterministic') ? ['--deterministic'] : [])];
const expected = all.workloads.pmake[size];
/** pmake's arguments with FILES (pmake's default: 8) divided by `share` and JOBS set to `jobs`. */
function pmakeArgs(share, jobs) {
  const a = [...expected.args], j = a.indexOf('-j');
  if (!a.includes('-n')) a.unshift('-n', '8');
  const n = a.indexOf('-n');
  a[n + 1] = String(Math.max(1, Math.round(Number(a[n + 1]) / share)));
  if (j >= 0) a[a.indexOf('-j') + 1] = String(jobs); else a.unshift('-j', String(jobs));
  return a;
}

const { work, image } = workloadImage('scalability');

const checksumOf = (out) => (out.match(/^pmake checksum (0x[0-9a-f]{8})$/m) ?? [])[1];

function bare() {
  const disk = path.join(work, 'bare.img'), stats = path.join(work, 'stats.json');
  fs.copyFileSync(image, disk);
  const r = spawnSync(process.execPath, [DISCO, 'boot', '-q', ...MACHINE, '--disk', disk, '--stats', stats, '--cwd', '/tmp', '--', '/bin/pmake', ...pmakeArgs(1, CPUS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || checksumOf(r.stdout) !== expected.checksum) throw new Error(`bare: exit ${r.status}, want checksum ${expected.checksum}\n${r.stdout.slice(-1000)}${r.stderr}`);
  const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
  return { run: 'bare', vms: 0, cycles: s.simulatedCycles, host: s.runSeconds, user: null, kernel: null, disco: null };
}

function underDisco(n) {
  const vcpus = CPUS / n, memMB = Math.min(256, Math.floor(448 / n)), consoleDir = path.join(work, `console${n}`), stats = path.join(work, 'stats.json');
  const vms = [];
  for (let i = 0; i < n; i++) {
    const disk = path.join(work, `vm${i}.img`);
    fs.copyFileSync(image, disk);
    vms.push({ name: `vm${i}`, vcpus, memMB, disk, argv: ['/bin/pmake', ...pmakeArgs(n, vcpus)], cwd: '/tmp' });
  }
  const config = path.join(work, 'run.json');
  fs.writeFileSync(config, JSON.stringify({ vms }));
  const r = spawnSync(process.execPath, [DISCO, 'run', '-q', ...MACHINE, '--stats', stats, '--console-dir', consoleDir, config], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const sums = vms.map((v) => checksumOf(fs.existsSync(path.join(consoleDir, `${v.name}.log`)) ? fs.readFileSync(path.join(consoleDir, `${v.name}.log`), 'utf8') : ''));
  if (r.status !== 0 || sums.some((c) => c === undefined || c !== sums[0]) || (n === 1 && sums[0] !== expected.checksum)) {
    throw new Error(`${n} VMs: exit ${r.status}, checksums ${sums.join(' ')}${n === 1 ? ` (want ${expected.checksum})` : ''}\n${r.stderr}`);
  }
  const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
  let user = 0, kernel = 0, disco = 0;
  for (const v of s.disco.vms) { user += v.userCycles; kernel += v.kernelCycles; disco += v.discoCycles; }
  const all = user + kernel + disco;
  return { run: `${n} VM${n > 1 ? 's' : ''}`, vms: n, cycles: s.machine.simulatedCycles, host: s.machine.runSeconds, user: 100 * user / all, kernel: 100 * kernel / all, disco: 100 * disco / all };
}

let rows;
try {
  const b = bare();
  rows = [b, ...counts.map(underDisco)].map((r) => ({ ...r, time: +(100 * r.cycles / b.cycles).toFixed(1), paper: r.vms ? PAPER[r.vms] ?? null : 100 }));
} catch (e) {
  console.error(`scalability: ${e.message}`);
  process.exit(1);
}
const pct = (v) => (v === null ? '-' : +v.toFixed(1));
if (json) console.log(JSON.stringify({ size, rows }, null, 2));
else {
  process.stdout.write(`pmake on 4 nodes x 2 CPUs (${size} size; time until every VM is done, bare = 100)\n`);
  process.stdout.write(table(['run', 'M cycles', 'time', 'paper', 'user %', 'guest kernel %', 'Disco %', 'host s'],
    rows.map((r) => [r.run, r.cycles / 1e6, r.time, r.paper ?? '-', pct(r.user), pct(r.kernel), pct(r.disco), +r.host.toFixed(2)])));
}
