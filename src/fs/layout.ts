// SPDX-License-Identifier: MIT
/**
 * The disco file system format (docs/fs.md), declared once: constants, the superblock, inode and
 * directory entry layouts, and their big-endian encoders and decoders. Nothing here trusts an
 * image: decoders bounds-check, and report a malformed structure as an FsError or to a callback.
 */

export const BLOCK = 4096;
export const MAGIC = 0x44534b46; // "DSKF"
export const VERSION = 1;
export const INODE_SIZE = 128;
export const INODES_PER_BLOCK = BLOCK / INODE_SIZE;
export const BITS_PER_BLOCK = BLOCK * 8;
export const PTRS_PER_BLOCK = BLOCK / 4;
export const NDIRECT = 12;
export const ROOT_INO = 1;
export const NAME_MAX = 255;
export const SYMLINK_MAX = BLOCK - 1;
/** Longest file: its size is a u32. */
export const FILE_MAX = 0xffffffff;

/** File types: the S_IFMT bits of the mode, as in Unix. */
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

/** Character devices (major, minor), numbered as in Linux. */
export const DEV_NULL = { major: 1, minor: 3 };
export const DEV_CONSOLE = { major: 5, minor: 1 };

/** A structure in the image breaks the format: the tools report the message and stop. */
export class FsError extends Error {}

export interface Superblock {
  blocks: number;
  inodes: number;
  blockBitmap: number;
  blockBitmapBlocks: number;
  inodeBitmap: number;
  inodeBitmapBlocks: number;
  inodeTable: number;
  inodeTableBlocks: number;
  dataStart: number;
  root: number;
}

/** Superblock field byte offsets (block 0), each a u32. */
const SB = { magic: 0, version: 4, blockSize: 8, blocks: 12, inodes: 16, blockBitmap: 20, blockBitmapBlocks: 24, inodeBitmap: 28, inodeBitmapBlocks: 32, inodeTable: 36, inodeTableBlocks: 40, dataStart: 44, root: 48 } as const;

/** The only layout for a given size: everything follows from the block and inode counts. */
export function geometry(blocks: number, inodes: number): Superblock {
  const blockBitmapBlocks = Math.ceil(blocks / BITS_PER_BLOCK);
  const inodeBitmapBlocks = Math.ceil(inodes / BITS_PER_BLOCK);
  const inodeTableBlocks = Math.ceil(inodes / INODES_PER_BLOCK);
  const inodeBitmap = 1 + blockBitmapBlocks;
  const inodeTable = inodeBitmap + inodeBitmapBlocks;
  return {
    blocks, inodes, blockBitmap: 1, blockBitmapBlocks, inodeBitmap, inodeBitmapBlocks,
    inodeTable, inodeTableBlocks, dataStart: inodeTable + inodeTableBlocks, root: ROOT_INO,
  };
}

export function encodeSuperblock(sb: Superblock): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.writeUInt32BE(MAGIC, SB.magic);
  b.writeUInt32BE(VERSION, SB.version);
  b.writeUInt32BE(BLOCK, SB.blockSize);
  for (const k of Object.keys(geometry(0, 0)) as (keyof Superblock)[]) b.writeUInt32BE(sb[k], SB[k]);
  return b;
}

/** Decodes and checks block 0; `imageBytes` is the image file's size. */
export function decodeSuperblock(b: Buffer, imageBytes: number): Superblock {
  if (b.length < 64) throw new FsError('truncated image: no superblock');
  const magic = b.readUInt32BE(SB.magic);
  if (magic !== MAGIC) throw new FsError(`not a disco file system (magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${MAGIC.toString(16)})`);
  const version = b.readUInt32BE(SB.version);
  if (version !== VERSION) throw new FsError(`unsupported file system version ${version} (expected ${VERSION})`);
  const blockSize = b.readUInt32BE(SB.blockSize);
  if (blockSize !== BLOCK) throw new FsError(`unsupported block size ${blockSize} (expected ${BLOCK})`);
  const sb = {} as Superblock;
  for (const k of Object.keys(geometry(0, 0)) as (keyof Superblock)[]) sb[k] = b.readUInt32BE(SB[k]);
  const want = geometry(sb.blocks, sb.inodes);
  const bad = (Object.keys(want) as (keyof Superblock)[]).filter((k) => sb[k] !== want[k]);
  if (bad.length > 0) throw new FsError(`bad superblock: ${bad.map((k) => `${k} is ${sb[k]}, expected ${want[k]}`).join('; ')}`);
  if (sb.inodes < 2) throw new FsError(`bad superblock: ${sb.inodes} inodes (at least 2: the reserved inode 0 and the root)`);
  if (sb.dataStart >= sb.blocks) throw new FsError(`bad superblock: no data blocks (${sb.blocks} blocks, data would start at ${sb.dataStart})`);
  if (sb.blocks * BLOCK > imageBytes) throw new FsError(`truncated image: the superblock says ${sb.blocks} blocks (${sb.blocks * BLOCK} bytes) but the file has ${imageBytes} bytes`);
  return sb;
}

export interface Inode {
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  major: number;
  minor: number;
  direct: number[];
  indirect: number;
  dindirect: number;
}

/** Inode field byte offsets within its 128-byte slot; bytes 76-127 are reserved (zero). */
const IN = { mode: 0, nlink: 2, uid: 4, gid: 6, size: 8, mtime: 12, major: 16, minor: 18, direct: 20, indirect: 68, dindirect: 72 } as const;

export function emptyInode(): Inode {
  return { mode: 0, nlink: 0, uid: 0, gid: 0, size: 0, mtime: 0, major: 0, minor: 0, direct: new Array<number>(NDIRECT).fill(0), indirect: 0, dindirect: 0 };
}

export function encodeInode(n: Inode, b: Buffer, at: number): void {
  b.fill(0, at, at + INODE_SIZE);
  b.writeUInt16BE(n.mode, at + IN.mode);
  b.writeUInt16BE(n.nlink, at + IN.nlink);
  b.writeUInt16BE(n.uid, at + IN.uid);
  b.writeUInt16BE(n.gid, at + IN.gid);
  b.writeUInt32BE(n.size, at + IN.size);
  b.writeUInt32BE(n.mtime, at + IN.mtime);
  b.writeUInt16BE(n.major, at + IN.major);
  b.writeUInt16BE(n.minor, at + IN.minor);
  n.direct.forEach((p, i) => b.writeUInt32BE(p, at + IN.direct + 4 * i));
  b.writeUInt32BE(n.indirect, at + IN.indirect);
  b.writeUInt32BE(n.dindirect, at + IN.dindirect);
}

export function decodeInode(b: Buffer, at: number): Inode {
  return {
    mode: b.readUInt16BE(at + IN.mode), nlink: b.readUInt16BE(at + IN.nlink),
    uid: b.readUInt16BE(at + IN.uid), gid: b.readUInt16BE(at + IN.gid),
    size: b.readUInt32BE(at + IN.size), mtime: b.readUInt32BE(at + IN.mtime),
    major: b.readUInt16BE(at + IN.major), minor: b.readUInt16BE(at + IN.minor),
    direct: Array.from({ length: NDIRECT }, (_, i) => b.readUInt32BE(at + IN.direct + 4 * i)),
    indirect: b.readUInt32BE(at + IN.indirect), dindirect: b.readUInt32BE(at + IN.dindirect),
  };
}

/** Whether a file type keeps its contents in data blocks. */
export function hasBlocks(mode: number): boolean {
  const t = mode & S_IFMT;
  return t === S_IFREG || t === S_IFDIR || t === S_IFLNK;
}

/** Directory entry: u32 inode (0: unused), u16 record length, u8 name length, u8 zero, the name. */
export const DIRENT_HEADER = 8;

/** The bytes a record with a name of `nameLen` bytes needs: header and name, rounded up to 4. */
export function recordLength(nameLen: number): number {
  return (DIRENT_HEADER + nameLen + 3) & ~3;
}

export interface DirEntry { ino: number; name: string }

/**
 * Parses one directory block: records that tile it exactly. A malformed record is reported and
 * ends the block (nothing after it can be trusted); entries before it are returned.
 */
export function parseDirBlock(b: Buffer, problem: (msg: string) => void): DirEntry[] {
  const out: DirEntry[] = [];
  for (let off = 0; off < BLOCK;) {
    if (BLOCK - off < DIRENT_HEADER) { problem(`record at offset ${off} has no room for its header`); break; }
    const ino = b.readUInt32BE(off);
    const rec = b.readUInt16BE(off + 4);
    const len = b[off + 6];
    if (rec < DIRENT_HEADER || rec % 4 !== 0 || off + rec > BLOCK) { problem(`record at offset ${off} has bad length ${rec}`); break; }
    if (ino !== 0) {
      if (recordLength(len) > rec) { problem(`record at offset ${off}: name of ${len} bytes does not fit its length ${rec}`); break; }
      const raw = b.subarray(off + DIRENT_HEADER, off + DIRENT_HEADER + len);
      const name = raw.toString('utf8');
      if (len === 0 || raw.includes(0x2f) || raw.includes(0)) { problem(`record at offset ${off}: bad name ${JSON.stringify(name)}`); break; }
      out.push({ ino, name });
    }
    off += rec;
  }
  return out;
}

/** Packs entries into whole directory blocks, the last record of each block taking its slack. */
export function packDirectory(entries: DirEntry[]): Buffer[] {
  const blocks: Buffer[] = [];
  let cur = Buffer.alloc(BLOCK);
  let off = 0;
  let last = -1;
  const seal = (): void => { cur.writeUInt16BE(BLOCK - last, last + 4); blocks.push(cur); };
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const rec = recordLength(name.length);
    if (off + rec > BLOCK) { seal(); cur = Buffer.alloc(BLOCK); off = 0; }
    cur.writeUInt32BE(e.ino, off);
    cur.writeUInt16BE(rec, off + 4);
    cur[off + 6] = name.length;
    name.copy(cur, off + DIRENT_HEADER);
    last = off;
    off += rec;
  }
  seal();
  return blocks;
}

/** Bit `i` of a bitmap: byte i / 8, bit i % 8 counting from the least significant. */
export function testBit(map: Buffer, i: number): boolean {
  return (map[i >>> 3] & (1 << (i & 7))) !== 0;
}

export function setBit(map: Buffer, i: number): void {
  map[i >>> 3] |= 1 << (i & 7);
}

/** `ls -l` style mode string, e.g. "drwxrwxrwt". */
export function modeString(mode: number): string {
  const type = { [S_IFREG]: '-', [S_IFDIR]: 'd', [S_IFLNK]: 'l', [S_IFCHR]: 'c' }[mode & S_IFMT] ?? '?';
  const rwx = (bits: number, special: boolean, s: string): string =>
    (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (special ? (bits & 1 ? s : s.toUpperCase()) : bits & 1 ? 'x' : '-');
  return type + rwx(mode >> 6, (mode & 0o4000) !== 0, 's') + rwx(mode >> 3, (mode & 0o2000) !== 0, 's') + rwx(mode, (mode & 0o1000) !== 0, 't');
}
