// SPDX-License-Identifier: MIT
/**
 * The node controller (FLASH's MAGIC) as the guest sees it: the hot-page interrupt. When one
 * node's misses to a page reach the threshold, the page's home controller records the page and
 * the node, and raises the HotPage line of the home node's first CPU until Ack.
 */
import { NodeCtl } from '../../shared/physmap.js';
import type { Device } from './device.js';
import type { InterruptSink } from './disk.js';

export interface HotPageCounters {
  /** Clears the per-node miss counters of a machine page. */
  resetPage(page: number): void;
  hotThreshold: number;
}

export class NodeController implements Device {
  hotPage = -1;
  hotNode = -1;

  constructor(private readonly counters: HotPageCounters, private readonly irq: InterruptSink, private readonly cpu: number, private readonly line: number) {}

  /** Called by the coherence model when a counter crosses the threshold. */
  raiseHotPage(page: number, node: number): void {
    this.hotPage = page;
    this.hotNode = node;
    this.irq.raise(this.cpu, this.line);
  }

  read32(offset: number): number {
    switch (offset) {
      case NodeCtl.HotPage: return this.hotPage;
      case NodeCtl.HotNode: return this.hotNode;
      case NodeCtl.Threshold: return this.counters.hotThreshold;
      default: return 0;
    }
  }

  write32(offset: number, value: number): void {
    switch (offset) {
      case NodeCtl.Ack: this.hotPage = -1; this.hotNode = -1; this.irq.lower(this.cpu, this.line); break;
      case NodeCtl.ResetPage: this.counters.resetPage(value >>> 0); break;
      case NodeCtl.Threshold: if (value > 0) this.counters.hotThreshold = value; break;
    }
  }
}
