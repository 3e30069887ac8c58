// The Disco paper's workloads (guest/workloads, binaries in guest/images/workloads): the build is
// reproducible; under qemu-mips (the reference) each prints the checksum guest/workloads/
// expected.json states at the test and the paper size, the same for any number of processes or
// threads and a different one for a different size; the same sources built for the host give
// it too; the single-process forms give it under `disco exec`; and the guest kernel gives it on
// 1 CPU and on 4 nodes x 2 CPUs.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Run { args: string[]; checksum: string }
const expected: { workloads: Record<string, Record<'test' | 'paper', Run>> } =
  JSON.parse(readFileSync('guest/workloads/expected.json', 'utf8'));
const NAMES = ['pmake', 'engineering', 'raytrace', 'database'];
const IMAGES = resolve('guest/images/workloads');

const dir = mkdtempSync(join(tmpdir(), 'disco-workloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd = dir) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26 });

/** The checksum lines a run printed. */
const checksums = (stdout: string) => stdout.split('\n').filter((l) => / checksum /.test(l));

/** A workload under qemu-mips; pmake compiles --inline (qemu-user cannot execve a MIPS program). */
function qemu(name: string, args: string[]) {
  const r = run('qemu-mips', [join(IMAGES, name), ...(name === 'pmake' ? ['--inline', ...args] : args)]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return checksums(r.stdout);
}

describe('workloads', () => {
  it('are built reproducibly: a fresh build equals the committed binaries', () => {
    const r = run('bash', [resolve('guest/build-workloads.sh'), '--check']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('expected.json describes the four workloads at the test and paper sizes', () => {
    expect(Object.keys(expected.workloads).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES)
      for (const size of ['test', 'paper'] as const) expect(expected.workloads[name][size].checksum).toMatch(/^0x[0-9a-f]{8}$/);
  });

  describe.each(NAMES)('%s under qemu-mips', (name) => {
    const { test, paper } = expected.workloads[name];
    it.each([['test', test], ['paper', paper]] as const)('prints the expected checksum at the %s size', (_, { args, checksum }) => {
      expect(qemu(name, args)).toEqual([`${name} checksum ${checksum}`]);
    }, 300_000);

    it('gives the same checksum with 1 and with 7 processes or threads, and another for another size', () => {
      const count = { pmake: '-j', engineering: '-p', raytrace: '-t', database: '-p' }[name]!;
      const dirArg = name === 'pmake' ? ['pm'] : [];
      for (const n of ['1', '7']) expect(qemu(name, [count, n, ...dirArg])).toEqual([`${name} checksum ${test.checksum}`]);
      const other = { pmake: ['-s', '61'], engineering: ['-t', '21'], raytrace: ['-w', '47'], database: ['-q', '17'] }[name]!;
      const [line] = qemu(name, [...other, ...dirArg]);
      expect(line).toMatch(new RegExp(`^${name} checksum 0x[0-9a-f]{8}$`));
      expect(line).not.toBe(`${name} checksum ${test.checksum}`);
    }, 300_000);
  });

  it('built for the host with gcc, print the same test-size checksums (pmake exec\'ing the host cc)', () => {
    const host = join(dir, 'host');
    mkdirSync(host);
    const flags = ['-O2', '-ffp-contract=off', '-D_FILE_OFFSET_BITS=64', '-pthread', '-Wall', '-Werror'];
    const sources: Record<string, string[]> = { cc: ['cc.c'], pmake: ['pmake.c', 'cc.c', '-DCC_LIBRARY'] };
    for (const name of ['cc', ...NAMES]) {
      const src = (sources[name] ?? [`${name}.c`]).map((f) => (f.startsWith('-') ? f : resolve('guest/workloads', f)));
      const r = run('gcc', [...flags, '-o', join(host, name), ...src, '-lm']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    for (const name of NAMES) {
      const { args, checksum } = expected.workloads[name].test;
      const r = run(join(host, name), args);
      expect(checksums(r.stdout)).toEqual([`${name} checksum ${checksum}`]);
      expect(r.status).toBe(0);
    }
  }, 120_000);

  it('refuse bad arguments with a usage message and exit status 2', () => {
    for (const [name, args] of [['pmake', ['-j', '0', 'pm']], ['engineering', ['-p', '63', '-n', '8']], ['raytrace', ['-t', 'x']], ['database', ['extra']]] as const) {
      const r = run('qemu-mips', [join(IMAGES, name), ...args]);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^(usage: )?${name}[: ]`));
      expect(r.status).toBe(2);
    }
  });

  it.each([
    ['pmake', ['--inline', '-j', '1', 'pm']], ['engineering', ['-p', '1']], ['raytrace', ['-t', '1']], ['database', ['-p', '1']],
  ])('%s as one process under disco exec prints the test-size checksum', (name, args) => {
    const r = run('node', [resolve('bin/disco.js'), 'exec', join(IMAGES, name), ...args]);
    expect(checksums(r.stdout)).toEqual([`${name} checksum ${expected.workloads[name].test.checksum}`]);
    expect(r.status).toBe(0);
  }, 300_000);

  describe('on the guest kernel', () => {
    const image = join(dir, 'root.img');
    beforeAll(() => {
      mkdirSync(join(dir, 'root'));
      cpSync(IMAGES, join(dir, 'root', 'bin'), { recursive: true });
      expect(run('node', [resolve('bin/disco.js'), 'mkfs', join(dir, 'root'), image]).status).toBe(0);
    });

    let disks = 0;
    it.each(NAMES.flatMap((name) => [[name, 1, 1], [name, 4, 2]] as const))(
      '%s prints the test-size checksum on %i nodes x %i CPUs', (name, nodes, cpn) => {
        const disk = join(dir, `run${disks++}.img`);
        copyFileSync(image, disk);
        const { args, checksum } = expected.workloads[name].test;
        const r = run('node', [resolve('bin/disco.js'), 'boot', '-q', '--nodes', String(nodes), '--cpus-per-node', String(cpn),
          '--mem-per-node', nodes === 1 ? '64' : '32', '--disk', disk, '--cwd', '/tmp', '--', `/bin/${name}`, ...args]);
        expect(checksums(r.stdout)).toEqual([`${name} checksum ${checksum}`]);
        expect(r.status).toBe(0);
      }, 300_000);
  });
});
