// SPDX-License-Identifier: MIT
/**
 * The pmap (Disco paper, section 4.2.2): per VM, for each of its physical pages, the
 * precomputed TLB entry of the machine page that backs it (EntryLo's frame number and valid bit;
 * a corrected entry adds only the guest's cache and dirty bits). Pages are allocated on first
 * use, on the node of the vCPU that touches them (first touch), and the entry is published with
 * a compare-and-swap so that two vCPUs touching the same new page on different workers agree on
 * one machine page. The backmap of each machine page is kept in the memmap.
 */
import { Tlb } from '../node-worker/cpu/cp0.js';
import type { Memmap } from './memmap.js';

/** The precomputed entry of a machine page, and its page back. */
const entryOf = (page: number): number => (page << Tlb.PFN_SHIFT) | Tlb.V;
const pageOf = (entry: number): number => (entry === 0 ? -1 : (entry & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT);

export class Pmap {
  /** The precomputed EntryLo per physical page; 0: not yet backed. */
  readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly vm: number, private readonly memmap: Memmap) {
    this.words = new Int32Array(buffer);
  }

  static create(vm: number, pages: number, memmap: Memmap): Pmap {
    return new Pmap(new SharedArrayBuffer(pages * 4), vm, memmap);
  }

  get pages(): number { return this.words.length; }

  /**
   * The machine page backing physical page ppn, allocated on `node` if it has none yet (zeroed:
   * machine memory is handed out clean: a page that leaves a VM is zeroed by whoever takes it
   * next). -1: ppn is outside the VM, or the machine is out of memory.
   */
  machinePage(ppn: number, node: number, zero: (page: number) => void): number {
    if (ppn < 0 || ppn >= this.words.length) return -1;
    const cur = Atomics.load(this.words, ppn);
    if (cur !== 0) return pageOf(cur);
    const page = this.memmap.alloc(node, this.vm, ppn);
    if (page < 0) return -1;
    zero(page);
    const won = Atomics.compareExchange(this.words, ppn, 0, entryOf(page));
    if (won === 0) return page;
    this.memmap.free(page);
    return pageOf(won);
  }

  /** The precomputed TLB entry for ppn (0: not backed); ppn must be inside the VM. */
  entry(ppn: number): number { return Atomics.load(this.words, ppn); }

  /** The machine page backing ppn, or -1 (not backed). */
  lookup(ppn: number): number {
    return ppn >= 0 && ppn < this.words.length ? pageOf(Atomics.load(this.words, ppn)) : -1;
  }

  /** Unbacks ppn (inside the VM); the machine page it had, or -1. */
  take(ppn: number): number { return pageOf(Atomics.exchange(this.words, ppn, 0)); }
}
