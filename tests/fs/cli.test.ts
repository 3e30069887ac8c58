// SPDX-License-Identifier: MIT
/** `disco mkfs`, `ls`, `cat` and `fsck` end to end, through bin/disco.js (npm test builds first). */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TMP = mkdtempSync(join(tmpdir(), 'disco-fs-'));
const SRC = join(TMP, 'src');
const IMAGE = join(TMP, 'root.img');
/** A file past the direct and single indirect blocks: 12 + 1024 + 5 blocks and a bit. */
const BIG = Buffer.alloc((12 + 1024 + 5) * 4096 + 123);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 2654435761) >>> 24;
const T = new Date('2024-03-01T12:34:00Z');

function disco(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'disco.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function discoBytes(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'disco.js'), ...args], { timeout: 60_000, maxBuffer: 64 << 20 });
  expect(r.status).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npx tsc -p .) first');
  const file = (p: string, data: string | Buffer, mode: number): void => {
    writeFileSync(join(SRC, p), data);
    chmodSync(join(SRC, p), mode);
    utimesSync(join(SRC, p), T, T);
  };
  for (const d of ['bin', 'etc/deep/er', 'home']) mkdirSync(join(SRC, d), { recursive: true });
  file('bin/big', BIG, 0o755);
  file('bin/hello.sh', '#!/bin/sh\necho hello\n', 0o700);
  file('bin/su', 'setuid\n', 0o4755);
  file('etc/empty', '', 0o644);
  file('etc/deep/er/note.txt', 'deep down\n', 0o640);
  linkSync(join(SRC, 'etc/deep/er/note.txt'), join(SRC, 'home/note'));
  symlinkSync('../etc/deep/er/note.txt', join(SRC, 'bin/note'));
  lutimesSync(join(SRC, 'bin/note'), T, T);
  for (const d of ['etc/deep/er', 'etc/deep', 'etc', 'bin', 'home']) utimesSync(join(SRC, d), T, T);
  const r = disco(['mkfs', SRC, IMAGE]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/root\.img: 15 MB, 1090 of 3840 blocks and 18 of 960 inodes used/);
});

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('disco mkfs, ls, cat, fsck', () => {
  it('lists exactly what the host tree holds, with modes, links and sizes', () => {
    const r = disco(['ls', '-l', IMAGE, '/bin']);
    expect(r.stdout).toBe([
      '-rwxr-xr-x 1 0 0 4264059 2024-03-01 12:34 big',
      '-rwx------ 1 0 0      21 2024-03-01 12:34 hello.sh',
      'lrwxrwxrwx 1 0 0      23 2024-03-01 12:34 note -> ../etc/deep/er/note.txt',
      '-rwsr-xr-x 1 0 0       7 2024-03-01 12:34 su',
      '',
    ].join('\n'));
    expect(r.status).toBe(0);
    expect(disco(['ls', '-l', IMAGE, '/etc']).stdout).toBe([
      'drwxr-xr-x 3 0 0 4096 2024-03-01 12:34 deep',
      '-rw-r--r-- 1 0 0    0 2024-03-01 12:34 empty',
      '',
    ].join('\n'));
    expect(disco(['ls', '-l', IMAGE, '/home/note']).stdout).toBe('-rw-r----- 2 0 0 10 2024-03-01 12:34 /home/note\n');
  });

  it('adds /dev/null, /dev/console, /dev/ether and a world-writable sticky /tmp', () => {
    const dev = disco(['ls', '-l', IMAGE, '/dev']).stdout.split('\n');
    expect(dev[0]).toMatch(/^crw-rw-rw- 1 0 0 +5, 1 [\d-]+ [\d:]+ console$/);
    expect(dev[1]).toMatch(/^crw-rw-rw- 1 0 0 +10, 200 [\d-]+ [\d:]+ ether$/);
    expect(dev[2]).toMatch(/^crw-rw-rw- 1 0 0 +1, 3 [\d-]+ [\d:]+ null$/);
    const root = disco(['ls', '-l', IMAGE]).stdout;
    expect(root).toMatch(/^drwxrwxrwt 2 0 0 4096 .* tmp$/m);
    expect(root).toMatch(/^drwxr-xr-x 2 0 0 4096 .* dev$/m);
    expect(root).toMatch(/^drwxr-xr-x 3 0 0 4096 2024-03-01 12:34 etc$/m);
  });

  it('lists recursively', () => {
    expect(disco(['ls', '-R', IMAGE]).stdout).toBe([
      '/:', 'bin', 'dev', 'etc', 'home', 'tmp', '',
      '/bin:', 'big', 'hello.sh', 'note', 'su', '',
      '/dev:', 'console', 'ether', 'null', '',
      '/etc:', 'deep', 'empty', '',
      '/etc/deep:', 'er', '',
      '/etc/deep/er:', 'note.txt', '',
      '/home:', 'note', '',
      '/tmp:', '',
    ].join('\n'));
  });

  it('reads files back byte for byte, through indirect blocks and symbolic links', () => {
    expect(discoBytes(['cat', IMAGE, '/bin/big']).equals(BIG)).toBe(true);
    expect(discoBytes(['cat', IMAGE, '/bin/note']).toString()).toBe('deep down\n');
    expect(discoBytes(['cat', IMAGE, '/etc/empty']).length).toBe(0);
    expect(discoBytes(['cat', IMAGE, '/etc/deep/../deep/er/note.txt']).toString()).toBe('deep down\n');
  });

  it('finds the image clean', () => {
    const r = disco(['fsck', IMAGE]);
    expect(r.stdout).toMatch(/^clean: 5 files, 8 directories, 1 symbolic link, 3 devices; 1090 of 3840 blocks, 18 of 960 inodes used\n$/);
    expect(r.status).toBe(0);
  });

  it('honours --size and refuses a size the contents do not fit', () => {
    const img = join(TMP, 'sized.img');
    expect(disco(['mkfs', '--size', '64', SRC, img]).status).toBe(0);
    expect(readFileSync(img).length).toBe(64 * 1024 * 1024);
    expect(disco(['fsck', img]).status).toBe(0);
    const r = disco(['mkfs', '--size', '2', SRC, img]);
    expect(r.stderr).toMatch(/^disco mkfs: .* needs \d+ blocks of 4096 bytes \(5 MB\) but the image has 512\n$/);
    expect(r.status).toBe(2);
  });

  it('reports bad input in one line with exit status 2', () => {
    const notFs = join(TMP, 'not-fs.img');
    writeFileSync(notFs, Buffer.alloc(8192, 0x41));
    const cut = join(TMP, 'cut.img');
    writeFileSync(cut, readFileSync(IMAGE));
    truncateSync(cut, 4096 * 100);
    const cases: [string[], RegExp][] = [
      [['mkfs', join(TMP, 'missing'), join(TMP, 'x.img')], /missing: no such directory\n$/],
      [['mkfs', IMAGE, join(TMP, 'x.img')], /root\.img: not a directory\n$/],
      [['ls', join(TMP, 'missing.img')], /missing\.img: no such file or directory\n$/],
      [['fsck', notFs], /not-fs\.img: not a disco file system \(magic 0x41414141, expected 0x44534b46\)\n$/],
      [['fsck', cut], /cut\.img: truncated image: the superblock says 3840 blocks \(15728640 bytes\) but the file has 409600 bytes\n$/],
      [['cat', IMAGE, '/etc/nothing'], /\/etc\/nothing: no such file or directory\n$/],
      [['cat', IMAGE, '/etc'], /\/etc: is a directory\n$/],
      [['ls', IMAGE, '/etc/empty/x'], /\/etc\/empty\/x: not a directory\n$/],
      [['mkfs', '--size', 'lots', SRC, join(TMP, 'x.img')], /expected a whole number of MB/],
    ];
    for (const [args, message] of cases) {
      const r = disco(args);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    }
  });

  it('fsck exits 1 and names the problem in a damaged image', () => {
    const bad = join(TMP, 'bad.img');
    const b = readFileSync(IMAGE);
    b[4096] ^= 0x80; // block 7 of the metadata, marked free
    writeFileSync(bad, b);
    const r = disco(['fsck', bad]);
    expect(r.stdout).toBe(`block 7 (file system metadata) is marked free in the bitmap\n${bad}: 1 problem\n`);
    expect(r.status).toBe(1);
  });
});
