// The guest kernel's file system, open files, pipes and /dev/ether (guest/kernel/fs.c, file.c,
// pipe.c, ether.c) running static glibc programs from guest/kernel-tests on a `disco mkfs`
// image: the same transcript as qemu-mips on a host directory, an image that `disco fsck`
// finds clean afterwards with the files the program wrote, concurrent use on several CPUs,
// randomly damaged images (every call answered, no panic) and a clear message for a disk that
// holds no file system.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd: string, args: string[], cwd?: string) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26 });
const disco = (...args: string[]) => run('node', ['bin/disco.js', ...args]);

const dir = mkdtempSync(join(tmpdir(), 'disco-fs-'));
const root = join(dir, 'root');
const PROGRAMS = ['fstest', 'fsstress', 'ethertest', 'fswalk'];

beforeAll(() => {
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const p of PROGRAMS) {
    const r = run('mips-linux-gnu-gcc', ['-static', '-O2', '-Wall', '-o', join(root, 'bin', p), `guest/kernel-tests/${p}.c`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let images = 0;
function image(): string {
  const img = join(dir, `root${images++}.img`);
  const r = disco('mkfs', root, img);
  expect(r.status).toBe(0);
  return img;
}

function expectClean(img: string): void {
  const r = disco('fsck', img);
  expect(r.stdout + r.stderr).toMatch(/^clean: /);
  expect(r.status).toBe(0);
}

/** Every regular file under d, as paths relative to d. */
function walk(d: string, rel = ''): string[] {
  return readdirSync(join(d, rel)).sort().flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name, st = statSync(join(d, path), { throwIfNoEntry: false });
    return st?.isDirectory() ? walk(d, path) : st?.isFile() ? [path] : [];
  });
}

describe('guest kernel file system', () => {
  let qemu: { stdout: string; dir: string } | null = null;
  /** fstest under qemu-mips in a fresh host directory (once). */
  function reference(): { stdout: string; dir: string } {
    if (qemu !== null) return qemu;
    const host = join(dir, 'qemu');
    mkdirSync(host);
    const q = run('sh', ['-c', `ulimit -n 1024 2>/dev/null; exec qemu-mips ${join(root, 'bin', 'fstest')} w`], host);
    expect(q.status).toBe(0);
    expect(q.stdout).toMatch(/^list \. \(6\): /m);
    return qemu = { stdout: q.stdout, dir: join(host, 'w') };
  }

  it.each([[1, 1], [4, 2]])('runs fstest on %i nodes x %i CPUs with the transcript qemu-mips gives on a host directory, leaving a clean image with its files', (nodes, cpn) => {
    const q = reference();
    const img = image();
    const r = disco('boot', '-q', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '64', '--disk', img, '--', '/bin/fstest', '/tmp/w');
    expect(r.stdout).toBe(q.stdout);
    expect(r.status).toBe(0);
    expectClean(img);
    const files = [...walk(q.dir, 'keep'), 'renamed', 'many/a-rather-long-file-name-to-fill-directory-blocks-quickly-199'];
    expect(files.slice(0, 4)).toEqual(['keep/data', 'keep/link', 'keep/sub/hardlink', 'keep/sub/small']);
    for (const f of files) expect(disco('cat', img, `/tmp/w/${f}`).stdout).toBe(readFileSync(join(q.dir, f), 'utf8'));
    expect(disco('ls', '-l', img, '/tmp/w/keep/link').stdout).toMatch(/^lrwxrwxrwx 1 0 0 +4 .* \/tmp\/w\/keep\/link -> data\n$/);
    expect(disco('ls', '-l', img, '/tmp/w/keep/sub/small').stdout).toMatch(/^-rw------- 1 0 0 +6 /);
  }, 300_000);

  it.each([[1, 1, false], [4, 2, false], [2, 2, true]])(
    'keeps the file system consistent under concurrent use on %i nodes x %i CPUs (deterministic %s)', (nodes, cpn, det) => {
      const img = image();
      const args = ['boot', '-q', '--nodes', String(nodes), '--cpus-per-node', String(cpn), '--mem-per-node', '32', '--disk', img];
      if (det) args.push('--deterministic');
      const r = disco(...args, '--', '/bin/fsstress', '/tmp/s');
      expect(r.stdout).toBe('fsstress: ok (180 files, 84 directories)\n');
      expect(r.status).toBe(0);
      expectClean(img);
      expect(disco('ls', img, '/tmp/s/s').stdout.split('\n')).toContain('r5-38');
    }, 300_000);

  it('sends and receives frames through /dev/ether', () => {
    const r = disco('boot', '-q', '--disk', image(), '--', '/bin/ethertest');
    expect(r.stdout).toBe([
      'fd = open("/dev/ether", O_RDWR) = 3',
      'fstat(fd, &st) = 0',
      'chr 1, 10:200',
      'write(fd, "\\0\\0\\0", 3) = -1 Invalid argument',
      'write(fd, "\\0\\0\\0\\0", 4) = -1 Invalid argument',
      'write(fd, "\\0\\0\\0\\x63xx", 6) = -1 Invalid argument',
      'write(fd, frame, 17) = 17',
      'read(fd, buf, 3) = -1 Invalid argument',
      'read(fd, buf, sizeof buf) = 17',
      'from port 0: hello, ether',
      'write(fd, frame, 4 + 9216) = 9220',
      'write(fd, frame, 4 + 9217) = -1 Message too long',
      'read(fd, buf, 100) = 100',
      'cut: ok',
      'write(fd, frame, 4 + 9216) = 9220',
      'read(fd, buf, sizeof buf) = 9220',
      'full: ok',
      'lseek(fd, 0, SEEK_SET) = -1 Illegal seek',
      'close(fd) = 0',
      '',
    ].join('\n'));
    expect(r.status).toBe(0);
  }, 300_000);

  it('answers every call on randomly damaged images: no panic, no hang', () => {
    // a tree with nested directories, links, many small files and one with indirect blocks
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'bin'), { recursive: true });
    mkdirSync(join(tree, 'a', 'b', 'c'), { recursive: true });
    writeFileSync(join(tree, 'bin', 'fswalk'), readFileSync(join(root, 'bin', 'fswalk')), { mode: 0o755 });
    writeFileSync(join(tree, 'a', 'big'), Buffer.alloc(5_000_000, 0x61));
    for (let i = 0; i < 60; i++) writeFileSync(join(tree, 'a', 'b', 'c', `f${i}`), `file ${i}\n`);
    symlinkSync('../a', join(tree, 'a', 'b', 'up'));
    symlinkSync('/a/big', join(tree, 'link'));
    const img = join(dir, 'tree.img');
    expect(disco('mkfs', tree, img).status).toBe(0);
    const good = readFileSync(img), sb = new DataView(good.buffer, good.byteOffset);
    const itable = sb.getUint32(36), data = sb.getUint32(44), used = 2200;
    const clean = disco('boot', '-q', '--disk', img, '--', '/bin/fswalk');
    expect(clean.stdout).toMatch(/^fswalk: 7 directories, 62 files, 2 links, \d+ bytes, 7 created, 0 errors\n$/);
    let seed = 12345;
    const rand = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
    for (let round = 0; round < 8; round++) {
      const bad = Buffer.from(good);
      for (let k = 0; k < 60; k++) {
        const where = rand(10);   // the inodes in use, the bitmaps, the data blocks (directories among them)
        const at = where < 6 ? itable * 4096 + rand(80 * 128) : where < 8 ? 4096 + rand((itable - 1) * 4096) : data * 4096 + rand(used * 4096 - data * 4096);
        bad[at] = rand(2) ? rand(256) : bad[at] ^ (1 << rand(8));
      }
      const damaged = join(dir, `damaged${round}.img`);
      writeFileSync(damaged, bad);
      const r = disco('boot', '-q', '--disk', damaged, '--', '/bin/fswalk');
      expect(r.stdout).not.toMatch(/panic/i);
      expect(r.stdout).toMatch(/^(fswalk: \d+ directories|init: \/bin\/fswalk: )/m);
      expect([0, 126, 127]).toContain(r.status);
    }
  }, 300_000);

  it('says so when the disk holds no file system, and runs without one', () => {
    const img = join(dir, 'junk.img');
    writeFileSync(img, Buffer.alloc(1 << 20, 0x5a));
    const r = disco('boot', '-q', '--disk', img, '--', '/bin/fstest');
    expect(r.stdout).toMatch(/^fs: the disk \(2048 sectors\) holds no disco file system: no root file system$/m);
    expect(r.status).toBe(127);
  }, 300_000);
});
