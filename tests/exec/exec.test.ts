// SPDX-License-Identifier: MIT
/** `disco exec` end to end: real static MIPS programs against qemu-mips and Linux behaviour. */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DISCO, OUT, build, disco, discoAsync, qemu, requireBuild, shellStatus } from './helpers.js';

beforeAll(requireBuild);

describe('disco exec', () => {
  it('runs hello world exactly as qemu-mips does, passing arguments and the exit status', () => {
    const prog = build('hello.c');
    const args = [prog, 'one', '-n', '--two', 'three four'];
    const ref = qemu(prog, args.slice(1));
    const r = disco(['exec', ...args]);
    expect(r.stdout).toBe(ref.stdout);
    expect(r.stdout).toContain('Hello, world!\nargv[0] = ' + prog + '\nargv[1] = one\nargv[2] = -n\nargv[3] = --two\n');
    expect(r.status).toBe(42);
    expect(r.status).toBe(ref.status);
    expect(r.stderr).toBe('');
  });

  it('passes stdin through, and stderr separately from stdout', () => {
    const prog = build('echo_stdin.c');
    const input = 'first line\nsecond line\nno newline at the end';
    const r = disco(['exec', prog], { input });
    expect(r.stdout).toBe(input.toUpperCase());
    expect(r.stderr).toBe('2 lines\n');
    expect(r.status).toBe(0);
  });

  it('passes the environment through', () => {
    const prog = build('getenv.c');
    const env = { ...process.env, DISCO_TEST_VAR: 'value with spaces', EMPTY_VAR: '' };
    const r = disco(['exec', prog, 'DISCO_TEST_VAR', 'EMPTY_VAR', 'NOT_SET_ANYWHERE'], { env });
    expect(r.stdout).toBe('DISCO_TEST_VAR=value with spaces\nEMPTY_VAR=\nNOT_SET_ANYWHERE=(unset)\n');
  });

  it('returns ENOSYS for an unknown system call and warns once on stderr', () => {
    const prog = build('enosys.c');
    const r = disco(['exec', prog]);
    expect(r.stdout).toBe('syscall(4999) = -1 errno 89\nsyscall(4999) = -1 errno 89\n');
    expect(r.stdout).toBe(qemu(prog).stdout);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('4999'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 'warn' });
    expect(r.status).toBe(0);
  });

  it('matches qemu-mips on files, directories, pipes, memory mappings, signals and clocks', () => {
    const prog = build('syscalls.c');
    const r = disco(['exec', prog]);
    const ref = qemu(prog);
    // qemu-mips 7.2 gets two things wrong that Linux gets right: an empty listing of the
    // directory, and a relative /proc/self/exe. Those lines are checked against Linux's answer.
    const linuxOnly = (l: string): boolean => l.startsWith('dir:') || l.startsWith('exe ');
    expect(r.stdout.split('\n').filter((l) => !linuxOnly(l))).toEqual(ref.stdout.split('\n').filter((l) => !linuxOnly(l)));
    expect(r.stdout).toContain('dir: . .. b.txt link sub\n');
    expect(r.stdout).toContain('exe absolute 1 ends with argv0 base 1\n');
    expect(r.stdout).toContain('handler: signal 11 code 2 addr base+10\n');
    expect(shellStatus(r)).toBe(shellStatus(ref)); // raise(SIGTERM): 143
    expect(r.stderr).toBe('disco exec: program killed by SIGTERM\n');
  });

  it.each([
    ['segv', 139, /^disco exec: program killed by SIGSEGV at pc 0x[0-9a-f]{8} \(BadVAddr 0x00000010\)$/],
    ['abort', 134, /^disco exec: program killed by SIGABRT$/],
    ['bus', 135, /^disco exec: program killed by SIGBUS at pc 0x[0-9a-f]{8} \(BadVAddr 0x[0-9a-f]{7}[13579bdf]\)$/],
    ['sigterm', 143, /^disco exec: program killed by SIGTERM$/],
    // Linux turns `teq rs, zero, 7` into SIGFPE (qemu-mips 7.2 raises SIGTRAP instead).
    ['divzero', 136, /^disco exec: program killed by SIGFPE at pc 0x[0-9a-f]{8} \(instr 0x[0-9a-f]{3}001f4\)$/],
  ])('a program killed by a fault or a signal (%s) exits with 128 + signal and one line', (how, status, line) => {
    const prog = build('faults.c');
    const r = disco(['exec', prog, how]);
    expect(r.stdout).toBe(`dying by ${how}\n`);
    expect(r.status).toBe(status);
    expect(r.stderr.trimEnd()).toMatch(line);
    if (how !== 'divzero') expect(shellStatus(qemu(prog, [how]))).toBe(status);
  });

  it('dies quietly of SIGPIPE when its reader goes away, like a native program', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${DISCO} exec ${build('faults.c')} pipe | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toBe('dying by pipe\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(141);
  });

  it('runs RDHWR $3, $29 natively, and with --strict-r10000 emulates it as Linux does', () => {
    const prog = build('rdhwr.S', 'rdhwr', ['-march=mips32r2', '-nostdlib', '-static']);
    expect(qemu(prog).status).toBe(0x12);
    expect(disco(['exec', prog]).status).toBe(0x12);
    const strict = disco(['exec', '--strict-r10000', prog]);
    expect(strict.stderr).toBe('');
    expect(strict.status).toBe(0x12);
  });

  it('with --strict-r10000 other MIPS32r2 instructions in glibc raise SIGILL', () => {
    const r = disco(['exec', '--strict-r10000', build('hello.c')]);
    expect(r.status).toBe(132);
    expect(r.stderr).toMatch(/^disco exec: program killed by SIGILL at pc 0x[0-9a-f]{8} \(instr 0x[0-9a-f]{8}\)\n$/);
  });

  it('writes --stats-json and prints --stats on stderr, nothing on stdout', () => {
    const prog = build('hello.c');
    const file = join(OUT, 'stats.json');
    rmSync(file, { force: true });
    const r = disco(['exec', '--stats', '--stats-json', file, '--mem', '64', prog]);
    expect(r.stdout).toBe(`Hello, world!\nargv[0] = ${prog}\n`);
    const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
    expect(Object.keys(s).sort()).toEqual(['hostSeconds', 'instructions', 'mips', 'simulatedCycles']);
    expect(s.instructions).toBeGreaterThan(1000);
    expect(s.simulatedCycles).toBeGreaterThanOrEqual(s.instructions);
    expect(s.mips).toBeCloseTo(s.instructions / s.hostSeconds / 1e6, 3);
    expect(r.stderr).toMatch(/instructions\s+[\d,]+\n/);
    expect(r.stderr).toMatch(/emulated MIPS\s+[\d.]+\n/);
  });

  it('runs a program that needs most of --mem, and kills one that needs more', () => {
    const prog = build('touch_mem.c');
    // 600 MB of 768 also needs the frames above the I/O window (physical 0x1f000000-0x1fffffff).
    const fits = disco(['exec', '--mem', '768', prog, '600']);
    expect(fits.stdout).toBe('touched 600 MB, sum 19584000\n');
    expect(fits.status).toBe(0);
    const tooBig = disco(['exec', '--mem', '32', prog, '48']);
    expect(tooBig.status).toBe(137);
    expect(tooBig.stderr).toMatch(/^disco exec: program killed: out of machine memory \(32 MB\); try a larger --mem\n$/);
  });

  it('exits 130 on SIGINT, even while the program waits for input from a pipe', async () => {
    const fifo = join(OUT, 'stdin.fifo');
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
    const stdin = openSync(fifo, 'r+'); // never at end of file: the program waits forever
    try {
      const { child, done } = discoAsync(['exec', build('echo_stdin.c')], stdin);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.kill('SIGINT');
      expect(await done).toMatchObject({ code: 130, stderr: '' });
    } finally { closeSync(stdin); }
  });

  it('ends on SIGINT while a program computes', async () => {
    const { child, done } = discoAsync(['exec', build('faults.c'), 'spin']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    expect(await done).toMatchObject({ code: 130 });
  });

  it('rejects bad options with status 2', () => {
    expect(disco(['exec', '--mem', 'lots', build('hello.c')]).status).toBe(2);
    expect(disco(['exec', '--no-such-option', build('hello.c')]).status).toBe(2);
    expect(disco(['exec']).status).toBe(2);
  });
});
