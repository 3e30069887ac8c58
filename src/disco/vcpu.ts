// SPDX-License-Identifier: MIT
/**
 * Virtual CPUs (Disco paper, section 4.2.1): a vCPU's saved registers, its privileged registers
 * and its virtual TLB, in shared memory so that any node's worker can run it. Disco loads a vCPU
 * onto a physical CPU, runs the guest kernel in supervisor mode and its applications in user
 * mode, and emulates every privileged instruction against these records.
 */
import type { Cpu } from '../node-worker/cpu/cpu.js';
import { C0, Status, Tlb } from '../node-worker/cpu/cp0.js';

/** Word offsets in a vCPU record. */
export const enum V {
  /** r0..r31, HI, LO. */
  Regs = 0,
  Pc = 34,
  /** VState. */
  State = 35,
  Vm = 36,
  /** The vCPU's number inside its VM. */
  Index = 37,
  UserLocal = 38,
  Fcsr = 39,
  /** Virtual interrupt lines raised by other threads (Cause IP bits, Atomics.or). */
  PendingIp = 40,
  /** The physical CPU it is loaded on (its translations may be in that TLB), or -1. */
  OnCpu = 41,
  /** The machine page of its special page of privileged registers. */
  Special = 42,
  /** The physical CPU whose vCPUs it is among (it runs there unless another CPU steals it). */
  Home = 43,
  /** The virtual CP0 registers (32). */
  Cp0 = 48,
  Fpr = 80,
  /** The virtual TLB: 64 entries of PageMask, EntryHi, EntryLo0, EntryLo1. */
  Tlb = 112,
  WORDS = 112 + 4 * 64,
}

export const enum VState {
  /** Not started (waits for the guest's start call). */
  Off = 0,
  Runnable = 1,
  /** In the guest's idle loop (WAIT): descheduled until a virtual interrupt arrives. */
  Idle = 2,
  Halted = 3,
}

/** The vCPUs of every VM, one record each, in one shared buffer. */
export class VcpuTable {
  readonly words: Int32Array;
  constructor(readonly buffer: SharedArrayBuffer) { this.words = new Int32Array(buffer); }
  static create(count: number): VcpuTable { return new VcpuTable(new SharedArrayBuffer(count * V.WORDS * 4)); }
  get count(): number { return this.words.length / V.WORDS; }
  base(id: number): number { return id * V.WORDS; }
}

/**
 * The physical Status that runs a vCPU: supervisor mode for the guest kernel (virtual kernel
 * mode, or EXL/ERL set), user mode for its applications; physical interrupts on for Disco's own
 * lines; CU1 as the guest set it; CU0 off so that every CP0 instruction traps to Disco.
 */
export function physicalStatus(vstatus: number, discoLines: number): number {
  const user = (vstatus & (Status.EXL | Status.ERL)) === 0 && (vstatus & Status.KSU) === (2 << Status.KSU_SHIFT);
  return (user ? 2 << Status.KSU_SHIFT : 1 << Status.KSU_SHIFT) | Status.IE | discoLines | (vstatus & Status.CU1);
}

/**
 * The special page (the paper's section 4.2.1): privileged registers the guest kernel reads
 * often, kept current by Disco in a read-only page mapped at SPECIAL_VA in every vCPU, so that a
 * load replaces a trapping MFC0. Word offsets.
 */
export const SPECIAL_VA = 0xdffff000 | 0;
export const enum Special { Status = 0, Cause = 1, EPC = 2, BadVAddr = 3, Context = 4, EntryHi = 5, Index = 6, Vcpus = 7 }

/** Is the vCPU in virtual kernel mode (the guest kernel runs)? */
export function guestKernelMode(vstatus: number): boolean {
  return (vstatus & (Status.EXL | Status.ERL)) !== 0 || (vstatus & Status.KSU) === 0;
}

/** Copies a vCPU's user-visible state onto a physical CPU (a vCPU switch in). */
export function loadVcpu(w: Int32Array, b: number, cpu: Cpu): void {
  for (let i = 0; i < 34; i++) cpu.regs[i] = w[b + V.Regs + i];
  for (let i = 0; i < 32; i++) cpu.fpr32[i] = w[b + V.Fpr + i];
  cpu.fcsr = w[b + V.Fcsr];
  cpu.userLocal = w[b + V.UserLocal];
  cpu.pc = w[b + V.Pc];
  cpu.llBit = false;
  // The hardware ASID follows the guest's: guest ASIDs are not virtualised (the paper, 4.2.2).
  cpu.cp0[C0.EntryHi] = w[b + V.Cp0 + C0.EntryHi] & Tlb.ASID_MASK;
}

/** Saves a physical CPU's registers into the vCPU record (a vCPU switch out; the pc is saved apart). */
export function saveVcpu(w: Int32Array, b: number, cpu: Cpu, fcsr: number): void {
  for (let i = 0; i < 34; i++) w[b + V.Regs + i] = cpu.regs[i];
  for (let i = 0; i < 32; i++) w[b + V.Fpr + i] = cpu.fpr32[i];
  w[b + V.Fcsr] = fcsr;
  w[b + V.UserLocal] = cpu.userLocal;
}
