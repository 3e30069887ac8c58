// SPDX-License-Identifier: MIT
/**
 * Single-producer single-consumer rings of fixed-size messages in shared memory. Each message is
 * MSG_WORDS 32-bit words; head and tail sit on their own 64-byte lines (zsim's padding habit).
 * Layout of one ring in an Int32Array at `base`: [HEAD] consumer index, [TAIL] producer index,
 * then `capacity` slots. Indices grow without bound (mod 2^32) and are masked on use.
 */
export const MSG_WORDS = 8;
const HEAD = 0, TAIL = 16, SLOTS = 32;

export function ringWords(capacity: number): number {
  return SLOTS + capacity * MSG_WORDS;
}

export class Ring {
  private readonly mask: number;

  constructor(private readonly words: Int32Array, private readonly base: number, readonly capacity: number) {
    if ((capacity & (capacity - 1)) !== 0 || capacity < 2) throw new Error('ring capacity must be a power of two');
    this.mask = capacity - 1;
  }

  /** Appends msg[0..MSG_WORDS); false when the ring is full (the sender must retry: backpressure). */
  push(msg: Int32Array): boolean {
    const w = this.words, b = this.base;
    const tail = w[b + TAIL];
    if (((tail - Atomics.load(w, b + HEAD)) | 0) >= this.capacity) return false;
    const at = b + SLOTS + (tail & this.mask) * MSG_WORDS;
    for (let i = 0; i < MSG_WORDS; i++) w[at + i] = msg[i];
    Atomics.store(w, b + TAIL, (tail + 1) | 0); // publishes the slot (seq-cst store)
    return true;
  }

  /** Removes the oldest message into out; false when empty. */
  pop(out: Int32Array): boolean {
    const w = this.words, b = this.base;
    const head = w[b + HEAD];
    if (head === Atomics.load(w, b + TAIL)) return false;
    const at = b + SLOTS + (head & this.mask) * MSG_WORDS;
    for (let i = 0; i < MSG_WORDS; i++) out[i] = w[at + i];
    Atomics.store(w, b + HEAD, (head + 1) | 0);
    return true;
  }

  get length(): number {
    return (Atomics.load(this.words, this.base + TAIL) - Atomics.load(this.words, this.base + HEAD)) | 0;
  }
}
