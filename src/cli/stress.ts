// SPDX-License-Identifier: MIT
/**
 * `disco stress [machine flags] [--pattern NAME|all] [--ops N] [--seed S] [--check]`: runs the
 * coherence stress patterns (guest/bare/stress.c, shipped built) on every CPU, one machine per
 * pattern, and prints operations, misses, invalidations and violations. Exits non-zero on any
 * failed check or invariant violation.
 */
import { join } from 'node:path';
import { writeSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CacheController } from '../node-worker/directory.js';
import { ROOT } from '../shared/paths.js';
import { Stat } from '../shared/layout.js';
import { addMachineOptions, type MachineFlags } from './machine-options.js';
import { runMachine, EXIT_BAD_INPUT } from './boot.js';
import { table } from './table.js';

export const PATTERNS = ['counter', 'spinlock', 'false-sharing', 'migratory', 'prodcons', 'random', 'peterson', 'peterson-nosync'] as const;

interface StressFlags extends MachineFlags { pattern: string; ops: number; seed: number; check?: boolean; json?: boolean }

export function registerStress(program: Command): void {
  const int = (v: string) => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer'); return n; };
  addMachineOptions(program.command('stress'))
    .description('coherence stress patterns on every CPU of every node, with an invariant checker')
    .option('--pattern <name>', `one of ${PATTERNS.join(', ')}, or all`, 'all')
    .option('--ops <n>', 'operations per CPU', int, 1000)
    .option('--seed <s>', 'seed of the random patterns', int, 1)
    .option('--check', 'verify the coherence invariants on every transaction and at the end')
    .option('--json', 'print the results as JSON')
    .action(async (opts: StressFlags) => { process.exit(await stress(opts)); });
}

async function stress(opts: StressFlags): Promise<number> {
  // Token passing between nodes waits a quantum per hand-over: a short quantum keeps stress quick.
  opts.quantum ??= 10_000;
  // peterson-nosync is only guaranteed on a sequentially consistent machine (or in one thread).
  const all = PATTERNS.filter((p) => p !== 'peterson-nosync' || opts.sequentialConsistency || opts.deterministic);
  const chosen = opts.pattern === 'all' ? all : [opts.pattern];
  for (const p of chosen) {
    if (!(PATTERNS as readonly string[]).includes(p)) { writeSync(2, `disco stress: unknown pattern "${p}" (patterns: ${PATTERNS.join(', ')}, all)\n`); return EXIT_BAD_INPUT; }
  }
  const image = join(ROOT, 'guest', 'images', 'stress.elf');
  const rows: Record<string, number | string>[] = [];
  let failed = false;
  for (const p of chosen) {
    const ran = await runMachine('stress', image, { ...opts, quietConsole: true }, [PATTERNS.indexOf(p as typeof PATTERNS[number]), opts.ops, opts.seed]);
    if (typeof ran === 'number') return ran;
    const { result: r, machine } = ran;
    const sum = (k: keyof typeof r.cpus[number]) => r.cpus.reduce((a, c) => a + (c[k] as number), 0);
    let violations = sum('violations');
    if (opts.check && machine.shared.coherence !== null) {
      violations += new CacheController(0, machine.config, machine.shared.coherence, new Float64Array(Stat.WORDS * r.cpus.length), { hotPage() {} }, { words: new Int32Array(1), index: 0 }).sweep();
    }
    const ok = r.halted && !r.interrupted && r.exitStatus === 0 && violations === 0;
    failed ||= !ok;
    rows.push({
      pattern: p, cpus: r.cpus.length, operations: opts.ops * r.cpus.length, result: ok ? 'ok' : r.exitStatus !== 0 ? `FAIL (${r.exitStatus} lost/wrong)` : 'FAIL',
      local: sum('localMisses'), remoteClean: sum('remoteCleanMisses'), remoteDirty: sum('remoteDirtyMisses'),
      invalidations: sum('invalidations'), violations, instructions: r.instructions, hostSeconds: r.hostSeconds,
    });
    if (r.interrupted) break;
  }
  if (opts.json) writeSync(1, JSON.stringify(rows, null, 2) + '\n');
  else writeSync(1, table(['pattern', 'cpus', 'operations', 'result', 'local', 'remote-clean', 'remote-dirty', 'invals', 'violations', 'instructions', 'host-s'],
    rows.map((x) => [x.pattern, x.cpus, x.operations, x.result, x.local, x.remoteClean, x.remoteDirty, x.invalidations, x.violations, x.instructions, x.hostSeconds])));
  return failed ? 1 : 0;
}
