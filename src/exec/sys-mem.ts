// SPDX-License-Identifier: MIT
/** System calls on the address space: brk, mmap (old and mmap2), munmap, mprotect, mremap, madvise. */
import * as fs from 'node:fs';
import { MMAP_TOP, USER_TOP, pageUp } from './address-space.js';
import { Errno, SyscallError } from './errno.js';
import { Kind, O } from './files.js';
import { PAGE_SIZE } from './frames.js';
import type { SyscallTable } from './linux.js';
import type { LinuxProcess } from './process.js';

const enum Map {
  SHARED = 0x1, PRIVATE = 0x2, SHARED_VALIDATE = 0x3, TYPE = 0xf, FIXED = 0x10, ANONYMOUS = 0x800,
  FIXED_NOREPLACE = 0x100000,
}
const enum Mremap { MAYMOVE = 1, FIXED = 2 }
const PROT_WRITE = 2;

function aligned(va: number): boolean { return (va & (PAGE_SIZE - 1)) === 0; }

function mmap(p: LinuxProcess, addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
  const as = p.as, size = pageUp(length >>> 0);
  addr >>>= 0;
  const type = flags & Map.TYPE;
  if (length === 0 || size > USER_TOP || !aligned(offset)) throw new SyscallError(Errno.EINVAL);
  if (type !== Map.SHARED && type !== Map.PRIVATE && type !== Map.SHARED_VALIDATE) throw new SyscallError(Errno.EINVAL);
  const file = (flags & Map.ANONYMOUS) !== 0 ? null : p.fds.get(fd);
  if (file !== null) {
    if (file.kind !== Kind.File || file.hostFd < 0) throw new SyscallError(Errno.ENODEV);
    if ((file.flags & O.ACCMODE) === O.WRONLY) throw new SyscallError(Errno.EACCES);
    if (type !== Map.PRIVATE && (prot & PROT_WRITE) !== 0) {
      if ((file.flags & O.ACCMODE) !== O.RDWR) throw new SyscallError(Errno.EACCES);
      p.log.warn('shared writable file mapping: changes will not reach the file');
    }
  }

  let va: number;
  if ((flags & (Map.FIXED | Map.FIXED_NOREPLACE)) !== 0) {
    if (!aligned(addr)) throw new SyscallError(Errno.EINVAL);
    if (addr + size > USER_TOP || addr < PAGE_SIZE) throw new SyscallError(Errno.ENOMEM);
    if ((flags & Map.FIXED) === 0 && !as.isFree(addr, size)) throw new SyscallError(Errno.EEXIST);
    va = addr;
  } else {
    const hint = addr & ~(PAGE_SIZE - 1);
    va = hint !== 0 && hint + size <= MMAP_TOP && as.isFree(hint, size) ? hint : as.findFree(size);
    if (va < 0) throw new SyscallError(Errno.ENOMEM);
  }
  as.map(va, size, prot & 7);

  if (file !== null) {
    // Private mappings are copies: the file's bytes are read in now (the tail of the page is zero).
    const fileSize = fs.fstatSync(file.hostFd).size;
    const n = Math.max(0, Math.min(size, fileSize - offset));
    if (n > 0) {
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const k = fs.readSync(file.hostFd, buf, got, n - got, offset + got);
        if (k === 0) break;
        got += k;
      }
      as.copyOut(va, buf.subarray(0, got), true);
    }
  }
  return va;
}

function munmap(p: LinuxProcess): number {
  const addr = p.arg(0) >>> 0, len = p.arg(1) >>> 0;
  if (!aligned(addr) || len === 0 || addr + len > USER_TOP) throw new SyscallError(Errno.EINVAL);
  p.as.unmap(addr, len);
  return 0;
}

function mprotect(p: LinuxProcess): number {
  const addr = p.arg(0) >>> 0, len = p.arg(1) >>> 0;
  if (!aligned(addr)) throw new SyscallError(Errno.EINVAL);
  if (len === 0) return 0;
  if (!p.as.protect(addr, len, p.arg(2) & 7)) throw new SyscallError(Errno.ENOMEM);
  return 0;
}

function mremap(p: LinuxProcess): number {
  const old = p.arg(0) >>> 0, oldLen = p.arg(1) >>> 0, newLen = p.arg(2) >>> 0, flags = p.arg(3);
  if (!aligned(old) || newLen === 0 || (flags & ~Mremap.MAYMOVE) !== 0) throw new SyscallError(Errno.EINVAL);
  return p.as.remap(old, oldLen, newLen, (flags & Mremap.MAYMOVE) !== 0);
}

const ok = (): number => 0;

export const memorySyscalls: SyscallTable = {
  4045: (p) => p.as.setBrk(p.arg(0) >>> 0), // brk
  4090: (p) => mmap(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3), p.arg(4), p.arg(5) >>> 0), // mmap: offset in bytes
  4091: munmap,
  4125: mprotect,
  4144: ok, // msync: private copies have nothing to write back
  4154: ok, 4155: ok, 4156: ok, 4157: ok, // mlock, munlock, mlockall, munlockall
  4167: mremap,
  4210: (p) => mmap(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3), p.arg(4), (p.arg(5) >>> 0) * PAGE_SIZE), // mmap2
  4218: ok, // madvise: advice only
};
