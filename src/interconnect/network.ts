// SPDX-License-Identifier: MIT
/**
 * The interconnect: one ring per ordered pair of nodes, per-node doorbell words that wake a
 * waiting node, message counters per node and type, and a latency model by hop count.
 * All of it lives in one SharedArrayBuffer that every worker maps.
 */
import { MSG_WORDS, Ring, ringWords } from './ring.js';

/** Message types. */
export const enum Msg { Ipi = 1, Start = 2, Frame = 3, HotPage = 4, Shootdown = 5 }
export const MSG_TYPES = 16;

/** Message words. */
export const enum Word { Type = 0, Src = 1, Dst = 2, DeliverAt = 3, A0 = 4, A1 = 5, A2 = 6, A3 = 7 }

export interface NetworkShape { nodes: number; capacity: number }

export function networkBytes(s: NetworkShape): number {
  return 4 * (s.nodes * s.nodes * ringWords(s.capacity) + s.nodes * 16 + s.nodes * MSG_TYPES * 2);
}

export class Network {
  readonly words: Int32Array;
  private readonly rings: Ring[];
  private readonly doorbellBase: number;
  private readonly sentBase: number;
  private readonly recvBase: number;
  private nextSrc: Int32Array;

  constructor(readonly shape: NetworkShape, readonly buffer: SharedArrayBuffer, private readonly hopCycles: (a: number, b: number) => number) {
    const n = shape.nodes, rw = ringWords(shape.capacity);
    this.words = new Int32Array(buffer);
    this.rings = [];
    for (let i = 0; i < n * n; i++) this.rings.push(new Ring(this.words, i * rw, shape.capacity));
    this.doorbellBase = n * n * rw;
    this.sentBase = this.doorbellBase + n * 16;
    this.recvBase = this.sentBase + n * MSG_TYPES;
    this.nextSrc = new Int32Array(n);
  }

  static create(shape: NetworkShape, hopCycles: (a: number, b: number) => number): Network {
    return new Network(shape, new SharedArrayBuffer(networkBytes(shape)), hopCycles);
  }

  /** Sends msg (Type, Src, Dst and A0..A3 filled; DeliverAt is stamped from `now` + hops). False when full. */
  send(msg: Int32Array, now: number): boolean {
    const src = msg[Word.Src], dst = msg[Word.Dst];
    msg[Word.DeliverAt] = (now + this.hopCycles(src, dst)) | 0;
    if (!this.rings[src * this.shape.nodes + dst].push(msg)) return false;
    this.words[this.sentBase + src * MSG_TYPES + (msg[Word.Type] & (MSG_TYPES - 1))]++;
    this.ring(dst);
    return true;
  }

  /** Takes one message for `dst` from any source (fairly, round robin), into out. */
  receive(dst: number, out: Int32Array): boolean {
    const n = this.shape.nodes;
    const start = this.nextSrc[dst];
    for (let k = 0; k < n; k++) {
      const src = (start + k) % n;
      if (this.rings[src * n + dst].pop(out)) {
        this.nextSrc[dst] = (src + 1) % n;
        this.words[this.recvBase + dst * MSG_TYPES + (out[Word.Type] & (MSG_TYPES - 1))]++;
        return true;
      }
    }
    return false;
  }

  pending(dst: number): number {
    let total = 0;
    for (let src = 0; src < this.shape.nodes; src++) total += this.rings[src * this.shape.nodes + dst].length;
    return total;
  }

  /** The doorbell: bumped and notified on every send, so a node blocked in a wait wakes up. */
  doorbellIndex(node: number): number { return this.doorbellBase + node * 16; }

  ring(node: number): void {
    const i = this.doorbellIndex(node);
    Atomics.add(this.words, i, 1);
    Atomics.notify(this.words, i);
  }

  sent(node: number, type: number): number { return this.words[this.sentBase + node * MSG_TYPES + type]; }
  received(node: number, type: number): number { return this.words[this.recvBase + node * MSG_TYPES + type]; }
}

export function newMessage(): Int32Array {
  return new Int32Array(MSG_WORDS);
}
