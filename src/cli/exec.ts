// SPDX-License-Identifier: MIT
/**
 * `disco exec [options] <program> [args...]`: runs a static MIPS Linux program on one emulated
 * CPU in a worker thread (piscina), with the program's stdin, stdout, stderr, environment and
 * exit status passed through. The main thread only checks the input and reports.
 */
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { ElfError, parseElf } from '../exec/elf.js';
import { describeFileError, type ExecRequest, type ExecResult, type ExecStats } from '../exec/run.js';
import { hex } from '../exec/process.js';
import { LOG_LEVELS, createLogger } from '../shared/log.js';
import { table } from './table.js';

export const EXIT_BAD_INPUT = 2;
/** EX_SOFTWARE: the emulator itself failed. */
export const EXIT_EMULATOR_FAULT = 70;
export const EXIT_INTERRUPTED = 130;

interface ExecOptions {
  strictR10000?: boolean;
  mem: number;
  stats?: boolean;
  statsJson?: string;
  logLevel?: string;
}

function parseMem(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 16 || n > 2048) throw new InvalidArgumentError('expected a whole number of MB from 16 to 2048');
  return n;
}

export function registerExec(program: Command): void {
  program.command('exec')
    .description('run a static big-endian MIPS Linux executable in user mode, its system calls emulated')
    .argument('<program>', 'the executable (ELF32, big-endian MIPS, static)')
    .argument('[args...]', 'arguments for the program')
    .option('--strict-r10000', 'MIPS IV only: MIPS32r2 instructions are Reserved Instructions (RDHWR emulated as Linux does)')
    .option('--mem <MB>', 'machine memory in MB', parseMem, 512)
    .option('--stats', 'print instructions, host seconds and emulated MIPS on stderr after the run')
    .option('--stats-json <file>', 'write {instructions, simulatedCycles, hostSeconds, mips} to a JSON file')
    .addOption(new Option('--log-level <level>', 'log level (default: DISCO_LOG_LEVEL or warn)').choices(LOG_LEVELS))
    .passThroughOptions()
    .action(async (prog: string, args: string[], opts: ExecOptions) => {
      const status = await execCommand(prog, args, opts);
      if (status !== null) process.exit(status);
    });
}

function fail(message: string): number {
  fs.writeSync(2, `disco exec: ${message}\n`);
  return EXIT_BAD_INPUT;
}

/** Runs the program; the exit status, or null after Ctrl-C (the SIGINT handler then ends the process). */
async function execCommand(prog: string, args: string[], opts: ExecOptions): Promise<number | null> {
  const log = createLogger(opts.logLevel).child({ component: 'cli' });
  // Check the input here, so that bad input costs no worker and gets one clear line.
  try {
    parseElf(fs.readFileSync(prog));
  } catch (e) {
    return fail(`${prog}: ${e instanceof ElfError ? e.message : describeFileError(e)}`);
  }

  const envp = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  const terminal = isatty(1) || isatty(2);
  const request: ExecRequest = {
    program: prog, args, envp, cwd: process.cwd(), strictR10000: opts.strictR10000 === true,
    memory: new SharedArrayBuffer(opts.mem * 1024 * 1024),
    winsize: terminal ? { rows: Number(process.env.LINES) || 24, cols: Number(process.env.COLUMNS) || 80 } : null,
    logLevel: log.level,
  };
  const pool = new Piscina({
    filename: new URL('../node-worker/exec-worker.js', import.meta.url).href,
    minThreads: 1, maxThreads: 1, idleTimeout: 0,
  });
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
    // The worker stops at once unless it is stuck in a host system call (a blocking read of a
    // socket); then, since exit would wait for it, die of SIGINT instead: a shell sees 130 too.
    setTimeout(() => { process.removeAllListeners('SIGINT'); process.kill(process.pid, 'SIGINT'); }, 2000);
    void pool.destroy().then(() => process.exit(EXIT_INTERRUPTED));
  };
  process.once('SIGINT', onInterrupt);

  let result: ExecResult;
  try {
    result = await pool.run(request) as ExecResult;
  } catch (e) {
    if (interrupted) return null;
    const err = e instanceof Error ? e : new Error(String(e));
    fs.writeSync(2, `disco exec: emulator fault: ${err.message}\n`);
    log.debug({ stack: err.stack }, 'worker failed');
    return EXIT_EMULATOR_FAULT;
  } finally {
    if (!interrupted) {
      process.removeListener('SIGINT', onInterrupt);
      await pool.destroy();
    }
  }
  return report(result, opts, log);
}

/** The one line that reports an emulator bug (details follow at debug level). */
export function faultSummary(f: { pc: number; instr: number | null; message: string }): string {
  const instr = f.instr === null ? 'unreadable' : hex(f.instr);
  return `disco exec: emulator fault at pc ${hex(f.pc)} (instr ${instr}): ${f.message.split('\n')[0]}`;
}

function report(result: ExecResult, opts: ExecOptions, log: Logger): number {
  switch (result.kind) {
    case 'bad-input':
      return fail(result.message);
    case 'emulator-fault': {
      fs.writeSync(2, faultSummary(result) + '\n');
      log.debug({ stack: result.stack }, 'emulator fault details');
      writeStats(result.stats, opts);
      return EXIT_EMULATOR_FAULT;
    }
    case 'exit':
      if (result.message !== null) fs.writeSync(2, `disco exec: ${result.message}\n`);
      writeStats(result.stats, opts);
      return result.status;
  }
}

function writeStats(s: ExecStats, opts: ExecOptions): void {
  const mips = s.hostSeconds > 0 ? s.instructions / s.hostSeconds / 1e6 : 0;
  if (opts.statsJson !== undefined) {
    const json = { instructions: s.instructions, simulatedCycles: s.simulatedCycles, hostSeconds: s.hostSeconds, mips };
    fs.writeFileSync(opts.statsJson, JSON.stringify(json, null, 2) + '\n');
  }
  if (opts.stats === true) {
    const rows = [
      ['instructions', s.instructions], ['simulated cycles', s.simulatedCycles],
      ['host seconds', s.hostSeconds.toFixed(3)], ['emulated MIPS', mips.toFixed(1)],
    ];
    fs.writeSync(2, table(['disco exec', 'statistics'], rows));
  }
}
