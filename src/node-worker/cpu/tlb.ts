// SPDX-License-Identifier: MIT
/**
 * The R10000 joint TLB: 64 entries, each mapping an even/odd pair of pages whose size PageMask
 * sets (4 KB to 16 MB), tagged by VPN2 and ASID unless global (R10000 manual, section 16.3).
 */
import { Tlb } from './cp0.js';

export class Jtlb {
  /** PageMask of each entry (bits 24:13). */
  readonly mask = new Int32Array(Tlb.ENTRIES);
  /** EntryHi of each entry: VPN2 (bits 31:13) and ASID (bits 7:0). */
  readonly hi = new Int32Array(Tlb.ENTRIES);
  readonly lo0 = new Int32Array(Tlb.ENTRIES);
  readonly lo1 = new Int32Array(Tlb.ENTRIES);
  /** 1 where the entry is global (G set in both EntryLo words). */
  readonly global = new Uint8Array(Tlb.ENTRIES);

  constructor() { this.reset(); }

  /** Entries start unmatchable: distinct VPN2s in kseg0, which is never mapped. */
  reset(): void {
    for (let i = 0; i < Tlb.ENTRIES; i++) {
      this.mask[i] = 0;
      this.hi[i] = (0x80000000 + i * 0x2000) | 0;
      this.lo0[i] = 0;
      this.lo1[i] = 0;
      this.global[i] = 0;
    }
  }

  /** Index of the entry that maps va for this ASID, or -1 (a refill). */
  lookup(va: number, asid: number): number {
    const hi = this.hi, mask = this.mask, global = this.global;
    for (let i = 0; i < Tlb.ENTRIES; i++) {
      const m = mask[i] | 0x1fff;
      if (((va ^ hi[i]) & ~m) === 0 && (global[i] !== 0 || (hi[i] & Tlb.ASID_MASK) === asid)) return i;
    }
    return -1;
  }

  /** TLBP: the entry that matches EntryHi's VPN2 and ASID, or -1. */
  probe(entryHi: number): number {
    return this.lookup(entryHi & Tlb.VPN2_MASK, entryHi & Tlb.ASID_MASK);
  }

  write(i: number, pageMask: number, entryHi: number, lo0: number, lo1: number): void {
    this.mask[i] = pageMask & Tlb.PAGEMASK_MASK;
    this.hi[i] = entryHi & (Tlb.VPN2_MASK | Tlb.ASID_MASK) & ~(pageMask & Tlb.PAGEMASK_MASK);
    this.lo0[i] = lo0 & 0x3fffffff;
    this.lo1[i] = lo1 & 0x3fffffff;
    this.global[i] = lo0 & lo1 & Tlb.G;
  }
}
