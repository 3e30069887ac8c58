// SPDX-License-Identifier: MIT
/**
 * What a Disco run reports: per VM, its exit status and where its time went (user mode, guest
 * kernel, Disco) and its machine pages per node; for Disco, its time split by cause.
 */
import { DiscoStat } from './monitor.js';
import { Memmap } from './memmap.js';
import { VmCtl, type DiscoShared } from './disco.js';

export interface CauseStat { count: number; cycles: number }

export interface VmSummary {
  name: string; vcpus: number; memMB: number;
  exitStatus: number; halted: boolean; faulted: boolean;
  userInstructions: number; userCycles: number; kernelInstructions: number; kernelCycles: number; discoCycles: number;
  machinePagesPerNode: number[];
}

export interface DiscoSummary {
  vms: VmSummary[];
  /** Disco's time by cause over every VM. */
  causes: Record<string, CauseStat>;
  /** Other CPUs that shootdowns made drop a page (the backmap picks them). */
  shootdownCpus: number;
  idleCycles: number;
}

const CAUSES: [string, DiscoStat][] = [
  ['tlb-miss-l2tlb', DiscoStat.L2TlbHits], ['tlb-miss-pmap', DiscoStat.PmapFills], ['tlb-miss-to-guest', DiscoStat.ForwardedMisses],
  ['privileged', DiscoStat.Privileged], ['monitor-call', DiscoStat.MonitorCalls], ['virtual-exception', DiscoStat.VirtualExceptions],
  ['vcpu-switch', DiscoStat.Switches], ['interrupt', DiscoStat.Interrupts], ['shootdown', DiscoStat.Shootdowns], ['page-move', DiscoStat.PageMoves], ['page-replica', DiscoStat.PageReplicas], ['page-collapse', DiscoStat.PageCollapses],
];

export function summarise(shared: DiscoShared, nodes: number, pagesPerNode: number): DiscoSummary {
  const stats = new Float64Array(shared.stats), ctl = new Int32Array(shared.vmCtl);
  const memmap = new Memmap(shared.memmap, nodes, pagesPerNode);
  const pages = shared.vms.map(() => new Array<number>(nodes).fill(0));
  for (let p = 0; p < nodes * pagesPerNode; p++) {
    const vm = memmap.owner(p);
    if (vm >= 0) pages[vm][Math.floor(p / pagesPerNode)]++;
  }
  const causes: Record<string, CauseStat> = {};
  let shootdownCpus = 0;
  for (const [name] of CAUSES) causes[name] = { count: 0, cycles: 0 };
  const vms = shared.vms.map((vm, i): VmSummary => {
    const s: VmSummary = {
      name: vm.name, vcpus: vm.vcpus, memMB: vm.memMB,
      exitStatus: ctl[i * VmCtl.WORDS + VmCtl.ExitStatus], halted: ctl[i * VmCtl.WORDS + VmCtl.Halted] !== 0,
      faulted: ctl[i * VmCtl.WORDS + VmCtl.Fault] !== 0,
      userInstructions: 0, userCycles: 0, kernelInstructions: 0, kernelCycles: 0, discoCycles: 0, machinePagesPerNode: pages[i],
    };
    for (let k = 0; k < vm.vcpus; k++) {
      const row = stats.subarray((shared.firstVcpu[i] + k) * DiscoStat.WORDS);
      s.userInstructions += row[DiscoStat.UserInstructions];
      s.userCycles += row[DiscoStat.UserCycles];
      s.kernelInstructions += row[DiscoStat.KernelInstructions];
      s.kernelCycles += row[DiscoStat.KernelCycles];
      shootdownCpus += row[DiscoStat.ShootdownCpus];
      for (const [name, at] of CAUSES) {
        causes[name].count += row[at];
        causes[name].cycles += row[at + 1];
        s.discoCycles += row[at + 1];
      }
    }
    return s;
  });
  let idleCycles = 0;
  for (let c = shared.placement.length; c < stats.length / DiscoStat.WORDS; c++) idleCycles += stats[c * DiscoStat.WORDS + DiscoStat.IdleCycles];
  return { vms, causes, shootdownCpus, idleCycles };
}
