// SPDX-License-Identifier: MIT
/**
 * Helpers for the `disco exec` tests: building guest programs from tests/exec/programs with the
 * MIPS cross compiler (cached in build/exec-tests), and running them under the CLI or qemu-mips.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

export const ROOT = process.cwd();
export const PROGRAMS = join(ROOT, 'tests', 'exec', 'programs');
export const OUT = join(ROOT, 'build', 'exec-tests');
export const DISCO = join(ROOT, 'bin', 'disco.js');

/** Throws unless the CLI has been compiled (npm test builds first). */
export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npx tsc -p .) first');
}

/** Builds tests/exec/programs/<source> into build/exec-tests/<name> unless up to date; returns its path. */
export function build(source: string, name = source.replace(/\.[cS]$/, ''), flags: string[] = ['-O2', '-static']): string {
  mkdirSync(OUT, { recursive: true });
  const src = join(PROGRAMS, source), out = join(OUT, name);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    execFileSync('mips-linux-gnu-gcc', [...flags, '-Wall', '-o', out, src, '-lm'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return out;
}

export interface Run { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function result(r: SpawnSyncReturns<string>): Run {
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface RunOptions { input?: string; env?: NodeJS.ProcessEnv; cwd?: string }

/** `node bin/disco.js <args>` */
export function disco(args: string[], opts: RunOptions = {}): Run {
  return result(spawnSync(process.execPath, [DISCO, ...args], {
    input: opts.input ?? '', env: opts.env ?? process.env, cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: 120_000,
  }));
}

/** `qemu-mips <program> <args>`: the reference. */
export function qemu(program: string, args: string[] = [], opts: RunOptions = {}): Run {
  return result(spawnSync('qemu-mips', [program, ...args], {
    input: opts.input ?? '', env: opts.env ?? process.env, cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: 120_000,
  }));
}

/** Status as a shell reports it (128 + signal for a process killed by one). */
export function shellStatus(r: Run): number {
  if (r.status !== null) return r.status;
  return 128 + (r.signal !== null ? constants.signals[r.signal] : 0);
}

/** Starts `node bin/disco.js <args>` in the background (for signals sent mid-run). */
export function discoAsync(args: string[], stdin: number | 'pipe' = 'pipe'): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [DISCO, ...args], { cwd: ROOT, stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, done };
}
