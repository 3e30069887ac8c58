// SPDX-License-Identifier: MIT
/**
 * The user address space of a `disco exec` process: a page table over the 2 GB of kuseg, demand-
 * zero pages from the frame allocator, brk, mmap/munmap/mprotect/mremap, and the kernel's copy-in
 * and copy-out of user memory (which fail with EFAULT, never with a guest exception).
 */
import type { MachineMemory } from '../shared/memory.js';
import type { Mmu } from '../node-worker/cpu/mmu.js';
import { Errno, SyscallError } from './errno.js';
import { FrameAllocator, PAGE_SHIFT, PAGE_SIZE } from './frames.js';

/** Protection bits, numbered as PROT_READ/WRITE/EXEC. */
export const enum Prot { NONE = 0, R = 1, W = 2, X = 4, RWX = 7 }

/** Page-table entry: protection, MAPPED (part of a mapping), PRESENT (has a frame), frame << 12. */
export const enum Pte { PROT = 7, MAPPED = 8, PRESENT = 16, FRAME_SHIFT = 12 }

export const USER_PAGES = 0x80000; // kuseg: 2 GB of 4 KB pages
export const USER_TOP = 0x80000000;
/** The initial stack ends here; the page above holds the signal return trampoline. */
export const STACK_TOP = 0x7fff0000;
export const STACK_SIZE = 8 << 20;
/** mmap without an address hint searches downwards from here. */
export const MMAP_TOP = 0x7f000000;

/** Why a user access faults: no mapping at all, or a mapping that forbids the access. */
export const enum Fault { OK = 0, MAPERR = 1, ACCERR = 2 }

export function pageUp(x: number): number { return Math.ceil(x / PAGE_SIZE) * PAGE_SIZE; }

function efault(): never { throw new SyscallError(Errno.EFAULT); }

/** Pages in the frame groups that large TLB pages map: 1 MB and 64 KB. */
export const LARGE_GROUP = 256;
export const SMALL_GROUP = 16;

export class AddressSpace {
  readonly pt = new Int32Array(USER_PAGES);
  readonly frames: FrameAllocator;
  /** The program break: brkStart is the page after the last ELF segment. */
  brkStart = 0;
  brk = 0;

  constructor(readonly mem: MachineMemory, private readonly mmu: Mmu | null = null) {
    this.frames = new FrameAllocator(mem);
  }

  /** Drops every cached translation (JTLB and soft TLBs) after a mapping shrank or lost rights. */
  invalidateTlb(): void {
    if (this.mmu === null) return;
    this.mmu.jtlb.reset();
    this.mmu.flush();
  }

  /** Maps [va, va+len) (page aligned) demand-zero with `prot`, replacing whatever was there. */
  map(va: number, len: number, prot: number): void {
    const first = va >>> PAGE_SHIFT, end = first + (pageUp(len) >>> PAGE_SHIFT);
    let replaced = false;
    for (let p = first; p < end; p++) {
      if (this.pt[p] !== 0) { this.unmapPage(p); replaced = true; }
      this.pt[p] = Pte.MAPPED | (prot & Pte.PROT);
    }
    if (replaced) this.invalidateTlb();
  }

  private unmapPage(p: number): void {
    const e = this.pt[p];
    if ((e & Pte.PRESENT) !== 0) this.frames.release(e >>> Pte.FRAME_SHIFT);
    this.pt[p] = 0;
  }

  /** munmap: pages in the range that are not mapped are ignored. */
  unmap(va: number, len: number): void {
    const first = va >>> PAGE_SHIFT, end = Math.min(USER_PAGES, first + (pageUp(len) >>> PAGE_SHIFT));
    for (let p = first; p < end; p++) if (this.pt[p] !== 0) this.unmapPage(p);
    this.invalidateTlb();
  }

  /** mprotect: false (ENOMEM) when part of the range is not mapped. */
  protect(va: number, len: number, prot: number): boolean {
    const first = va >>> PAGE_SHIFT, end = first + (pageUp(len) >>> PAGE_SHIFT);
    if (end > USER_PAGES) return false;
    for (let p = first; p < end; p++) if ((this.pt[p] & Pte.MAPPED) === 0) return false;
    for (let p = first; p < end; p++) this.pt[p] = (this.pt[p] & ~Pte.PROT) | (prot & Pte.PROT);
    this.invalidateTlb();
    return true;
  }

  isFree(va: number, len: number): boolean {
    const first = va >>> PAGE_SHIFT, end = first + (pageUp(len) >>> PAGE_SHIFT);
    if (va < PAGE_SIZE || end > USER_PAGES) return false;
    for (let p = first; p < end; p++) if (this.pt[p] !== 0) return false;
    return true;
  }

  isMapped(va: number, len: number): boolean {
    const first = va >>> PAGE_SHIFT, end = first + (pageUp(len) >>> PAGE_SHIFT);
    if (end > USER_PAGES) return false;
    for (let p = first; p < end; p++) if ((this.pt[p] & Pte.MAPPED) === 0) return false;
    return true;
  }

  /** A free, page-aligned range of `len` bytes below MMAP_TOP and above the break, or -1. */
  findFree(len: number): number {
    const n = pageUp(len) >>> PAGE_SHIFT;
    const floor = pageUp(this.brk) >>> PAGE_SHIFT;
    let run = 0;
    for (let p = (MMAP_TOP >>> PAGE_SHIFT) - 1; p >= floor; p--) {
      run = this.pt[p] === 0 ? run + 1 : 0;
      if (run === n) return p << PAGE_SHIFT;
    }
    return -1;
  }

  /** brk(2): moves the break if the pages it needs are free; returns the break now in force. */
  setBrk(addr: number): number {
    if (addr < this.brkStart || addr >= MMAP_TOP) return this.brk;
    const oldTop = pageUp(this.brk), newTop = pageUp(addr);
    if (newTop > oldTop) {
      if (!this.isFree(oldTop, newTop - oldTop)) return this.brk;
      this.map(oldTop, newTop - oldTop, Prot.R | Prot.W);
    } else if (newTop < oldTop) {
      this.unmap(newTop, oldTop - newTop);
    }
    this.brk = addr;
    return addr;
  }

  /**
   * mremap(2) of the mapping at old (page aligned): shrinks in place, grows in place when the
   * pages after it are free, else moves it when `mayMove` (the frames move with their entries).
   * Returns the new address or a negative errno.
   */
  remap(old: number, oldLen: number, newLen: number, mayMove: boolean): number {
    oldLen = pageUp(oldLen); newLen = pageUp(newLen);
    if (!this.isMapped(old, Math.max(oldLen, PAGE_SIZE))) return -Errno.EFAULT;
    if (newLen <= oldLen) {
      if (newLen < oldLen) this.unmap(old + newLen, oldLen - newLen);
      return old;
    }
    const prot = this.pt[old >>> PAGE_SHIFT] & Pte.PROT;
    if (old + newLen <= USER_TOP && this.isFree(old + oldLen, newLen - oldLen)) {
      this.map(old + oldLen, newLen - oldLen, prot);
      return old;
    }
    if (!mayMove) return -Errno.ENOMEM;
    const to = this.findFree(newLen);
    if (to < 0) return -Errno.ENOMEM;
    const from = old >>> PAGE_SHIFT, dst = to >>> PAGE_SHIFT, n = oldLen >>> PAGE_SHIFT;
    for (let i = 0; i < n; i++) { this.pt[dst + i] = this.pt[from + i]; this.pt[from + i] = 0; }
    this.map(to + oldLen, newLen - oldLen, prot);
    this.invalidateTlb();
    return to;
  }

  /**
   * The entry of page `vpn` for an access, allocating a demand-zero frame on first touch.
   * Returns the entry (PRESENT set) or a Fault code (MAPERR, ACCERR) when the access faults.
   */
  touch(vpn: number, write: boolean): number {
    let e = this.pt[vpn];
    if ((e & Pte.MAPPED) === 0) return Fault.MAPERR;
    if (write ? (e & Prot.W) === 0 : (e & Pte.PROT) === 0) return Fault.ACCERR;
    if ((e & Pte.PRESENT) === 0) {
      // Demand-zero: a whole aligned group of frames when the group is uniform, so the refill
      // handler can map it with one large TLB page (1 MB, else 64 KB), else a single frame.
      if (!this.touchGroup(vpn, LARGE_GROUP) && !this.touchGroup(vpn, SMALL_GROUP)) {
        this.pt[vpn] = e | Pte.PRESENT | (this.frames.alloc() << Pte.FRAME_SHIFT);
      }
      e = this.pt[vpn];
    }
    return e;
  }

  /** Gives the n-page group of vpn aligned frames if every page is mapped alike and none is present. */
  private touchGroup(vpn: number, n: number): boolean {
    const pt = this.pt, g = vpn & ~(n - 1), want = pt[vpn] & (Pte.MAPPED | Pte.PROT);
    for (let i = g; i < g + n; i++) if ((pt[i] & (Pte.MAPPED | Pte.PROT | Pte.PRESENT)) !== want) return false;
    const f = this.frames.allocGroup(n);
    if (f < 0) return false;
    for (let i = 0; i < n; i++) pt[g + i] |= Pte.PRESENT | ((f + i) << Pte.FRAME_SHIFT);
    return true;
  }

  /** The physical address of user address va for the kernel; throws EFAULT. `force` ignores protection. */
  private physical(va: number, write: boolean, force = false): number {
    if (va >>> 0 >= USER_TOP) efault();
    const vpn = va >>> PAGE_SHIFT;
    if (force && (this.pt[vpn] & Pte.MAPPED) !== 0 && (this.pt[vpn] & Pte.PRESENT) === 0) {
      this.pt[vpn] |= Pte.PRESENT | (this.frames.alloc() << Pte.FRAME_SHIFT);
    }
    const e = force ? this.pt[vpn] : this.touch(vpn, write);
    if ((e & Pte.PRESENT) === 0) efault();
    return ((e >>> Pte.FRAME_SHIFT) << PAGE_SHIFT) + (va & (PAGE_SIZE - 1));
  }

  /** Copies len bytes of user memory at va out into a new array (copy_from_user). */
  copyIn(va: number, len: number, dst: Uint8Array = new Uint8Array(len), at = 0): Uint8Array {
    va >>>= 0;
    let done = 0;
    while (done < len) {
      const a = va + done, n = Math.min(len - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      this.mem.readBytes(this.physical(a, false), n, dst, at + done);
      done += n;
    }
    return dst;
  }

  /** Copies bytes into user memory at va (copy_to_user); `force` writes read-only pages (the loader). */
  copyOut(va: number, src: Uint8Array, force = false): void {
    va >>>= 0;
    let done = 0;
    const u8 = this.mem.u8;
    while (done < src.length) {
      const a = va + done, n = Math.min(src.length - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      const p = this.physical(a, true, force);
      for (let i = 0; i < n; i++) u8[(p + i) ^ 3] = src[done + i];
      done += n;
    }
  }

  /** Checks that [va, va+len) may be written, before a host call whose result lands there. */
  checkWritable(va: number, len: number): void {
    va >>>= 0;
    for (let a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) this.physical(a, true);
  }

  read32(va: number): number {
    if ((va & 3) !== 0) return new DataView(this.copyIn(va, 4).buffer).getInt32(0);
    return this.mem.w32[this.physical(va, false) >>> 2];
  }

  write32(va: number, v: number): void {
    if ((va & 3) !== 0) { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v); this.copyOut(va, b); return; }
    this.mem.w32[this.physical(va, true) >>> 2] = v;
  }

  /** A NUL-terminated string at va (strncpy_from_user); ENAMETOOLONG past `max` bytes. */
  readCString(va: number, max = 4096): string {
    va >>>= 0;
    const bytes: number[] = [];
    const u8 = this.mem.u8;
    let p = -1;
    for (let i = 0; ; i++) {
      const a = va + i;
      if (p < 0 || (a & (PAGE_SIZE - 1)) === 0) p = this.physical(a, false) - (a & (PAGE_SIZE - 1));
      const c = u8[(p + (a & (PAGE_SIZE - 1))) ^ 3];
      if (c === 0) break;
      if (i >= max) throw new SyscallError(Errno.ENAMETOOLONG);
      bytes.push(c);
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
