// execve, signals and booting a program from the root file system on the guest kernel
// (guest/kernel/exec.c, signal.c, main.c): static glibc programs from guest/kernel-tests
// (exec_*.c, sig_*.c) on a `disco mkfs` image, booted with `disco boot --disk IMG -- PROGRAM`.
// The signal programs must print what they print under qemu-mips; exec's results, which
// qemu-mips cannot show (it hands execve to the host), are checked against Linux's semantics.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26, env: opts.env });
const disco = (...args: string[]) => run('node', ['bin/disco.js', ...args]);

const dir = mkdtempSync(join(tmpdir(), 'disco-exec-'));
const root = join(dir, 'root');
const img = join(dir, 'root.img');
const PROGRAMS = ['sig_basic', 'sig_proc', 'sig_fault', 'sig_hostile', 'sig_threads', 'pgrp', 'exec_args', 'exec_main', 'exec_script'];
/** Built for the host too: the host's Linux is the reference for #! scripts, which qemu-mips cannot execve. */
const NATIVE = ['exec_args', 'exec_script'];
const native = join(dir, 'native');
const bin = (p: string) => join(root, 'bin', p);

beforeAll(() => {
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  mkdirSync(join(root, 'etc'));
  for (const p of PROGRAMS) {
    const r = run('mips-linux-gnu-gcc', ['-static', '-O2', '-Wall', '-pthread', '-o', bin(p), `guest/kernel-tests/${p}.c`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
  mkdirSync(join(native, 'tmp'), { recursive: true });
  for (const p of NATIVE) {
    const r = run('gcc', ['-O2', '-Wall', '-o', join(native, p), `guest/kernel-tests/${p}.c`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
  writeFileSync(join(root, 'etc', 'motd'), 'not a program\n');
  chmodSync(join(root, 'etc', 'motd'), 0o644);
  writeFileSync(bin('notelf'), 'echo not an ELF file\n');
  chmodSync(bin('notelf'), 0o755);
  expect(disco('mkfs', root, img).status).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const boot = (shape: string[], ...cmd: string[]) => disco('boot', '-q', '--disk', img, ...shape, '--', ...cmd);
const qemu = (p: string, ...args: string[]) => {
  const r = run('qemu-mips', [bin(p), ...args]);
  expect(r.status).toBe(0);
  return r.stdout;
};
const SHAPES: [string, string[]][] = [
  ['1 CPU', ['--nodes', '1', '--mem-per-node', '32']],
  ['4 nodes x 2 CPUs, deterministic', ['--nodes', '4', '--cpus-per-node', '2', '--mem-per-node', '32', '--deterministic']],
];

describe('signals on the guest kernel', () => {
  it.each(SHAPES)('delivers signals as qemu-mips does: handlers, siginfo, sigreturn, masks, altstack, kill (%s)', (_n, shape) => {
    const want = qemu('sig_basic');
    expect(want).toMatch(/registers after handler: 1, handler ran 1\n[^]*child killed: signaled 1 by 15\n[^]*done\n$/);
    const r = boot(shape, '/bin/sig_basic');
    expect(r.stdout).toBe(want);
    expect(r.status).toBe(0);
  });

  it.each(SHAPES)('signals between processes as qemu-mips: SIGCHLD, SIGPIPE, EINTR, SA_RESTART, alarm, pause, sigsuspend (%s)', (_n, shape) => {
    const want = qemu('sig_proc');
    expect(want).toContain('read restarted: 5 alarms 2\n');
    const r = boot(shape, '/bin/sig_proc');
    expect(r.stdout).toBe(want);
    expect(r.status).toBe(0);
  });

  it.each(SHAPES)('keeps process groups and sessions as qemu-mips: setsid, setpgid, getpgid, getsid, kill and wait4 by group, errors (%s)', (_n, shape) => {
    const want = qemu('pgrp');
    expect(want).toContain('reaped from group a: 2, by SIGTERM: 2, then ECHILD\n');
    const r = boot(shape, '/bin/pgrp');
    expect(r.stdout).toBe(want);
    expect(r.status).toBe(0);
  });

  it('turns faults into signals a handler catches, with si_code and si_addr, as qemu-mips and Linux do', () => {
    // Linux raises SIGFPE/FPE_INTDIV for the `teq ..., 7` of a division by zero; qemu-mips SIGTRAP.
    const division = /^integer division by zero: .*\n/m;
    const want = qemu('sig_fault');
    const r = boot(SHAPES[0][1], '/bin/sig_fault');
    expect(r.stdout.match(division)?.[0]).toBe('integer division by zero: sig 8 code 1 addr ok 1\n');
    expect(r.stdout.replace(division, '')).toBe(want.replace(division, ''));
    expect(r.stdout).toContain('misaligned load: sig 10 code 1 addr ok 1\n');
    expect(r.stdout).toContain('store to read-only data: sig 11 code 2 addr ok 1\n');
    expect(r.status).toBe(0);
  });
});

describe('signals and threads on the guest kernel', () => {
  it.each(SHAPES)('sends to a thread group or one thread, and a fatal signal ends every thread, as qemu-mips (%s)', (_n, shape) => {
    const want = qemu('sig_threads');
    expect(want).toContain('a fatal signal ends the threaded child: signaled 1 by 15\ndone\n');
    const r = boot(shape, '/bin/sig_threads');
    expect(r.stdout).toBe(want);
    expect(r.status).toBe(0);
  });
});

describe('hostile signal calls on the guest kernel', () => {
  it.each(SHAPES)('answers bad pointers, sizes and frames as qemu-mips does: errors, or SIGSEGV for the caller (%s)', (_n, shape) => {
    const want = qemu('sig_hostile');
    expect(want).toContain('sigreturn to a kernel address: signaled 1 by 11\ndone\n');
    const r = boot(shape, '/bin/sig_hostile');
    expect(r.stdout).toBe(want);
    expect(r.status).toBe(0);
  });
});

describe('execve on the guest kernel', () => {
  it('runs #! scripts as Linux does: the interpreter, its argument, the script, the arguments; errors', () => {
    // the same program built for the host, its scripts run by the host's kernel; paths and the
    // auxiliary vector's machine-specific entries aside, the output must be the same
    const norm = (s: string) => s.replace(/^auxv: .* execfn "([^"]*)" .*$/gm, 'auxv: execfn $1');
    const host = run(join(native, 'exec_script'), [join(native, 'tmp'), native]);
    expect(host.status).toBe(0);
    const want = norm(host.stdout.split(join(native, 'tmp')).join('/tmp').split(native).join('/bin'));
    expect(want).toContain('argv[1] "one argument"\nargv[2] "/tmp/script0"\nargv[3] "a"\n');
    const r = boot(SHAPES[0][1], '/bin/exec_script', '/tmp', '/bin');
    expect(norm(r.stdout)).toBe(want);
    expect(r.status).toBe(0);
  });

  it.each(SHAPES)('fails cleanly, then runs a program with its argv, envp and the state execve keeps (%s)', (_n, shape) => {
    const r = boot(shape, '/bin/exec_main', '/tmp');
    const errors = [
      ['missing file', 'ENOENT'], ['through a file', 'ENOTDIR'], ['not executable', 'EACCES'],
      ['not an ELF file', 'ENOEXEC'], ['bad path pointer', 'EFAULT'], ['bad argument pointer', 'EFAULT'],
      ['bad argv array', 'EFAULT'], ['one argument over 128 KB', 'E2BIG'],
    ].map(([what, e]) => `${what}: -1 ${e}, still here, canary 12345\n`).join('');
    const auxv = 'auxv: pagesz 4096 phent 32 phnum ok 1 phdr ok 1 random 1 execfn "/bin/exec_args" uid 0 secure 0\n';
    expect(r.stdout).toBe(errors +
      'argc 4\nargv[0] "exec_args"\nargv[1] "state"\nargv[2] "two words"\nargv[3] ""\n' +
      'env "HOME=/root"\nenv "EMPTY="\nenv "X=1"\nargv[argc] NULL 1\n' + auxv +
      'caught SIGUSR1 now default 1\nignored SIGUSR2 still ignored 1\nblocked SIGTERM still blocked 1\n' +
      'fd 3 (inherited) open 1, fd 4 (close-on-exec) open 0\ncwd /tmp\nchild exited 1 with 4\n' +
      'argc 0\nargv[argc] NULL 1\n' + auxv + 'empty argv: exited with 0\n' +
      'argc 2\nargv[0] "exec_args"\nargv[1] "threads"\nargv[argc] NULL 1\n' + auxv + 'threaded child: exited 1 with 2\n');
    expect(r.status).toBe(0);
  });
});

describe('booting a program from the root file system', () => {
  it('runs PROGRAM ARGS as pid 1 with exactly the given environment and working directory, as qemu-mips sees them', () => {
    const args = ['state', 'a b', ''], env = ['HOME=/root', 'LANG=C'];
    const q = run('qemu-mips', [bin('exec_args'), ...args], { env: Object.fromEntries(env.map((e) => e.split('='))) });
    const r = disco('boot', '-q', '--disk', img, '--env', env[0], '--env', env[1], '--cwd', '/etc', '--', '/bin/exec_args', ...args);
    // the same arguments and environment (qemu-mips gets the host's path as argv[0]; node orders env)
    const lines = (s: string) => s.split('\n').filter((l) => /^(argc|argv\[[1-9]|env) /.test(l)).sort().join('\n');
    expect(lines(r.stdout)).toBe(lines(q.stdout));
    expect(r.stdout).toContain('argv[0] "/bin/exec_args"\n');
    expect(r.stdout).toContain('env "LANG=C"\nargv[argc] NULL 1\n');
    expect(r.stdout).toContain('cwd /etc\n');
    expect(r.stdout).toContain('fd 3 (inherited) open 0, fd 4 (close-on-exec) open 0\n');
    expect(r.status).toBe(4);
  });

  it.each([
    ['/bin/missing', 'No such file or directory', 127], ['/etc/motd', 'Permission denied', 126],
    ['/bin/notelf', 'Exec format error', 126], ['/etc/motd/x', 'Not a directory', 127],
  ])('reports a program it cannot run (%s) as a shell would, and powers off', (prog, reason, status) => {
    const r = disco('boot', '-q', '--disk', img, '--', prog as string);
    expect(r.stdout).toBe(`init: ${prog}: ${reason}\n`);
    expect(r.status).toBe(status);
  });

  it('passes thousands of arguments from the boot command', () => {
    const args = Array.from({ length: 3000 }, (_, i) => `arg${i}`);
    const r = disco('boot', '-q', '--disk', img, '--', '/bin/exec_args', ...args);
    expect(r.stdout).toContain('argc 3001\n');
    expect(r.stdout).toContain('argv[3000] "arg2999"\nargv[argc] NULL 1\n');
    expect(r.status).toBe(3001 & 255);
  });

  it('powers off with 128 + signal when the signal kills pid 1', () => {
    const r = disco('boot', '-q', '--disk', img, '--', '/bin/exec_args', 'die');
    expect(r.stdout).toContain('argv[1] "die"\n');
    expect(r.status).toBe(128 + 15);
  });
});
