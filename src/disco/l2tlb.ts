// SPDX-License-Identifier: MIT
/**
 * The L2TLB (Disco paper, section 4.2.2): per vCPU, a second-level software TLB of recent
 * virtual-to-machine translations, consulted on every hardware TLB miss before the miss goes to
 * the guest. It outlives the guest's own TLB entries (its refill handler replaces them at random),
 * so Disco drops an entry whenever the guest could expect a translation to be gone: a TLBP of
 * the address (the start of every invalidation), a TLB write over the range, or a flush call.
 *
 * Direct-mapped on the even/odd page pair; tag = VPN2 | ASID, or VPN2 | GLOBAL for global pages;
 * values are machine EntryLo words for 4 KB pages and the VM's physical page of each, so that a
 * hit is checked against the pmap (a page that left the VM needs no L2TLB shootdown). In shared
 * memory, so the vCPU can move.
 */
import { Tlb } from '../node-worker/cpu/cp0.js';

export const L2TLB_ENTRIES = 1024;
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

  private slot(vcpu: number, va: number): number {
    return (vcpu * L2TLB_ENTRIES + ((va >>> 13) & (L2TLB_ENTRIES - 1))) * L2_WORDS;
  }

  /** Finds va's pair for this ASID; on a hit, `hit` indexes the entry. */
  lookup(vcpu: number, va: number, asid: number): boolean {
    const s = this.slot(vcpu, va), tag = this.words[s], vpn2 = va & Tlb.VPN2_MASK;
    if (tag === (vpn2 | asid) || tag === (vpn2 | GLOBAL)) { this.hit = s; return true; }
    return false;
  }

  insert(vcpu: number, va: number, asid: number, global: boolean, lo0: number, lo1: number, ppn0: number, ppn1: number): void {
    const s = this.slot(vcpu, va), w = this.words;
    w[s] = (va & Tlb.VPN2_MASK) | (global ? GLOBAL : asid);
    w[s + 1] = lo0;
    w[s + 2] = lo1;
    w[s + 3] = ppn0;
    w[s + 4] = ppn1;
  }

  /** Forgets the entry `hit` found. */
  forget(): void { this.words[this.hit] = EMPTY; }

  /** Drops the pairs of [lo, hi) (VPN2-aligned) for one ASID and the global ones. */
  drop(vcpu: number, lo: number, hi: number, asid: number): void {
    const w = this.words, pairs = Math.min(((hi - lo) >>> 0) / 0x2000, L2TLB_ENTRIES);
    for (let i = 0, va = lo; i < pairs; i++, va = (va + 0x2000) | 0) {
      const s = this.slot(vcpu, va), tag = w[s], vpn2 = va & Tlb.VPN2_MASK;
      if (tag === (vpn2 | asid) || tag === (vpn2 | GLOBAL) || pairs === L2TLB_ENTRIES) w[s] = EMPTY;
    }
  }

  flush(vcpu: number): void {
    const w = this.words;
    for (let i = 0; i < L2TLB_ENTRIES; i++) w[(vcpu * L2TLB_ENTRIES + i) * L2_WORDS] = EMPTY;
  }
}
