// SPDX-License-Identifier: MIT
/** The frame allocator of `disco exec`: hands out zeroed 4 KB frames of machine memory. */
import type { MachineMemory } from '../shared/memory.js';

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

  get used(): number { return this.next - this.nFree; }

  /** A zeroed frame number; throws OutOfMachineMemory when none is left. */
  alloc(): number {
    if (this.nFree > 0) {
      const f = this.freeList[--this.nFree];
      this.mem.w32.fill(0, f << (PAGE_SHIFT - 2), (f + 1) << (PAGE_SHIFT - 2));
      return f;
    }
    if (this.next >= this.total) throw new OutOfMachineMemory(`out of machine memory (${this.mem.size >>> 20} MB)`);
    return this.next++;
  }

  release(frame: number): void {
    this.freeList[this.nFree++] = frame;
  }
}
