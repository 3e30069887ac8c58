#!/usr/bin/env node
// The Disco paper's workloads (guest/workloads: pmake, engineering, raytrace, database) on the
// guest kernel, on 1 CPU and on 8 CPUs (4 nodes x 2): each is booted as init from a `disco mkfs`
// image holding guest/images/workloads/* under /bin (`disco boot -q --disk IMG --stats F --
// /bin/NAME ARGS`, cwd /tmp), its checksum line checked against guest/workloads/expected.json,
// and the machine's summary read back from --stats. Over --repeat runs of each it reports the
// least simulated time (power-on to halt, kernel boot included: the slowest CPU's cycles /
// clock) with that run's guest instructions, its speed-up over the first shape, and the least
// host seconds of the machine run (workers started to halt).
// Usage: node bench/workloads.mjs [--size test|paper] [--repeat N] [--only a,b] [--shapes 1x1,4x2]
//                                 [--mem MB] [--json]   (after npm run build)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { table } from '../dist/cli/table.js';
import { DISCO, arg, expected, selectWorkloads, workloadImage } from './common.mjs';

const size = arg('--size', 'test');
const repeat = Number(arg('--repeat', '3'));
const only = arg('--only', '');
const shapes = arg('--shapes', '1x1,4x2').split(',').map((s) => s.split('x').map(Number));
const memMB = Number(arg('--mem', '256'));
const json = process.argv.includes('--json');

const names = selectWorkloads('workloads', only);
const { work, image } = workloadImage('workloads');

function runOnce(name, [nodes, cpn]) {
  const { args, checksum } = expected.workloads[name][size];
  const disk = path.join(work, 'run.img'), stats = path.join(work, 'stats.json');
  fs.copyFileSync(image, disk);
  const argv = [DISCO, 'boot', '-q', '--nodes', String(nodes), '--cpus-per-node', String(cpn),
    '--mem-per-node', String(Math.floor(memMB / nodes)), '--disk', disk, '--stats', stats, '--cwd', '/tmp', '--', `/bin/${name}`, ...args];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = `${name} checksum ${checksum}`;
  if (r.status !== 0 || !r.stdout.split('\n').includes(line)) {
    throw new Error(`${name} on ${nodes}x${cpn}: exit ${r.status ?? r.signal}, expected the line "${line}"\n${r.stdout.slice(-2000)}${r.stderr}`);
  }
  return JSON.parse(fs.readFileSync(stats, 'utf8'));
}

const rows = [];
try {
  for (const name of names) {
    let oneCpu;
    for (const shape of shapes) {
      const runs = Array.from({ length: repeat }, () => runOnce(name, shape));
      const fastest = runs.reduce((a, b) => (b.simulatedSeconds < a.simulatedSeconds ? b : a));
      const row = {
        workload: name, size, nodes: shape[0], cpus: shape[0] * shape[1],
        simulatedMs: +(fastest.simulatedSeconds * 1e3).toFixed(3), instructions: fastest.instructions,
        hostSeconds: +Math.min(...runs.map((s) => s.hostSeconds)).toFixed(3),
      };
      oneCpu ??= row;
      row.simSpeedup = +(oneCpu.simulatedMs / row.simulatedMs).toFixed(2);
      rows.push(row);
    }
  }
} catch (e) {
  console.error(`workloads: ${e.message}`);
  process.exit(1);
}

if (json) console.log(JSON.stringify({ size, repeat, memMB, rows }, null, 2));
else {
  process.stdout.write(`workloads at ${size} size on the guest kernel, ${memMB} MB, best of ${repeat}\n`);
  process.stdout.write(table(['workload', 'nodes', 'cpus', 'simulated ms', 'speed-up', 'instructions', 'host s'],
    rows.map((r) => [r.workload, r.nodes, r.cpus, r.simulatedMs, r.simSpeedup, r.instructions, r.hostSeconds])));
}
