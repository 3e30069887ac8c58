// SPDX-License-Identifier: MIT
/** fsck against deliberately damaged images, and the tools against randomly damaged ones. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsck } from '../../src/fs/fsck.js';
import { FsImage } from '../../src/fs/image.js';
import { BLOCK, FsError, INODE_SIZE, S_IFDIR, S_IFMT, decodeSuperblock, testBit } from '../../src/fs/layout.js';
import { mkfs } from '../../src/fs/mkfs.js';

const TMP = mkdtempSync(join(tmpdir(), 'disco-fsck-'));
const IMAGE = join(TMP, 'good.img');
let pristine: Buffer;

/** Byte offsets of inode fields (docs/fs.md). */
const NLINK = 2, DIRECT = 20;

beforeAll(() => {
  const src = join(TMP, 'src');
  mkdirSync(join(src, 'a', 'sub'), { recursive: true });
  writeFileSync(join(src, 'a', 'one'), 'first file\n');
  writeFileSync(join(src, 'a', 'two'), Buffer.alloc(20 * BLOCK, 7));
  writeFileSync(join(src, 'a', 'sub', 'three'), 'third\n');
  symlinkSync('a/one', join(src, 'link'));
  mkfs(src, IMAGE, { now: 1700000000, sizeMB: 1 });
  pristine = readFileSync(IMAGE);
});

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Where things are in the pristine image. */
function locate(path: string): { ino: number; inodeAt: number; first: number; dirBlock: number } {
  const img = FsImage.open(IMAGE);
  try {
    const ino = img.lookup(path, false);
    const n = img.inode(ino);
    return { ino, inodeAt: img.sb.inodeTable * BLOCK + ino * INODE_SIZE, first: n.direct[0], dirBlock: (n.mode & S_IFMT) === S_IFDIR ? n.direct[0] : 0 };
  } finally { img.close(); }
}

/** fsck's problems after `damage` is done to a copy of the pristine image. */
function check(damage: (b: Buffer) => void): string[] {
  const b = Buffer.from(pristine);
  damage(b);
  const path = join(TMP, 'damaged.img');
  writeFileSync(path, b);
  const img = FsImage.open(path);
  try { return fsck(img).problems; } finally { img.close(); }
}

describe('fsck', () => {
  it('finds the image mkfs wrote clean', () => {
    expect(check(() => {})).toEqual([]);
  });

  it('catches a used block marked free, and a free block marked used', () => {
    const { ino, first } = locate('/a/one');
    const sb = decodeSuperblock(pristine, pristine.length);
    const flip = (b: Buffer, n: number): void => { b[sb.blockBitmap * BLOCK + (n >> 3)] ^= 1 << (n & 7); };
    expect(check((b) => flip(b, first))).toEqual([`block ${first} is in use by inode ${ino} but marked free in the bitmap`]);
    expect(check((b) => flip(b, sb.blocks - 1))).toEqual([`block ${sb.blocks - 1} is marked used in the bitmap but nothing refers to it`]);
  });

  it('catches a block pointer shared by two files', () => {
    const one = locate('/a/one'), three = locate('/a/sub/three');
    expect(check((b) => b.writeUInt32BE(one.first, three.inodeAt + DIRECT))).toEqual([
      `block ${one.first} is used twice: by inode ${one.ino} and by inode ${three.ino} (file block 0)`,
      `block ${three.first} is marked used in the bitmap but nothing refers to it`,
    ]);
  });

  it('catches a pointer outside the data area and one past the end of a file', () => {
    const one = locate('/a/one');
    expect(check((b) => b.writeUInt32BE(2, one.inodeAt + DIRECT))[0]).toBe(`inode ${one.ino}: file block 0 2 is outside the data area (${decodeSuperblock(pristine, pristine.length).dataStart} to ${pristine.length / BLOCK - 1})`);
    const three = locate('/a/sub/three');
    expect(check((b) => b.writeUInt32BE(three.first, one.inodeAt + DIRECT + 4))).toContain(`inode ${one.ino}: block pointer for file block 1 past its size 11`);
  });

  it('catches wrong link counts', () => {
    const one = locate('/a/one'), sub = locate('/a/sub');
    expect(check((b) => b.writeUInt16BE(3, one.inodeAt + NLINK))).toEqual([`inode ${one.ino} (/a/one): link count 3, but 1 directory entry refers to it`]);
    expect(check((b) => b.writeUInt16BE(3, sub.inodeAt + NLINK))).toEqual([`inode ${sub.ino} (/a/sub): link count 3, but 2 directory entries refer to it`]);
  });

  it('catches a directory linked twice (a cycle) and the file it hid', () => {
    const a = locate('/a'), sub = locate('/a/sub'), three = locate('/a/sub/three');
    // /a/sub's third entry ("three") now names /a: a cycle through /a/sub.
    const problems = check((b) => b.writeUInt32BE(a.ino, sub.dirBlock * BLOCK + 24));
    expect(problems).toContain(`/a/sub/three: directory inode ${a.ino} is already linked as /a (a hard link to a directory, or a cycle)`);
    expect(problems).toContain(`inode ${three.ino} (file) is allocated but not reachable from the root`);
  });

  it('catches malformed directory records', () => {
    const sub = locate('/a/sub');
    expect(check((b) => b.writeUInt16BE(6, sub.dirBlock * BLOCK + 4))).toContain('/a/sub: block ' + sub.dirBlock + ': record at offset 0 has bad length 6');
    expect(check((b) => b.write('x/', sub.dirBlock * BLOCK + 24 + 8))).toContain(`/a/sub: block ${sub.dirBlock}: record at offset 24: bad name "x/ree"`);
  });

  it('refuses a bad superblock', () => {
    const open = (damage: (b: Buffer) => void): string => {
      const b = Buffer.from(pristine);
      damage(b);
      writeFileSync(join(TMP, 'sb.img'), b);
      try { FsImage.open(join(TMP, 'sb.img')).close(); return 'opened'; } catch (e) { return (e as Error).message; }
    };
    expect(open((b) => b.writeUInt32BE(0xdeadbeef, 0))).toBe('not a disco file system (magic 0xdeadbeef, expected 0x44534b46)');
    expect(open((b) => b.writeUInt32BE(2, 4))).toBe('unsupported file system version 2 (expected 1)');
    expect(open((b) => b.writeUInt32BE(7, 36))).toMatch(/^bad superblock: inodeTable is 7, expected \d+$/);
    expect(open((b) => b.writeUInt32BE(0xffffff, 12))).toMatch(/^bad superblock: blockBitmapBlocks is 1, expected 512;/);
  });

  it('keeps the tools to clear errors on randomly damaged images', () => {
    let seed = 12345;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    const sb = decodeSuperblock(pristine, pristine.length);
    const metaBytes = (sb.dataStart + 40) * BLOCK; // the metadata and the first data blocks (directories)
    const path = join(TMP, 'fuzz.img');
    let clean = 0;
    for (let round = 0; round < 500; round++) {
      const b = Buffer.from(pristine);
      for (let k = 1 + rand(4); k > 0; k--) {
        const at = rand(metaBytes);
        b[at] = rand(2) === 0 ? rand(256) : b[at] ^ (1 << rand(8));
      }
      writeFileSync(path, b);
      try {
        const img = FsImage.open(path);
        try {
          if (fsck(img).problems.length === 0) clean++;
          // Read everything reachable, as ls -R and cat do.
          const walk = (ino: number, depth: number): void => {
            const n = img.inode(ino);
            if ((n.mode & S_IFMT) !== S_IFDIR) { if (n.size < 1 << 20) img.read(ino, n); return; }
            if (depth > 8) return;
            for (const e of img.entries(ino, n)) if (e.name !== '.' && e.name !== '..') walk(e.ino, depth + 1);
          };
          walk(img.sb.root, 0);
          img.lookup('/link');
        } finally { img.close(); }
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
      }
    }
    expect(clean).toBeLessThan(500);
  });
});

it('bitmaps count bits from the least significant', () => {
  expect(testBit(Buffer.from([0x01, 0x80]), 0)).toBe(true);
  expect(testBit(Buffer.from([0x01, 0x80]), 15)).toBe(true);
  expect(testBit(Buffer.from([0x01, 0x80]), 7)).toBe(false);
});
