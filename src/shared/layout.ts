// SPDX-License-Identifier: MIT
/**
 * Layouts of the machine's shared state, declared once (DESIGN.md section 2): the control block
 * (Int32Array) and the statistics (Float64Array). Every other thread maps the same buffers.
 *
 * Control block: machine words, then CpuCtl.WORDS words per CPU.
 * Statistics: Stat.WORDS doubles per CPU, written by the CPU's worker, read by the main thread.
 */

export const enum Ctl {
  /** Non-zero once the machine is powered off (halt register, Ctrl-C or a failed worker). */
  Halted = 0,
  ExitStatus = 1,
  /** 1 + the node whose worker failed, or 0. */
  FailedNode = 2,
  /** Set by the main thread on Ctrl-C. */
  StopRequest = 3,
  /** Quanta completed by node 0 (progress). */
  Quanta = 4,
  /** Misses from one node to one page that raise the hot-page interrupt (node controller register). */
  HotThreshold = 5,
  CPU_BASE = 16,
}

export const enum CpuCtl {
  /** External interrupt lines (Cause IP bits) raised for this CPU; see Cpu.irqWords. */
  Irq = 0,
  /** Payload of the last IPI delivered to this CPU. */
  IpiData = 1,
  /** 1 while the CPU runs; 0 until a start request reaches it. */
  Running = 2,
  WORDS = 8,
}

export function ctlWords(cpus: number): number {
  return Ctl.CPU_BASE + cpus * CpuCtl.WORDS;
}

export function cpuCtl(cpu: number, word: CpuCtl): number {
  return Ctl.CPU_BASE + cpu * CpuCtl.WORDS + word;
}

export const enum Stat {
  Instructions = 0, Cycles = 1, LocalMisses = 2, RemoteCleanMisses = 3, RemoteDirtyMisses = 4,
  Invalidations = 5, Downgrades = 6, IpisSent = 7, IpisReceived = 8, HotPageInterrupts = 9,
  StallCycles = 10, Upgrades = 11, Violations = 12, WORDS = 16,
}

/** Interrupt lines (Cause IP bits) of the FLASH node's devices. */
export const enum Irq { Uart = 1 << 10, Ipi = 1 << 11, Disk = 1 << 12, Ether = 1 << 13, HotPage = 1 << 14 }
