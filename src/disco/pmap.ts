// SPDX-License-Identifier: MIT
/**
 * The pmap (Disco paper, section 4.2.2): per VM, for each of its physical pages, the
 * precomputed TLB entry of the machine page that backs it (EntryLo's frame number and valid bit;
 * a corrected entry adds only the guest's cache and dirty bits). Pages are allocated on first
 * use, on the node of the vCPU that touches them (first touch), and the entry is published with
 * a compare-and-swap so that two vCPUs touching the same new page on different workers agree on
 * one machine page. The backmap of each machine page is kept in the memmap. While NUMA moves a
 * page (numa.ts) its entry reads MOVING and no translation to it is made.
 */
import { Tlb } from '../node-worker/cpu/cp0.js';
import type { Memmap } from './memmap.js';

/** The entry of a page being moved: not valid, not 0. */
const MOVING = Tlb.G;
/** machinePage's answer for a page being moved: try again. */
export const BUSY = -2;

/** The precomputed entry of a machine page, and its page back (-1: none). */
export const entryOf = (page: number): number => (page << Tlb.PFN_SHIFT) | Tlb.V;
const pageOf = (entry: number): number => ((entry & Tlb.V) === 0 ? -1 : (entry & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT);

export class Pmap {
  /** The precomputed EntryLo per physical page; 0: not yet backed; MOVING. */
  readonly words: Int32Array;
  /** Times each physical page has been moved between nodes (numa.ts caps it). */
  readonly moves: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly vm: number, private readonly memmap: Memmap) {
    const pages = buffer.byteLength >>> 3;
    this.words = new Int32Array(buffer, 0, pages);
    this.moves = new Int32Array(buffer, pages * 4, pages);
  }

  static create(vm: number, pages: number, memmap: Memmap): Pmap {
    return new Pmap(new SharedArrayBuffer(pages * 8), vm, memmap);
  }

  get pages(): number { return this.words.length; }

  /**
   * The machine page backing physical page ppn, allocated on `node` if it has none yet (zeroed:
   * machine memory is handed out clean: a page that leaves a VM is zeroed by whoever takes it
   * next). -1: ppn is outside the VM, or the machine is out of memory; BUSY: being moved.
   */
  machinePage(ppn: number, node: number, zero: (page: number) => void): number {
    if (ppn < 0 || ppn >= this.words.length) return -1;
    const cur = Atomics.load(this.words, ppn);
    if (cur !== 0) return cur === MOVING ? BUSY : pageOf(cur);
    const page = this.memmap.alloc(node, this.vm, ppn);
    if (page < 0) return -1;
    zero(page);
    const won = Atomics.compareExchange(this.words, ppn, 0, entryOf(page));
    if (won === 0) return page;
    this.memmap.free(page);
    return won === MOVING ? BUSY : pageOf(won);
  }

  /** The precomputed TLB entry for ppn (0: not backed); ppn must be inside the VM. */
  entry(ppn: number): number { return Atomics.load(this.words, ppn); }

  /** The machine page backing ppn, or -1 (not backed, or being moved). */
  lookup(ppn: number): number {
    return ppn >= 0 && ppn < this.words.length ? pageOf(Atomics.load(this.words, ppn)) : -1;
  }

  /** Unbacks ppn (inside the VM); the machine page it had, or -1 (none, or a move that now fails). */
  take(ppn: number): number { return pageOf(Atomics.exchange(this.words, ppn, 0)); }

  /** Starts moving ppn off machine page `page`: false if ppn is not on it (any more). */
  beginMove(ppn: number, page: number): boolean {
    return Atomics.compareExchange(this.words, ppn, entryOf(page), MOVING) === entryOf(page);
  }

  /** Ends a move at machine page `page`: false if the guest freed ppn meanwhile. */
  endMove(ppn: number, page: number): boolean {
    const done = Atomics.compareExchange(this.words, ppn, MOVING, entryOf(page)) === MOVING;
    if (done) Atomics.add(this.moves, ppn, 1);
    return done;
  }
}
