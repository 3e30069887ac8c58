// SPDX-License-Identifier: MIT
/**
 * 32x32->64 multiplication and 64-bit HI:LO accumulation without BigInt: operands are split in
 * 16-bit halves so every partial product is exact in a double.
 */

/** High word of the signed 64-bit product a*b. */
export function mulHiSigned(a: number, b: number): number {
  const al = a & 0xffff, ah = a >> 16, bl = b & 0xffff, bh = b >> 16;
  const mid = ah * bl + al * bh + ((al * bl) >>> 16);
  return (ah * bh + Math.floor(mid / 65536)) | 0;
}

/** High word of the unsigned 64-bit product a*b. */
export function mulHiUnsigned(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const mid = ah * bl + al * bh + ((al * bl) >>> 16);
  return (ah * bh + Math.floor(mid / 65536)) | 0;
}

/**
 * HI:LO += sign * (hi:lo) with 64-bit wrap-around; regs[hiIndex] and regs[loIndex] are updated.
 * sign is 1 (madd) or -1 (msub).
 */
export function accumulate(regs: Int32Array, hiIndex: number, loIndex: number, hi: number, lo: number, sign: number): void {
  if (sign < 0) { // negate the 64-bit product: two's complement of hi:lo
    lo = (~lo + 1) | 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
  }
  const sumLo = (regs[loIndex] >>> 0) + (lo >>> 0);
  regs[loIndex] = sumLo | 0;
  regs[hiIndex] = (regs[hiIndex] + hi + (sumLo > 0xffffffff ? 1 : 0)) | 0;
}
