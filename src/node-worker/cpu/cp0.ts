// SPDX-License-Identifier: MIT
/**
 * System control coprocessor (CP0) of the R10000 in 32-bit mode: register numbers, fields and
 * exception codes (MIPS R10000 Microprocessor User's Manual, chapters 14 and 15).
 */

import type { Cpu } from './cpu.js';

/** CP0 register numbers. */
export const enum C0 {
  Index = 0, Random = 1, EntryLo0 = 2, EntryLo1 = 3, Context = 4, PageMask = 5, Wired = 6,
  HWREna = 7, BadVAddr = 8, Count = 9, EntryHi = 10, Compare = 11, Status = 12, Cause = 13, EPC = 14,
  PRId = 15, Config = 16, LLAddr = 17, WatchLo = 18, WatchHi = 19, XContext = 20, FrameMask = 21,
  Diagnostic = 22, Performance = 25, ECC = 26, CacheErr = 27, TagLo = 28, TagHi = 29, ErrorEPC = 30,
}

/** Status register fields. */
export const enum Status {
  IE = 1 << 0, EXL = 1 << 1, ERL = 1 << 2, KSU_SHIFT = 3, KSU = 3 << 3, UX = 1 << 5, SX = 1 << 6, KX = 1 << 7,
  IM_SHIFT = 8, IM = 0xff << 8, DE = 1 << 16, CE = 1 << 17, CH = 1 << 18, SR = 1 << 20, TS = 1 << 21,
  BEV = 1 << 22, RE = 1 << 25, FR = 1 << 26, RP = 1 << 27, CU0 = 1 << 28, CU1 = 1 << 29, CU2 = 1 << 30, XX = 1 << 31,
}

/** KSU values, and the privilege level the CPU runs at (EXL or ERL force Kernel). */
export const enum Mode { Kernel = 0, Supervisor = 1, User = 2 }

/** Cause register fields. */
export const enum Cause {
  EXC_SHIFT = 2, EXC = 0x1f << 2, IP_SHIFT = 8, IP = 0xff << 8, IP_SW = 0x3 << 8, CE_SHIFT = 28, BD = 1 << 31,
}

/** Cause.ExcCode values. */
export const enum Exc {
  Int = 0, Mod = 1, TLBL = 2, TLBS = 3, AdEL = 4, AdES = 5, IBE = 6, DBE = 7,
  Sys = 8, Bp = 9, RI = 10, CpU = 11, Ov = 12, Tr = 13, FPE = 15, WATCH = 23,
}

/** Exception vectors (R10000 manual, table 6-1); BEV moves them to the boot ROM. */
export const enum Vector {
  Reset = 0xbfc00000 | 0, RefillBase = 0x80000000 | 0, GeneralBase = 0x80000180 | 0,
  BevRefillBase = 0xbfc00200 | 0, BevGeneralBase = 0xbfc00380 | 0,
}

/** EntryHi, EntryLo and PageMask fields (32-bit mode). */
export const enum Tlb {
  ENTRIES = 64, VPN2_MASK = 0xffffe000 | 0, ASID_MASK = 0xff,
  G = 1 << 0, V = 1 << 1, D = 1 << 2, C_SHIFT = 3, C_MASK = 7 << 3, PFN_SHIFT = 6, PFN_MASK = 0x3fffffc0,
  PAGEMASK_MASK = 0x01ffe000, PROBE_FAIL = 0x80000000 | 0,
}

/** R10000 PRId: implementation 0x09, revision 3.4. */
export const PRID_R10000 = 0x00000934;
/** Config: 32 KB primary caches, 1 MB secondary (R10000 manual, table 14-21), kseg0 cacheable. */
export const CONFIG_R10000 = 0x00000000 | (3 << 29) | (3 << 26) | (3 << 16) | 3;

/** Timer interrupt line: Count = Compare raises IP7. */
export const CAUSE_IP7 = 1 << 15;

/** Count ticks until Count next equals Compare (2^32 when they are equal now). */
export function timerCountToCompare(cpu: Cpu): number {
  const d = (cpu.cp0[C0.Compare] - cpu.readCount()) >>> 0;
  return d === 0 ? 0x100000000 : d;
}

/** ERET: back to EPC (or ErrorEPC when ERL is set); breaks the LL reservation. No delay slot. */
export function eret(cpu: Cpu): void {
  const cp0 = cpu.cp0, st = cp0[C0.Status];
  if ((st & Status.ERL) !== 0) { cpu.pc = cp0[C0.ErrorEPC]; cp0[C0.Status] = st & ~Status.ERL; }
  else { cpu.pc = cp0[C0.EPC]; cp0[C0.Status] = st & ~Status.EXL; }
  cpu.llBit = false;
  cpu.mmu.updateMode();
  cpu.endSlice = true; // interrupts may be enabled again
}

/** A COP0 instruction other than ERET, privilege already checked. Returns an exception code or -1. */
export function cop0(cpu: Cpu, instr: number): number {
  const rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31, rd = (instr >>> 11) & 31;
  // Select 0 is the R10000 register set; Context select 2 is MIPS32r2's UserLocal, which RDHWR $29 reads.
  const sel = instr & 7;
  if (rs === 0x00) { // MFC0
    cpu.regs[rt] = sel === 0 ? readCp0(cpu, rd) : rd === C0.Context && sel === 2 ? cpu.userLocal : 0;
    return -1;
  }
  if (rs === 0x04) { // MTC0
    if (sel === 0) writeCp0(cpu, rd, cpu.regs[rt]);
    else if (rd === C0.Context && sel === 2) cpu.userLocal = cpu.regs[rt];
    return -1;
  }
  if ((rs & 0x10) === 0) return Exc.RI;
  const cp0 = cpu.cp0, jtlb = cpu.mmu.jtlb;
  switch (instr & 0x3f) {
    case 0x01: { // TLBR
      const i = cp0[C0.Index] & 63, g = jtlb.global[i];
      cp0[C0.PageMask] = jtlb.mask[i];
      setEntryHi(cpu, jtlb.hi[i]);
      cp0[C0.EntryLo0] = (jtlb.lo0[i] & ~Tlb.G) | g;
      cp0[C0.EntryLo1] = (jtlb.lo1[i] & ~Tlb.G) | g;
      return -1;
    }
    case 0x02: tlbWriteIndexed(cpu, cp0[C0.Index] & 63); return -1; // TLBWI
    case 0x06: tlbWriteRandom(cpu); return -1; // TLBWR
    case 0x08: { // TLBP
      const i = jtlb.probe(cp0[C0.EntryHi]);
      cp0[C0.Index] = i >= 0 ? i : Tlb.PROBE_FAIL;
      return -1;
    }
    case 0x20: cpu.waiting = true; cpu.endSlice = true; return -1; // WAIT
    default: return Exc.RI;
  }
}

/** TLBWI: writes PageMask, EntryHi, EntryLo0/1 into entry i (also for kernel code written in TypeScript). */
export function tlbWriteIndexed(cpu: Cpu, i: number): void {
  const cp0 = cpu.cp0;
  cpu.mmu.flushEntry(i);
  cpu.mmu.jtlb.write(i, cp0[C0.PageMask], cp0[C0.EntryHi], cp0[C0.EntryLo0], cp0[C0.EntryLo1]);
}

/** TLBWR: the same into the entry Random selects. */
export function tlbWriteRandom(cpu: Cpu): void {
  tlbWriteIndexed(cpu, readCp0(cpu, C0.Random));
}

/** EntryHi writes that change the ASID make every cached translation stale. */
function setEntryHi(cpu: Cpu, v: number): void {
  const cp0 = cpu.cp0, old = cp0[C0.EntryHi];
  cp0[C0.EntryHi] = v & (Tlb.VPN2_MASK | Tlb.ASID_MASK);
  if (((old ^ v) & Tlb.ASID_MASK) !== 0) cpu.mmu.flush();
}

export function readCp0(cpu: Cpu, reg: number): number {
  const cp0 = cpu.cp0;
  switch (reg) {
    case C0.Random: { // decrements every instruction from 63 down to Wired
      const wired = cp0[C0.Wired] & 63;
      return 63 - (Math.floor(cpu.instructions) % (64 - wired));
    }
    case C0.Count: return cpu.readCount();
    case C0.Cause: cpu.syncIrq(); return cp0[reg];
    default: return cp0[reg];
  }
}

export function writeCp0(cpu: Cpu, reg: number, v: number): void {
  const cp0 = cpu.cp0;
  switch (reg) {
    case C0.Index: cp0[reg] = v & 63; break;
    case C0.EntryLo0: case C0.EntryLo1: cp0[reg] = v & 0x3fffffff; break;
    case C0.Context: cp0[reg] = (v & 0xff800000) | (cp0[reg] & 0x007ffff0); break;
    case C0.PageMask: cp0[reg] = v & Tlb.PAGEMASK_MASK; break;
    case C0.Wired: cp0[reg] = v & 63; break;
    case C0.Count: cpu.writeCount(v); break;
    case C0.EntryHi: setEntryHi(cpu, v); break;
    case C0.Compare:
      cp0[reg] = v;
      cp0[C0.Cause] &= ~CAUSE_IP7;
      cpu.compareAt = cpu.cycles + 2 * timerCountToCompare(cpu);
      break;
    case C0.Status:
      cp0[reg] = v & ~(Status.SR | Status.TS);
      cpu.mmu.updateMode();
      cpu.endSlice = true;
      break;
    case C0.Cause: cp0[reg] = (cp0[reg] & ~Cause.IP_SW) | (v & Cause.IP_SW); cpu.endSlice = true; break;
    case C0.Config: cp0[reg] = (cp0[reg] & ~7) | (v & 7); break;
    case C0.Random: case C0.PRId: case C0.BadVAddr: break; // read-only
    default: cp0[reg] = v;
  }
}
