// SPDX-License-Identifier: MIT
/**
 * The memmap (Disco paper, section 4.2.2): for each machine page, the VM and physical page that
 * use it; and the machine's free pages, per node, so that Disco allocates a vCPU's pages on the
 * node where it runs. Shared by every worker; a per-node spin lock (Atomics) guards each free list.
 */

/** Layout of the shared buffer: per node [lock, count, pages...]; then one owner word per machine page. */
export class Memmap {
  readonly words: Int32Array;
  private readonly perNode: number;
  private readonly ownerBase: number;

  constructor(readonly buffer: SharedArrayBuffer, readonly nodes: number, readonly pagesPerNode: number) {
    this.words = new Int32Array(buffer);
    this.perNode = 2 + pagesPerNode;
    this.ownerBase = nodes * this.perNode;
  }

  static create(nodes: number, pagesPerNode: number): Memmap {
    const m = new Memmap(new SharedArrayBuffer((nodes * (2 + pagesPerNode) + nodes * pagesPerNode) * 4), nodes, pagesPerNode);
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
  freePages(node: number): number { return Atomics.load(this.words, node * this.perNode + 1); }

  private lock(b: number): void {
    while (Atomics.compareExchange(this.words, b, 0, 1) !== 0) { /* held for a few instructions only */ }
  }

  private unlock(b: number): void { Atomics.store(this.words, b, 0); }
}
