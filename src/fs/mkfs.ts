// SPDX-License-Identifier: MIT
/**
 * mkfs: builds an image from a host directory tree. Regular files (hard links kept), directories
 * and symbolic links are copied with their permission bits and modification times, owned by root;
 * /dev/null, /dev/console, /dev/ether and a mode 1777 /tmp are added. Each file's blocks are allocated
 * contiguously, data first, then its indirect blocks.
 */
import { closeSync, ftruncateSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, statSync, writeSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BITS_PER_BLOCK, BLOCK, DEV_CONSOLE, DEV_NULL, FILE_MAX, FsError, INODE_SIZE, INODES_PER_BLOCK, NAME_MAX, NDIRECT,
  PTRS_PER_BLOCK, ROOT_INO, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, SYMLINK_MAX, emptyInode, encodeInode, encodeSuperblock,
  geometry, packDirectory, setBit, type Inode, type Superblock,
} from './layout.js';

export interface MkfsOptions {
  /** Image size in MiB; by default the contents plus half again plus 8 MiB. */
  sizeMB?: number;
  /** Modification time (Unix seconds) of what mkfs adds; default now. */
  now?: number;
  /** Reports a host file that is left out (a socket, a FIFO, a device). */
  warn?: (msg: string) => void;
}

export interface MkfsResult { sb: Superblock; usedBlocks: number; usedInodes: number }

interface Node {
  ino: number;
  mode: number;
  mtime: number;
  nlink: number;
  size: number;
  /** A regular file's host path. */
  host?: string;
  target?: Buffer;
  children?: Map<string, Node>;
  dev?: { major: number; minor: number };
}

const MB = 1024 * 1024;
/** Inodes: one per 4 blocks, but no more than this unless the contents need them. */
const MAX_DEFAULT_INODES = 1 << 20;

function seconds(ms: number): number {
  return Math.min(Math.max(Math.floor(ms / 1000), 0), 0xffffffff);
}

/** Blocks a file of `n` data blocks takes, its indirect blocks included. */
function withIndirect(n: number): number {
  const beyond = Math.max(0, n - NDIRECT - PTRS_PER_BLOCK);
  return n + (n > NDIRECT ? 1 : 0) + (beyond > 0 ? 1 + Math.ceil(beyond / PTRS_PER_BLOCK) : 0);
}

/** Reads the host tree from `dir` (whose stat is `top`); `skip` (the image itself) is left out. */
function scan(dir: string, top: Stats, skip: string, warn: (msg: string) => void): Node {
  const links = new Map<string, Node>();
  const visit = (path: string, st: Stats): Node | null => {
    const node: Node = { ino: 0, mode: st.mode & 0o7777, mtime: seconds(st.mtimeMs), nlink: 0, size: 0 };
    if (st.isDirectory()) {
      node.mode |= S_IFDIR;
      node.children = new Map();
      for (const name of readdirSync(path).sort()) {
        const child = join(path, name);
        if (resolve(child) === skip) continue;
        if (Buffer.byteLength(name) > NAME_MAX) throw new FsError(`${child}: name longer than ${NAME_MAX} bytes`);
        const n = visit(child, lstatSync(child));
        if (n !== null) node.children.set(name, n);
      }
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const seen = links.get(key);
      if (seen !== undefined) return seen;
      if (st.size > FILE_MAX) throw new FsError(`${path}: larger than ${FILE_MAX} bytes`);
      Object.assign(node, { mode: node.mode | S_IFREG, size: st.size, host: path });
      if (st.nlink > 1) links.set(key, node);
    } else if (st.isSymbolicLink()) {
      const target = readlinkSync(path, { encoding: 'buffer' });
      if (target.length > SYMLINK_MAX) throw new FsError(`${path}: symbolic link target longer than ${SYMLINK_MAX} bytes`);
      Object.assign(node, { mode: node.mode | S_IFLNK, size: target.length, target });
    } else {
      warn(`${path}: left out (not a file, directory or symbolic link)`);
      return null;
    }
    return node;
  };
  return visit(dir, top)!;
}

/** The guest kernel's Ethernet port (no Linux number: 10 is misc, 200 is unassigned). */
const DEV_ETHER = { major: 10, minor: 200 };

/** Adds /dev/null, /dev/console, /dev/ether and /tmp where missing; /tmp is made mode 1777. */
function addStandard(root: Node, now: number): void {
  const kids = root.children!;
  const dir = (mode: number): Node => ({ ino: 0, mode: S_IFDIR | mode, mtime: now, nlink: 0, size: 0, children: new Map() });
  const dev = kids.get('dev') ?? dir(0o755);
  if (dev.children === undefined) throw new FsError('/dev in the source directory is not a directory');
  kids.set('dev', dev);
  for (const [name, d] of [['null', DEV_NULL], ['console', DEV_CONSOLE], ['ether', DEV_ETHER]] as const) {
    if (!dev.children.has(name)) dev.children.set(name, { ino: 0, mode: S_IFCHR | 0o666, mtime: now, nlink: 0, size: 0, dev: d });
  }
  const tmp = kids.get('tmp') ?? dir(0o1777);
  if (tmp.children === undefined) throw new FsError('/tmp in the source directory is not a directory');
  tmp.mode = S_IFDIR | 0o1777;
  kids.set('tmp', tmp);
}

export function mkfs(dir: string, image: string, opts: MkfsOptions = {}): MkfsResult {
  const now = opts.now ?? seconds(Date.now());
  let st: Stats;
  try { st = statSync(dir); } catch (e) {
    throw new FsError(`${dir}: ${(e as { code?: string }).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!st.isDirectory()) throw new FsError(`${dir}: not a directory`);
  const root = scan(dir, st, resolve(image), opts.warn ?? (() => {}));
  addStandard(root, now);

  // Number the inodes depth first and count the links: every directory entry, "." and ".." too.
  const nodes: Node[] = [];
  const parents = new Map<Node, Node>();
  const number = (n: Node, parent: Node): void => {
    n.nlink++;
    if (n.ino !== 0) return; // another hard link to a file already numbered
    n.ino = ROOT_INO + nodes.length;
    nodes.push(n);
    if (n.children === undefined) return;
    n.nlink++;
    parent.nlink++;
    parents.set(n, parent);
    for (const c of n.children.values()) number(c, n);
  };
  number(root, root);
  root.nlink--; // the root has no entry in a parent; its ".." is counted above

  const dirBlocks = new Map<Node, Buffer[]>();
  for (const n of nodes) {
    if (n.nlink > 0xffff) throw new FsError(`more than ${0xffff} links to one inode`);
    if (n.children === undefined) continue;
    const entries = [{ ino: n.ino, name: '.' }, { ino: parents.get(n)!.ino, name: '..' }];
    for (const [name, c] of n.children) entries.push({ ino: c.ino, name });
    const blocks = packDirectory(entries);
    dirBlocks.set(n, blocks);
    n.size = blocks.length * BLOCK;
  }
  const content = nodes.reduce((sum, n) => sum + withIndirect(Math.ceil(n.size / BLOCK)), 0);

  const bytes = opts.sizeMB !== undefined ? opts.sizeMB * MB : Math.ceil((content * BLOCK * 1.5 + 8 * MB) / MB) * MB;
  const blocks = bytes / BLOCK;
  const inodes = Math.ceil(Math.max(Math.min(blocks / 4, MAX_DEFAULT_INODES), nodes.length + 1) / INODES_PER_BLOCK) * INODES_PER_BLOCK;
  const sb = geometry(blocks, inodes);
  if (sb.dataStart + content > blocks) {
    throw new FsError(`${dir} needs ${sb.dataStart + content} blocks of ${BLOCK} bytes (${Math.ceil((sb.dataStart + content) * BLOCK / MB)} MB) but the image has ${blocks}`);
  }

  const fd = openSync(image, 'w');
  try {
    ftruncateSync(fd, bytes);
    const blockMap = Buffer.alloc(sb.blockBitmapBlocks * BLOCK);
    const inodeMap = Buffer.alloc(sb.inodeBitmapBlocks * BLOCK);
    const table = Buffer.alloc(Math.ceil((nodes.length + 1) / INODES_PER_BLOCK) * BLOCK);
    let next = sb.dataStart;
    /** `n` contiguous blocks, marked used: the first one's number. */
    const alloc = (n: number): number => {
      for (let b = next; b < next + n; b++) setBit(blockMap, b);
      next += n;
      return next - n;
    };
    const put = (data: Buffer, block: number): void => { writeSync(fd, data, 0, data.length, block * BLOCK); };
    const pointerBlock = (ptrs: number[]): number => {
      const b = Buffer.alloc(BLOCK);
      ptrs.forEach((p, i) => b.writeUInt32BE(p, 4 * i));
      const at = alloc(1);
      put(b, at);
      return at;
    };
    /** Points the inode at `count` data blocks from `first` on, adding indirect blocks as needed. */
    const point = (inode: Inode, first: number, count: number): void => {
      const ptrs = Array.from({ length: count }, (_, i) => first + i);
      ptrs.slice(0, NDIRECT).forEach((p, i) => { inode.direct[i] = p; });
      if (count > NDIRECT) inode.indirect = pointerBlock(ptrs.slice(NDIRECT, NDIRECT + PTRS_PER_BLOCK));
      const rest = ptrs.slice(NDIRECT + PTRS_PER_BLOCK);
      const children: number[] = [];
      for (let i = 0; i < rest.length; i += PTRS_PER_BLOCK) children.push(pointerBlock(rest.slice(i, i + PTRS_PER_BLOCK)));
      if (children.length > 0) inode.dindirect = pointerBlock(children);
    };

    for (let b = 0; b < sb.dataStart; b++) setBit(blockMap, b);
    for (let b = blocks; b < sb.blockBitmapBlocks * BITS_PER_BLOCK; b++) setBit(blockMap, b);
    for (let i = 0; i <= nodes.length; i++) setBit(inodeMap, i);
    for (let i = inodes; i < sb.inodeBitmapBlocks * BITS_PER_BLOCK; i++) setBit(inodeMap, i);

    for (const n of nodes) {
      const inode = { ...emptyInode(), mode: n.mode, nlink: n.nlink, size: n.size, mtime: n.mtime };
      const count = Math.ceil(n.size / BLOCK);
      const first = alloc(count);
      if (n.host !== undefined) copyFile(n.host, n.size, fd, first * BLOCK);
      else if (n.target !== undefined) put(n.target, first);
      else if (n.children !== undefined) dirBlocks.get(n)!.forEach((b, i) => put(b, first + i));
      else if (n.dev !== undefined) Object.assign(inode, n.dev);
      point(inode, first, count);
      encodeInode(inode, table, n.ino * INODE_SIZE);
    }
    put(encodeSuperblock(sb), 0);
    put(blockMap, sb.blockBitmap);
    put(inodeMap, sb.inodeBitmap);
    put(table, sb.inodeTable); // the blocks of the inodes in use; ftruncate zeroed the rest
    return { sb, usedBlocks: next, usedInodes: nodes.length + 1 };
  } finally {
    closeSync(fd);
  }
}

/** Copies `size` bytes of a host file into the image at byte `at`. */
function copyFile(path: string, size: number, fd: number, at: number): void {
  const src = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, MB));
    for (let done = 0; done < size;) {
      const n = readSync(src, buf, 0, Math.min(buf.length, size - done), done);
      if (n === 0) throw new FsError(`${path}: file shrank while being copied`);
      writeSync(fd, buf, 0, n, at + done);
      done += n;
    }
  } finally {
    closeSync(src);
  }
}
