// SPDX-License-Identifier: MIT
/**
 * A node's Ethernet port (registers in shared/physmap.ts, Ether). A sent frame is copied by DMA
 * into one of the sending port's slots of the shared frame pool and announced to the destination
 * node by a Frame message; the destination copies it by DMA into its armed receive buffer (or
 * keeps it pending, in order, until one is armed) and frees the slot.
 */
import { MachineMemory } from '../../shared/memory.js';
import { Ether, EtherStatus, MAX_FRAME } from '../../shared/physmap.js';
import type { Device } from './device.js';
import type { DmaSink, InterruptSink } from './disk.js';

export const FRAME_SLOTS = 16;
const PENDING = 32;

/** Bytes of the frame pool: per node, FRAME_SLOTS busy flags then the slots. */
export function framePoolBytes(nodes: number): number {
  return nodes * FRAME_SLOTS * (4 + MAX_FRAME);
}

/** What the port asks of its node: send a Frame message to a node. */
export interface FrameLink {
  readonly nodeId: number;
  readonly nodes: number;
  sendFrame(dstNode: number, slot: number, len: number): void;
}

export class EtherPort implements Device {
  private readonly busy: Int32Array;
  private readonly data: Uint8Array;
  private txDma = 0; private txLen = 0; private txDst = 0; private txStatus = EtherStatus.Idle;
  private rxDma = 0; private rxMax = 0; private armed = false;
  private rxLen = 0; private rxSrc = -1; private rxStatus = 0;
  private dropped = 0;
  /** Frames that arrived while no buffer was armed: (source node, slot, length) triples. */
  private readonly pending = new Int32Array(PENDING * 3);
  private pendingHead = 0; private pendingCount = 0;

  constructor(pool: SharedArrayBuffer, private readonly mem: MachineMemory, private readonly link: FrameLink, private readonly irq: InterruptSink & DmaSink, private readonly cpu: number, private readonly line: number) {
    this.busy = new Int32Array(pool, 0, link.nodes * FRAME_SLOTS);
    this.data = new Uint8Array(pool, 4 * link.nodes * FRAME_SLOTS);
  }

  read32(offset: number): number {
    switch (offset) {
      case Ether.MacId: return this.link.nodeId;
      case Ether.TxStatus: return this.txStatus;
      case Ether.RxLen: return this.rxLen;
      case Ether.RxSrc: return this.rxSrc;
      case Ether.RxStatus: return this.rxStatus;
      case Ether.Dropped: return this.dropped;
      default: return 0;
    }
  }

  write32(offset: number, value: number): void {
    switch (offset) {
      case Ether.TxDma: this.txDma = value >>> 0; break;
      case Ether.TxLen: this.txLen = value >>> 0; break;
      case Ether.TxDst: this.txDst = value; break;
      case Ether.TxCmd: this.txStatus = this.send(); break;
      case Ether.RxDma: this.rxDma = value >>> 0; break;
      case Ether.RxMax: this.rxMax = value >>> 0; break;
      case Ether.RxCmd: this.armed = true; this.deliverPending(); break;
      case Ether.Ack: this.rxStatus = 0; this.armed = false; this.irq.lower(this.cpu, this.line); break;
    }
  }

  private send(): EtherStatus {
    if (this.txLen === 0 || this.txLen > MAX_FRAME || this.txDma + this.txLen > this.mem.size) return EtherStatus.Error;
    const n = this.link.nodes, me = this.link.nodeId;
    const targets = this.txDst === -1 ? n - 1 : 1;
    if (this.txDst !== -1 && (this.txDst < 0 || this.txDst >= n)) return EtherStatus.Error;
    for (let t = 0; t < targets; t++) {
      const dst = this.txDst === -1 ? (me + 1 + t) % n : this.txDst;
      const slot = this.claimSlot();
      if (slot < 0) return EtherStatus.Busy;
      this.mem.readBytes(this.txDma, this.txLen, this.data, slot * MAX_FRAME);
      this.link.sendFrame(dst, slot, this.txLen);
    }
    return EtherStatus.Done;
  }

  private claimSlot(): number {
    const base = this.link.nodeId * FRAME_SLOTS;
    for (let i = 0; i < FRAME_SLOTS; i++) if (Atomics.compareExchange(this.busy, base + i, 0, 1) === 0) return base + i;
    return -1;
  }

  /** A Frame message from srcNode: deliver it now if a buffer is armed, else keep it pending. */
  receive(srcNode: number, slot: number, len: number): void {
    if (this.armed && this.pendingCount === 0) { this.deliver(srcNode, slot, len); return; }
    if (this.pendingCount === PENDING) { this.dropped++; Atomics.store(this.busy, slot, 0); return; }
    const at = ((this.pendingHead + this.pendingCount) % PENDING) * 3;
    this.pending[at] = srcNode; this.pending[at + 1] = slot; this.pending[at + 2] = len;
    this.pendingCount++;
    if (this.armed) this.deliverPending();
  }

  private deliverPending(): void {
    if (!this.armed || this.pendingCount === 0) return;
    const at = this.pendingHead * 3;
    this.pendingHead = (this.pendingHead + 1) % PENDING;
    this.pendingCount--;
    this.deliver(this.pending[at], this.pending[at + 1], this.pending[at + 2]);
  }

  private deliver(srcNode: number, slot: number, len: number): void {
    const n = Math.min(len, this.rxMax);
    if (this.rxDma + n <= this.mem.size) {
      this.mem.writeBytes(this.rxDma, this.data.subarray(slot * MAX_FRAME, slot * MAX_FRAME + n));
      this.irq.dmaWrote(this.rxDma, n);
    }
    Atomics.store(this.busy, slot, 0);
    this.rxLen = n; this.rxSrc = srcNode; this.rxStatus = EtherStatus.Ready;
    this.armed = false;
    this.irq.raise(this.cpu, this.line);
  }
}
