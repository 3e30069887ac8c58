// SPDX-License-Identifier: MIT
/**
 * One `disco exec` run, on the worker side: machine memory, one CPU, the Linux process around
 * it, then the CPU runs until the program ends. Whatever happens comes back as a result value.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { Cpu } from '../node-worker/cpu/cpu.js';
import { MachineMemory } from '../shared/memory.js';
import { ElfError, parseElf } from './elf.js';
import { OutOfMachineMemory } from './frames.js';
import { LinuxProcess, hex } from './process.js';
import { killedStatus, Sig } from './signals.js';

export interface ExecRequest {
  /** The program path as given: argv[0] and the file to load. */
  program: string;
  args: string[];
  envp: string[];
  cwd: string;
  strictR10000: boolean;
  /** Machine memory, created by the main thread. */
  memory: SharedArrayBuffer;
  winsize: { rows: number; cols: number } | null;
  logLevel: string;
}

export interface ExecStats {
  instructions: number;
  simulatedCycles: number;
  hostSeconds: number;
}

export type ExecResult =
  | { kind: 'exit'; status: number; message: string | null; stats: ExecStats }
  | { kind: 'bad-input'; message: string }
  | { kind: 'emulator-fault'; pc: number; instr: number | null; message: string; stack: string; stats: ExecStats };

/** Instructions per call into the CPU loop: long enough to amortise the call, short enough to stay responsive. */
const SLICE = 10_000_000;

/** A file-system error as `disco exec: <file>: <problem>` wants it. */
export function describeFileError(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'not a directory';
    default: return e instanceof Error ? e.message : String(e);
  }
}

export function runProgram(req: ExecRequest, log: Logger): ExecResult {
  let bytes: Uint8Array;
  try { bytes = fs.readFileSync(path.resolve(req.cwd, req.program)); } catch (e) {
    return { kind: 'bad-input', message: `${req.program}: ${describeFileError(e)}` };
  }
  let image;
  try { image = parseElf(bytes); } catch (e) {
    if (e instanceof ElfError) return { kind: 'bad-input', message: `${req.program}: ${e.message}` };
    throw e;
  }

  const memory = new MachineMemory(req.memory);
  const cpu = new Cpu({ memory, r2: !req.strictR10000 });
  let exePath = path.resolve(req.cwd, req.program);
  try { exePath = fs.realpathSync(exePath); } catch { /* keep the plain path */ }
  let proc: LinuxProcess | null = null;
  const t0 = process.hrtime.bigint();
  const stats = (): ExecStats => ({
    instructions: cpu.instructions, simulatedCycles: cpu.cycles, hostSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
  });
  try {
    proc = new LinuxProcess(cpu, image, {
      argv: [req.program, ...req.args], exePath, envp: req.envp, cwd: req.cwd, strict: req.strictR10000,
      winsize: req.winsize, log,
    });
    while (!cpu.stopped) cpu.run(SLICE);
    return { kind: 'exit', status: proc.exitStatus ?? 0, message: proc.deathMessage, stats: stats() };
  } catch (e) {
    if (e instanceof OutOfMachineMemory) {
      return { kind: 'exit', status: killedStatus(Sig.KILL), message: `program killed: ${e.message}; try a larger --mem`, stats: stats() };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const pc = proc?.trapPc ?? cpu.pc;
    let instr: number | null = null;
    try { if (proc !== null) instr = proc.as.read32(pc); } catch { /* unmapped */ }
    log.debug({ pc: hex(pc) }, 'emulator fault');
    return { kind: 'emulator-fault', pc, instr, message: err.message, stack: err.stack ?? '', stats: stats() };
  }
}
