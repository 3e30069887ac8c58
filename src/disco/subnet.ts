// SPDX-License-Identifier: MIT
/**
 * The virtual subnet between VMs (Disco paper, section 4.2.4): each VM has one virtual Ethernet
 * port; a frame sent to VM d (itself included, as a port's loopback on the bare machine; or to
 * every other VM, d = -1) is copied into d's receive queue, a
 * ring of frame slots in shared memory under a spin lock (any worker may send, the receiving
 * vCPU may run anywhere). The paper's remapping of page-aligned payloads is not done: frames
 * are copied.
 */
export const SUBNET_MTU = 9216;
const SLOTS = 16;
const SLOT_BYTES = 8 + SUBNET_MTU;
/** Per VM: lock, head, tail, then the slots. */
const HEADER = 16;
const VM_BYTES = HEADER + SLOTS * SLOT_BYTES;

export class Subnet {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly vms: number) {
    this.words = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  static create(vms: number): Subnet { return new Subnet(new SharedArrayBuffer(vms * VM_BYTES), vms); }

  /** Queues a frame from VM `src` to `dst` (-1: every other VM). 0 sent, 1 a queue is full, -1 bad destination. */
  send(src: number, dst: number, frame: Uint8Array): number {
    if (frame.length > SUBNET_MTU || dst < -1 || dst >= this.vms) return -1;
    let full = 0;
    for (let d = 0; d < this.vms; d++) {
      if ((dst === -1 && d !== src) || d === dst) full |= this.enqueue(d, src, frame) ? 0 : 1;
    }
    return full;
  }

  /** Takes VM `vm`'s next frame into `out`: [source VM, length], or null when none waits. */
  receive(vm: number, out: Uint8Array): [number, number] | null {
    const b = (vm * VM_BYTES) >> 2, w = this.words;
    this.lock(b);
    const head = w[b + 1], tail = w[b + 2];
    if (head === tail) { this.unlock(b); return null; }
    const at = vm * VM_BYTES + HEADER + (head % SLOTS) * SLOT_BYTES, slot = at >> 2;
    const src = w[slot], len = w[slot + 1];
    out.set(this.bytes.subarray(at + 8, at + 8 + len));
    w[b + 1] = head + 1;
    this.unlock(b);
    return [src, len];
  }

  private enqueue(d: number, src: number, frame: Uint8Array): boolean {
    const b = (d * VM_BYTES) >> 2, w = this.words;
    this.lock(b);
    const head = w[b + 1], tail = w[b + 2];
    if (tail - head >= SLOTS) { this.unlock(b); return false; }
    const at = d * VM_BYTES + HEADER + (tail % SLOTS) * SLOT_BYTES, slot = at >> 2;
    w[slot] = src;
    w[slot + 1] = frame.length;
    this.bytes.set(frame, at + 8);
    w[b + 2] = tail + 1;
    this.unlock(b);
    return true;
  }

  private lock(b: number): void {
    while (Atomics.compareExchange(this.words, b, 0, 1) !== 0) { /* held for one copy */ }
  }

  private unlock(b: number): void { Atomics.store(this.words, b, 0); }
}
