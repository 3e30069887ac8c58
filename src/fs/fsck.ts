// SPDX-License-Identifier: MIT
/**
 * fsck: checks an image against the rules of docs/fs.md. The superblock must be sane (else
 * FsImage.open has thrown); everything after it is checked and each breach reported, never
 * thrown: bitmaps, inodes, block ownership, directory records, the tree and link counts.
 */
import type { FsImage } from './image.js';
import {
  BITS_PER_BLOCK, BLOCK, INODE_SIZE, INODES_PER_BLOCK, NDIRECT, PTRS_PER_BLOCK, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT,
  S_IFREG, SYMLINK_MAX, decodeInode, parseDirBlock, testBit, type Inode,
} from './layout.js';

/** Problems reported of one kind before the rest are only counted. */
const PER_KIND = 20;

export interface FsckResult {
  problems: string[];
  counts: { files: number; directories: number; symlinks: number; devices: number; blocks: number; inodes: number };
}

const TYPE_NAMES: Record<number, string> = { [S_IFREG]: 'file', [S_IFDIR]: 'directory', [S_IFLNK]: 'symbolic link', [S_IFCHR]: 'character device' };

export function fsck(img: FsImage): FsckResult {
  const sb = img.sb;
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const problem = (kind: string, msg: string): void => {
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    if (n <= PER_KIND) problems.push(msg);
  };

  const blockMap = img.region(sb.blockBitmap, sb.blockBitmapBlocks);
  const inodeMap = img.region(sb.inodeBitmap, sb.inodeBitmapBlocks);
  if (!testBit(inodeMap, 0)) problem('bitmap', 'inode bitmap: the reserved inode 0 is marked free');
  for (let i = sb.inodes; i < sb.inodeBitmapBlocks * BITS_PER_BLOCK; i++) {
    if (!testBit(inodeMap, i)) { problem('bitmap', `inode bitmap: bit ${i}, past the last inode, is clear`); break; }
  }
  for (let b = sb.blocks; b < sb.blockBitmapBlocks * BITS_PER_BLOCK; b++) {
    if (!testBit(blockMap, b)) { problem('bitmap', `block bitmap: bit ${b}, past the last block, is clear`); break; }
  }

  // Inodes: types, sizes and the blocks each one owns.
  const inodes = new Map<number, Inode>();
  const owner = new Map<number, number>();
  const dirData = new Map<number, number[]>(); // a directory's good data blocks, in order
  for (let tb = 0; tb < sb.inodeTableBlocks; tb++) {
    const first = tb * INODES_PER_BLOCK;
    const used = Array.from({ length: INODES_PER_BLOCK }, (_, j) => first + j).filter((i) => i > 0 && i < sb.inodes && testBit(inodeMap, i));
    if (used.length === 0) continue;
    const table = img.block(sb.inodeTable + tb);
    for (const i of used) {
      const n = decodeInode(table, (i - first) * INODE_SIZE);
      const type = n.mode & S_IFMT;
      if (TYPE_NAMES[type] === undefined) { problem('inode', `inode ${i}: bad mode 0${n.mode.toString(8)} (not a file, directory, symbolic link or character device)`); continue; }
      inodes.set(i, n);
      if (type === S_IFCHR) {
        if (n.size !== 0 || n.direct.some((p) => p !== 0) || n.indirect !== 0 || n.dindirect !== 0) problem('inode', `inode ${i}: a character device with a size or block pointers`);
        continue;
      }
      if (type === S_IFDIR && (n.size === 0 || n.size % BLOCK !== 0)) problem('inode', `inode ${i}: directory size ${n.size} is not a positive multiple of ${BLOCK}`);
      if (type === S_IFLNK && (n.size === 0 || n.size > SYMLINK_MAX)) problem('inode', `inode ${i}: symbolic link size ${n.size} is not 1 to ${SYMLINK_MAX}`);
      const data = walkBlocks(img, i, n, owner, problem);
      if ((type === S_IFDIR || type === S_IFLNK) && data.size !== Math.ceil(n.size / BLOCK)) problem('inode', `inode ${i}: a ${TYPE_NAMES[type]} with a hole`);
      if (type === S_IFDIR) dirData.set(i, [...data].sort(([a], [b]) => a - b).map(([, p]) => p));
    }
  }

  // Block bitmap against ownership.
  for (let b = 0; b < sb.blocks; b++) {
    const marked = testBit(blockMap, b);
    if (b < sb.dataStart) {
      if (!marked) problem('block', `block ${b} (file system metadata) is marked free in the bitmap`);
    } else if (owner.has(b) && !marked) {
      problem('block', `block ${b} is in use by inode ${owner.get(b)} but marked free in the bitmap`);
    } else if (!owner.has(b) && marked) {
      problem('block', `block ${b} is marked used in the bitmap but nothing refers to it`);
    }
  }

  // The tree, breadth first from the root: records, ".", "..", one parent per directory.
  const refs = new Map<number, number>();
  const paths = new Map<number, string>();
  const root = inodes.get(sb.root);
  if (root === undefined || (root.mode & S_IFMT) !== S_IFDIR) {
    problem('tree', `the root inode ${sb.root} is not an allocated directory`);
  } else {
    paths.set(sb.root, '/');
    const queue: { ino: number; parent: number }[] = [{ ino: sb.root, parent: sb.root }];
    for (const { ino, parent } of queue) {
      const path = paths.get(ino)!;
      const entries = (dirData.get(ino) ?? []).flatMap((p) => parseDirBlock(img.block(p), (msg) => problem('dirent', `${path}: block ${p}: ${msg}`)));
      if (entries[0]?.name !== '.' || entries[0].ino !== ino) problem('dirent', `${path}: the first entry is not "." for inode ${ino}`);
      if (entries[1]?.name !== '..' || entries[1].ino !== parent) problem('dirent', `${path}: the second entry is not ".." for inode ${parent}`);
      const names = new Set<string>();
      entries.forEach((e, k) => {
        const p = (path === '/' ? '' : path) + '/' + e.name;
        if (names.has(e.name)) problem('dirent', `${p}: a second entry of that name`);
        names.add(e.name);
        if (k >= 2 && (e.name === '.' || e.name === '..')) problem('dirent', `${p}: "${e.name}" other than as the first two entries`);
        const child = inodes.get(e.ino);
        if (child === undefined) {
          problem('dirent', e.ino < sb.inodes && testBit(inodeMap, e.ino) ? `${p}: inode ${e.ino} is unusable (bad mode)` : `${p}: inode ${e.ino} is ${e.ino < sb.inodes ? 'free' : 'out of range'}`);
          return;
        }
        refs.set(e.ino, (refs.get(e.ino) ?? 0) + 1);
        if (k < 2 || e.name === '.' || e.name === '..') return;
        if ((child.mode & S_IFMT) === S_IFDIR) {
          if (paths.has(e.ino)) { problem('tree', `${p}: directory inode ${e.ino} is already linked as ${paths.get(e.ino)} (a hard link to a directory, or a cycle)`); return; }
          queue.push({ ino: e.ino, parent: ino });
        }
        if (!paths.has(e.ino)) paths.set(e.ino, p);
      });
    }
  }

  // Link counts: every allocated inode named by as many entries as its count says.
  const counts = { files: 0, directories: 0, symlinks: 0, devices: 0, blocks: 0, inodes: 1 };
  for (const [i, n] of inodes) {
    counts.inodes++;
    const type = n.mode & S_IFMT;
    if (type === S_IFREG) counts.files++; else if (type === S_IFDIR) counts.directories++; else if (type === S_IFLNK) counts.symlinks++; else counts.devices++;
    const r = refs.get(i) ?? 0;
    if (!paths.has(i)) problem('link', `inode ${i} (${TYPE_NAMES[type]}) is allocated but not reachable from the root`);
    else if (r !== n.nlink) problem('link', `inode ${i} (${paths.get(i)}): link count ${n.nlink}, but ${r} directory ${r === 1 ? 'entry refers' : 'entries refer'} to it`);
  }
  counts.blocks = sb.dataStart + owner.size;
  for (const [kind, n] of seen) if (n > PER_KIND) problems.push(`... and ${n - PER_KIND} more ${kind} problems`);
  return { problems, counts };
}

/**
 * Claims the blocks of one inode in `owner`, checking each pointer; returns its good data blocks
 * by file block number (holes and bad pointers left out).
 */
function walkBlocks(img: FsImage, ino: number, n: Inode, owner: Map<number, number>, problem: (kind: string, msg: string) => void): Map<number, number> {
  const { dataStart, blocks } = img.sb;
  const count = Math.ceil(n.size / BLOCK);
  const data = new Map<number, number>();
  const claim = (p: number, what: string): boolean => {
    if (p < dataStart || p >= blocks) { problem('pointer', `inode ${ino}: ${what} ${p} is outside the data area (${dataStart} to ${blocks - 1})`); return false; }
    const other = owner.get(p);
    if (other !== undefined) { problem('pointer', `block ${p} is used twice: by inode ${other} and by inode ${ino} (${what})`); return false; }
    owner.set(p, ino);
    return true;
  };
  /** Pointer `k` of the file (its k-th data block). */
  const dataPointer = (k: number, p: number): void => {
    if (p === 0) return;
    if (k >= count) problem('pointer', `inode ${ino}: block pointer for file block ${k} past its size ${n.size}`);
    else if (claim(p, `file block ${k}`)) data.set(k, p);
  };
  /** An indirect block whose first pointer maps file block `base`, each pointer `span` blocks. */
  const indirect = (p: number, base: number, span: number, what: string): void => {
    if (p === 0) return;
    if (base >= count) { problem('pointer', `inode ${ino}: ${what} ${p} past its size ${n.size}`); return; }
    if (!claim(p, what)) return;
    const b = img.block(p);
    for (let j = 0; j < PTRS_PER_BLOCK; j++) {
      const q = b.readUInt32BE(4 * j);
      if (span === 1) dataPointer(base + j, q);
      else indirect(q, base + j * span, 1, 'indirect block');
    }
  };
  n.direct.forEach((p, k) => dataPointer(k, p));
  indirect(n.indirect, NDIRECT, 1, 'indirect block');
  indirect(n.dindirect, NDIRECT + PTRS_PER_BLOCK, PTRS_PER_BLOCK, 'double indirect block');
  return data;
}
