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
 * A page used by several nodes stays where it is (replication is not done yet), and a page
 * moves at most MAX_MOVES times, so it cannot ping-pong.
 */
import type { CacheController } from '../node-worker/directory.js';
import type { DiscoNode } from './disco.js';
import { Cost, DiscoStat, type PhysCpu } from './monitor.js';

/** Moves allowed per physical page. */
const MAX_MOVES = 4;
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
    const d = this.disco, vm = d.memmap.owner(page), pagesPerNode = d.memmap.pagesPerNode;
    if (vm < 0 || Math.floor(page / pagesPerNode) === node) return;
    const ppn = d.memmap.physPage(page), pmap = d.pmaps[vm];
    if (ppn >= pmap.pages || Atomics.load(pmap.moves, ppn) >= MAX_MOVES) return; // a special page; a page that moved enough
    let total = 0;
    for (let n = 0; n < d.memmap.nodes; n++) total += this.coherence.pageMisses(page, n);
    if (this.coherence.pageMisses(page, node) * 4 < total * 3) return; // shared by several nodes: it stays
    const fresh = d.memmap.alloc(node, vm, ppn);
    if (fresh < 0) return;
    if (Math.floor(fresh / pagesPerNode) !== node || !pmap.beginMove(ppn, page)) { d.memmap.free(fresh); return; }
    d.shootdown(p, vm, page, d.memmap.backmap(page));
    const mem = d.node.memory.w32;
    mem.copyWithin(fresh << 10, page << 10, (page + 1) << 10);
    this.coherence.resetPage(page);
    this.coherence.resetPage(fresh);
    if (!pmap.endMove(ppn, fresh)) d.memmap.free(fresh);
    d.memmap.free(page);
    p.charge(DiscoStat.PageMoves, Cost.PageMove);
  }
}
