// SPDX-License-Identifier: MIT
/**
 * TLB shootdown (Disco paper, section 4.2.2; DESIGN.md section 4): before a machine page leaves
 * a VM, the hardware TLBs of the physical CPUs that the vCPUs in its backmap (memmap.ts) are
 * loaded on forget it (the L2TLBs check every hit against the pmap instead). CPUs of nodes this worker runs are
 * handled in place; every other node gets one interconnect message and answers by bumping the
 * initiator's acknowledgement word. The initiator waits for every acknowledgement while
 * servicing its own mailbox (so two nodes shooting each other down both progress), and a
 * watchdog names the nodes that never answered. The page is freed only afterwards.
 */
import type { Cpu } from '../node-worker/cpu/cpu.js';
import { Tlb } from '../node-worker/cpu/cp0.js';

/** The Disco nodes this worker thread runs (one in parallel mode, all in deterministic mode). */
export const localNodes = new Map<number, ShootdownTarget>();

export interface ShootdownTarget {
  /** Drops every translation to machine page `page` (-1: all) held for the vCPUs of VM `vm` in backmap `mapped` on this node's CPUs. */
  invalidateLocal(vm: number, page: number, mapped: number): void;
}

const pfn = (lo: number): number => (lo & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT;

/** Drops the hardware TLB entries of a physical CPU that map machine page `page`. */
export function dropFromHw(cpu: Cpu, page: number): void {
  const j = cpu.mmu.jtlb;
  for (let i = 0; i < Tlb.ENTRIES; i++) {
    if (((j.lo0[i] & Tlb.V) !== 0 && pfn(j.lo0[i]) === page) || ((j.lo1[i] & Tlb.V) !== 0 && pfn(j.lo1[i]) === page)) {
      cpu.mmu.flushEntry(i);
      j.write(i, 0, (0x80000000 + i * 0x2000) | 0, 0, 0); // unmatchable, as at reset
    }
  }
}

/** Waits until `acks[slot]` reaches `want`, servicing the mailbox; throws after `watchdogMs` naming `waitingOn`. */
export function awaitAcks(acks: Int32Array, slot: number, want: number, service: () => void, watchdogMs: number, waitingOn: () => string): void {
  const start = Date.now();
  while (Atomics.load(acks, slot) < want) {
    service();
    if (Atomics.load(acks, slot) >= want) return;
    Atomics.wait(acks, slot, Atomics.load(acks, slot), 1);
    if (Date.now() - start > watchdogMs) throw new Error(`TLB shootdown waited ${watchdogMs} ms for ${waitingOn()}`);
  }
}
