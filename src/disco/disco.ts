// SPDX-License-Identifier: MIT
/**
 * Disco on one node's worker (Disco paper, section 4.1, and DESIGN.md section 4): the monitor
 * for the node's physical CPUs, over tables every worker shares — the vCPU records, the
 * L2TLBs, each VM's pmap, the memmap — and the per-VM control words. A vCPU's interrupts are
 * posted into its record and, when it runs elsewhere, announced by a physical IPI.
 */
import type { FlashNode } from '../node-worker/node.js';
import type { Cpu } from '../node-worker/cpu/cpu.js';
import { C0, Status, Tlb } from '../node-worker/cpu/cp0.js';
import { CpuCtl, Irq, cpuCtl } from '../shared/layout.js';
import { V, VState, VcpuTable } from './vcpu.js';
import { L2Tlb } from './l2tlb.js';
import { Memmap } from './memmap.js';
import { BUSY, entryOf, Pmap, REPLICATED } from './pmap.js';
import { Cost, DiscoStat, PhysCpu } from './monitor.js';
import { awaitAcks, dropFromHw, localNodes, type ShootdownTarget } from './shootdown.js';
import { Msg } from '../interconnect/network.js';
import { Subnet } from './subnet.js';
import { Numa } from './numa.js';
import { ConsoleInput } from '../node-worker/devices/uart.js';
import { closeDisks, monitorCall, VmConsole } from './mcall.js';

export interface VmSpec {
  name: string;
  vcpus: number;
  memMB: number;
  disk: string | null;
}

/** Per VM control words (Int32Array). */
export const enum VmCtl {
  /** 0 running, 1 halted. */
  Halted = 0,
  ExitStatus = 1,
  /** The guest's exception vector base (ksseg address of its physical 0). */
  Vectors = 2,
  /** Reason a VM was stopped by Disco (0: it halted itself; 1: a fault it caused). */
  Fault = 3,
  WORDS = 8,
}

/** What the main thread gives every worker (src/disco/setup.ts builds it). */
export interface DiscoShared {
  vms: VmSpec[];
  /** Global id of each VM's vCPU 0. */
  firstVcpu: number[];
  /** The physical CPU each vCPU starts on (its home until another CPU steals it). */
  placement: number[];
  vcpus: SharedArrayBuffer;
  l2tlb: SharedArrayBuffer;
  memmap: SharedArrayBuffer;
  pmaps: SharedArrayBuffer[];
  vmCtl: SharedArrayBuffer;
  /** DiscoStat.WORDS doubles per vCPU (by global id), then per physical CPU (its idle time). */
  stats: SharedArrayBuffer;
  /** Each VM's console: stdout with a `name: ` prefix, or DIR/NAME.log. */
  consoleDir: string | null;
  /** Instructions a vCPU runs before another on the same CPU gets its turn. */
  sliceInstructions: number;
  /** The VM that reads the machine's console input. */
  inputVm: number;
  /** Move pages to the node that uses them (numa.ts; needs the timing model's miss counters). */
  numa: boolean;
  /** One acknowledgement counter per physical CPU, for the shootdowns it starts. */
  acks: SharedArrayBuffer;
  /** The virtual subnet's receive queues (subnet.ts). */
  subnet: SharedArrayBuffer;
}

export class DiscoNode implements ShootdownTarget {
  readonly vcpus: VcpuTable;
  readonly l2tlb: L2Tlb;
  readonly memmap: Memmap;
  readonly pmaps: Pmap[];
  readonly vmCtl: Int32Array;
  readonly stats: Float64Array;
  readonly phys: PhysCpu[] = [];
  readonly consoles: VmConsole[];
  readonly sliceInstructions: number;
  private readonly acks: Int32Array;
  readonly subnet: Subnet;
  private readonly input: ConsoleInput;
  readonly numa: Numa | null;

  constructor(readonly node: FlashNode, readonly shared: DiscoShared) {
    const cfg = node.shared.config;
    this.vcpus = new VcpuTable(shared.vcpus);
    this.l2tlb = new L2Tlb(shared.l2tlb);
    this.memmap = new Memmap(shared.memmap, cfg.nodes, (cfg.memPerNodeMB << 20) >>> 12);
    this.pmaps = shared.pmaps.map((b, vm) => new Pmap(b, vm, this.memmap));
    this.vmCtl = new Int32Array(shared.vmCtl);
    this.stats = new Float64Array(shared.stats);
    this.consoles = shared.vms.map((vm) => new VmConsole(vm.name, shared.consoleDir));
    this.sliceInstructions = shared.sliceInstructions;
    this.acks = new Int32Array(shared.acks);
    this.subnet = new Subnet(shared.subnet, shared.vms.length);
    this.input = new ConsoleInput(node.shared.consoleIn);
    const coherence = node.cpus[0].coherence;
    this.numa = shared.numa && coherence !== null ? new Numa(this, coherence) : null;
    localNodes.set(node.nodeId, this);
    for (const cpu of node.cpus) {
      const p = new PhysCpu(this, cpu);
      cpu.trapHandler = p;
      this.phys.push(p);
      cpu.cycles = node.time;
      Atomics.store(node.ctl, cpuCtl(cpu.cpuNum, CpuCtl.Running), 1);
      p.pick();
    }
  }

  statRow(row: number): Float64Array { return this.stats.subarray(row * DiscoStat.WORDS, (row + 1) * DiscoStat.WORDS); }

  get vcpuCount(): number { return this.shared.placement.length; }

  /** The physical CPU that should hear about a vCPU's interrupts: where it is loaded, else its home. */
  cpuOf(vcpu: number): number {
    const w = this.vcpus.words, on = Atomics.load(w, vcpu * V.WORDS + V.OnCpu);
    return on >= 0 ? on : Atomics.load(w, vcpu * V.WORDS + V.Home);
  }

  vmOf(vcpu: number): number { return this.vcpus.words[vcpu * V.WORDS + V.Vm]; }

  vectorBase(vcpu: number): number { return this.vmCtl[this.vmOf(vcpu) * VmCtl.WORDS + VmCtl.Vectors]; }
  setVectors(vm: number, base: number): void { this.vmCtl[vm * VmCtl.WORDS + VmCtl.Vectors] = base; }

  /** The machine page behind a VM's physical page, allocated on the node of the CPU that touches it. */
  machinePage(vcpu: number, ppn: number, cpu: Cpu): number {
    const mem = this.node.memory.w32;
    return this.pmaps[this.vmOf(vcpu)].machinePage(ppn, Math.floor(cpu.cpuNum / this.node.cpusPerNode), (page) => mem.fill(0, page << 10, (page + 1) << 10));
  }

  /**
   * The pmap's precomputed entry for a translation the vCPU on p is about to make (0: ppn is not
   * the VM's; -1: the page is being changed, try again). A page with replicas (numa.ts) gives the
   * replica on p's node, or the master, with REPLICATED set: the translation must be read-only; a
   * write first collapses the replicas. The machine page goes into its backmap first and the
   * entry is checked again afterwards (a shootdown that took the page meanwhile did not see the
   * note: try again).
   */
  mapPage(p: PhysCpu, ppn: number, write: boolean): number {
    const vcpu = p.current, pmap = this.pmaps[this.vmOf(vcpu)], index = this.vcpus.words[vcpu * V.WORDS + V.Index];
    const node = Math.floor(p.cpu.cpuNum / this.node.cpusPerNode);
    for (;;) {
      const page = this.machinePage(vcpu, ppn, p.cpu);
      if (page === BUSY) return -1;
      if (page < 0) return 0;
      const entry = pmap.entry(ppn);
      if ((entry & REPLICATED) === 0) {
        this.memmap.mapBy(page, index);
        if (pmap.entry(ppn) === entryOf(page)) return entryOf(page);
      } else if (write) {
        if (!this.collapse(p, this.vmOf(vcpu), ppn, entry)) return -1;
      } else {
        const replica = pmap.replica(ppn, node), use = replica >= 0 ? replica : page;
        this.memmap.mapBy(use, index);
        if (pmap.entry(ppn) === entry && pmap.replica(ppn, node) === replica) return entryOf(use) | REPLICATED;
      }
    }
  }

  /**
   * Collapses the replicas of ppn (whose entry is `entry`) so that it can be written: every CPU
   * that may map a replica drops it, then the replicas are free. False if the page is being
   * changed by someone else.
   */
  collapse(p: PhysCpu, vm: number, ppn: number, entry: number): boolean {
    const pmap = this.pmaps[vm];
    if (!pmap.beginMove(ppn, entry)) return false;
    this.dropReplicas(p, vm, ppn);
    if (!pmap.endMove(ppn, entry & ~REPLICATED)) this.memmap.free((entry & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT); // the guest freed it meanwhile
    p.charge(DiscoStat.PageCollapses, Cost.PageCollapse);
    return true;
  }

  /** Takes ppn's replicas away: once every CPU that may map one has dropped it, they are free. */
  dropReplicas(p: PhysCpu, vm: number, ppn: number): void {
    const pages: number[] = [];
    this.pmaps[vm].takeReplicas(ppn, pages);
    if (pages.length === 0) return;
    let mapped = 0;
    for (const r of pages) mapped |= this.memmap.backmap(r);
    this.shootdown(p, vm, pages.length === 1 ? pages[0] : -1, mapped);
    for (const r of pages) this.memmap.free(r);
  }

  /**
   * A guest physical address as a machine address for Disco's own access on behalf of the vCPU
   * on p (device DMA, monitor-call arguments; `write`: Disco stores there), or -1 outside the VM.
   * Noted in the backmap like a translation, so a move of the page waits for the access; a page
   * being changed is waited for (servicing the mailbox, as the mover waits for this node's
   * acknowledgement).
   */
  machineAddress(p: PhysCpu, vm: number, pa: number, write: boolean): number {
    if (pa < 0 || (pa >>> 12) >= this.pmaps[vm].pages) return -1;
    const start = Date.now();
    let entry: number;
    while ((entry = this.mapPage(p, pa >>> 12, write)) === -1) {
      this.node.service();
      if (Date.now() - start > this.node.shared.watchdogMs) throw new Error(`Disco waited ${this.node.shared.watchdogMs} ms for a change of ${this.shared.vms[vm].name}'s page ${pa >>> 12}`);
    }
    return entry === 0 ? -1 : ((entry & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT) * 4096 + (pa & 0xfff);
  }

  monitorCall(p: PhysCpu, epc: number): void { monitorCall(this, p, epc); }

  /** Raises virtual interrupt line(s) of a vCPU and tells the physical CPU that runs it. */
  post(from: Cpu, vcpu: number, line: number): void {
    const w = this.vcpus.words, b = vcpu * V.WORDS;
    Atomics.or(w, b + V.PendingIp, line);
    const on = this.cpuOf(vcpu);
    if (on !== from.cpuNum) this.node.sendIpi(from.cpuNum, on, 0);
  }

  /**
   * Console input belongs to one VM (`inputVm`): its vCPU 0's console line (IP2) is up while
   * input waits or has ended, as the UART's is on the bare machine; checked on every timer tick.
   */
  pollConsole(): void {
    const w = this.vcpus.words, first = this.shared.firstVcpu[this.shared.inputVm], b = first * V.WORDS;
    if (this.input.waiting() || this.input.ended()) {
      if ((Atomics.or(w, b + V.PendingIp, Irq.Uart) & Irq.Uart) === 0) {
        const on = this.cpuOf(first);
        if (this.localCpu(on) === null) this.node.sendIpi(this.node.cpus[0].cpuNum, on, 0);
      }
    } else Atomics.and(w, b + V.PendingIp, ~Irq.Uart);
  }

  consoleRead(vm: number): number {
    if (vm !== this.shared.inputVm) return -2;
    const c = this.input.take();
    const r = c >= 0 ? c : this.input.ended() ? -2 : -1;
    this.pollConsole();
    return r;
  }

  private localCpu(cpu: number): Cpu | null {
    return this.node.cpus.find((c) => c.cpuNum === cpu) ?? null;
  }

  /** Stops every vCPU of a VM with an exit status; the machine powers off when every VM has. */
  haltVm(from: Cpu, vm: number, status: number, fault: boolean): void {
    const c = vm * VmCtl.WORDS;
    if (Atomics.compareExchange(this.vmCtl, c + VmCtl.Halted, 0, 1) !== 0) return;
    this.vmCtl[c + VmCtl.ExitStatus] = status;
    this.vmCtl[c + VmCtl.Fault] = fault ? 1 : 0;
    this.consoles[vm].flush();
    const w = this.vcpus.words, first = this.shared.firstVcpu[vm];
    for (let i = 0; i < this.shared.vms[vm].vcpus; i++) {
      Atomics.store(w, (first + i) * V.WORDS + V.State, VState.Halted);
      const on = this.cpuOf(first + i);
      if (on !== from.cpuNum) this.node.sendIpi(from.cpuNum, on, 0);
    }
    for (let v = 0; v < this.shared.vms.length; v++) if (Atomics.load(this.vmCtl, v * VmCtl.WORDS + VmCtl.Halted) === 0) return;
    let worst = 0;
    for (let v = 0; v < this.shared.vms.length; v++) if (worst === 0) worst = this.vmCtl[v * VmCtl.WORDS + VmCtl.ExitStatus];
    this.node.halt(worst);
  }

  /** Starts vCPU `index` of a VM at pc with sp and a0 (the guest's start call), its kernel map wired. */
  startVcpu(from: Cpu, vm: number, index: number, pc: number, sp: number, arg: number): boolean {
    if (index < 0 || index >= this.shared.vms[vm].vcpus) return false;
    const id = this.shared.firstVcpu[vm] + index, w = this.vcpus.words, b = id * V.WORDS;
    if (Atomics.load(w, b + V.State) !== VState.Off) return false;
    resetVcpu(w, b, vm, index, this.shared.vms[vm].memMB);
    w[b + V.Pc] = pc;
    w[b + V.Regs + 29] = sp;
    w[b + V.Regs + 4] = arg;
    Atomics.store(w, b + V.State, VState.Runnable);
    this.post(from, id, 0);
    return true;
  }

  /**
   * The guest no longer needs these physical pages (its hint for freed pages; the next touch of
   * each gets a zeroed page, its hint for zeroed pages): their machine pages leave the VM after
   * one shootdown for the whole batch. False if a page is not the VM's.
   */
  freePages(p: PhysCpu, vm: number, ppns: number[]): boolean {
    const pmap = this.pmaps[vm], pages: number[] = [];
    if (ppns.some((ppn) => ppn < 0 || ppn >= pmap.pages)) return false;
    for (const ppn of ppns) {
      const page = pmap.take(ppn);
      if (page >= 0) pages.push(page);
      pmap.takeReplicas(ppn, pages);
    }
    if (pages.length === 0) return true;
    let mapped = 0;
    for (const page of pages) mapped |= this.memmap.backmap(page);
    this.shootdown(p, vm, pages.length === 1 ? pages[0] : -1, mapped);
    for (const page of pages) this.memmap.free(page);
    return true;
  }

  /**
   * Every CPU that may translate to machine page `page` (-1: to any page) for VM `vm` — those the
   * vCPUs in its backmap `mapped` are loaded on — forgets it (shootdown.ts). Called after the pmap
   * stopped mapping the page, so that no new translation to it is made; L2TLB entries need no
   * message, as each hit is checked against the pmap.
   */
  shootdown(p: PhysCpu, vm: number, page: number, mapped: number): void {
    const first = this.shared.firstVcpu[vm], nodes = new Set<number>(), w = this.vcpus.words, me = p.cpu.cpuNum;
    let others = 0;
    for (let i = 0; i < this.shared.vms[vm].vcpus; i++) {
      const on = (mapped & (1 << (i & 31))) !== 0 ? Atomics.load(w, (first + i) * V.WORDS + V.OnCpu) : -1;
      if (on < 0) continue;
      nodes.add(Math.floor(on / this.node.cpusPerNode));
      if (on !== me) others++;
    }
    const remote: number[] = [];
    for (const n of nodes) {
      const local = localNodes.get(n);
      if (local !== undefined) local.invalidateLocal(vm, page, mapped);
      else remote.push(n);
    }
    Atomics.store(this.acks, me, 0);
    for (const n of remote) this.node.post(Msg.Shootdown, n, vm, page, me, mapped);
    awaitAcks(this.acks, me, remote.length, () => this.node.service(), this.node.shared.watchdogMs,
      () => `nodes ${remote.join(', ')} (${Atomics.load(this.acks, me)} of ${remote.length} answered)`);
    p.charge(DiscoStat.Shootdowns, Cost.Shootdown + Cost.ShootdownPerNode * remote.length);
    p.stat[DiscoStat.ShootdownCpus] += others;
  }

  /** A shootdown request from another node: invalidate, then acknowledge to the initiating CPU. */
  shootdownRequest(vm: number, page: number, initiator: number, mapped: number): void {
    this.invalidateLocal(vm, page, mapped);
    Atomics.add(this.acks, initiator, 1);
    Atomics.notify(this.acks, initiator);
  }

  invalidateLocal(vm: number, page: number, mapped: number): void {
    const w = this.vcpus.words;
    for (const p of this.phys) {
      if (p.current < 0 || this.vmOf(p.current) !== vm || (mapped & (1 << (w[p.current * V.WORDS + V.Index] & 31))) === 0) continue;
      if (page >= 0) dropFromHw(p.cpu, page);
      else { p.cpu.mmu.jtlb.reset(); p.cpu.mmu.flush(); }
    }
  }

  close(): void {
    localNodes.delete(this.node.nodeId);
    for (const c of this.consoles) c.flush();
    closeDisks();
  }
}

/**
 * A vCPU as the guest kernel starts on it: virtual kernel mode with interrupts off and the FPU
 * usable; its virtual TLB holds the kernel's wired map (the ksseg window of the VM's memory as
 * global 16 MB page pairs), as the bare kernel's boot code would have made it.
 */
export function resetVcpu(w: Int32Array, b: number, vm: number, index: number, memMB: number): void {
  const special = w[b + V.Special], home = w[b + V.Home];
  w.fill(0, b, b + V.WORDS);
  w[b + V.Special] = special;
  w[b + V.Home] = home;
  w[b + V.Vm] = vm;
  w[b + V.Index] = index;
  w[b + V.OnCpu] = -1;
  const c = b + V.Cp0;
  w[c + C0.Status] = Status.CU1;
  w[c + C0.PRId] = 0x00000934;
  w[c + C0.Context] = index << 23;
  const pairs = Math.ceil(memMB / 32);
  for (let i = 0; i < Tlb.ENTRIES; i++) {
    const e = b + V.Tlb + i * 4;
    if (i < pairs) {
      const pa = i * 0x2000000;
      w[e] = 0x01ffe000;
      w[e + 1] = (0xc0000000 + pa) | 0;
      w[e + 2] = ((pa >>> 12) << 6) | (3 << 3) | Tlb.D | Tlb.V | Tlb.G;
      w[e + 3] = (((pa + 0x1000000) >>> 12) << 6) | (3 << 3) | Tlb.D | Tlb.V | Tlb.G;
    } else w[e + 1] = (0x80000000 + i * 0x2000) | 0; // unmatchable, as the hardware resets
  }
  w[c + C0.Wired] = pairs;
}
