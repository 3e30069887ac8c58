// SPDX-License-Identifier: MIT
/**
 * The TLB miss handler of `disco exec`, doing what a Linux refill handler does (R10000 manual,
 * section 16.5): look up the even/odd pages of the missing VPN2 in the page table, write
 * EntryLo0/EntryLo1 (PageMask 0, ASID 0) and TLBWR, or TLBWI over the entry TLBP finds when
 * the pair is already present (the Invalid and Modified cases).
 */
import { C0, Exc, Tlb, tlbWriteIndexed, tlbWriteRandom } from '../node-worker/cpu/cp0.js';
import type { Cpu } from '../node-worker/cpu/cpu.js';
import { AddressSpace, Fault, Prot, Pte } from './address-space.js';
import { PAGE_SHIFT } from './frames.js';

/** Cacheable noncoherent (C = 3), as Linux maps user pages. */
const CACHE_ATTR = 3 << Tlb.C_SHIFT;

function entryLo(e: number): number {
  if ((e & Pte.PRESENT) === 0 || (e & Pte.PROT) === 0) return 0;
  return ((e >>> Pte.FRAME_SHIFT) << Tlb.PFN_SHIFT) | CACHE_ATTR | ((e & Prot.W) !== 0 ? Tlb.D : 0) | Tlb.V;
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
  const even = vpn & ~1;
  cp0[C0.EntryHi] = va & Tlb.VPN2_MASK;
  cp0[C0.PageMask] = 0;
  cp0[C0.EntryLo0] = entryLo(as.pt[even]);
  cp0[C0.EntryLo1] = entryLo(as.pt[even + 1]);
  const i = cpu.mmu.jtlb.probe(cp0[C0.EntryHi]);
  if (i >= 0) tlbWriteIndexed(cpu, i);
  else tlbWriteRandom(cpu);
  return Fault.OK;
}
