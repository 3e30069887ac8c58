// SPDX-License-Identifier: MIT
/**
 * A FLASH node as its worker runs it: the node's CPUs, its devices on the I/O window, its port
 * on the interconnect, and the quantum loop step. Nothing here parses a command line or talks
 * to the user; the main thread reads results from the shared buffers.
 */
import type { MachineConfig } from '../shared/config.js';
import { hops } from '../shared/config.js';
import { Ctl, CpuCtl, Irq, Stat, cpuCtl } from '../shared/layout.js';
import { MachineMemory } from '../shared/memory.js';
import { writeAllSync } from '../shared/io.js';
import { Network, Msg, Word, newMessage } from '../interconnect/network.js';
import type { Mailbox } from '../shared/barrier.js';
import { Cpu } from './cpu/cpu.js';
import { C0, Status } from './cpu/cp0.js';
import { NodeBus } from './bus.js';
import { SystemDevice, type NodeServices } from './devices/system.js';
import { ConsoleInput, UartDevice, type ConsoleSink } from './devices/uart.js';
import { DiskDevice, type DmaSink, type InterruptSink } from './devices/disk.js';
import { NodeController, type HotPageCounters } from './devices/nodectl.js';
import { CacheController, type HotPageSink } from './directory.js';
import { EtherPort, type FrameLink } from './devices/ether.js';
import { DiscoNode, type DiscoShared } from '../disco/disco.js';

/** Everything the main thread shares with the workers. */
export interface MachineShared {
  config: MachineConfig;
  memory: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  net: SharedArrayBuffer;
  netCapacity: number;
  barrier: SharedArrayBuffer;
  disk: string | null;
  /** Where CPU 0 starts, its stack, and its a0..a3. */
  entry: number;
  stack: number;
  bootArgs: number[];
  watchdogMs: number;
  /** The coherence model's state (directory, cache tags, filters, page counters), or null in functional mode. */
  coherence: SharedArrayBuffer | null;
  /** Verify the coherence invariants on every transaction. */
  check: boolean;
  /** Test-only protocol bug: GETX does not invalidate the other sharers. */
  skipInvalidation: boolean;
  /** The Ethernet frame pool (devices/ether.ts). */
  frames: SharedArrayBuffer;
  /** Console input ring (devices/uart.ts), read by node 0's UART. */
  consoleIn: SharedArrayBuffer;
  /** Where console output goes: stdout, or nowhere (the caller reports results itself). */
  consoleOut: 'stdout' | 'discard';
  /** Disco's shared tables when the machine runs Disco (`disco run`), else null: CPU 0 boots the kernel. */
  disco: DiscoShared | null;
}

export const stdoutSink: ConsoleSink = { write(bytes) { writeAllSync(1, bytes); } };
const discardSink: ConsoleSink = { write() {} };

export function makeNetwork(shared: MachineShared): Network {
  const cfg = shared.config;
  const cyclesPerHop = Math.round(cfg.latency.perHopNs * cfg.clockMHz / 1000);
  return new Network({ nodes: cfg.nodes, capacity: shared.netCapacity }, shared.net, (a, b) => hops(cfg, a, b) * cyclesPerHop);
}

export class FlashNode implements NodeServices, InterruptSink, DmaSink, Mailbox, HotPageSink, FrameLink, HotPageCounters {
  readonly nodeId: number;
  readonly nodes: number;
  readonly cpusPerNode: number;
  readonly memPerNode: number;
  readonly cpus: Cpu[] = [];
  readonly memory: MachineMemory;
  readonly ctl: Int32Array;
  readonly stats: Float64Array;
  readonly uart: UartDevice;
  readonly system: SystemDevice;
  readonly disk: DiskDevice | null;
  readonly nodeCtl: NodeController;
  readonly ether: EtherPort;
  /** The node's simulated time: cycles at the end of the last quantum. */
  time = 0;
  /** Disco on this node's CPUs, when the machine runs it. */
  readonly disco: DiscoNode | null = null;
  private readonly msg = newMessage();
  private readonly inbox = newMessage();

  constructor(readonly shared: MachineShared, nodeId: number, readonly net: Network, sink: ConsoleSink = shared.consoleOut === 'stdout' ? stdoutSink : discardSink) {
    const cfg = shared.config;
    this.nodeId = nodeId;
    this.nodes = cfg.nodes;
    this.cpusPerNode = cfg.cpusPerNode;
    this.memPerNode = cfg.memPerNodeMB << 20;
    this.memory = new MachineMemory(shared.memory);
    this.ctl = new Int32Array(shared.ctl);
    this.stats = new Float64Array(shared.stats);
    const cpu0 = nodeId * cfg.cpusPerNode;
    this.uart = nodeId === 0
      ? new UartDevice(sink, new ConsoleInput(shared.consoleIn), { set: (up) => (up ? this.raise(cpu0, Irq.Uart) : this.lower(cpu0, Irq.Uart)) })
      : new UartDevice(sink);
    this.system = new SystemDevice(this);
    this.disk = shared.disk !== null ? new DiskDevice(shared.disk, this.memory, this, Irq.Disk) : null;
    this.ether = new EtherPort(shared.frames, this.memory, this, this, nodeId * cfg.cpusPerNode, Irq.Ether);
    this.nodeCtl = new NodeController(this, this, nodeId * cfg.cpusPerNode, Irq.HotPage);
    for (let i = 0; i < cfg.cpusPerNode; i++) {
      const id = nodeId * cfg.cpusPerNode + i;
      const cpu = new Cpu({ memory: this.memory, cpuNum: id });
      cpu.bus = new NodeBus(this, id);
      cpu.irqWords = this.ctl;
      cpu.irqIndex = cpuCtl(id, CpuCtl.Irq);
      cpu.mmu.storeThrough = cfg.sequentialConsistency;
      if (shared.coherence !== null) {
        const cc = new CacheController(id, cfg, shared.coherence, this.stats, this, { words: this.ctl, index: Ctl.HotThreshold });
        cc.check = shared.check;
        cc.skipInvalidation = shared.skipInvalidation;
        cpu.attachCoherence(cc);
      }
      this.cpus.push(cpu);
    }
    if (shared.disco) this.disco = new DiscoNode(this, shared.disco);
    else if (nodeId === 0) {
      this.boot(this.cpus[0], shared.entry, shared.stack, 0);
      shared.bootArgs.forEach((v, i) => { this.cpus[0].regs[4 + i] = v; });
    }
  }

  /** Puts a CPU in the state bare-metal code starts in: kernel mode, CU0 and CU1, interrupts off. */
  private boot(cpu: Cpu, pc: number, sp: number, arg: number): void {
    cpu.reset();
    cpu.cp0[C0.Status] = Status.CU0 | Status.CU1;
    cpu.mmu.updateMode();
    cpu.pc = pc | 0;
    cpu.regs[29] = sp;
    cpu.regs[4] = arg;
    cpu.cycles = this.time;
    Atomics.store(this.ctl, cpuCtl(cpu.cpuNum, CpuCtl.Running), 1);
  }

  private local(cpu: number): Cpu | null {
    const i = cpu - this.nodeId * this.cpusPerNode;
    return i >= 0 && i < this.cpusPerNode ? this.cpus[i] : null;
  }

  // --- NodeServices (the system device) ---
  sendIpi(from: number, to: number, data: number): void {
    this.post(Msg.Ipi, Math.floor(to / this.cpusPerNode), to, data, 0, 0);
    this.stats[from * Stat.WORDS + Stat.IpisSent]++;
  }

  startCpu(_from: number, to: number, pc: number, sp: number, arg: number): void {
    this.post(Msg.Start, Math.floor(to / this.cpusPerNode), to, pc, sp, arg);
  }

  halt(status: number): void {
    Atomics.store(this.ctl, Ctl.ExitStatus, status);
    Atomics.store(this.ctl, Ctl.Halted, 1);
    for (const cpu of this.cpus) cpu.stop();
    for (let n = 0; n < this.nodes; n++) this.net.ring(n);
  }

  cycles(cpu: number): number { return this.local(cpu)?.cycles ?? this.time; }
  ipiData(cpu: number): number { return Atomics.load(this.ctl, cpuCtl(cpu, CpuCtl.IpiData)); }
  clearIpi(cpu: number): void { this.lower(cpu, Irq.Ipi); }

  // --- HotPageCounters (the node controller): the threshold is machine-wide ---
  get hotThreshold(): number { return Atomics.load(this.ctl, Ctl.HotThreshold); }
  set hotThreshold(v: number) { Atomics.store(this.ctl, Ctl.HotThreshold, v); }
  resetPage(page: number): void { this.cpus[0].coherence?.resetPage(page); }

  // --- FrameLink (the Ethernet port) ---
  sendFrame(dstNode: number, slot: number, len: number): void {
    this.post(Msg.Frame, dstNode, slot, len, 0, 0);
  }

  // --- HotPageSink (the coherence model): the page's home node controller raises the interrupt ---
  hotPage(page: number, node: number): void {
    const home = Math.floor((page * 4096) / this.memPerNode);
    this.post(Msg.HotPage, home, page, node, 0, 0);
  }

  // --- DmaSink (devices) ---
  dmaWrote(pa: number, len: number): void {
    this.cpus[0].coherence?.dmaWrite(pa, len);
  }

  // --- InterruptSink (devices) ---
  raise(cpu: number, line: number): void {
    Atomics.or(this.ctl, cpuCtl(cpu, CpuCtl.Irq), line);
    this.local(cpu)?.syncIrq();
  }

  lower(cpu: number, line: number): void {
    Atomics.and(this.ctl, cpuCtl(cpu, CpuCtl.Irq), ~line);
    this.local(cpu)?.syncIrq();
  }

  /** Sends a message, servicing this node's own mailbox while the ring is full (backpressure). */
  post(type: Msg, dst: number, a0: number, a1: number, a2: number, a3: number): void {
    const m = this.msg;
    m[Word.Type] = type; m[Word.Src] = this.nodeId; m[Word.Dst] = dst;
    m[Word.A0] = a0; m[Word.A1] = a1; m[Word.A2] = a2; m[Word.A3] = a3;
    while (!this.net.send(m, this.time)) this.service();
  }

  /** Mailbox: delivers IPIs and start requests addressed to this node's CPUs. */
  service(): void {
    this.uart.poll();
    const m = this.inbox;
    while (this.net.receive(this.nodeId, m)) {
      if (m[Word.Type] === Msg.HotPage) { if (this.disco?.numa) this.disco.numa.notice(m[Word.A0], m[Word.A1]); else this.nodeCtl.raiseHotPage(m[Word.A0], m[Word.A1]); continue; }
      if (m[Word.Type] === Msg.Frame) { this.ether.receive(m[Word.Src], m[Word.A0], m[Word.A1]); continue; }
      if (m[Word.Type] === Msg.Shootdown) { this.disco?.shootdownRequest(m[Word.A0], m[Word.A1], m[Word.A2], m[Word.A3]); continue; }
      const cpu = this.local(m[Word.A0]);
      if (cpu === null) continue;
      if (m[Word.Type] === Msg.Ipi) {
        Atomics.store(this.ctl, cpuCtl(cpu.cpuNum, CpuCtl.IpiData), m[Word.A1]);
        this.raise(cpu.cpuNum, Irq.Ipi);
        this.stats[cpu.cpuNum * Stat.WORDS + Stat.IpisReceived]++;
      } else if (m[Word.Type] === Msg.Start) {
        this.boot(cpu, m[Word.A1], m[Word.A2], m[Word.A3]);
      }
    }
  }

  /** Runs every started CPU of the node for one quantum of simulated cycles. */
  runQuantum(quantum: number): void {
    const end = this.time + quantum;
    for (const cpu of this.cpus) {
      if (cpu.stopped || Atomics.load(this.ctl, cpuCtl(cpu.cpuNum, CpuCtl.Running)) === 0) continue;
      if (cpu.cycles < end) cpu.step(end - cpu.cycles);
    }
    this.time = end;
    this.uart.flush();
  }

  /** Copies the CPUs' counters into the shared statistics. */
  publish(): void {
    for (const cpu of this.cpus) {
      const b = cpu.cpuNum * Stat.WORDS;
      this.stats[b + Stat.Instructions] = cpu.instructions;
      this.stats[b + Stat.Cycles] = Math.max(cpu.cycles, 0);
      if (cpu.coherence !== null) this.stats[b + Stat.Violations] = cpu.coherence.violations;
    }
  }

  close(): void {
    this.uart.flush();
    this.disco?.close();
    this.disk?.close();
  }
}
