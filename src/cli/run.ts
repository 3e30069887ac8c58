// SPDX-License-Identifier: MIT
/**
 * `disco run [CONFIG.json] [machine flags] [--console-dir DIR] [--stats FILE] [--json] [-q]`:
 * boots Disco (with no configuration, the built-in run: two VMs running two workloads) on the FLASH machine with the VMs the configuration describes (DESIGN.md section
 * 5), each VM's console on stdout prefixed with its name (or in DIR/NAME.log; stdin goes to the
 * first VM's console), then a summary per
 * VM and for Disco. Exits 0 when every VM's program exited 0, else the first VM's non-zero status.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Machine, type MachineResult } from '../machine/machine.js';
import { ConfigError } from '../shared/config.js';
import { ElfError } from '../exec/elf.js';
import { BootCommandError, encodeBootCommand } from '../shared/bootcmd.js';
import { addMachineOptions, configFrom, type MachineFlags } from './machine-options.js';
import { parseVms, type VmConfig } from '../disco/config.js';
import { setupDisco } from '../disco/setup.js';
import { VmCtl } from '../disco/disco.js';
import { summarise, type DiscoSummary } from '../disco/summary.js';
import { machineSummary } from './report.js';
import { table } from './table.js';
import { ROOT } from '../shared/paths.js';
import { mkfs } from '../fs/mkfs.js';
import { EXIT_BAD_INPUT, EXIT_MACHINE_FAULT } from './boot.js';

/** The Disco build of the guest kernel (guest/build-kernel.sh). */
export const DISCO_KERNEL = join(ROOT, 'guest', 'images', 'kernel-disco.elf');

interface RunFlags extends MachineFlags { consoleDir?: string; stats?: string; json?: boolean; quiet?: boolean; input?: string; numa?: boolean }

export function registerRun(program: Command): void {
  addMachineOptions(program.command('run'))
    .description('run Disco with the virtual machines a configuration describes')
    .argument('[config]', 'JSON: {"machine": {...}, "vms": [{"name", "vcpus", "memMB", "disk", "kernel", "argv", "env", "cwd"}]}; without it, the built-in run: 4 nodes x 2 CPUs, pmake and raytrace in two VMs')
    .option('--console-dir <dir>', "write each VM's console, unprefixed, to DIR/NAME.log")
    .option('--input <vm>', 'the VM (by name) that reads standard input; default the first')
    .option('--numa', "move pages to the node whose CPUs miss on them most (FLASH's hot-page counters; needs the timing model)")
    .option('--stats <file>', 'write the summary as JSON to a file')
    .option('--json', 'print the summary as JSON on stderr instead of tables')
    .option('-q, --quiet', 'no summary')
    .action(async (config: string | undefined, opts: RunFlags) => {
      if (config !== undefined) process.exit(await run(config, opts));
      const dir = mkdtempSync(join(tmpdir(), 'disco-run-'));
      let status: number;
      try { status = await run(builtInConfig(dir), opts); } finally { rmSync(dir, { recursive: true, force: true }); }
      process.exit(status);
    });
}

/** The shipped workloads (guest/workloads), their test-size arguments in expected.json. */
const WORKLOADS = join(ROOT, 'guest', 'images', 'workloads');

/**
 * The built-in run: a FLASH machine of 4 nodes x 2 CPUs, 64 MB a node; two VMs of 4 vCPUs and
 * 96 MB, one running pmake and one raytrace at their test sizes, each on its own copy of a root
 * file system of the shipped workloads. Returns the configuration file written in `dir`.
 */
function builtInConfig(dir: string): string {
  const expected = JSON.parse(readFileSync(join(ROOT, 'guest', 'workloads', 'expected.json'), 'utf8')) as { workloads: Record<string, { test: { args: string[] } }> };
  cpSync(WORKLOADS, join(dir, 'root', 'bin'), { recursive: true });
  mkfs(join(dir, 'root'), join(dir, 'root.img'));
  const vms = ['pmake', 'raytrace'].map((w, i) => {
    copyFileSync(join(dir, 'root.img'), join(dir, `vm${i}.img`));
    return { name: w, vcpus: 4, memMB: 96, disk: `vm${i}.img`, argv: [`/bin/${w}`, ...expected.workloads[w].test.args], cwd: '/tmp' };
  });
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify({ machine: { nodes: 4, cpusPerNode: 2, memPerNodeMB: 64 }, vms }, null, 2));
  return file;
}

export interface RunReport { disco: DiscoSummary; machine: MachineResult }

async function run(file: string, opts: RunFlags): Promise<number> {
  let machine: Machine;
  let vms: VmConfig[];
  try {
    let json: { machine?: Record<string, unknown>; vms?: unknown };
    try { json = JSON.parse(readFileSync(file, 'utf8')) as typeof json; } catch (e) { throw new ConfigError([`${file}: ${(e as Error).message}`]); }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ConfigError([`${file}: must be a JSON object with "vms" (and optionally "machine")`]);
    const config = configFrom({ ...opts, config: undefined }, json.machine ?? {});
    vms = parseVms(json.vms, config, file);
    if (opts.numa === true && !config.coherence) {
      writeSync(2, 'disco run: --numa needs the timing model, whose miss counters drive it (drop --functional)\n');
      return EXIT_BAD_INPUT;
    }
    const inputVm = opts.input === undefined ? 0 : vms.findIndex((v) => v.name === opts.input);
    if (inputVm < 0) {
      writeSync(2, `disco run: --input ${opts.input}: no VM of that name (${vms.map((v) => v.name).join(', ')})\n`);
      return EXIT_BAD_INPUT;
    }
    machine = new Machine(config, {});
    machine.shared.disco = setupDisco(config, machine.memory, {
      vms: vms.map((v) => ({ name: v.name, vcpus: v.vcpus, memMB: v.memMB, disk: v.disk })),
      kernels: vms.map((v) => readFileSync(v.kernel ?? DISCO_KERNEL)),
      bootCommands: vms.map((v) => (v.argv.length > 0 ? encodeBootCommand(v.argv, v.env, v.cwd) : null)),
      consoleDir: opts.consoleDir ?? null, inputVm, numa: opts.numa === true,
    });
  } catch (e) {
    const known = e instanceof ConfigError || e instanceof ElfError || e instanceof BootCommandError || (e as NodeJS.ErrnoException).code !== undefined;
    writeSync(2, `disco run: ${known ? (e as Error).message : String(e)}\n`);
    return EXIT_BAD_INPUT;
  }
  machine.feedConsole(process.stdin);
  const onSigint = () => machine.stop();
  process.once('SIGINT', onSigint);
  let result: MachineResult;
  const ctl = new Int32Array(machine.shared.disco!.vmCtl);
  const finished = () => vms.filter((_, i) => Atomics.load(ctl, i * VmCtl.WORDS + VmCtl.Halted) !== 0).length;
  const progress = process.stderr.isTTY && !opts.quiet ? (q: number) => writeSync(2, `\rdisco run: quantum ${q}, ${finished()} of ${vms.length} VMs finished`) : undefined;
  try {
    result = await machine.run(progress);
    if (progress) writeSync(2, '\r\x1b[K');
  } catch (e) {
    writeSync(2, `disco run: machine fault: ${(e as Error).message}\n`);
    return EXIT_MACHINE_FAULT;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const cfg = machine.config;
  const disco = summarise(machine.shared.disco!, cfg.nodes, (cfg.memPerNodeMB << 20) >>> 12);
  const report: RunReport = { disco, machine: result };
  if (opts.stats !== undefined) writeFileSync(opts.stats, JSON.stringify(report, null, 2) + '\n');
  if (!opts.quiet) writeSync(2, opts.json ? JSON.stringify(report) + '\n' : runSummary(report));
  if (result.interrupted) return 130;
  const failed = disco.vms.find((v) => v.exitStatus !== 0 || !v.halted);
  return failed === undefined ? 0 : (failed.exitStatus & 0xff) || 1;
}

export function runSummary(r: RunReport): string {
  const vmRows = r.disco.vms.map((v) => [v.name, v.vcpus, v.memMB, v.halted ? (v.faulted ? `fault ${v.exitStatus}` : v.exitStatus) : 'running',
    v.userInstructions, v.userCycles, v.kernelInstructions, v.kernelCycles, v.discoCycles, v.machinePagesPerNode.join('/')]);
  const causeRows = Object.entries(r.disco.causes).map(([name, c]) => [name, c.count, c.cycles]);
  return 'virtual machines\n' +
    table(['vm', 'vcpus', 'MB', 'exit', 'user-instr', 'user-cycles', 'kernel-instr', 'kernel-cycles', 'disco-cycles', 'pages/node'], vmRows) +
    'Disco time by cause\n' + table(['cause', 'count', 'cycles'], causeRows) +
    `shootdowns reached ${r.disco.shootdownCpus} other CPU(s)\n` +
    machineSummary(r.machine);
}
