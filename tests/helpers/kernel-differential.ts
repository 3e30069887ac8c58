// SPDX-License-Identifier: MIT
/**
 * The differential suite under the guest kernel (tests/kernel/differential.test.ts on the bare
 * machine, tests/disco/differential.test.ts in a VM under Disco): every case of
 * guest/tests/cases.json, both builds (r2, r10k), run as the guest kernel's init (`disco boot -q
 * --disk IMG -- /bin/VARIANT/PROGRAM ARGS`, or `disco run` with one VM of one vCPU whose console
 * goes to a file) and under qemu-mips; the console must carry exactly what qemu-mips writes to
 * stdout and stderr together (one pipe, so the interleaving counts too), and the exit status
 * must be the program's.
 *
 * One file-system image (`disco mkfs`) holds both builds under /bin/r2 and /bin/r10k and an
 * empty /tmp/t; each case boots its own copy, with /tmp/t as its working directory and as the
 * `@TMPDIR@` of its args (qemu-mips gets a fresh host temp dir, whose path is mapped to /tmp/t
 * in its output). Environments are the case's `env` alone on both sides. Cases run
 * concurrently, on one CPU in functional mode (no cache timing: the same semantics, 1.7 times
 * faster). A failing case on the bare machine reruns with boot messages to name what the kernel
 * reported (unimplemented system calls, exceptions).
 *
 * Knobs: DISCO_QEMU (reference emulator, default qemu-mips), DISCO_DIFF_TIMEOUT_MS (per run,
 * default 300000), DISCO_KDIFF_FLAGS (machine flags, default `--mem-per-node 64 --functional`;
 * e.g. `--nodes 4 --cpus-per-node 2 --mem-per-node 32`).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUILD_DIR, ROOT, TMPDIR_TOKEN, VARIANTS, buildGuestTests, describeExit, formatDiff, loadCases, qemu, tail, type CaseSpec,
  type Ending,
} from './differential.js';
import { syscallName } from '../../src/exec/syscall-names.js';

const RUN_TIMEOUT_MS = Number(process.env.DISCO_DIFF_TIMEOUT_MS ?? 300_000);
const GUEST_DIR = '/tmp/t';
const DISCO = [process.execPath, path.join(ROOT, 'bin', 'disco.js')];
const BOOT_FLAGS = (process.env.DISCO_KDIFF_FLAGS ?? '--mem-per-node 64 --functional').split(/\s+/).filter(Boolean);

/** Where a case runs: init of the guest kernel on the bare machine, or in a VM under Disco. */
export type KernelHost = 'bare' | 'disco';

interface Run extends Ending { out: string; err: string }

/** Runs a command with `input` on stdin; stdout and stderr go to one file when `merge`, as on a console. */
function run(argv: string[], opts: { cwd: string; env: Record<string, string | undefined>; input: string; merge: boolean }): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disco-kdiff-out-'));
  const outFd = fs.openSync(path.join(dir, 'out'), 'w');
  const errFd = opts.merge ? outFd : fs.openSync(path.join(dir, 'err'), 'w');
  const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['pipe', outFd, errFd] });
  fs.closeSync(outFd);
  if (!opts.merge) fs.closeSync(errFd);
  const stdin = child.stdin!;
  stdin.on('error', () => { /* the program need not read all its input */ });
  stdin.end(Buffer.from(opts.input, 'utf8'));
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, RUN_TIMEOUT_MS);
  return new Promise((resolve) => {
    const done = (status: number | null, signal: NodeJS.Signals | null, error?: string): void => {
      clearTimeout(timer);
      const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f)).toString('latin1') : '');
      const r: Run = { out: read('out'), err: read('err'), status, signal, error: timedOut ? `timed out after ${RUN_TIMEOUT_MS} ms` : error };
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(r);
    };
    child.on('error', (e) => done(null, null, e.message));
    child.on('close', (status, signal) => done(status, signal));
  });
}

const CASES = loadCases();
let work = '';
let image = '';
let setupError: string | undefined;

beforeAll(() => {
  if (qemu.problem) { setupError = `reference emulator: ${qemu.problem} (install qemu-user, or set DISCO_QEMU)`; return; }
  setupError = buildGuestTests();
  if (setupError) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'disco-kdiff-'));
  const root = path.join(work, 'root');
  for (const v of VARIANTS) fs.cpSync(path.join(BUILD_DIR, v), path.join(root, 'bin', v), { recursive: true });
  fs.mkdirSync(path.join(root, GUEST_DIR), { recursive: true });
  image = path.join(work, 'root.img');
  const r = spawnSync(DISCO[0], [...DISCO.slice(1), 'mkfs', root, image], { encoding: 'utf8' });
  if (r.status !== 0) setupError = `disco mkfs failed (exit ${r.status}): ${r.stderr}`;
});

afterAll(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

/** The kernel's own lines (unimplemented system calls, exceptions) in a boot with boot messages. */
function kernelNotes(console: string): string[] {
  return console.split('\n').filter((l) => /^pid \d+: /.test(l))
    .map((l) => l.replace(/unimplemented system call (\d+)$/, (m, nr: string) => `${m} (${syscallName(Number(nr)) ?? "unknown"})`));
}

async function check(host: KernelHost, variant: string, c: CaseSpec): Promise<void> {
  if (setupError) throw new Error(setupError);
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'disco-kdiff-qemu-'));
  const disk = path.join(work, `${variant}-${c.name}.img`);
  try {
    const ref = await run([...qemu.argv, path.join(BUILD_DIR, variant, c.program), ...c.args.map((a) => a.split(TMPDIR_TOKEN).join(hostDir))],
      { cwd: hostDir, env: { ...c.env }, input: c.stdin, merge: true });
    if (ref.error || ref.signal || ref.status !== c.status) {
      throw new Error(`reference run (qemu-mips) did not behave as the case expects: ${describeExit(ref)}, expected exit ${c.status}\n${tail(ref.out)}`);
    }
    const expected = ref.out.split(hostDir).join(GUEST_DIR);

    const argv = [`/bin/${variant}/${c.program}`, ...c.args.map((a) => a.split(TMPDIR_TOKEN).join(GUEST_DIR))];
    const boot = async (extra: string[]): Promise<Run> => {
      fs.copyFileSync(image, disk);
      if (host === 'bare') {
        const env = Object.entries(c.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
        return run([...DISCO, 'boot', '-q', ...BOOT_FLAGS, ...extra, '--disk', disk, '--cwd', GUEST_DIR, ...env, '--', ...argv],
          { cwd: ROOT, env: process.env, input: c.stdin, merge: false });
      }
      // one VM of one vCPU on the same machine; its console goes to a file, exactly as written
      const config = `${disk}.json`, consoles = `${disk}.console`;
      const vm = { name: 'vm', vcpus: 1, memMB: 56, disk, argv, env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`), cwd: GUEST_DIR };
      fs.writeFileSync(config, JSON.stringify({ vms: [vm] }));
      const r = await run([...DISCO, 'run', '-q', ...BOOT_FLAGS, '--console-dir', consoles, config], { cwd: ROOT, env: process.env, input: c.stdin, merge: false });
      const log = path.join(consoles, 'vm.log');
      r.out = fs.existsSync(log) ? fs.readFileSync(log).toString('latin1') : '';
      fs.rmSync(consoles, { recursive: true, force: true });
      fs.rmSync(config, { force: true });
      return r;
    };
    const emu = await boot([]);
    const problems: string[] = [];
    if (emu.error || emu.err) problems.push(`disco ${host === 'bare' ? 'boot' : 'run'} failed: ${emu.error ?? ''}${emu.err}`);
    if (describeExit(emu) !== describeExit(ref)) problems.push(`exit status differs: reference ${describeExit(ref)}, disco ${describeExit(emu)}`);
    if (emu.out !== expected) problems.push(formatDiff('console (stdout and stderr)', expected, emu.out));
    if (problems.length > 0) {
      const notes = host === 'bare' ? kernelNotes((await boot(['--args', '1'])).out) : [];
      if (notes.length > 0) problems.push(`the kernel said (with --args 1):\n${notes.slice(0, 20).join('\n')}`);
      throw new Error(`[${host}/${variant}/${c.name}] ${argv.join(' ')} (machine flags ${BOOT_FLAGS.join(' ')}, cwd ${GUEST_DIR})\n${problems.join('\n\n')}`);
    }
    expect(emu.out).toBe(expected);
    expect(emu.status).toBe(ref.status);
  } finally {
    fs.rmSync(hostDir, { recursive: true, force: true });
    fs.rmSync(disk, { force: true });
  }
}

/** Defines the suite: every case of both builds, run on `host`, against qemu-mips. */
export function kernelDifferential(host: KernelHost): void {
  describe.concurrent(`differential under the guest kernel ${host === 'bare' ? 'on the bare machine (qemu-mips vs disco boot)' : 'in a VM under Disco (qemu-mips vs disco run)'}`, () => {
    it('has a sizeable corpus', () => {
      expect(new Set(CASES.map((c) => c.program)).size).toBeGreaterThanOrEqual(24);
    });
    for (const variant of VARIANTS) {
      for (const c of CASES) it(`${variant}/${c.name}`, () => check(host, variant, c), 3 * RUN_TIMEOUT_MS + 30_000);
    }
  });
}
