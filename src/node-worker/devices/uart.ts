// SPDX-License-Identifier: MIT
/**
 * The console UART: a write to Tx sends one byte to the console; Rx reads -1 (no input yet);
 * Status bit 1 is "transmitter ready". Output is buffered per node and flushed at newlines and
 * at the end of each quantum, so the console carries exactly the bytes the guest wrote.
 */
import { Uart } from '../../shared/physmap.js';
import type { Device } from './device.js';

export interface ConsoleSink { write(bytes: Uint8Array): void }

export class UartDevice implements Device {
  private readonly buf = new Uint8Array(4096);
  private len = 0;
  bytesOut = 0;

  constructor(private readonly sink: ConsoleSink) {}

  read32(offset: number): number {
    if (offset === Uart.Rx) return -1;
    if (offset === Uart.Status) return 2;
    return 0;
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
