// SPDX-License-Identifier: MIT
/**
 * The frame allocator of `disco exec`: hands out zeroed 4 KB frames of machine memory, never
 * those behind the I/O window of the physical map (the CPU sends those accesses to devices).
 */
import type { MachineMemory } from '../shared/memory.js';
import { IO_BASE, IO_END } from '../shared/physmap.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** The guest needs more memory than the machine has (the --mem option sets its size). */
export class OutOfMachineMemory extends Error {
  override name = 'OutOfMachineMemory';
}

export class FrameAllocator {
  private readonly freeList: Int32Array;
  private nFree = 0;
  /** Frames above this one have never been handed out (and are still zero). */
  private next = 0;
  readonly total: number;

  constructor(private readonly mem: MachineMemory) {
    this.total = mem.size >>> PAGE_SHIFT;
    this.freeList = new Int32Array(this.total);
  }

  /** Frames handed out and not released. */
  get used(): number {
    const skipped = this.next > IO_BASE >>> PAGE_SHIFT ? Math.min(this.total, IO_END >>> PAGE_SHIFT) - (IO_BASE >>> PAGE_SHIFT) : 0;
    return this.next - skipped - this.nFree;
  }

  /** Frames that can hold memory: all but those the I/O window shadows. */
  get usable(): number {
    const lo = Math.min(this.total, IO_BASE >>> PAGE_SHIFT), hi = Math.min(this.total, IO_END >>> PAGE_SHIFT);
    return this.total - (hi - lo);
  }

  /** A zeroed frame number; throws OutOfMachineMemory when none is left. */
  alloc(): number {
    if (this.nFree > 0) {
      const f = this.freeList[--this.nFree];
      this.mem.w32.fill(0, f << (PAGE_SHIFT - 2), (f + 1) << (PAGE_SHIFT - 2));
      return f;
    }
    if (this.next === IO_BASE >>> PAGE_SHIFT) this.next = IO_END >>> PAGE_SHIFT;
    if (this.next >= this.total) throw new OutOfMachineMemory(`out of machine memory (${Math.floor(this.mem.size / (1 << 20))} MB)`);
    return this.next++;
  }

  /**
   * n contiguous fresh (zero) frames, the first aligned to n (a power of two), so that a page
   * group can be mapped by one large TLB page; -1 when the untouched frames can't supply them.
   * Frames skipped to reach the alignment go to the free list.
   */
  allocGroup(n: number): number {
    const ioLo = IO_BASE >>> PAGE_SHIFT, ioHi = IO_END >>> PAGE_SHIFT;
    let f = (this.next + n - 1) & ~(n - 1);
    if (f < ioHi && f + n > ioLo) f = ioHi;
    if (f + n > this.total) return -1;
    for (let g = this.next; g < f; g++) if (g < ioLo || g >= ioHi) this.freeList[this.nFree++] = g;
    this.next = f + n;
    return f;
  }

  release(frame: number): void {
    this.freeList[this.nFree++] = frame;
  }
}
