// SPDX-License-Identifier: MIT
/**
 * The system device: the multiprocessor registers of the synthetic test machine (who am I, how
 * many CPUs and nodes, start a CPU at an address, send an interrupt to any CPU) and the power
 * register. Start and IPI requests become interconnect messages to the target CPU's node.
 */
import { Sys } from '../../shared/physmap.js';
import type { Device } from './device.js';

/** What the system device asks of the node it sits on. */
export interface NodeServices {
  readonly nodeId: number;
  readonly nodes: number;
  readonly cpusPerNode: number;
  readonly memPerNode: number;
  sendIpi(from: number, to: number, data: number): void;
  startCpu(from: number, to: number, pc: number, sp: number, arg: number): void;
  halt(status: number): void;
  cycles(cpu: number): number;
  ipiData(cpu: number): number;
  clearIpi(cpu: number): void;
}

export class SystemDevice implements Device {
  /** Latched start and IPI arguments, per global CPU (each CPU has its own latches). */
  private readonly startPc: Int32Array;
  private readonly startSp: Int32Array;
  private readonly startArg: Int32Array;
  private readonly ipiOut: Int32Array;

  constructor(private readonly node: NodeServices) {
    const n = node.nodes * node.cpusPerNode;
    this.startPc = new Int32Array(n);
    this.startSp = new Int32Array(n);
    this.startArg = new Int32Array(n);
    this.ipiOut = new Int32Array(n);
  }

  read32(offset: number, cpu: number): number {
    const n = this.node;
    switch (offset) {
      case Sys.WhoAmI: return cpu;
      case Sys.NCpus: return n.nodes * n.cpusPerNode;
      case Sys.NNodes: return n.nodes;
      case Sys.CpusPerNode: return n.cpusPerNode;
      case Sys.NodeId: return n.nodeId;
      case Sys.MemPerNode: return n.memPerNode;
      case Sys.IpiData: return n.ipiData(cpu);
      case Sys.CyclesLo: return n.cycles(cpu) | 0;
      case Sys.CyclesHi: return Math.floor(n.cycles(cpu) / 0x100000000) | 0;
      default: return 0;
    }
  }

  write32(offset: number, value: number, cpu: number): void {
    const n = this.node, total = n.nodes * n.cpusPerNode;
    switch (offset) {
      case Sys.StartPc: this.startPc[cpu] = value; break;
      case Sys.StartSp: this.startSp[cpu] = value; break;
      case Sys.StartArg: this.startArg[cpu] = value; break;
      case Sys.StartCpu:
        if (value >= 0 && value < total) n.startCpu(cpu, value, this.startPc[cpu], this.startSp[cpu], this.startArg[cpu]);
        break;
      case Sys.IpiData: this.ipiOut[cpu] = value; break;
      case Sys.IpiSend:
        if (value >= 0 && value < total) n.sendIpi(cpu, value, this.ipiOut[cpu]);
        break;
      case Sys.IpiClear: n.clearIpi(cpu); break;
      case Sys.Halt: n.halt(value); break;
    }
  }
}
