// SPDX-License-Identifier: MIT
/**
 * `disco boot [--kernel ELF] [machine flags] [--disk IMG] [--stats FILE] [--json] [--env NAME=VALUE]
 * [--cwd DIR] [-- PROGRAM ARGS...]`: boots a kernel on the bare FLASH machine (the shipped guest
 * kernel by default). PROGRAM, ARGS, the environment and the working directory reach the guest's
 * init in the boot command block (src/shared/bootcmd.ts); without them the kernel runs its
 * built-in init. stdin feeds the console's input, the console goes to stdout, the summary to
 * stderr (or as JSON).
 */
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { Machine, type MachineResult } from '../machine/machine.js';
import { ConfigError } from '../shared/config.js';
import { ElfError } from '../exec/elf.js';
import { BootCommandError, encodeBootCommand } from '../shared/bootcmd.js';
import { addMachineOptions, configFrom, type MachineFlags } from './machine-options.js';
import { machineSummary } from './report.js';
import { ROOT } from '../shared/paths.js';

/** The shipped guest kernel (guest/kernel, built by guest/build-kernel.sh), booted when no --kernel is given. */
export const DEFAULT_KERNEL = join(ROOT, 'guest', 'images', 'kernel.elf');

interface BootFlags extends MachineFlags { kernel?: string; disk?: string; stats?: string; json?: boolean; quiet?: boolean; args?: number[]; env?: string[]; cwd?: string }

export const EXIT_BAD_INPUT = 2;

function parseArgs(v: string): number[] {
  const xs = v.split(',').map((x) => Number(x));
  if (xs.length > 4 || xs.some((x) => !Number.isInteger(x))) throw new InvalidArgumentError('expected up to four comma-separated integers');
  return xs;
}
export const EXIT_MACHINE_FAULT = 70;

export function registerBoot(program: Command): void {
  addMachineOptions(program.command('boot'))
    .description('boot a kernel on the bare FLASH machine; exits with the status the guest writes to the halt register')
    .option('--kernel <elf>', 'kernel image (ELF32 big-endian MIPS, loaded in kseg0; default: the shipped guest kernel)')
    .option('--disk <image>', 'disk image for the block device')
    .option('--stats <file>', 'write the summary as JSON to a file')
    .option('--json', 'print the summary as JSON on stderr instead of tables')
    .option('-q, --quiet', 'no summary')
    .option('--args <a0,a1,...>', 'up to four integers passed to CPU 0 in a0..a3 (guest kernel: 1 = boot messages)', parseArgs)
    .option('--env <NAME=VALUE>', "an environment variable of the program (repeatable; it sees no others)", (v: string, acc: string[] = []) => [...acc, v])
    .option('--cwd <dir>', "the program's working directory (default: /)")
    .argument('[program...]', 'after --: the program on the guest file system and its arguments (argv[0] = PROGRAM as given); without it the kernel runs its built-in init')
    .passThroughOptions()
    .usage('[options] [-- PROGRAM [ARGS...]]')
    .addHelpText('after', '\nExample: disco boot -q --disk root.img --env HOME=/ --cwd /tmp -- /bin/argvenv one two')
    .action(async (program: string[], opts: BootFlags) => { process.exit(await boot(program, opts)); });
}

/** Shared by boot and stress: builds and runs a machine, reporting errors in one line. */
export async function runMachine(command: string, kernel: string, opts: MachineFlags & { disk?: string; check?: boolean; quietConsole?: boolean }, bootArgs: number[] = [], input: NodeJS.ReadableStream | null = null, bootCommand: Uint8Array | null = null): Promise<{ result: MachineResult; machine: Machine } | number> {
  let machine: Machine;
  try {
    machine = new Machine(configFrom(opts), { disk: opts.disk ?? null, check: opts.check, quietConsole: opts.quietConsole });
    machine.loadKernel(readFileSync(kernel));
    if (bootCommand !== null) machine.loadBootCommand(bootCommand);
  } catch (e) {
    const msg = e instanceof ElfError ? `${kernel}: ${e.message}` : e instanceof ConfigError || e instanceof BootCommandError ? e.message : (e as Error).message;
    writeSync(2, `disco ${command}: ${msg}\n`);
    return EXIT_BAD_INPUT;
  }
  machine.shared.bootArgs = bootArgs;
  if (input !== null) machine.feedConsole(input);
  const onSigint = () => machine.stop();
  process.once('SIGINT', onSigint);
  const progress = process.stderr.isTTY ? (q: number) => writeSync(2, `\r${command}: quantum ${q}`) : undefined;
  try {
    const result = await machine.run(progress);
    if (progress) writeSync(2, '\r\x1b[K');
    return { result, machine };
  } catch (e) {
    writeSync(2, `disco ${command}: machine fault: ${(e as Error).message}\n`);
    return EXIT_MACHINE_FAULT;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function boot(program: string[], opts: BootFlags): Promise<number> {
  if (program.length === 0 && (opts.env !== undefined || opts.cwd !== undefined)) {
    writeSync(2, 'disco boot: --env and --cwd need a program: disco boot [options] -- PROGRAM ARGS...\n');
    return EXIT_BAD_INPUT;
  }
  let command: Uint8Array | null = null;
  try {
    if (program.length > 0) command = encodeBootCommand(program, opts.env ?? [], opts.cwd ?? '/');
  } catch (e) {
    writeSync(2, `disco boot: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  const ran = await runMachine('boot', opts.kernel ?? DEFAULT_KERNEL, opts, opts.args ?? [], process.stdin, command);
  if (typeof ran === 'number') return ran;
  const { result } = ran;
  if (opts.stats !== undefined) writeFileSync(opts.stats, JSON.stringify(result, null, 2) + '\n');
  if (!opts.quiet) writeSync(2, opts.json ? JSON.stringify(result) + '\n' : machineSummary(result));
  if (result.interrupted) return 130;
  return result.exitStatus & 0xff;
}
