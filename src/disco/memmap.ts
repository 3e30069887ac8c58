// SPDX-License-Identifier: MIT
/**
 * The memmap (Disco paper, section 4.2.2): for each machine page, the VM and physical page that
 * use it and its backmap; and the machine's free pages, per node, so that Disco allocates a
 * vCPU's pages on the node where it runs. Shared by every worker; a per-node spin lock (Atomics)
 * guards each free list.
 *
 * The backmap of a machine page says which of its VM's vCPUs may hold a translation to it (in a
 * hardware TLB or its L2TLB): bit (index & 31) for the vCPU of that index in the VM, set before
 * the translation is made and cleared when the page is handed out again. A shootdown follows it
 * to exactly those vCPUs' CPUs (the paper's backmap lists virtual addresses; a 64-entry TLB is
 * searched by machine page as fast as by address, so the vCPUs are what needs keeping).
 */

/**
 * Layout of the shared buffer: per node [lock, count, pages...]; then one owner word per machine
 * page; then one backmap word per machine page.
 */
export class Memmap {
  readonly words: Int32Array;
  private readonly perNode: number;
  private readonly ownerBase: number;
  private readonly backBase: number;

  constructor(readonly buffer: SharedArrayBuffer, readonly nodes: number, readonly pagesPerNode: number) {
    this.words = new Int32Array(buffer);
    this.perNode = 2 + pagesPerNode;
    this.ownerBase = nodes * this.perNode;
    this.backBase = this.ownerBase + nodes * pagesPerNode;
  }

  static create(nodes: number, pagesPerNode: number): Memmap {
    const m = new Memmap(new SharedArrayBuffer((nodes * (2 + pagesPerNode) + 2 * nodes * pagesPerNode) * 4), nodes, pagesPerNode);
    for (let n = 0; n < nodes; n++) {
      const b = n * m.perNode;
      m.words[b + 1] = pagesPerNode;
      // Highest pages first on the stack's bottom: pages come out in ascending order.
      for (let i = 0; i < pagesPerNode; i++) m.words[b + 2 + i] = n * pagesPerNode + pagesPerNode - 1 - i;
    }
    return m;
  }

  /** A free machine page, preferably on `node`, now owned by (vm, ppn); -1 when memory is exhausted. */
  alloc(node: number, vm: number, ppn: number): number {
    for (let i = 0; i < this.nodes; i++) {
      const n = (node + i) % this.nodes, b = n * this.perNode, w = this.words;
      this.lock(b);
      const count = w[b + 1];
      if (count > 0) {
        const page = w[b + 1 + count];
        w[b + 1] = count - 1;
        this.unlock(b);
        Atomics.store(w, this.backBase + page, 0);
        Atomics.store(w, this.ownerBase + page, ((vm + 1) << 20) | ppn);
        return page;
      }
      this.unlock(b);
    }
    return -1;
  }

  free(page: number): void {
    const n = Math.floor(page / this.pagesPerNode), b = n * this.perNode, w = this.words;
    Atomics.store(w, this.ownerBase + page, 0);
    this.lock(b);
    w[b + 2 + w[b + 1]] = page;
    w[b + 1]++;
    this.unlock(b);
  }

  /** The VM owning a machine page, or -1. */
  owner(page: number): number { return (Atomics.load(this.words, this.ownerBase + page) >>> 20) - 1; }
  /** The physical page number its owner knows it by. */
  physPage(page: number): number { return Atomics.load(this.words, this.ownerBase + page) & 0xfffff; }
  /** Notes that the vCPU of this index in the page's VM may now hold a translation to it. */
  mapBy(page: number, index: number): void {
    const bit = 1 << (index & 31);
    if ((this.words[this.backBase + page] & bit) === 0) Atomics.or(this.words, this.backBase + page, bit);
  }

  /** The backmap: bit (index & 31) set for each vCPU of the owner that may translate to the page. */
  backmap(page: number): number { return Atomics.load(this.words, this.backBase + page); }
  freePages(node: number): number { return Atomics.load(this.words, node * this.perNode + 1); }

  private lock(b: number): void {
    while (Atomics.compareExchange(this.words, b, 0, 1) !== 0) { /* held for a few instructions only */ }
  }

  private unlock(b: number): void { Atomics.store(this.words, b, 0); }
}
