// SPDX-License-Identifier: MIT
/** The `disco` command line (commander): one file per subcommand. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerExec } from './exec.js';
import { registerBoot } from './boot.js';
import { registerStress } from './stress.js';
import { registerFs } from './fs.js';
import { registerRun } from './run.js';

/** Exit status for command-line and input errors. */
export const EXIT_USAGE = 2;

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch { return '0.0.0'; }
}

export function buildProgram(): Command {
  const program = new Command('disco')
    .description('Disco on an emulated FLASH multiprocessor of MIPS R10000 processors')
    .version(version())
    .enablePositionalOptions()
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    });
  registerExec(program);
  registerBoot(program);
  registerStress(program);
  registerFs(program);
  registerRun(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
