// SPDX-License-Identifier: MIT
/**
 * The console UART: a write to Tx sends one byte to the console; Rx takes one byte of console
 * input (registers in shared/physmap.ts). Output is buffered per node and flushed at newlines
 * and at the end of each quantum, so the console carries exactly the bytes the guest wrote.
 * Input arrives through a ring in shared memory that the main thread fills from its stdin.
 */
import { Uart, UartStatus } from '../../shared/physmap.js';
import type { Device } from './device.js';

export interface ConsoleSink { write(bytes: Uint8Array): void }

/**
 * Console input ring: words [HEAD] (consumer), [TAIL] (producer), [EOF]; then INPUT_BYTES bytes.
 * One producer (the main thread) and one consumer (node 0's worker).
 */
const HEAD = 0, TAIL = 1, EOF = 2, DATA = 16;
export const INPUT_BYTES = 1 << 16;

export class ConsoleInput {
  private readonly w: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(DATA + INPUT_BYTES)) {
    this.w = new Int32Array(buffer, 0, 4);
    this.bytes = new Uint8Array(buffer, DATA, INPUT_BYTES);
  }

  /** Producer: appends as many bytes as fit; returns how many. */
  push(src: Uint8Array): number {
    const head = Atomics.load(this.w, HEAD), tail = this.w[TAIL];
    const n = Math.min(src.length, INPUT_BYTES - (tail - head));
    for (let i = 0; i < n; i++) this.bytes[(tail + i) & (INPUT_BYTES - 1)] = src[i];
    Atomics.store(this.w, TAIL, tail + n);
    return n;
  }

  end(): void { Atomics.store(this.w, EOF, 1); }

  /** Consumer: the next byte, or -1. */
  take(): number {
    const head = this.w[HEAD];
    if (head === Atomics.load(this.w, TAIL)) return -1;
    const b = this.bytes[head & (INPUT_BYTES - 1)];
    Atomics.store(this.w, HEAD, head + 1);
    return b;
  }

  waiting(): boolean { return this.w[HEAD] !== Atomics.load(this.w, TAIL); }
  ended(): boolean { return Atomics.load(this.w, EOF) !== 0 && !this.waiting(); }
}

/** Raises or lowers the UART's interrupt line. */
export interface UartLine { set(up: boolean): void }

export class UartDevice implements Device {
  private readonly buf = new Uint8Array(4096);
  private len = 0;
  bytesOut = 0;

  /** `input` and `line` only on the node that owns the console's input (node 0). */
  constructor(private readonly sink: ConsoleSink, private readonly input: ConsoleInput | null = null, private readonly line: UartLine | null = null) {}

  read32(offset: number): number {
    const input = this.input;
    if (offset === Uart.Rx) {
      const b = input !== null ? input.take() : -1;
      this.poll();
      return b;
    }
    if (offset === Uart.Status) {
      if (input === null) return UartStatus.TxReady;
      return UartStatus.TxReady | (input.waiting() ? UartStatus.RxReady : 0) | (input.ended() ? UartStatus.RxEnd : 0);
    }
    return 0;
  }

  /** Keeps the interrupt line up while input waits or has ended (called each quantum and on reads). */
  poll(): void {
    if (this.input !== null && this.line !== null) this.line.set(this.input.waiting() || this.input.ended());
  }

  write32(offset: number, value: number): void {
    if (offset !== Uart.Tx) return;
    this.buf[this.len++] = value & 0xff;
    this.bytesOut++;
    if ((value & 0xff) === 10 || this.len === this.buf.length) this.flush();
  }

  flush(): void {
    if (this.len === 0) return;
    this.sink.write(this.buf.subarray(0, this.len));
    this.len = 0;
  }
}
