// SPDX-License-Identifier: MIT
/**
 * Machine memory: one SharedArrayBuffer holding big-endian guest memory as host-order 32-bit
 * words (DESIGN.md section 2). An aligned word is one Int32Array element; a byte at physical
 * address p lives at u8[p ^ 3] and a halfword at u16[(p ^ 2) >> 1] (little-endian host).
 */
export class MachineMemory {
  readonly buffer: SharedArrayBuffer;
  readonly w32: Int32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;
  readonly size: number;

  constructor(sizeOrBuffer: number | SharedArrayBuffer) {
    if (!isLittleEndianHost()) throw new Error('Disco-on-FLASH needs a little-endian host');
    this.buffer = typeof sizeOrBuffer === 'number' ? new SharedArrayBuffer(sizeOrBuffer) : sizeOrBuffer;
    if (this.buffer.byteLength % 4096 !== 0) throw new Error('machine memory must be a whole number of 4 KB pages');
    this.size = this.buffer.byteLength;
    this.w32 = new Int32Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
  }

  read32(p: number): number { return this.w32[p >>> 2]; }
  write32(p: number, v: number): void { this.w32[p >>> 2] = v; }
  read16(p: number): number { return this.u16[(p ^ 2) >>> 1]; }
  write16(p: number, v: number): void { this.u16[(p ^ 2) >>> 1] = v; }
  read8(p: number): number { return this.u8[p ^ 3]; }
  write8(p: number, v: number): void { this.u8[p ^ 3] = v; }

  /** Copies big-endian bytes (as in a file) into memory at physical address p. */
  writeBytes(p: number, src: Uint8Array): void {
    const u8 = this.u8;
    for (let i = 0; i < src.length; i++) u8[(p + i) ^ 3] = src[i];
  }

  /** Copies len bytes of memory at physical address p out, in big-endian (file) order. */
  readBytes(p: number, len: number, dst: Uint8Array = new Uint8Array(len), at = 0): Uint8Array {
    const u8 = this.u8;
    for (let i = 0; i < len; i++) dst[at + i] = u8[(p + i) ^ 3];
    return dst;
  }

  fill(p: number, len: number, value: number): void {
    const u8 = this.u8;
    for (let i = 0; i < len; i++) u8[(p + i) ^ 3] = value;
  }
}

export function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
