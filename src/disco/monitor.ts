// SPDX-License-Identifier: MIT
/**
 * Disco's trap handler on one physical CPU (Disco paper, section 4): every exception the CPU
 * takes while it runs a vCPU comes here. Privileged instructions of the guest kernel (which runs
 * in supervisor mode, so each one raises Coprocessor Unusable) are emulated against the vCPU's
 * virtual CP0 and virtual TLB; TLB misses are served from the L2TLB or the virtual TLB and the
 * pmap, or forwarded to the guest's refill handler; other exceptions and virtual interrupts are
 * delivered to the guest's vectors with the virtual Cause, EPC and BadVAddr; `syscall` in
 * supervisor mode is a monitor call (mcall.ts). Disco's own work is charged in simulated cycles
 * by cause (DiscoStat), and the time between traps is charged to the guest kernel or user.
 */
import { EXCEPTION_CYCLES, type Cpu, type TrapHandler } from '../node-worker/cpu/cpu.js';
import { C0, Cause, CAUSE_IP7, Exc, Status, Tlb, writeCp0 } from '../node-worker/cpu/cp0.js';
import { readFcsr } from '../node-worker/cpu/cp1.js';
import { SPECIAL_VA, Special, V, VState, guestKernelMode, loadVcpu, physicalStatus, saveVcpu } from './vcpu.js';
import type { DiscoNode } from './disco.js';
import { branchTarget } from './branch.js';
import { REPLICATED } from './pmap.js';
import { Irq } from '../shared/layout.js';

/** Per physical CPU statistics of Disco (Float64 words). */
export const enum DiscoStat {
  UserInstructions = 0, UserCycles = 1, KernelInstructions = 2, KernelCycles = 3,
  /** Disco's own time by cause: counts, then cycles. */
  L2TlbHits = 4, L2TlbCycles = 5, ForwardedMisses = 6, ForwardedCycles = 7,
  Privileged = 8, PrivilegedCycles = 9, MonitorCalls = 10, MonitorCycles = 11,
  VirtualExceptions = 12, VirtualExceptionCycles = 13, Switches = 14, SwitchCycles = 15,
  PmapFills = 16, PmapCycles = 17, Shootdowns = 18, ShootdownCycles = 19,
  Interrupts = 20, InterruptCycles = 21, Migrations = 22, MigrationCycles = 23, IdleCycles = 24,
  /** CPUs other than the initiator that a shootdown made drop a page (IPIs, or in place on its node). */
  ShootdownCpus = 25,
  /** NUMA (numa.ts): pages moved to the node that uses them, replicas made, replicas collapsed by a write. */
  PageMoves = 26, PageMoveCycles = 27, PageReplicas = 28, PageReplicaCycles = 29, PageCollapses = 30, PageCollapseCycles = 31,
  WORDS = 32,
}

/**
 * Simulated cost of Disco's paths, in cycles: a model of the monitor's code on the R10000 (the
 * paper's refill from the L2TLB takes a few dozen instructions; emulating a privileged
 * instruction is a decode and a register update; a vCPU switch saves and loads a context and
 * flushes the TLB). The trap into Disco is the CPU's (EXCEPTION_CYCLES), as the bare kernel's
 * exceptions are.
 */
export const enum Cost {
  L2TlbHit = 40, PmapFill = 90, Forward = 60, Privileged = 45, MonitorCall = 150,
  Switch = 600, Interrupt = 60, Shootdown = 200, ShootdownPerNode = 400,
  /** Policy, a new page, and a 4 KB copy from another node (the paper measured 57-102 us a move on FLASH). */
  PageMove = 6000, PageCollapse = 300,
}

/** The physical interrupt lines Disco takes: its timer and IPIs. */
const DISCO_LINES = CAUSE_IP7 | Irq.Ipi;
/** R10000 virtual TLB Random counts down from 63 to Wired. */
const VTLB = V.Tlb;

export class PhysCpu implements TrapHandler {
  /** The global id of the vCPU loaded on this CPU, or -1. */
  current = -1;
  /** The physical pages behind the two halves machineLo last built. */
  private readonly ppns = new Int32Array(2);
  /** Round-robin pointer into the hardware TLB for Disco's inserts. */
  private hwNext = 0;
  /** Instruction and cycle counts at the last trap (time since then belongs to the guest). */
  private lastInstructions = 0;
  private lastCycles = 0;
  /** Instructions when the current vCPU was loaded (its time slice). */
  private sliceStart = 0;
  /** Statistics of the running vCPU (its row), or of this physical CPU while none runs. */
  /** The stats row time is charged to: the loaded vCPU's, or this CPU's own (idle). */
  stat: Float64Array;
  /** The cycles of the trap being handled not yet charged to a cause. */
  private trapCycles = 0;
  /** This physical CPU's own row: idle time. */
  private readonly own: Float64Array;

  constructor(readonly disco: DiscoNode, readonly cpu: Cpu) {
    this.own = disco.statRow(disco.shared.placement.length + cpu.cpuNum);
    this.stat = this.own;
  }

  /** Base of the running vCPU's record. */
  private get b(): number { return this.current * V.WORDS; }

  // ---------------------------------------------------------------- scheduling

  /** Leaves the running vCPU (to continue at pc later) and runs the next runnable one. */
  yieldCpu(pc: number): void {
    if (this.current >= 0) this.disco.vcpus.words[this.b + V.Pc] = pc;
    this.pick();
  }

  /**
   * Puts the next vCPU to run on this CPU, or idles it: a runnable vCPU of this CPU's own
   * (round robin), else one stolen from another CPU that is busy with another vCPU — runnable
   * and loaded nowhere, it changes home by compare-and-swap (a vCPU can run on any node; its record is in shared memory). A
   * vCPU is loaded by a compare-and-swap of its OnCpu word, so no two CPUs ever run it.
   */
  pick(): void {
    const w = this.disco.vcpus.words, me = this.cpu.cpuNum, n = this.disco.vcpuCount;
    const from = this.current >= 0 ? this.current : n - 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 1; i <= n; i++) {
        const id = (from + i) % n, b = id * V.WORDS;
        const home = Atomics.load(w, b + V.Home);
        if ((pass === 0) !== (home === me) || !this.wantsToRun(id)) continue;
        if (id !== this.current) {
          if (pass === 1 && (Atomics.load(w, b + V.OnCpu) !== -1 || !this.busyWithAnother(home, id) || Atomics.compareExchange(w, b + V.Home, home, me) !== home)) continue;
          if (Atomics.compareExchange(w, b + V.OnCpu, -1, me) !== -1) continue;
          this.switchTo(id);
          if (pass === 1) this.charge(DiscoStat.Migrations, 0);
        }
        Atomics.store(w, b + V.State, VState.Runnable);
        this.resumeGuest(w[b + V.Pc]);
        return;
      }
    }
    // Nothing to run: the physical CPU waits for an interrupt (a posted virtual interrupt
    // arrives as a physical IPI; the timer keeps running, for a loaded vCPU's virtual timer
    // and to look for work to steal).
    this.armTimer();
    this.cpu.cp0[C0.Status] = Status.IE | DISCO_LINES;
    this.cpu.mmu.updateMode();
    this.cpu.waiting = true;
  }

  /**
   * Is physical CPU `cpu` running a vCPU other than `id`? Only then may another CPU take `id` from
   * it: a vCPU whose home CPU is idle, or has not started yet, runs there.
   */
  private busyWithAnother(cpu: number, id: number): boolean {
    const w = this.disco.vcpus.words;
    for (let j = 0; j < this.disco.vcpuCount; j++) {
      if (j !== id && Atomics.load(w, j * V.WORDS + V.OnCpu) === cpu && Atomics.load(w, j * V.WORDS + V.State) === VState.Runnable) return true;
    }
    return false;
  }

  /** Runnable, or idle with an enabled virtual interrupt waiting. */
  private wantsToRun(id: number): boolean {
    const st = Atomics.load(this.disco.vcpus.words, id * V.WORDS + V.State);
    return st === VState.Runnable || (st === VState.Idle && this.virtualIrqWaiting(id));
  }

  /** Another vCPU of this CPU's, loaded nowhere, wants to run (the time slice then ends). */
  private othersWaiting(): boolean {
    const w = this.disco.vcpus.words, me = this.cpu.cpuNum;
    for (let id = 0; id < this.disco.vcpuCount; id++) {
      const b = id * V.WORDS;
      if (id !== this.current && Atomics.load(w, b + V.Home) === me && Atomics.load(w, b + V.OnCpu) === -1 && this.wantsToRun(id)) return true;
    }
    return false;
  }

  /** Loads vCPU id (already claimed through its OnCpu word) in place of the current one. */
  private switchTo(id: number): void {
    const cpu = this.cpu, w = this.disco.vcpus.words;
    if (this.current >= 0) saveVcpu(w, this.b, cpu, readFcsr(cpu)); // its pc was saved by yieldCpu
    // Guest ASIDs are not virtualised: the hardware TLB is flushed on a vCPU switch (4.2.2).
    // Until then the old vCPU stays "on" this CPU (OnCpu), as its translations are still here.
    cpu.mmu.jtlb.reset();
    cpu.mmu.flush();
    if (this.current >= 0) Atomics.store(w, this.b + V.OnCpu, -1);
    this.current = id;
    this.stat = this.disco.statRow(id);
    loadVcpu(w, id * V.WORDS, cpu);
    this.armTimer();
    this.sliceStart = cpu.instructions;
    this.charge(DiscoStat.Switches, Cost.Switch);
  }

  /** Leaves Disco for the guest at pc, in the physical mode the virtual Status calls for. */
  private resumeGuest(pc: number): void {
    const cpu = this.cpu, w = this.disco.vcpus.words, b = this.b;
    if (this.deliverVirtualIrq(pc)) return;
    this.syncSpecial();
    cpu.cp0[C0.Status] = physicalStatus(w[b + V.Cp0 + C0.Status], DISCO_LINES);
    cpu.resume(pc);
    cpu.waiting = false;
    this.lastInstructions = cpu.instructions;
    this.lastCycles = cpu.cycles;
  }

  // ---------------------------------------------------------------- the trap handler

  exception(cpu: Cpu): void {
    const cp0 = cpu.cp0, code = (cp0[C0.Cause] & Cause.EXC) >>> Cause.EXC_SHIFT;
    const fromUser = (cp0[C0.Status] & Status.KSU) === (2 << Status.KSU_SHIFT);
    if (this.current < 0 || Atomics.load(this.disco.vcpus.words, this.b + V.State) !== VState.Runnable) {
      // an idle physical CPU woken by an interrupt
      this.own[DiscoStat.IdleCycles] += cpu.cycles - this.lastCycles;
      this.lastCycles = cpu.cycles;
      this.takeInterrupts();
      this.pick();
      return;
    }
    this.chargeGuest(fromUser);
    this.takeSpecialIe();
    const epc = cp0[C0.EPC], bd = (cp0[C0.Cause] & Cause.BD) !== 0;
    switch (code) {
      case Exc.Int:
        this.takeInterrupts();
        this.charge(DiscoStat.Interrupts, Cost.Interrupt);
        if (cpu.instructions - this.sliceStart > this.disco.sliceInstructions && this.othersWaiting()) this.yieldCpu(epc);
        else this.resumeGuest(epc);
        return;
      case Exc.Mod: case Exc.TLBL: case Exc.TLBS:
        this.tlbMiss(code, epc, bd, cp0[C0.BadVAddr]);
        return;
      case Exc.Sys:
        if (!fromUser) { this.disco.monitorCall(this, epc); return; }
        break;
      case Exc.CpU:
        if (!fromUser && ((cp0[C0.Cause] >>> Cause.CE_SHIFT) & 3) === 0) { this.privileged(epc, bd); return; }
        break;
    }
    this.forward(code, epc, bd, cp0[C0.BadVAddr]);
  }

  /** Charges the time since the last trap to the guest's kernel or user mode (the trap's own cycles go to Disco's cause). */
  private chargeGuest(user: boolean): void {
    const cpu = this.cpu, s = this.stat;
    const i = cpu.instructions - this.lastInstructions, c = cpu.cycles - EXCEPTION_CYCLES - this.lastCycles;
    this.trapCycles = EXCEPTION_CYCLES;
    s[user ? DiscoStat.UserInstructions : DiscoStat.KernelInstructions] += i;
    s[user ? DiscoStat.UserCycles : DiscoStat.KernelCycles] += c;
  }

  /**
   * Charges `cycles` of Disco's time to a cause (its count word; the cycles word follows); the
   * first charge of a trap also takes the trap's own cycles, which the CPU counted already.
   */
  charge(cause: DiscoStat, cycles: number): void {
    this.stat[cause]++;
    this.stat[cause + 1] += cycles + this.trapCycles;
    this.trapCycles = 0;
    this.cpu.cycles += cycles;
  }

  // ---------------------------------------------------------------- interrupts

  /** Physical interrupts: the timer (virtual timer and time slice) and IPIs (posted virtual interrupts). */
  private takeInterrupts(): void {
    const cpu = this.cpu;
    cpu.syncIrq();
    const ip = cpu.cp0[C0.Cause];
    if ((ip & Irq.Ipi) !== 0) this.disco.node.clearIpi(cpu.cpuNum);
    this.disco.pollConsole();
    this.disco.numa?.poll(this);
    this.armTimer();
  }

  /**
   * Sets the physical timer: the loaded vCPU's virtual Compare, but at most half a time slice
   * away, so that slices end and idle CPUs look for work. A virtual Compare already passed
   * raises virtual IP7.
   */
  private armTimer(): void {
    const cpu = this.cpu, now = cpu.readCount();
    let next = this.disco.sliceInstructions >>> 1;
    if (this.current >= 0) {
      const w = this.disco.vcpus.words, c = this.b + V.Cp0;
      if (!this.timerDue(this.current, now)) next = Math.min(next, (w[c + C0.Compare] - now) >>> 0);
    }
    writeCp0(cpu, C0.Compare, (now + Math.max(next, 1)) | 0);
  }

  /** Has vCPU id's virtual Count passed its Compare? Raises its virtual IP7 if so. */
  private timerDue(id: number, now: number): boolean {
    const w = this.disco.vcpus.words, c = id * V.WORDS + V.Cp0;
    if ((w[c + C0.Cause] & CAUSE_IP7) !== 0) return true;
    const armedAt = w[c + C0.Count]; // the Count slot keeps when the guest last wrote Compare
    if (((now - armedAt) >>> 0) < ((w[c + C0.Compare] - armedAt) >>> 0)) return false;
    w[c + C0.Cause] |= CAUSE_IP7;
    return true;
  }

  private virtualIrqWaiting(id: number): boolean {
    const w = this.disco.vcpus.words, b = id * V.WORDS;
    this.timerDue(id, this.cpu.readCount());
    const ip = (w[b + V.Cp0 + C0.Cause] | Atomics.load(w, b + V.PendingIp)) & Status.IM;
    return (ip & w[b + V.Cp0 + C0.Status] & Status.IM) !== 0;
  }

  /** Delivers a pending, enabled virtual interrupt at pc; true if it did. */
  private deliverVirtualIrq(pc: number): boolean {
    const w = this.disco.vcpus.words, b = this.b, st = w[b + V.Cp0 + C0.Status];
    if ((st & (Status.IE | Status.EXL | Status.ERL)) !== Status.IE) return false;
    const ip = (w[b + V.Cp0 + C0.Cause] | Atomics.load(w, b + V.PendingIp)) & Status.IM;
    if ((ip & st) === 0) return false;
    this.charge(DiscoStat.VirtualExceptions, Cost.Forward);
    this.enterGuestVector(Exc.Int, pc, false, false);
    return true;
  }

  /** The guest may have set or cleared Status.IE on its special page since it last left Disco. */
  private takeSpecialIe(): void {
    const w = this.disco.vcpus.words, c = this.b + V.Cp0;
    const ie = this.cpu.mem.w32[(w[this.b + V.Special] << 10) + Special.Status] & Status.IE;
    w[c + C0.Status] = (w[c + C0.Status] & ~Status.IE) | ie;
  }

  /** Copies the virtual registers the guest reads from its special page there. */
  private syncSpecial(): void {
    const w = this.disco.vcpus.words, b = this.b, c = b + V.Cp0, m = this.cpu.mem.w32;
    const p = w[b + V.Special] << 10;
    m[p + Special.Status] = w[c + C0.Status];
    m[p + Special.Cause] = w[c + C0.Cause] | (Atomics.load(w, b + V.PendingIp) & Status.IM);
    m[p + Special.EPC] = w[c + C0.EPC];
    m[p + Special.BadVAddr] = w[c + C0.BadVAddr];
    m[p + Special.Context] = w[c + C0.Context];
    m[p + Special.EntryHi] = w[c + C0.EntryHi];
    m[p + Special.Index] = w[b + V.Index];
    m[p + Special.Vcpus] = this.disco.shared.vms[w[b + V.Vm]].vcpus;
  }

  // ---------------------------------------------------------------- virtual exceptions

  /** Delivers exception `code` to the guest: virtual EPC, Cause, EXL, and its vector. */
  forward(code: number, epc: number, bd: boolean, badva: number): void {
    const w = this.disco.vcpus.words, b = this.b;
    if (code === Exc.AdEL || code === Exc.AdES || code === Exc.IBE || code === Exc.DBE) w[b + V.Cp0 + C0.BadVAddr] = badva;
    this.charge(DiscoStat.VirtualExceptions, Cost.Forward);
    this.enterGuestVector(code, epc, bd, false);
  }

  private enterGuestVector(code: number, epc: number, bd: boolean, refill: boolean): void {
    const w = this.disco.vcpus.words, b = this.b, c = b + V.Cp0;
    const vectors = this.disco.vectorBase(this.current);
    if ((epc === vectors || epc === ((vectors + 0x180) | 0)) && code >= Exc.TLBL && code <= Exc.IBE && code !== Exc.AdES && this.cpu.cp0[C0.BadVAddr] === epc) {
      // the guest cannot fetch its own exception vector: every exception would come back here
      this.stopVm(`exception ${code} fetching its exception vector at 0x${(epc >>> 0).toString(16)}`);
      return;
    }
    const st = w[c + C0.Status];
    let cause = (w[c + C0.Cause] & ~(Cause.EXC | Cause.BD | (3 << Cause.CE_SHIFT))) | (code << Cause.EXC_SHIFT);
    if (code === Exc.CpU) cause |= ((this.cpu.cp0[C0.Cause] >>> Cause.CE_SHIFT) & 3) << Cause.CE_SHIFT;
    let offset = 0x180;
    if ((st & Status.EXL) === 0) {
      w[c + C0.EPC] = epc;
      if (bd) cause |= Cause.BD;
      if (refill) offset = 0;
    }
    w[c + C0.Cause] = cause;
    w[c + C0.Status] = st | Status.EXL;
    this.syncSpecial();
    const cpu = this.cpu;
    cpu.cp0[C0.Status] = physicalStatus(st | Status.EXL, DISCO_LINES);
    cpu.resume((this.disco.vectorBase(this.current) + offset) | 0);
    cpu.waiting = false;
    this.lastInstructions = cpu.instructions;
    this.lastCycles = cpu.cycles;
  }

  // ---------------------------------------------------------------- TLB misses

  /**
   * A hardware TLB miss, Invalid or Modified exception: the L2TLB (refills only), then the
   * virtual TLB through the pmap; what the guest's own TLB does not allow goes to the guest.
   */
  private tlbMiss(code: number, epc: number, bd: boolean, va: number): void {
    const cpu = this.cpu, d = this.disco, w = d.vcpus.words, b = this.b;
    const asid = w[b + V.Cp0 + C0.EntryHi] & Tlb.ASID_MASK;
    const hw = cpu.mmu.jtlb.lookup(va, asid);
    if ((va & Tlb.VPN2_MASK) === ((SPECIAL_VA - 0x1000) | 0) && this.guestKernel && code !== Exc.Mod) {
      // the special page, in supervisor mode only (user mode cannot reach sseg); the guest writes
      // only its Status.IE there
      this.insertHw(hw, va, asid, Tlb.G, (w[b + V.Special] << Tlb.PFN_SHIFT) | (3 << Tlb.C_SHIFT) | Tlb.D | Tlb.V | Tlb.G);
      this.charge(DiscoStat.L2TlbHits, Cost.L2TlbHit);
      this.resumeGuest(epc);
      return;
    }
    if (hw < 0 && d.l2tlb.lookup(this.current, va, asid)) {
      const l2 = d.l2tlb.words, s = d.l2tlb.hit, lo = (va & 0x1000) !== 0 ? l2[s + 2] : l2[s + 1];
      if (!this.stillBacked(l2[s + 1], l2[s + 3]) || !this.stillBacked(l2[s + 2], l2[s + 4])) d.l2tlb.forget();
      else if ((lo & Tlb.V) !== 0 && (code !== Exc.TLBS || (lo & Tlb.D) !== 0)) {
        this.insertHw(-1, va, asid, l2[s + 1], l2[s + 2]);
        this.charge(DiscoStat.L2TlbHits, Cost.L2TlbHit);
        this.resumeGuest(epc);
        return;
      }
    }
    const i = this.vtlbLookup(va, asid);
    if (i < 0) { this.tlbForward(code === Exc.Mod ? Exc.TLBS : code, epc, bd, va, true); return; }
    const e = b + VTLB + i * 4, mask = w[e] | 0x1fff;
    const odd = (va & ((mask + 1) >>> 1)) !== 0, lo = odd ? w[e + 3] : w[e + 2];
    if ((lo & Tlb.V) === 0) { this.tlbForward(code === Exc.Mod ? Exc.TLBS : code, epc, bd, va, false); return; }
    if (code !== Exc.TLBL && (lo & Tlb.D) === 0) { this.tlbForward(Exc.Mod, epc, bd, va, false); return; }
    if (!this.fill(e, va, asid, hw, code !== Exc.TLBL)) { this.forward((code === Exc.TLBL && va === epc) ? Exc.IBE : Exc.DBE, epc, bd, va); return; }
    this.charge(DiscoStat.PmapFills, Cost.PmapFill);
    this.resumeGuest(epc);
  }

  /**
   * The corrected entry (the paper, 4.2.2): the 4 KB machine pair for va's 8 KB region, built
   * from virtual TLB entry e through the pmap, goes into the hardware TLB (over entry `hw`, or
   * round robin) and the L2TLB. False if a frame of the pair is not the VM's; nothing goes in
   * while a frame is being moved (numa.ts), so the access misses again until it is in place.
   */
  private fill(e: number, va: number, asid: number, hw: number, write: boolean): boolean {
    const w = this.disco.vcpus.words, mask = w[e] | 0x1fff, base = va & Tlb.VPN2_MASK, odd = (va & 0x1000) !== 0;
    const lo0 = this.machineLo(e, mask, base, 0, write && !odd), lo1 = this.machineLo(e, mask, (base + 0x1000) | 0, 1, write && odd);
    if (lo0 === -1 || lo1 === -1) return false;
    if (lo0 === -2 || lo1 === -2) return true;
    this.insertHw(hw, va, asid, lo0, lo1);
    this.disco.l2tlb.insert(this.current, va, asid, (w[e + 2] & w[e + 3] & Tlb.G) !== 0, lo0, lo1, this.ppns[0], this.ppns[1]);
    return true;
  }

  /**
   * Is a (valid) L2TLB half still backed by its machine page (pmap.ts `backs`)? If so the page
   * goes into its backmap, checked again afterwards as in DiscoNode.mapPage.
   */
  private stillBacked(lo: number, ppn: number): boolean {
    if ((lo & Tlb.V) === 0) return true;
    const d = this.disco, pmap = d.pmaps[d.vmOf(this.current)], page = (lo & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT, writable = (lo & Tlb.D) !== 0;
    if (!pmap.backs(ppn, page, writable)) return false;
    d.memmap.mapBy(page, d.vcpus.words[this.b + V.Index]);
    return pmap.backs(ppn, page, writable);
  }

  /**
   * Machine EntryLo for the 4 KB page at va inside virtual TLB entry e (its physical page goes
   * to ppns[half]); -1 if its frame is not the VM's, -2 while it is being moved. A replicated
   * page gives the local replica read-only, unless the access is a `write`.
   */
  private machineLo(e: number, mask: number, va: number, half: number, write: boolean): number {
    const w = this.disco.vcpus.words, odd = (va & ((mask + 1) >>> 1)) !== 0, lo = odd ? w[e + 3] : w[e + 2];
    const g = w[e + 2] & w[e + 3] & Tlb.G;
    this.ppns[half] = -1;
    if ((lo & Tlb.V) === 0) return g;
    const offMask = mask >>> 1;
    const ppn = ((((lo & Tlb.PFN_MASK) >>> Tlb.PFN_SHIFT) & ~(offMask >>> 12)) + ((va & offMask) >>> 12)) >>> 0;
    const entry = this.disco.mapPage(this, ppn, write);
    if (entry === 0 || entry === -1) return entry - 1;
    this.ppns[half] = ppn;
    return (entry & ~REPLICATED) | (lo & (Tlb.C_MASK | ((entry & REPLICATED) !== 0 ? 0 : Tlb.D))) | g;
  }

  /** Writes a 4 KB pair into the hardware TLB (over entry `at`, or round robin). */
  private insertHw(at: number, va: number, asid: number, lo0: number, lo1: number): void {
    const cpu = this.cpu, i = at >= 0 ? at : this.hwNext;
    if (at < 0) this.hwNext = (this.hwNext + 1) & 63;
    cpu.mmu.flushEntry(i);
    cpu.mmu.jtlb.write(i, 0, (va & Tlb.VPN2_MASK) | asid, lo0, lo1);
  }

  /** A miss the guest must handle: its refill vector (refill and not nested) or general vector. */
  private tlbForward(code: number, epc: number, bd: boolean, va: number, refill: boolean): void {
    const w = this.disco.vcpus.words, c = this.b + V.Cp0;
    w[c + C0.BadVAddr] = va;
    w[c + C0.Context] = (w[c + C0.Context] & 0xff800000) | ((va >>> 9) & 0x007ffff0);
    w[c + C0.EntryHi] = (va & Tlb.VPN2_MASK) | (w[c + C0.EntryHi] & Tlb.ASID_MASK);
    this.charge(DiscoStat.ForwardedMisses, Cost.Forward);
    this.enterGuestVector(code, epc, bd, refill);
  }

  /** The virtual TLB entry that maps va for asid, or -1. */
  private vtlbLookup(va: number, asid: number): number {
    const w = this.disco.vcpus.words, b = this.b + VTLB;
    for (let i = 0; i < Tlb.ENTRIES; i++) {
      const e = b + i * 4, m = w[e] | 0x1fff, hi = w[e + 1];
      if (((va ^ hi) & ~m) === 0 && ((w[e + 2] & w[e + 3] & Tlb.G) !== 0 || (hi & Tlb.ASID_MASK) === asid)) return i;
    }
    return -1;
  }

  // ---------------------------------------------------------------- privileged instructions

  /** Emulates the privileged instruction at epc (or in its delay slot) on the virtual CP0. */
  private privileged(epc: number, bd: boolean): void {
    const cpu = this.cpu, at = bd ? (epc + 4) | 0 : epc;
    const pa = cpu.mmu.translate(at, 0, 4);
    if (pa < 0) { this.forward(Exc.RI, epc, bd, 0); return; }
    const instr = cpu.mem.w32[pa >>> 2];
    this.charge(DiscoStat.Privileged, Cost.Privileged);
    const next = bd ? branchTarget(cpu, cpu.mem.w32[cpu.mmu.translate(epc, 0, 4) >>> 2], epc) : (epc + 4) | 0;
    const op = instr >>> 26;
    if (op === 0x2f) { this.resumeGuest(next); return; } // CACHE: no caches to maintain
    if (op !== 0x10) { this.forward(Exc.RI, epc, bd, 0); return; }
    const rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31, rd = (instr >>> 11) & 31, sel = instr & 7;
    const w = this.disco.vcpus.words, b = this.b, c = b + V.Cp0;
    if (rs === 0x00) { // MFC0
      cpu.regs[rt] = sel === 0 ? this.readVcp0(rd) : rd === C0.Context && sel === 2 ? cpu.userLocal : 0;
      if (rt === 0) cpu.regs[0] = 0;
      this.resumeGuest(next);
      return;
    }
    if (rs === 0x04) { // MTC0
      if (sel === 0) this.writeVcp0(rd, cpu.regs[rt]);
      else if (rd === C0.Context && sel === 2) cpu.userLocal = cpu.regs[rt];
      this.resumeGuest(next);
      return;
    }
    if ((rs & 0x10) === 0) { this.forward(Exc.RI, epc, bd, 0); return; }
    switch (instr & 0x3f) {
      case 0x01: { // TLBR
        const e = b + VTLB + (w[c + C0.Index] & 63) * 4;
        w[c + C0.PageMask] = w[e];
        w[c + C0.EntryHi] = w[e + 1];
        w[c + C0.EntryLo0] = w[e + 2];
        w[c + C0.EntryLo1] = w[e + 3];
        this.setAsid(w[e + 1] & Tlb.ASID_MASK);
        break;
      }
      case 0x02: this.writeVtlb(w[c + C0.Index] & 63, false); break; // TLBWI
      case 0x06: this.writeVtlb(this.readVcp0(C0.Random), true); break; // TLBWR
      case 0x08: { // TLBP: also the start of every invalidation, so the L2TLB and hardware drop va
        const hi = w[c + C0.EntryHi], va = hi & Tlb.VPN2_MASK, asid = hi & Tlb.ASID_MASK;
        const i = this.vtlbLookup(va, asid);
        w[c + C0.Index] = i >= 0 ? i : Tlb.PROBE_FAIL;
        this.disco.l2tlb.drop(this.current, va, (va + 0x2000) | 0, asid);
        cpu.mmu.dropOverlapping(va, (va + 0x2000) | 0);
        break;
      }
      case 0x18: { // ERET
        const st = w[c + C0.Status];
        if ((st & Status.ERL) !== 0) { w[c + C0.Status] = st & ~Status.ERL; this.resumeGuest(w[c + C0.ErrorEPC]); }
        else { w[c + C0.Status] = st & ~Status.EXL; this.resumeGuest(w[c + C0.EPC]); }
        cpu.llBit = false;
        return;
      }
      case 0x20: // WAIT: the vCPU is idle until a virtual interrupt (the paper's idle deschedule)
        Atomics.store(w, b + V.State, VState.Idle);
        this.charge(DiscoStat.Privileged, 0);
        this.lastCycles = cpu.cycles;
        this.yieldCpu(next);
        return;
      default: this.forward(Exc.RI, epc, bd, 0); return;
    }
    this.resumeGuest(next);
  }

  private readVcp0(reg: number): number {
    const w = this.disco.vcpus.words, b = this.b, c = b + V.Cp0;
    switch (reg) {
      case C0.Random: {
        const wired = w[c + C0.Wired] & 63;
        return 63 - (Math.floor(this.cpu.instructions) % (64 - wired));
      }
      case C0.Count: return this.cpu.readCount();
      case C0.Cause: this.armTimer(); return w[c + C0.Cause] | (Atomics.load(w, b + V.PendingIp) & Status.IM);
      default: return w[c + reg];
    }
  }

  private writeVcp0(reg: number, v: number): void {
    const w = this.disco.vcpus.words, c = this.b + V.Cp0;
    switch (reg) {
      case C0.Index: w[c + reg] = v & 63; break;
      case C0.EntryLo0: case C0.EntryLo1: w[c + reg] = v & 0x3fffffff; break;
      case C0.Context: w[c + reg] = (v & 0xff800000) | (w[c + reg] & 0x007ffff0); break;
      case C0.PageMask: w[c + reg] = v & Tlb.PAGEMASK_MASK; break;
      case C0.Wired: w[c + reg] = v & 63; break;
      case C0.EntryHi: w[c + reg] = v & (Tlb.VPN2_MASK | Tlb.ASID_MASK); this.setAsid(v & Tlb.ASID_MASK); break;
      case C0.Compare:
        w[c + C0.Compare] = v;
        w[c + C0.Count] = this.cpu.readCount(); // when it was armed
        w[c + C0.Cause] &= ~CAUSE_IP7;
        this.armTimer();
        break;
      case C0.Status: w[c + reg] = v & ~(Status.SR | Status.TS | Status.BEV); break;
      case C0.Cause: w[c + reg] = (w[c + reg] & ~Cause.IP_SW) | (v & Cause.IP_SW); break;
      case C0.Count: case C0.Random: case C0.PRId: case C0.BadVAddr: case C0.Config: break;
      default: w[c + reg] = v;
    }
  }

  /** The guest changed its ASID: the hardware follows (its soft TLBs flush on the change). */
  private setAsid(asid: number): void {
    writeCp0(this.cpu, C0.EntryHi, (this.cpu.cp0[C0.EntryHi] & Tlb.VPN2_MASK) | asid);
  }

  /**
   * TLBWI/TLBWR into virtual entry i: what the new entry maps leaves the hardware and the L2TLB
   * (stale copies of that address), and so does what the old one mapped after a TLBWI (an
   * indexed write may be meant to remove it). The entry a TLBWR evicts, chosen at random, stays
   * in the L2TLB: the guest cannot count on it being gone, and its page tables still map it, so
   * its next miss there is served without the guest (the L2TLB's purpose, 4.2.2).
   */
  private writeVtlb(i: number, random: boolean): void {
    const w = this.disco.vcpus.words, b = this.b, c = b + V.Cp0, e = b + VTLB + i * 4;
    if (!random) this.dropEntry(e);
    const mask = w[c + C0.PageMask] & Tlb.PAGEMASK_MASK;
    w[e] = mask;
    w[e + 1] = w[c + C0.EntryHi] & (Tlb.VPN2_MASK | Tlb.ASID_MASK) & ~mask;
    w[e + 2] = w[c + C0.EntryLo0];
    w[e + 3] = w[c + C0.EntryLo1];
    this.dropEntry(e);
    // Insert the corrected entry at once, for the pair the guest is refilling (BadVAddr, when
    // the entry covers it) or the entry's first pair: the access that missed then hits.
    const asid = w[c + C0.EntryHi] & Tlb.ASID_MASK, lo = w[e + 1] & Tlb.VPN2_MASK, bad = w[c + C0.BadVAddr];
    if (((w[e + 2] | w[e + 3]) & Tlb.V) === 0 || ((w[e + 1] & Tlb.ASID_MASK) !== asid && (w[e + 2] & w[e + 3] & Tlb.G) === 0)) return;
    this.fill(e, ((bad - lo) >>> 0) <= (mask | 0x1fff) ? bad : lo, asid, this.cpu.mmu.jtlb.lookup(lo, asid), false);
  }

  private dropEntry(e: number): void {
    const w = this.disco.vcpus.words, lo = w[e + 1] & Tlb.VPN2_MASK, hi = (lo + (w[e] | 0x1fff) + 1) | 0;
    this.disco.l2tlb.drop(this.current, lo, hi, w[e + 1] & Tlb.ASID_MASK);
    this.cpu.mmu.dropOverlapping(lo, hi);
  }

  /** The monitor call's path back to the guest (mcall.ts). */
  returnFromCall(epc: number): void {
    this.charge(DiscoStat.MonitorCalls, Cost.MonitorCall);
    this.resumeGuest((epc + 4) | 0);
  }

  /** The guest kernel broke itself beyond repair: Disco stops its VM (status 255) and says why on its console. */
  stopVm(reason: string): void {
    const vm = this.disco.vmOf(this.current);
    this.disco.consoles[vm].write(new TextEncoder().encode(`\ndisco: ${this.disco.shared.vms[vm].name} stopped: ${reason}\n`));
    this.disco.haltVm(this.cpu, vm, 255, true);
    this.retire();
  }

  /** The vCPU stopped (halt, or its VM was stopped): take it off this CPU. */
  retire(): void {
    const w = this.disco.vcpus.words;
    Atomics.store(w, this.b + V.State, VState.Halted);
    this.pick();
  }

  /**
   * The guest HAL's whole-TLB flush in one call: the virtual TLB's entries above Wired, the
   * vCPU's L2TLB and the hardware TLB.
   */
  flushTlb(): void {
    const w = this.disco.vcpus.words, b = this.b;
    for (let i = w[b + V.Cp0 + C0.Wired] & 63; i < Tlb.ENTRIES; i++) {
      const e = b + VTLB + i * 4;
      w[e] = 0; w[e + 1] = (0x80000000 + i * 0x2000) | 0; w[e + 2] = 0; w[e + 3] = 0;
    }
    this.disco.l2tlb.flush(this.current);
    this.cpu.mmu.jtlb.reset();
    this.cpu.mmu.flush();
  }

  get vcpuBase(): number { return this.b; }
  get guestKernel(): boolean { return guestKernelMode(this.disco.vcpus.words[this.b + V.Cp0 + C0.Status]); }
}
