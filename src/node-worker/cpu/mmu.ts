// SPDX-License-Identifier: MIT
/**
 * Address translation (R10000 manual, chapter 16): segment checks of kuseg/ksseg/kseg0/kseg1/
 * kseg3 by privilege level, the joint-TLB walk with its Refill, Invalid and Modified exceptions,
 * and the emulator's soft TLBs, which cache recent 4 KB translations to RAM for the CPU loop.
 *
 * Soft TLBs: one direct-mapped table per access kind (fetch, load, store) and per privilege level,
 * so a mode change only switches tables. A slot holds the page's virtual address as its tag and
 * (physical - virtual) as its delta. Tags have bits 11:0 clear, so an access whose low bits
 * (masked by its alignment) are not zero misses and reaches the slow path, which raises the
 * Address Error: the fast path checks alignment and translation in one compare.
 */
import { C0, Exc, Mode, Status, Tlb } from './cp0.js';
import { Jtlb } from './tlb.js';
import { isIo } from '../../shared/physmap.js';

export const SOFT_TLB_BITS = 13;
export const SOFT_TLB_SIZE = 1 << SOFT_TLB_BITS;
export const SOFT_TLB_MASK = SOFT_TLB_SIZE - 1;
/** A tag no access can match: bit 2 is never set in an address masked by 0xfffff003. */
export const SOFT_TLB_EMPTY = 4;

export const enum Access { Fetch = 0, Load = 1, Store = 2 }

/** Physical devices outside RAM (the FLASH node's address map). A false/negative is a bus error. */
export interface PhysicalBus {
  claims(pa: number): boolean;
  read(pa: number, size: number): number;
  write(pa: number, size: number, value: number): boolean;
}

export class Mmu {
  readonly jtlb = new Jtlb();
  readonly fetchTag = new Int32Array(3 * SOFT_TLB_SIZE).fill(SOFT_TLB_EMPTY);
  readonly fetchDelta = new Int32Array(3 * SOFT_TLB_SIZE);
  readonly loadTag = new Int32Array(3 * SOFT_TLB_SIZE).fill(SOFT_TLB_EMPTY);
  readonly loadDelta = new Int32Array(3 * SOFT_TLB_SIZE);
  readonly storeTag = new Int32Array(3 * SOFT_TLB_SIZE).fill(SOFT_TLB_EMPTY);
  readonly storeDelta = new Int32Array(3 * SOFT_TLB_SIZE);

  /** Privilege level now (Mode), and the offset of its soft-TLB tables. */
  mode = Mode.Kernel;
  modeBase = 0;
  /** Sequential-consistency mode: stores never use the soft TLB, so each reaches Cpu.writePhys. */
  storeThrough = false;
  /** Status.ERL: kuseg is unmapped while it is set. */
  erl = false;

  /** The exception of the last failed translation, and its address. */
  excCode = 0;
  excRefill = false;

  constructor(private readonly cp0: Int32Array, private readonly ramSize: number) {}

  /** Recomputes the privilege level from Status (after exceptions, eret, mtc0 Status). */
  updateMode(): void {
    const st = this.cp0[C0.Status];
    const erl = (st & Status.ERL) !== 0;
    if (erl !== this.erl) { this.erl = erl; this.flush(); }
    this.mode = (st & (Status.EXL | Status.ERL)) !== 0 ? Mode.Kernel : ((st & Status.KSU) >>> Status.KSU_SHIFT) as Mode;
    if (this.mode > Mode.User) this.mode = Mode.User; // KSU = 3 is undefined; treat as user
    this.modeBase = this.mode * SOFT_TLB_SIZE;
  }

  /**
   * Translates va for an access of `size` bytes (1, 2 or 4). Returns the physical address, or
   * -1 after recording the exception (excCode, and BadVAddr, Context and EntryHi as the
   * hardware sets them). Fills the soft TLB when the page is RAM.
   */
  translate(va: number, kind: Access, size: number): number {
    va |= 0;
    if ((va & (size - 1)) !== 0) return this.addressError(va, kind);
    const mode = this.mode;
    let pa: number;
    if (va < 0) {
      const seg = va >>> 29;
      if (mode === Mode.User) return this.addressError(va, kind);
      if (seg === 4 || seg === 5) { // kseg0, kseg1: unmapped
        if (mode !== Mode.Kernel) return this.addressError(va, kind);
        pa = va & 0x1fffffff;
        this.fill(va, pa, kind);
        return pa;
      }
      if (seg === 7 && mode !== Mode.Kernel) return this.addressError(va, kind);
    } else if (this.erl) {
      return va; // kuseg is unmapped and uncached while ERL is set; never cached in the soft TLB
    }
    pa = this.walk(va, kind);
    if (pa >= 0) this.fill(va, pa, kind);
    return pa;
  }

  /** The joint-TLB walk for a mapped address. */
  private walk(va: number, kind: Access): number {
    const cp0 = this.cp0, jtlb = this.jtlb;
    const i = jtlb.lookup(va, cp0[C0.EntryHi] & Tlb.ASID_MASK);
    if (i < 0) return this.tlbException(va, true, kind === Access.Store ? Exc.TLBS : Exc.TLBL);
    const m = jtlb.mask[i] | 0x1fff;
    const odd = va & ((m + 1) >>> 1);
    const lo = odd !== 0 ? jtlb.lo1[i] : jtlb.lo0[i];
    if ((lo & Tlb.V) === 0) return this.tlbException(va, false, kind === Access.Store ? Exc.TLBS : Exc.TLBL);
    if (kind === Access.Store && (lo & Tlb.D) === 0) return this.tlbException(va, false, Exc.Mod);
    const offMask = m >>> 1;
    const pfn = ((lo & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT) & ~(offMask >>> 12);
    return pfn * 4096 + (va & offMask);
  }

  private fill(va: number, pa: number, kind: Access): void {
    if (pa + 4096 > this.ramSize || isIo(pa)) return; // devices are never cached
    const slot = this.modeBase + ((va >>> 12) & SOFT_TLB_MASK);
    const tag = va & ~0xfff;
    const delta = ((pa & ~0xfff) - tag) | 0;
    if (kind === Access.Fetch) { this.fetchTag[slot] = tag; this.fetchDelta[slot] = delta; }
    else if (kind === Access.Load) { this.loadTag[slot] = tag; this.loadDelta[slot] = delta; }
    else {
      if (!this.storeThrough) { this.storeTag[slot] = tag; this.storeDelta[slot] = delta; }
      // A writable page is also readable: save the load its slow path.
      this.loadTag[slot] = tag; this.loadDelta[slot] = delta;
    }
  }

  private addressError(va: number, kind: Access): number {
    this.cp0[C0.BadVAddr] = va;
    this.excCode = kind === Access.Store ? Exc.AdES : Exc.AdEL;
    this.excRefill = false;
    return -1;
  }

  /** TLB Refill, Invalid or Modified: BadVAddr, Context.BadVPN2 and EntryHi.VPN2 get va. */
  private tlbException(va: number, refill: boolean, code: Exc): number {
    const cp0 = this.cp0;
    cp0[C0.BadVAddr] = va;
    cp0[C0.Context] = (cp0[C0.Context] & 0xff800000) | ((va >>> 9) & 0x007ffff0);
    cp0[C0.EntryHi] = (va & Tlb.VPN2_MASK) | (cp0[C0.EntryHi] & Tlb.ASID_MASK);
    this.excCode = code;
    this.excRefill = refill;
    return -1;
  }

  /** Drops every cached translation (ASID change, ERL change, a large page rewritten). */
  flush(): void {
    this.fetchTag.fill(SOFT_TLB_EMPTY);
    this.loadTag.fill(SOFT_TLB_EMPTY);
    this.storeTag.fill(SOFT_TLB_EMPTY);
  }

  /**
   * Invalidates every JTLB entry overlapping the virtual range [lo, hi) (with its cached
   * translations): a kernel does this before mapping the range with a larger page, since two
   * matching entries are undefined on the R10000.
   */
  dropOverlapping(lo: number, hi: number): void {
    const jtlb = this.jtlb;
    for (let i = 0; i < Tlb.ENTRIES; i++) {
      const size = ((jtlb.mask[i] | 0x1fff) + 1);
      const start = (jtlb.hi[i] & Tlb.VPN2_MASK & ~jtlb.mask[i]) >>> 0;
      if (start < hi >>> 0 && start + size > lo >>> 0) {
        this.flushEntry(i);
        jtlb.write(i, 0, (0x80000000 + i * 0x2000) | 0, 0, 0); // unmatchable, as at reset
      }
    }
  }

  /** Drops the translations that JTLB entry i may have produced, before it is overwritten. */
  flushEntry(i: number): void {
    const pages = ((this.jtlb.mask[i] | 0x1fff) + 1) >>> 12; // both pages of the pair
    if (pages >= SOFT_TLB_SIZE) { this.flush(); return; }
    const base = (this.jtlb.hi[i] & Tlb.VPN2_MASK & ~this.jtlb.mask[i]) >>> 12;
    for (let page = 0; page < pages; page++) {
      const slot = (base + page) & SOFT_TLB_MASK;
      for (let m = 0; m < 3; m++) {
        const s = m * SOFT_TLB_SIZE + slot;
        this.fetchTag[s] = SOFT_TLB_EMPTY;
        this.loadTag[s] = SOFT_TLB_EMPTY;
        this.storeTag[s] = SOFT_TLB_EMPTY;
      }
    }
  }
}
