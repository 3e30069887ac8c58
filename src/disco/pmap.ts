// SPDX-License-Identifier: MIT
/**
 * The pmap (Disco paper, section 4.2.2): per VM, for each of its physical pages, the
 * precomputed TLB entry of the machine page that backs it (EntryLo's frame number and valid bit;
 * a corrected entry adds only the guest's cache and dirty bits). Pages are allocated on first
 * use, on the node of the vCPU that touches them (first touch), and the entry is published with
 * a compare-and-swap so that two vCPUs touching the same new page on different workers agree on
 * one machine page. The backmap of each machine page is kept in the memmap. NUMA (numa.ts) may
 * move a page or give it read-only replicas on other nodes (the entry then carries REPLICATED
 * and the replicas are kept per node here); while it changes them the entry reads MOVING and no
 * translation to the page is made.
 */
import { Tlb } from '../node-worker/cpu/cp0.js';
import type { Memmap } from './memmap.js';

/** The entry of a page being moved: not valid, not 0. */
const MOVING = Tlb.G;
/** Flag of an entry whose page has read-only replicas on other nodes (numa.ts). */
export const REPLICATED = 1 << 31;
/** machinePage's answer for a page being moved: try again. */
export const BUSY = -2;

/** The precomputed entry of a machine page, and its page back (-1: none). */
export const entryOf = (page: number): number => (page << Tlb.PFN_SHIFT) | Tlb.V;
const pageOf = (entry: number): number => ((entry & Tlb.V) === 0 ? -1 : (entry & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT);

export class Pmap {
  /** The precomputed EntryLo per physical page; 0: not yet backed; MOVING. */
  readonly words: Int32Array;
  /** Times each physical page has been moved, replicated or collapsed (numa.ts caps it). */
  readonly moves: Int32Array;
  /** Per physical page and node, its read-only replica there + 1 (0: none). */
  private readonly replicas: Int32Array;
  private readonly nodes: number;

  constructor(readonly buffer: SharedArrayBuffer, readonly vm: number, private readonly memmap: Memmap) {
    this.nodes = memmap.nodes;
    const pages = buffer.byteLength / 4 / (2 + this.nodes);
    this.words = new Int32Array(buffer, 0, pages);
    this.moves = new Int32Array(buffer, pages * 4, pages);
    this.replicas = new Int32Array(buffer, pages * 8, pages * this.nodes);
  }

  static create(vm: number, pages: number, memmap: Memmap): Pmap {
    return new Pmap(new SharedArrayBuffer(pages * (2 + memmap.nodes) * 4), vm, memmap);
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

  /** Starts a change of ppn's pages (a move, a replica, a collapse) if its entry is `entry`. */
  beginMove(ppn: number, entry: number): boolean {
    return Atomics.compareExchange(this.words, ppn, entry, MOVING) === entry;
  }

  /** Ends the change with `entry`: false if the guest freed ppn meanwhile. */
  endMove(ppn: number, entry: number): boolean {
    const done = Atomics.compareExchange(this.words, ppn, MOVING, entry) === MOVING;
    if (done) Atomics.add(this.moves, ppn, 1);
    return done;
  }

  /** May a translation of ppn to machine page `page` stand: its page, or (read-only) a replica? */
  backs(ppn: number, page: number, writable: boolean): boolean {
    const e = Atomics.load(this.words, ppn), want = entryOf(page);
    if (e === want) return true;
    if ((e & REPLICATED) === 0 || writable) return false;
    if ((e & ~REPLICATED) === want) return true;
    for (let n = 0; n < this.nodes; n++) if (this.replica(ppn, n) === page) return true;
    return false;
  }

  /** ppn's replica on `node`, or -1. */
  replica(ppn: number, node: number): number { return Atomics.load(this.replicas, ppn * this.nodes + node) - 1; }

  /** Records a replica (between beginMove and endMove). */
  setReplica(ppn: number, node: number, page: number): void { Atomics.store(this.replicas, ppn * this.nodes + node, page + 1); }

  /** Takes ppn's replicas out of the pmap, appending them to `out`. */
  takeReplicas(ppn: number, out: number[]): void {
    for (let n = 0; n < this.nodes; n++) {
      const r = Atomics.exchange(this.replicas, ppn * this.nodes + n, 0) - 1;
      if (r >= 0) out.push(r);
    }
  }
}
