// SPDX-License-Identifier: MIT
/**
 * Reads a disco file system image: inodes, file contents block by block, directories and path
 * lookup. Every block number and structure read from the image is checked; a bad one is an
 * FsError naming it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  BLOCK, FsError, INODE_SIZE, INODES_PER_BLOCK, NDIRECT, PTRS_PER_BLOCK, S_IFDIR, S_IFLNK, S_IFMT,
  decodeInode, decodeSuperblock, hasBlocks, parseDirBlock, type DirEntry, type Inode, type Superblock,
} from './layout.js';

/** Symbolic links followed in one lookup before giving up, as Linux's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;

export class FsImage {
  readonly sb: Superblock;

  private constructor(private readonly fd: number, bytes: number) {
    this.sb = decodeSuperblock(this.rawBlock(0), bytes);
  }

  static open(path: string): FsImage {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new FsError('not a regular file');
      return new FsImage(fd, st.size);
    } catch (e) { closeSync(fd); throw e; }
  }

  close(): void { closeSync(this.fd); }

  private rawBlock(n: number): Buffer {
    const b = Buffer.alloc(BLOCK);
    readSync(this.fd, b, 0, BLOCK, n * BLOCK);
    return b;
  }

  /** Block `n`, which must lie in the image. */
  block(n: number): Buffer {
    if (n >= this.sb.blocks) throw new FsError(`block ${n} is beyond the end of the file system (${this.sb.blocks} blocks)`);
    return this.rawBlock(n);
  }

  /** `count` blocks from `start` on, read whole. */
  region(start: number, count: number): Buffer {
    return Buffer.concat(Array.from({ length: count }, (_, i) => this.block(start + i)));
  }

  inode(ino: number): Inode {
    if (ino === 0 || ino >= this.sb.inodes) throw new FsError(`inode ${ino} is out of range (1 to ${this.sb.inodes - 1})`);
    const b = this.block(this.sb.inodeTable + Math.floor(ino / INODES_PER_BLOCK));
    return decodeInode(b, (ino % INODES_PER_BLOCK) * INODE_SIZE);
  }

  /** A pointer read from the image: 0 (a hole) or a data block. */
  private checked(ino: number, p: number): number {
    if (p !== 0 && (p < this.sb.dataStart || p >= this.sb.blocks)) throw new FsError(`inode ${ino}: block pointer ${p} is outside the data area (${this.sb.dataStart} to ${this.sb.blocks - 1})`);
    return p;
  }

  /** The data block holding block `k` of a file (0: a hole), as a kernel's bmap. */
  bmap(ino: number, n: Inode, k: number): number {
    if (k < NDIRECT) return this.checked(ino, n.direct[k]);
    k -= NDIRECT;
    const entry = (blk: number, i: number): number => blk === 0 ? 0 : this.checked(ino, this.block(blk).readUInt32BE(4 * i));
    if (k < PTRS_PER_BLOCK) return entry(this.checked(ino, n.indirect), k);
    k -= PTRS_PER_BLOCK;
    if (k < PTRS_PER_BLOCK * PTRS_PER_BLOCK) return entry(entry(this.checked(ino, n.dindirect), Math.floor(k / PTRS_PER_BLOCK)), k % PTRS_PER_BLOCK);
    throw new FsError(`inode ${ino}: block ${k} is beyond the double indirect block`);
  }

  /** A file's contents in order, a block (or the last part of one) at a time; holes read as zeros. */
  *chunks(ino: number, n: Inode = this.inode(ino)): Generator<Buffer> {
    if (!hasBlocks(n.mode)) return;
    for (let k = 0; k * BLOCK < n.size; k++) {
      const p = this.bmap(ino, n, k);
      const b = p === 0 ? Buffer.alloc(BLOCK) : this.block(p);
      yield b.subarray(0, Math.min(BLOCK, n.size - k * BLOCK));
    }
  }

  read(ino: number, n: Inode = this.inode(ino)): Buffer {
    return Buffer.concat([...this.chunks(ino, n)]);
  }

  /** A directory's entries, "." and ".." included. */
  entries(ino: number, n: Inode = this.inode(ino)): DirEntry[] {
    if ((n.mode & S_IFMT) !== S_IFDIR) throw new FsError(`inode ${ino} is not a directory`);
    if (n.size % BLOCK !== 0) throw new FsError(`directory inode ${ino}: size ${n.size} is not a whole number of blocks`);
    const out: DirEntry[] = [];
    for (let k = 0; k * BLOCK < n.size; k++) {
      const p = this.bmap(ino, n, k);
      if (p === 0) throw new FsError(`directory inode ${ino}: block ${k} is a hole`);
      out.push(...parseDirBlock(this.block(p), (msg) => { throw new FsError(`directory inode ${ino}, block ${p}: ${msg}`); }));
    }
    return out;
  }

  readlink(ino: number, n: Inode = this.inode(ino)): string {
    if (n.size > BLOCK) throw new FsError(`symbolic link inode ${ino} is ${n.size} bytes long`);
    return this.read(ino, n).toString('utf8');
  }

  /**
   * The inode an absolute path names. Symbolic links on the way are followed, and the last one
   * too when `follow` is set; a missing name or a non-directory on the way is an FsError.
   */
  lookup(path: string, follow = true): number {
    let hops = 0;
    const walk = (dir: number, parts: string[]): number => {
      let cur = dir;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (part === '' || part === '.') continue;
        const n = this.inode(cur);
        if ((n.mode & S_IFMT) !== S_IFDIR) throw new FsError(`${path}: not a directory`);
        const e = this.entries(cur, n).find((x) => x.name === part);
        if (e === undefined) throw new FsError(`${path}: no such file or directory`);
        const child = this.inode(e.ino);
        const last = i === parts.length - 1 || parts.slice(i + 1).every((p) => p === '' || p === '.');
        if ((child.mode & S_IFMT) === S_IFLNK && (!last || follow)) {
          if (++hops > MAX_SYMLINKS) throw new FsError(`${path}: too many levels of symbolic links`);
          const target = this.readlink(e.ino, child);
          cur = walk(target.startsWith('/') ? this.sb.root : cur, target.split('/'));
        } else {
          cur = e.ino;
        }
      }
      return cur;
    };
    return walk(this.sb.root, path.split('/'));
  }
}
