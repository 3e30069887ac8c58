// The guest kernel (guest/kernel, image guest/images/kernel.elf) on the bare machine: boots on
// one CPU and on 8 CPUs over 4 nodes, in parallel and deterministic mode, runs its first user
// program in user mode (o32 write and exit_group), and powers off with the program's status.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf } from '../../src/exec/elf.js';

const disco = (...args: string[]) => spawnSync('node', ['bin/disco.js', ...args], { encoding: 'utf8', timeout: 120_000 });

const userOutput = (argc: number) =>
  'hello from user mode\n' +
  `init: argc ${argc}, sum of squares 332833500\n` +
  'init: bad write 14, bad fd 9\n' +
  'init: brk ok, mmap ok\n';

const shapes: [number, number, boolean][] = [[1, 1, false], [1, 1, true], [4, 2, false], [4, 2, true]];

describe('guest kernel', () => {
  it('is one kseg0 load segment at physical 0, entered at 0x80000200 (the kernel itself is linked in ksseg)', () => {
    const img = parseElf(readFileSync('guest/images/kernel.elf'), 'kernel');
    expect(img.entry >>> 0).toBe(0x80000200);
    expect(img.segments).toHaveLength(1);
    expect(img.segments[0].vaddr >>> 0).toBe(0x80000000);
    const bytes = img.bytes.subarray(img.segments[0].offset);
    // the refill vector's trampoline jumps into ksseg: lui k0, %hi(tlb_refill)
    expect(bytes[0] << 8 | bytes[1]).toBe(0x3c1a);
    const hi = bytes[2] << 8 | bytes[3];
    expect(hi >= 0xc000 && hi <= 0xe000).toBe(true);
  });

  it.each(shapes)('boots quietly on %i nodes x %i CPUs (deterministic %s): only the user program\'s output', (nodes, cpn, det) => {
    const args = ['boot', '-q', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '16'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(userOutput(1));
    expect(r.status).toBe(0);
  });

  it.each(shapes)('passes the exit status through on %i nodes x %i CPUs (deterministic %s)', (nodes, cpn, det) => {
    const args = ['boot', '--kernel', 'guest/images/kernel.elf', '-q', '--args', '0,42', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '16'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    expect(r.stdout).toBe(userOutput(2));
    expect(r.status).toBe(42);
  });

  it.each(shapes)('reports every CPU up, IPIs and timer ticks on every CPU with boot messages on %i nodes x %i CPUs (deterministic %s)', (nodes, cpn, det) => {
    const args = ['boot', '-q', '--args', '1,7', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '16'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    const n = nodes * cpn;
    expect(r.status).toBe(7);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`disco-kernel: ${n} cpus on ${nodes} nodes, 16 MB per node`);
    expect(lines[1]).toMatch(new RegExp(`^mm: ${nodes * 4096} pages, \\d+ free, kernel ends at c0[0-9a-f]{6}$`));
    for (let c = 0; c < n; c++) {
      expect(lines).toContain(`smp: cpu ${c} up on node ${Math.floor(c / cpn)}`);
      expect(lines).toContain(`timer: cpu ${c} ticking`);
    }
    expect(lines).toContain(`smp: ${n - 1} cpus answered an ipi`);
    expect(lines).toContain(`mm: node-local allocation on ${nodes} of ${nodes} nodes`);
    expect(r.stdout).toContain(userOutput(2));
    expect(r.stdout).toMatch(new RegExp(`init: pid 1 exited with status 7\nsched: user processes ran on 1 of ${n} cpus\nmm: (?<n>\\d+) pages free at boot, \\k<n> at power off\n$`));
    expect(lines).toContain('cpu: UserLocal register ' + (r.stdout.includes('register present') ? 'present' : 'absent'));
  });

  it.each([
    [1, 'a privileged instruction', 132], [2, 'a load from a kernel address', 139],
    [3, 'a store to its text', 139], [4, 'a load from an unmapped page', 139],
  ])('kills the user program for fault %i (%s) with status %i', (fault, _what, status) => {
    const r = disco('boot', '-q', '--args', `0,0,${fault}`, '--nodes', '2', '--mem-per-node', '16');
    expect(r.stdout).toBe(userOutput(3) + `init: provoking fault ${fault}\n`);
    expect(r.status).toBe(status);
  });

  it.each([[4, 2, false], [4, 2, true], [1, 1, false]])('forks children that run in parallel and waits for them on %i nodes x %i CPUs (deterministic %s)', (nodes, cpn, det) => {
    const args = ['boot', '-q', '--args', '1,9,5', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '16'];
    if (det) args.push('--deterministic');
    const r = disco(...args);
    const statuses = [101, 106, 108, 106, 104, 106];
    const want = userOutput(3) + statuses.map((s, k) => `init: child ${k} exited with status ${s}\n`).join('') +
      'init: fork ok, parent\'s memory untouched\ninit: wait without children: 10\ninit: pid 1 exited with status 9\n';
    expect(r.stdout.slice(r.stdout.indexOf('hello from user mode'))).toMatch(new RegExp('^' + want.replace(/[()]/g, '\\$&') + 'sched: user processes ran on (\\d+) of ' + nodes * cpn + ' cpus\nmm: (?<n>\\d+) pages free at boot, \\k<n> at power off\n$'));
    const used = Number(/ran on (\d+) of/.exec(r.stdout)![1]);
    expect(used).toBeGreaterThanOrEqual(nodes * cpn > 1 ? 2 : 1);
    expect(r.status).toBe(9);
  });

  it.each([[1, 1, false], [4, 2, false], [4, 2, true]])('reads console input to its end on %i nodes x %i CPUs (deterministic %s)', (nodes, cpn, det) => {
    const input = Buffer.alloc(20000);
    for (let i = 0; i < input.length; i++) input[i] = i % 61 === 60 ? 10 : 32 + ((i * 7) % 90);
    let sum = 0, lines = 0;
    for (const b of input) { sum += b; if (b === 10) lines++; }
    const args = ['boot', '-q', '--args', '0,0,6', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '16'];
    if (det) args.push('--deterministic');
    const r = spawnSync('node', ['bin/disco.js', ...args], { encoding: 'utf8', timeout: 120_000, input });
    expect(r.stdout).toBe(userOutput(3) + `init: read ${input.length} bytes, ${lines} lines, sum ${sum}, then end of input\n`);
    expect(r.status).toBe(0);
  });

  it('runs its own init when there is no program to run, on a file system or on a disk without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisk-'));
    try {
      const img = join(dir, 'disk.img'), fs = join(dir, 'fs.img');
      writeFileSync(img, Buffer.alloc(8 * 512, 0x5a));
      mkdirSync(join(dir, 'root'));
      expect(disco('mkfs', join(dir, 'root'), fs).status).toBe(0);
      for (const disk of [img, fs]) {
        const r = disco('boot', '-q', '--disk', disk, '--args', '0,3');
        expect(r.stdout.endsWith(userOutput(2))).toBe(true);
        expect(r.status).toBe(3);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('runs a static glibc program from the root file system (disco boot --disk IMG -- PROGRAM ARGS)', () => {
    const build = spawnSync('bash', ['guest/build-tests.sh'], { encoding: 'utf8' }); // idempotent; also run by the differential suite
    expect(build.status, build.stderr).toBe(0);
    expect(disco('boot', '-q', '--args', '1').stdout).toContain('cpu: UserLocal register present\n');
    const dir = mkdtempSync(join(tmpdir(), 'kdisk-'));
    try {
      const img = join(dir, 'root.img');
      mkdirSync(join(dir, 'root', 'bin'), { recursive: true });
      copyFileSync('build/guest-tests/r2/exitcode', join(dir, 'root', 'bin', 'exitcode'));
      chmodSync(join(dir, 'root', 'bin', 'exitcode'), 0o755);
      expect(disco('mkfs', join(dir, 'root'), img).status).toBe(0);
      for (const [nodes, det] of [[1, false], [4, true]] as const) {
        const args = ['boot', '-q', '--disk', img, '--nodes', String(nodes), '--mem-per-node', '32'];
        if (det) args.push('--deterministic');
        const r = disco(...args, '--', '/bin/exitcode', '7', 'exit');
        expect(r.stdout).toBe('exiting with 7 via exit\natexit handler ran\n');
        expect(r.status).toBe(7);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('gives identical output run after run in deterministic mode', () => {
    const run = () => disco('boot', '--json', '--args', '1', '--nodes', '4', '--cpus-per-node', '2', '--mem-per-node', '16', '--deterministic');
    const a = run(), b = run();
    expect(a.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const strip = (s: string) => { const o = JSON.parse(s); delete o.hostSeconds; delete o.runSeconds; return o.instructions; };
    expect(strip(b.stderr)).toBe(strip(a.stderr));
  });

  it('rebuilds the committed image byte for byte', () => {
    const probe = spawnSync('bash', ['-c', 'command -v mips-linux-gnu-gcc'], { encoding: 'utf8' });
    if (probe.status !== 0) return; // no cross toolchain here: nothing to compare
    const r = spawnSync('bash', ['guest/build-kernel.sh', '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
