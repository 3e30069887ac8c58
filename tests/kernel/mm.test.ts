// The guest kernel's memory management, threads and scheduler (guest/kernel/vm.c, proc.c,
// futex.c, sched.c): static glibc programs from guest/kernel-tests, built here, run from a
// file-system image on 4 nodes x 2 CPUs; their output is compared with qemu-mips where qemu
// runs them too, and with boot messages on the kernel's page count at power off must equal the
// count just before init started (no page leaked by fork, COW, threads, pipes or exit).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const programs = ['stress_fork', 'thread_sync', 'cow_fork', 'thread_exec', 'thread_futex', 'munmap_race', 'thread_fs', 'mmap_file'];
let dir = '';
let img = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'disco-mm-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  for (const p of programs) {
    const cc = spawnSync('mips-linux-gnu-gcc', ['-static', '-O2', '-pthread', '-o', join(root, p), `guest/kernel-tests/${p}.c`], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
  }
  img = join(dir, 'fs.img');
  const mk = spawnSync('node', ['bin/disco.js', 'mkfs', root, img], { encoding: 'utf8' });
  expect(mk.status).toBe(0);
});

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const boot = (verbose: boolean, ...prog: string[]) =>
  spawnSync('node', ['bin/disco.js', 'boot', '-q', ...(verbose ? ['--args', '1'] : []), '--nodes', '4', '--cpus-per-node', '2',
    '--mem-per-node', '32', '--disk', img, '--', ...prog], { encoding: 'utf8', timeout: 300_000 });

const qemu = (...prog: string[]) =>
  spawnSync('qemu-mips', [join(dir, 'root', prog[0]), ...prog.slice(1)], { encoding: 'utf8', timeout: 120_000 });

/** The user program's lines, and N and M of "mm: N pages free at boot, M at power off". */
function verbose(stdout: string) {
  const m = stdout.match(/^mm: (\d+) pages free at boot, (\d+) at power off$/m);
  expect(m).not.toBeNull();
  return { boot: Number(m![1]), off: Number(m![2]) };
}

describe('guest kernel memory management and threads', () => {
  it('survives the fork/exit/pipe/thread stress on 8 CPUs without leaking a page', () => {
    const r = boot(true, '/stress_fork', '4', '8');
    expect(r.stdout).toContain('stress_fork: 8 of 8 workers passed 4 rounds (104 forks, 64 threads)\n');
    expect(r.stdout).toMatch(/^sched: user processes ran on [5-8] of 8 cpus$/m);
    const { boot: n, off } = verbose(r.stdout);
    expect(off).toBe(n);
    expect(r.status).toBe(0);
  });

  it('runs 16 pthreads (mutex, condition variable, join, FPU state) as qemu-mips does', () => {
    const want = qemu('thread_sync', '300');
    expect(want.status).toBe(0);
    const r = boot(false, '/thread_sync', '300');
    expect(r.stdout).toBe(want.stdout);
    expect(r.stdout).toContain('counter 4800 (want 4800)\n');
    expect(r.status).toBe(0);
    const v = boot(true, '/thread_sync', '100');
    const { boot: n, off } = verbose(v.stdout);
    expect(off).toBe(n);
  });

  it('gives fork private copy-on-write memory, keeps MAP_SHARED shared, enforces mprotect, and vfork shares the mm', () => {
    const want = qemu('cow_fork');
    expect(want.status).toBe(0);
    const r = boot(true, '/cow_fork');
    // qemu-user runs vfork as fork; a kernel's CLONE_VM|CLONE_VFORK child writes the parent's memory
    const expected = want.stdout.replace('wrote through the shared mm: no', 'wrote through the shared mm: yes');
    const lines = expected.split('\n').filter((l) => l);
    for (const l of lines) expect(r.stdout.split('\n')).toContain(l);
    expect(r.stdout).toContain('shared counter 3000, slots 615\n');
    expect(r.stdout).toContain("child 3: exit 13, parent's copy intact\n");
    const { boot: n, off } = verbose(r.stdout);
    expect(off).toBe(n);
    expect(r.status).toBe(0);
  });

  it('implements futex WAIT/WAKE, bitsets, timeouts, REQUEUE, CMP_REQUEUE and WAKE_OP as Linux (qemu-mips)', () => {
    const want = qemu('thread_futex');
    expect(want.status).toBe(0);
    const r = boot(false, '/thread_futex');
    // qemu-user stores WAKE_OP's operand byte-swapped on a little-endian host; Linux stores 5
    expect(r.stdout).toBe(want.stdout.replace(/w2 now \d+/, 'w2 now 5'));
    expect(r.stdout).toContain('relative timeout: -145\nabsolute timeout: -145\n');
    expect(r.status).toBe(0);
  });

  it('fails a system call whose user buffer another thread unmaps under it with EFAULT, instead of crashing', () => {
    // qemu-mips (Linux) returns the bytes written before the unmapped part: the program accepts either
    const want = qemu('munmap_race');
    expect(want.stdout).toMatch(/^munmap_race: write (EFAULT|partial), read some, data intact 1\n$/);
    const r = boot(true, '/munmap_race');
    expect(r.stdout).toContain('munmap_race: write EFAULT, read some, data intact 1\n');
    expect(r.stdout).not.toContain('panic');
    const { boot: n, off } = verbose(r.stdout);
    expect(off).toBe(n);
    expect(r.status).toBe(0);
  });

  it('shares the working directory and umask between threads (CLONE_FS), not with a forked child, as qemu-mips', () => {
    const want = qemu('thread_fs');
    expect(want.stdout).toContain('after the thread\'s chdir and umask: cwd /tmp umask 077\n');
    const r = boot(true, '/thread_fs');
    expect(r.stdout).toContain(want.stdout);
    const { boot: n, off } = verbose(r.stdout);
    expect(off).toBe(n);
    expect(r.status).toBe(0);
  });

  it('maps files as qemu-mips does: private snapshots, offsets, zeroed tail, read-only shared, errors', () => {
    const want = qemu('mmap_file', join(dir, 'mmap_file.dat'));
    expect(want.stdout).toContain('private write: seen in the mapping 1, file unchanged 1\n');
    const r = boot(true, '/mmap_file', '/tmp/mmap_file.dat');
    expect(r.stdout).toContain(want.stdout);
    const { boot: n, off } = verbose(r.stdout);
    expect(off).toBe(n);
    expect(r.status).toBe(0);
  });

  it('ends the other threads (blocked or spinning) when a thread group execs', () => {
    const r = boot(true, '/thread_exec');
    const lines = r.stdout.split('\n');
    expect(lines.indexOf('new image: again, pid 1, child status 3')).toBeGreaterThan(lines.indexOf('exec from pid 1 with 2 more threads'));
    expect(lines).toContain('exec from pid 1 with 2 more threads');
    expect(r.stdout).not.toContain('blocker returned');
    const { boot: n, off } = verbose(r.stdout);
    expect(off).toBe(n);
    expect(r.status).toBe(0);
  });
});
