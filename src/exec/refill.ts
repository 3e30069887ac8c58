// SPDX-License-Identifier: MIT
/**
 * The TLB miss handler of `disco exec`, doing what a Linux refill handler does (R10000 manual,
 * section 16.5): look up the even/odd pages of the missing VPN2 in the page table, write
 * EntryLo0/EntryLo1 (PageMask 0, ASID 0) and TLBWR, or TLBWI over the entry TLBP finds when
 * the pair is already present (the Invalid and Modified cases).
 */
import { C0, Exc, Tlb, tlbWriteIndexed, tlbWriteRandom } from '../node-worker/cpu/cp0.js';
import type { Cpu } from '../node-worker/cpu/cpu.js';
import { AddressSpace, Fault, LARGE_GROUP, Prot, Pte, SMALL_GROUP } from './address-space.js';
import { PAGE_SHIFT } from './frames.js';

/** Cacheable noncoherent (C = 3), as Linux maps user pages. */
const CACHE_ATTR = 3 << Tlb.C_SHIFT;

function entryLo(e: number): number {
  if ((e & Pte.PRESENT) === 0 || (e & Pte.PROT) === 0) return 0;
  return ((e >>> Pte.FRAME_SHIFT) << Tlb.PFN_SHIFT) | CACHE_ATTR | ((e & Prot.W) !== 0 ? Tlb.D : 0) | Tlb.V;
}

/**
 * EntryLo for a half of a large page pair: the n pages from `base` present, alike and backed by
 * contiguous frames aligned to n; 0 when none is present yet; -1 when they are mixed.
 */
function largeLo(pt: Int32Array, base: number, n: number): number {
  const first = pt[base];
  if ((first & Pte.PRESENT) === 0) {
    for (let i = 1; i < n; i++) if ((pt[base + i] & Pte.PRESENT) !== 0) return -1;
    return 0;
  }
  const frame = first >>> Pte.FRAME_SHIFT;
  if ((frame & (n - 1)) !== 0) return -1;
  for (let i = 1; i < n; i++) if (pt[base + i] !== (first + (i << Pte.FRAME_SHIFT))) return -1;
  return entryLo(first);
}

/** Writes a pair of n-page pages (PageMask `mask`) around vpn into the CP0 registers, if both halves allow it. */
function largePair(cpu: Cpu, as: AddressSpace, vpn: number, n: number, mask: number): boolean {
  const cp0 = cpu.cp0;
  const base = vpn & ~(2 * n - 1);
  const lo0 = largeLo(as.pt, base, n), lo1 = largeLo(as.pt, base + n, n);
  if (lo0 < 0 || lo1 < 0) return false;
  cpu.mmu.dropOverlapping(base << PAGE_SHIFT, (base + 2 * n) << PAGE_SHIFT);
  cp0[C0.EntryHi] = (base << PAGE_SHIFT) | 0;
  cp0[C0.PageMask] = mask;
  cp0[C0.EntryLo0] = lo0;
  cp0[C0.EntryLo1] = lo1;
  return true;
}

/**
 * Serves TLB exception `code` (TLBL, TLBS or Mod) at BadVAddr. Returns Fault.OK after writing the
 * TLB, or the fault the access deserves (the caller raises SIGSEGV).
 */
export function serviceTlbFault(cpu: Cpu, as: AddressSpace, code: number): Fault {
  const cp0 = cpu.cp0, va = cp0[C0.BadVAddr];
  if (va < 0) return Fault.MAPERR;
  const vpn = va >>> PAGE_SHIFT;
  const e = as.touch(vpn, code !== Exc.TLBL);
  if ((e & Pte.PRESENT) === 0) return e as Fault;
  if (!largePair(cpu, as, vpn, LARGE_GROUP, 0x001fe000) && !largePair(cpu, as, vpn, SMALL_GROUP, 0x0001e000)) {
    const even = vpn & ~1;
    cp0[C0.EntryHi] = va & Tlb.VPN2_MASK;
    cp0[C0.PageMask] = 0;
    cp0[C0.EntryLo0] = entryLo(as.pt[even]);
    cp0[C0.EntryLo1] = entryLo(as.pt[even + 1]);
  }
  const i = cpu.mmu.jtlb.probe(cp0[C0.EntryHi]);
  if (i >= 0) tlbWriteIndexed(cpu, i);
  else tlbWriteRandom(cpu);
  return Fault.OK;
}
