// SPDX-License-Identifier: MIT
/**
 * The L2TLB (Disco paper, section 4.2.2): per vCPU, a second-level software TLB of recent
 * virtual-to-machine translations, consulted on every hardware TLB miss before the miss goes to
 * the guest. It outlives the guest's own TLB entries (its refill handler replaces them at random),
 * so Disco drops an entry whenever the guest could expect a translation to be gone: a TLBP of
 * the address (the start of every invalidation), a TLB write over the range, or a flush call.
 *
 * Direct-mapped on the even/odd page pair and the ASID (the guest's processes map the same
 * addresses: indexed by address alone they would evict each other at every context switch);
 * global pages (the guest kernel's) are indexed as ASID 0. Tag = VPN2 | ASID, or VPN2 | GLOBAL
 * for global pages; values are machine EntryLo words for 4 KB pages and the VM's physical page
 * of each, so that a hit is checked against the pmap (a page that left the VM needs no L2TLB
 * shootdown). In shared memory, so the vCPU can move.
 */
import { Tlb } from '../node-worker/cpu/cp0.js';

/** Pairs per vCPU: 32 MB of 4 KB pages, the working sets of the paper's workloads. */
export const L2TLB_ENTRIES = 4096;
/** Spreads the ASIDs over the table (odd, so each ASID gets its own offset). */
const ASID_SPREAD = 613;
const GLOBAL = 0x100;
/** A tag no lookup matches (bit 9 is never set in VPN2 | ASID | GLOBAL). */
const EMPTY = 0x200;
/** Words per entry: tag, lo0, lo1, ppn0, ppn1. */
export const L2_WORDS = 5;

export class L2Tlb {
  readonly words: Int32Array;
  /** Word index of the entry found by the last successful lookup: [tag, lo0, lo1, ppn0, ppn1]. */
  hit = 0;

  constructor(readonly buffer: SharedArrayBuffer) { this.words = new Int32Array(buffer); }

  static create(vcpus: number): L2Tlb {
    const t = new L2Tlb(new SharedArrayBuffer(vcpus * L2TLB_ENTRIES * L2_WORDS * 4));
    for (let v = 0; v < vcpus; v++) t.flush(v);
    return t;
  }

  private slot(vcpu: number, va: number, asid: number): number {
    return (vcpu * L2TLB_ENTRIES + (((va >>> 13) + asid * ASID_SPREAD) & (L2TLB_ENTRIES - 1))) * L2_WORDS;
  }

  /** Finds va's pair for this ASID, or a global one; on a hit, `hit` indexes the entry. */
  lookup(vcpu: number, va: number, asid: number): boolean {
    const w = this.words, vpn2 = va & Tlb.VPN2_MASK;
    let s = this.slot(vcpu, va, asid);
    if (w[s] !== (vpn2 | asid)) {
      s = this.slot(vcpu, va, 0);
      if (w[s] !== (vpn2 | GLOBAL)) return false;
    }
    this.hit = s;
    return true;
  }

  insert(vcpu: number, va: number, asid: number, global: boolean, lo0: number, lo1: number, ppn0: number, ppn1: number): void {
    const s = this.slot(vcpu, va, global ? 0 : asid), w = this.words;
    w[s] = (va & Tlb.VPN2_MASK) | (global ? GLOBAL : asid);
    w[s + 1] = lo0;
    w[s + 2] = lo1;
    w[s + 3] = ppn0;
    w[s + 4] = ppn1;
  }

  /** Forgets the entry `hit` found. */
  forget(): void { this.words[this.hit] = EMPTY; }

  /** Drops the pairs of [lo, hi) (VPN2-aligned) for one ASID and the global ones; everything when the range covers the table. */
  drop(vcpu: number, lo: number, hi: number, asid: number): void {
    const w = this.words, pairs = ((hi - lo) >>> 0) / 0x2000;
    if (pairs >= L2TLB_ENTRIES) { this.flush(vcpu); return; }
    for (let i = 0, va = lo; i < pairs; i++, va = (va + 0x2000) | 0) {
      const vpn2 = va & Tlb.VPN2_MASK, s = this.slot(vcpu, va, asid), g = this.slot(vcpu, va, 0);
      if (w[s] === (vpn2 | asid)) w[s] = EMPTY;
      if (w[g] === (vpn2 | GLOBAL)) w[g] = EMPTY;
    }
  }

  flush(vcpu: number): void {
    const w = this.words;
    for (let i = 0; i < L2TLB_ENTRIES; i++) w[(vcpu * L2TLB_ENTRIES + i) * L2_WORDS] = EMPTY;
  }
}
