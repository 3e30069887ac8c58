// SPDX-License-Identifier: MIT
/**
 * NUMA page placement (Disco paper, section 4.2.3; DESIGN.md "NUMA"). FLASH's per-page, per-node
 * cache-miss counters (directory.ts) send a hot-page notice to the page's home node when one
 * node's misses reach the threshold; Disco there moves a VM's page that the hot node uses mostly
 * (at least 3/4 of its misses) to that node:
 *  1. the pmap entry turns MOVING, so no new translation to the page is made (a vCPU that
 *     misses on it retries; Disco's own accesses wait);
 *  2. the CPUs that the page's backmap names drop it (shootdown), and answer only once they
 *     are out of any access they had begun;
 *  3. the data is copied to a page allocated on the hot node, and the pmap publishes it;
 *  4. the old page goes back to the free list (unless the guest freed the page meanwhile:
 *     then both do).
 * A page several nodes use gets a read-only replica on the hot node instead (section 4.2.3: a
 * read-shared page is replicated): every translation of it is then read-only and takes the
 * replica of the CPU's node; the first write collapses the replicas (DiscoNode.collapse). A
 * page changes (moves, gains a replica, collapses) at most MAX_MOVES times, so a write-shared
 * page soon stays where it is and no page ping-pongs.
 */
import type { CacheController } from '../node-worker/directory.js';
import type { DiscoNode } from './disco.js';
import { Cost, DiscoStat, type PhysCpu } from './monitor.js';
import { entryOf, REPLICATED } from './pmap.js';

/** Moves allowed per physical page. */
const MAX_MOVES = 4;
/** The share of a node's memory that moves and replicas leave free. */
const RESERVE = 1 / 8;
/** Hot-page notices kept until a CPU of the node takes them (more are dropped: the counters will cross again). */
const QUEUE = 64;

export class Numa {
  /** Pending notices: (machine page, hot node) pairs, a ring. */
  private readonly queue = new Int32Array(2 * QUEUE);
  private head = 0;
  private tail = 0;

  constructor(private readonly disco: DiscoNode, private readonly coherence: CacheController) {}

  /** A hot-page notice from the interconnect (the node controller's interrupt, taken by Disco). */
  notice(page: number, node: number): void {
    if (this.tail - this.head === QUEUE) return;
    const i = (this.tail++ % QUEUE) * 2;
    this.queue[i] = page;
    this.queue[i + 1] = node;
  }

  /** Acts on the pending notices, on physical CPU p (at an interrupt, in Disco). */
  poll(p: PhysCpu): void {
    while (this.head !== this.tail) {
      const i = (this.head++ % QUEUE) * 2;
      this.consider(p, this.queue[i], this.queue[i + 1]);
    }
  }

  private consider(p: PhysCpu, page: number, node: number): void {
    const d = this.disco, vm = d.memmap.owner(page);
    if (vm < 0 || this.nodeOf(page) === node) return;
    const ppn = d.memmap.physPage(page), pmap = d.pmaps[vm];
    if (ppn >= pmap.pages || Atomics.load(pmap.moves, ppn) >= MAX_MOVES) return; // a special page; a page that changed enough
    const entry = pmap.entry(ppn);
    if ((entry & ~REPLICATED) !== entryOf(page)) return;                         // a replica, or the page changed since
    let total = 0;
    for (let n = 0; n < d.memmap.nodes; n++) total += this.coherence.pageMisses(page, n);
    if ((entry & REPLICATED) === 0 && this.coherence.pageMisses(page, node) * 4 >= total * 3) this.migrate(p, vm, ppn, page, node);
    else if (pmap.replica(ppn, node) < 0) this.replicate(p, vm, ppn, page, node, entry);
  }

  /**
   * A free page on `node` for (vm, ppn), or -1 when that node is short of memory (less than
   * RESERVE of it free: first touches, which the VMs cannot do without, keep that much).
   */
  private allocOn(node: number, vm: number, ppn: number): number {
    const m = this.disco.memmap;
    if (m.freePages(node) < m.pagesPerNode * RESERVE) return -1;
    const fresh = m.alloc(node, vm, ppn);
    if (fresh >= 0 && this.nodeOf(fresh) !== node) { m.free(fresh); return -1; }
    return fresh;
  }

  private nodeOf(page: number): number { return Math.floor(page / this.disco.memmap.pagesPerNode); }

  private copy(to: number, from: number): void {
    this.disco.node.memory.w32.copyWithin(to << 10, from << 10, (from + 1) << 10);
  }

  /** Moves ppn from machine page `page` to a page on `node`. */
  private migrate(p: PhysCpu, vm: number, ppn: number, page: number, node: number): void {
    const d = this.disco, pmap = d.pmaps[vm], fresh = this.allocOn(node, vm, ppn);
    if (fresh < 0) return;
    if (!pmap.beginMove(ppn, entryOf(page))) { d.memmap.free(fresh); return; }
    d.shootdown(p, vm, page, d.memmap.backmap(page));
    this.copy(fresh, page);
    this.coherence.resetPage(page);
    this.coherence.resetPage(fresh);
    if (!pmap.endMove(ppn, entryOf(fresh))) d.memmap.free(fresh); // the guest freed it meanwhile
    d.memmap.free(page);
    p.charge(DiscoStat.PageMoves, Cost.PageMove);
  }

  /**
   * Gives ppn (master `page`, entry `entry`) a read-only replica on `node`. The first replica
   * makes every translation of the master read-only: they are shot down and come back so.
   */
  private replicate(p: PhysCpu, vm: number, ppn: number, page: number, node: number, entry: number): void {
    const d = this.disco, pmap = d.pmaps[vm], fresh = this.allocOn(node, vm, ppn);
    if (fresh < 0) return;
    if (!pmap.beginMove(ppn, entry)) { d.memmap.free(fresh); return; }
    if ((entry & REPLICATED) === 0) d.shootdown(p, vm, page, d.memmap.backmap(page));
    this.copy(fresh, page);
    this.coherence.resetPage(page);
    pmap.setReplica(ppn, node, fresh);
    if (!pmap.endMove(ppn, entryOf(page) | REPLICATED)) {  // the guest freed it meanwhile
      d.dropReplicas(p, vm, ppn);
      d.memmap.free(page);
    }
    p.charge(DiscoStat.PageReplicas, Cost.PageMove);
  }
}
