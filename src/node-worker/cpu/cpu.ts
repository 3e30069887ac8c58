// SPDX-License-Identifier: MIT
/**
 * The R10000 processor in 32-bit mode: architectural state and the interpreter loop.
 *
 * The loop keeps pc, the next pc and the soft-TLB tables in locals and runs the integer ISA, the
 * loads and stores and the branches inline; CP0, the FPU's arithmetic and rare instructions are
 * calls into their units. A branch sets `npc`, so the next instruction executed is its delay
 * slot; `branchAt` remembers the last branch so an exception in a delay slot sets Cause.BD and
 * EPC to the branch (R10000 manual, section 6.3). Guest exceptions are values (`exc`), never a
 * JavaScript throw; `run()` returns after taking one. `run()` never stops between a branch and its delay slot, so its whole
 * interface to the rest of the machine is `pc` plus the state arrays: a block translator can
 * replace it without touching the units.
 */
import { MachineMemory } from '../../shared/memory.js';
import { isIo } from '../../shared/physmap.js';
import { accumulate, mulHiSigned, mulHiUnsigned } from './alu.js';
import { C0, Cause, CONFIG_R10000, Exc, Mode, PRID_R10000, Status, Vector, CAUSE_IP7, cop0, eret, timerCountToCompare } from './cp0.js';
import { Lazy, fpuOp, fpuOpX, pending, productInRange } from './cp1.js';
import { Bshfl, Cop0Fn, Cop1Rs, Cop1x, Op, RegImm, Special, Special2, Special3 } from './isa.js';
import { Access, Mmu, PhysicalBus, SOFT_TLB_EMPTY, SOFT_TLB_MASK } from './mmu.js';
import type { CacheController } from '../directory.js';
import { Translator, translationDefault } from './translator.js';

/** Indices of HI and LO after the 32 general registers in `regs`. */
export const enum Reg { HI = 32, LO = 33 }

/**
 * Kernel-mode software written in TypeScript (Disco, or the Linux personality of `disco exec`).
 * When installed, it is called after the CPU has taken an exception exactly as the hardware does
 * (Cause, EPC, BadVAddr set, EXL set, pc at the vector) and decides where the CPU goes next.
 */
export interface TrapHandler {
  exception(cpu: Cpu): void;
}

export interface CpuOptions {
  memory: MachineMemory;
  bus?: PhysicalBus | null;
  /** The MIPS32r2 user instructions Debian's C library needs (off with --strict-r10000). */
  r2?: boolean;
  cpuNum?: number;
}

/** Cause bits of the external interrupt lines IP2..IP6. */
export const EXTERNAL_IP = 0x1f << 10;
/**
 * Cycles an exception costs beyond the instructions around it: the pipeline's instructions in
 * flight are discarded and fetch restarts at the vector, and again at the ERET (R10000 manual,
 * 6.1: exceptions are taken at graduation). Charged to whoever handles it: the kernel on the bare
 * machine, Disco under Disco.
 */
export const EXCEPTION_CYCLES = 20;

/** FCSR condition code bit for cc 0..7 (FCC0 is bit 23, FCC1..7 are bits 25..31). */
export function fccBit(cc: number): number { return cc === 0 ? 1 << 23 : 1 << (24 + cc); }

export class Cpu {
  /** r0..r31, HI, LO. */
  readonly regs = new Int32Array(34);
  pc: number = Vector.Reset;
  readonly cp0 = new Int32Array(32);

  /** FPU registers with FR=0 pairing: a double in f2k/f2k+1 is fpd[k] on a little-endian host. */
  readonly fpr32 = new Int32Array(32);
  readonly fpr = new Float32Array(this.fpr32.buffer);
  readonly fpd = new Float64Array(this.fpr32.buffer);
  fcsr = 0;

  readonly mem: MachineMemory;
  readonly mmu: Mmu;
  bus: PhysicalBus | null;
  trapHandler: TrapHandler | null = null;
  readonly r2: boolean;
  readonly cpuNum: number;
  /** UserLocal, read by RDHWR $29 (the thread pointer Linux keeps for set_thread_area). */
  userLocal = 0;

  /** LL/SC reservation: physical address and the value LL read. */
  llBit = false;
  llAddr = 0;
  llValue = 0;

  /** Retired instructions and simulated cycles (doubles: they pass 2^32). */
  instructions = 0;
  cycles = 0;
  /** Count = countBase + cycles/2; compareAt is the cycle at which Count next equals Compare. */
  countBase = 0;
  compareAt = Infinity;

  /** The CPU stops running (exit, halt); `run` returns. */
  stopped = false;
  /** WAIT executed: idle until an interrupt. */
  waiting = false;
  /** Ask `run` to return at the next instruction boundary (state that gates interrupts changed). */
  endSlice = false;

  /**
   * External interrupt lines IP2..IP6, as Cause bits, in a word of shared memory that devices
   * and other nodes set with Atomics (level-triggered: the source clears its bit).
   */
  irqWords: Int32Array | null = null;
  irqIndex = 0;

  /**
   * The cache and coherence timing model (null in functional mode). Each access to RAM first
   * checks the controller's filter; a miss costs the stall cycles the controller returns.
   */
  coherence: CacheController | null = null;
  private filterWords: Int32Array = new Int32Array(1);
  private filterRead = 0;
  private filterWrite = 0;
  private filterMask = 0;
  private lineShift = 7;
  /** Stall cycles charged since the last accounting. */
  stall = 0;

  /** Set by slow paths: the value a slow load read, and CE for Coprocessor Unusable. */
  loaded = 0;
  excCE = 0;

  private readonly fence = new Int32Array(new SharedArrayBuffer(4));

  /** The block translator (translator.ts); null runs the interpreter alone. */
  translator: Translator | null = translationDefault() ? new Translator(this) : null;

  constructor(opts: CpuOptions) {
    this.mem = opts.memory;
    this.bus = opts.bus ?? null;
    this.r2 = opts.r2 ?? true;
    this.cpuNum = opts.cpuNum ?? 0;
    this.mmu = new Mmu(this.cp0, this.mem.size);
    this.reset();
  }

  /** Cold reset: kernel mode, ERL and BEV set, pc at the reset vector (R10000 manual, 6.3.1). */
  reset(): void {
    this.regs.fill(0);
    this.cp0.fill(0);
    this.cp0[C0.Status] = Status.ERL | Status.BEV;
    this.cp0[C0.PRId] = PRID_R10000;
    this.cp0[C0.Config] = CONFIG_R10000;
    this.cp0[C0.Random] = 63;
    this.mmu.jtlb.reset();
    this.mmu.flush();
    this.mmu.updateMode();
    this.pc = Vector.Reset;
    this.fcsr = 0;
    this.llBit = false;
    this.stopped = false;
    this.waiting = false;
  }

  get mode(): Mode { return this.mmu.mode; }

  /**
   * Runs until `budget` instructions have retired (finishing a pending delay slot), the CPU stops,
   * or something ends the slice. Returns the number of instructions retired.
   */
  run(budget: number): number {
    const r = this.regs, m32 = this.mem.w32, m16 = this.mem.u16, m8 = this.mem.u8;
    const mmu = this.mmu, fTag = mmu.fetchTag, fDelta = mmu.fetchDelta;
    const lTag = mmu.loadTag, lDelta = mmu.loadDelta, sTag = mmu.storeTag, sDelta = mmu.storeDelta;
    const r2 = this.r2, coherent = this.coherence !== null;
    let modeBase = mmu.modeBase;
    let cu1 = (this.cp0[C0.Status] & Status.CU1) !== 0;
    let pc = this.pc | 0, npc = (pc + 4) | 0;
    let branchAt = 1; // never equal to an aligned pc - 4
    let fetchPage = SOFT_TLB_EMPTY, fetchDelta = 0;
    let n = 0, accounted = 0;
    let exc = -1;
    this.endSlice = false;
    const tx = this.translator;

    for (;;) {
      if (n >= budget && branchAt !== ((pc - 4) | 0)) break;
      r[0] = 0;
      // ---- block translator hook (translator.ts): a translated block runs from a pc outside a delay slot ----
      if (tx !== null && branchAt !== ((pc - 4) | 0)) {
        const stall0 = this.stall;
        const k = tx.exec(pc, budget - n, modeBase);
        budget -= this.stall - stall0; // stall cycles the blocks' cache misses cost
        if (k > 0) {
          n += k;
          if (tx.exc >= 0) {
            const code = tx.exc;
            tx.exc = -1;
            this.instructions += n - accounted; this.cycles += n - accounted + this.stall; accounted = n; this.stall = 0;
            this.exception(code, tx.cur, tx.bd);
            return n;
          }
          pc = tx.next; npc = (pc + 4) | 0; branchAt = 1;
          continue;
        }
      }
      // ---- end of the translator hook ----
      const cur = pc;
      let instr: number;
      // Instruction fetch through the fetch soft TLB; alignment is part of the tag compare.
      if ((pc & 0xfffff003) === fetchPage) instr = m32[(pc + fetchDelta) >>> 2];
      else {
        const slot = modeBase + ((pc >>> 12) & SOFT_TLB_MASK);
        if (fTag[slot] !== (pc & 0xfffff003)) exc = this.fetch(pc);
        if (exc >= 0) instr = 0;
        else if (fTag[slot] === (pc & 0xfffff003)) {
          fetchPage = fTag[slot]; fetchDelta = fDelta[slot];
          instr = m32[(pc + fetchDelta) >>> 2];
        } else instr = this.loaded; // a device (boot ROM), fetched by the slow path each time
      }

      if (exc < 0) {
        pc = npc;
        npc = (npc + 4) | 0;
        n++;
        const rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31;
        switch (instr >>> 26) {
          case Op.SPECIAL: {
            const rd = (instr >>> 11) & 31;
            switch (instr & 0x3f) {
              case Special.SLL: r[rd] = r[rt] << ((instr >>> 6) & 31); break;
              case Special.SRL:
                if (rs === 1 && r2) { const sa = (instr >>> 6) & 31; r[rd] = (r[rt] >>> sa) | (r[rt] << (32 - sa)); } // ROTR
                else r[rd] = r[rt] >>> ((instr >>> 6) & 31);
                break;
              case Special.SRA: r[rd] = r[rt] >> ((instr >>> 6) & 31); break;
              case Special.SLLV: r[rd] = r[rt] << (r[rs] & 31); break;
              case Special.SRLV:
                if ((instr & 0x7c0) === 0x40 && r2) { const sa = r[rs] & 31; r[rd] = (r[rt] >>> sa) | (r[rt] << (32 - sa)); } // ROTRV
                else r[rd] = r[rt] >>> (r[rs] & 31);
                break;
              case Special.SRAV: r[rd] = r[rt] >> (r[rs] & 31); break;
              case Special.JR: branchAt = cur; npc = r[rs]; break;
              case Special.JALR: branchAt = cur; npc = r[rs]; r[rd] = (cur + 8) | 0; break;
              case Special.MOVZ: if (r[rt] === 0) r[rd] = r[rs]; break;
              case Special.MOVN: if (r[rt] !== 0) r[rd] = r[rs]; break;
              case Special.MOVCI:
                if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
                if (((this.fcsr & fccBit((instr >>> 18) & 7)) !== 0) === ((instr & 0x10000) !== 0)) r[rd] = r[rs];
                break;
              case Special.SYSCALL: exc = Exc.Sys; break;
              case Special.BREAK: exc = Exc.Bp; break;
              case Special.SYNC: Atomics.store(this.fence, 0, 0); break; // a full fence on the host
              case Special.MFHI: r[rd] = r[Reg.HI]; break;
              case Special.MTHI: r[Reg.HI] = r[rs]; break;
              case Special.MFLO: r[rd] = r[Reg.LO]; break;
              case Special.MTLO: r[Reg.LO] = r[rs]; break;
              case Special.MULT: { const a = r[rs], b = r[rt]; r[Reg.LO] = Math.imul(a, b); r[Reg.HI] = mulHiSigned(a, b); break; }
              case Special.MULTU: { const a = r[rs], b = r[rt]; r[Reg.LO] = Math.imul(a, b); r[Reg.HI] = mulHiUnsigned(a, b); break; }
              case Special.DIV: {
                // Division by zero is UNPREDICTABLE; we give what qemu-mips gives (divide by 1).
                const a = r[rs], b = r[rt];
                if (b === 0 || (b === -1 && a === -0x80000000)) { r[Reg.LO] = a; r[Reg.HI] = 0; }
                else { r[Reg.LO] = (a / b) | 0; r[Reg.HI] = (a % b) | 0; }
                break;
              }
              case Special.DIVU: {
                const a = r[rs] >>> 0, b = r[rt] >>> 0;
                if (b === 0) { r[Reg.LO] = a | 0; r[Reg.HI] = 0; }
                else { r[Reg.LO] = Math.floor(a / b) | 0; r[Reg.HI] = (a % b) | 0; }
                break;
              }
              case Special.ADD: { const s = r[rs] + r[rt]; if (s > 0x7fffffff || s < -0x80000000) exc = Exc.Ov; else r[rd] = s; break; }
              case Special.ADDU: r[rd] = (r[rs] + r[rt]) | 0; break;
              case Special.SUB: { const s = r[rs] - r[rt]; if (s > 0x7fffffff || s < -0x80000000) exc = Exc.Ov; else r[rd] = s; break; }
              case Special.SUBU: r[rd] = (r[rs] - r[rt]) | 0; break;
              case Special.AND: r[rd] = r[rs] & r[rt]; break;
              case Special.OR: r[rd] = r[rs] | r[rt]; break;
              case Special.XOR: r[rd] = r[rs] ^ r[rt]; break;
              case Special.NOR: r[rd] = ~(r[rs] | r[rt]); break;
              case Special.SLT: r[rd] = r[rs] < r[rt] ? 1 : 0; break;
              case Special.SLTU: r[rd] = (r[rs] >>> 0) < (r[rt] >>> 0) ? 1 : 0; break;
              case Special.TGE: if (r[rs] >= r[rt]) exc = Exc.Tr; break;
              case Special.TGEU: if ((r[rs] >>> 0) >= (r[rt] >>> 0)) exc = Exc.Tr; break;
              case Special.TLT: if (r[rs] < r[rt]) exc = Exc.Tr; break;
              case Special.TLTU: if ((r[rs] >>> 0) < (r[rt] >>> 0)) exc = Exc.Tr; break;
              case Special.TEQ: if (r[rs] === r[rt]) exc = Exc.Tr; break;
              case Special.TNE: if (r[rs] !== r[rt]) exc = Exc.Tr; break;
              default: exc = Exc.RI; // the 64-bit operations among them
            }
            break;
          }
          case Op.REGIMM: {
            const v = r[rs];
            switch (rt) {
              case RegImm.BLTZ: branchAt = cur; if (v < 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
              case RegImm.BGEZ: branchAt = cur; if (v >= 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
              case RegImm.BLTZL: branchAt = cur; if (v < 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
              case RegImm.BGEZL: branchAt = cur; if (v >= 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
              case RegImm.BLTZAL: branchAt = cur; r[31] = (cur + 8) | 0; if (v < 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
              case RegImm.BGEZAL: branchAt = cur; r[31] = (cur + 8) | 0; if (v >= 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
              case RegImm.BLTZALL: branchAt = cur; r[31] = (cur + 8) | 0; if (v < 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
              case RegImm.BGEZALL: branchAt = cur; r[31] = (cur + 8) | 0; if (v >= 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
              case RegImm.TGEI: if (v >= (instr << 16) >> 16) exc = Exc.Tr; break;
              case RegImm.TGEIU: if ((v >>> 0) >= (((instr << 16) >> 16) >>> 0)) exc = Exc.Tr; break;
              case RegImm.TLTI: if (v < (instr << 16) >> 16) exc = Exc.Tr; break;
              case RegImm.TLTIU: if ((v >>> 0) < (((instr << 16) >> 16) >>> 0)) exc = Exc.Tr; break;
              case RegImm.TEQI: if (v === (instr << 16) >> 16) exc = Exc.Tr; break;
              case RegImm.TNEI: if (v !== (instr << 16) >> 16) exc = Exc.Tr; break;
              default: exc = Exc.RI;
            }
            break;
          }
          case Op.J: branchAt = cur; npc = ((cur + 4) & 0xf0000000) | ((instr & 0x3ffffff) << 2); break;
          case Op.JAL: branchAt = cur; r[31] = (cur + 8) | 0; npc = ((cur + 4) & 0xf0000000) | ((instr & 0x3ffffff) << 2); break;
          case Op.BEQ: branchAt = cur; if (r[rs] === r[rt]) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
          case Op.BNE: branchAt = cur; if (r[rs] !== r[rt]) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
          case Op.BLEZ: branchAt = cur; if (r[rs] <= 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
          case Op.BGTZ: branchAt = cur; if (r[rs] > 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; break;
          case Op.BEQL: branchAt = cur; if (r[rs] === r[rt]) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
          case Op.BNEL: branchAt = cur; if (r[rs] !== r[rt]) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
          case Op.BLEZL: branchAt = cur; if (r[rs] <= 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
          case Op.BGTZL: branchAt = cur; if (r[rs] > 0) npc = (cur + 4 + ((instr << 16) >> 14)) | 0; else { pc = npc; npc = (npc + 4) | 0; } break;
          case Op.ADDI: { const s = r[rs] + ((instr << 16) >> 16); if (s > 0x7fffffff || s < -0x80000000) exc = Exc.Ov; else r[rt] = s; break; }
          case Op.ADDIU: r[rt] = (r[rs] + ((instr << 16) >> 16)) | 0; break;
          case Op.SLTI: r[rt] = r[rs] < ((instr << 16) >> 16) ? 1 : 0; break;
          case Op.SLTIU: r[rt] = (r[rs] >>> 0) < (((instr << 16) >> 16) >>> 0) ? 1 : 0; break;
          case Op.ANDI: r[rt] = r[rs] & (instr & 0xffff); break;
          case Op.ORI: r[rt] = r[rs] | (instr & 0xffff); break;
          case Op.XORI: r[rt] = r[rs] ^ (instr & 0xffff); break;
          case Op.LUI: r[rt] = instr << 16; break;

          case Op.LB: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff000)) { const pa = (va + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); r[rt] = (m8[pa ^ 3] << 24) >> 24; }
            else if ((exc = this.load(va, 1)) < 0) r[rt] = (this.loaded << 24) >> 24;
            break;
          }
          case Op.LBU: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff000)) { const pa = (va + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); r[rt] = m8[pa ^ 3]; }
            else if ((exc = this.load(va, 1)) < 0) r[rt] = this.loaded & 0xff;
            break;
          }
          case Op.LH: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff001)) { const pa = (va + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); r[rt] = (m16[(pa ^ 2) >>> 1] << 16) >> 16; }
            else if ((exc = this.load(va, 2)) < 0) r[rt] = (this.loaded << 16) >> 16;
            break;
          }
          case Op.LHU: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff001)) { const pa = (va + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); r[rt] = m16[(pa ^ 2) >>> 1]; }
            else if ((exc = this.load(va, 2)) < 0) r[rt] = this.loaded & 0xffff;
            break;
          }
          case Op.LW: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff003)) { const pa = (va + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); r[rt] = m32[pa >>> 2]; }
            else if ((exc = this.load(va, 4)) < 0) r[rt] = this.loaded;
            break;
          }
          case Op.LWL: case Op.LWR: {
            // Unaligned load halves (MIPS IV manual, LWL/LWR): merge bytes of the aligned word.
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, wa = va & ~3, s = modeBase + ((wa >>> 12) & SOFT_TLB_MASK);
            let w: number;
            if (lTag[s] === (wa & 0xfffff003)) { const pa = (wa + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); w = m32[pa >>> 2]; }
            else if ((exc = this.load(wa, 4)) < 0) w = this.loaded;
            else break;
            const b = va & 3;
            if ((instr >>> 26) === Op.LWL) r[rt] = b === 0 ? w : (w << (8 * b)) | (r[rt] & ((1 << (8 * b)) - 1));
            else r[rt] = b === 3 ? w : (w >>> (8 * (3 - b))) | (r[rt] & ~(-1 >>> (8 * (3 - b))));
            break;
          }
          case Op.SB: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (sTag[s] === (va & 0xfffff000)) { const pa = (va + sDelta[s]) | 0; if (coherent) budget -= this.touch(pa, true); m8[pa ^ 3] = r[rt]; }
            else exc = this.store(va, 1, r[rt] & 0xff);
            break;
          }
          case Op.SH: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (sTag[s] === (va & 0xfffff001)) { const pa = (va + sDelta[s]) | 0; if (coherent) budget -= this.touch(pa, true); m16[(pa ^ 2) >>> 1] = r[rt]; }
            else exc = this.store(va, 2, r[rt] & 0xffff);
            break;
          }
          case Op.SW: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (sTag[s] === (va & 0xfffff003)) { const pa = (va + sDelta[s]) | 0; if (coherent) budget -= this.touch(pa, true); m32[pa >>> 2] = r[rt]; }
            else exc = this.store(va, 4, r[rt]);
            break;
          }
          case Op.SWL: case Op.SWR: {
            // Unaligned store halves: read-modify-write of the aligned word (store permission first).
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, wa = va & ~3;
            const pa = mmu.translate(wa, Access.Store, 4);
            if (pa < 0) { exc = mmu.excCode; break; }
            const w = this.readPhys(pa, 4);
            if (w === null) { exc = Exc.DBE; break; }
            const b = va & 3, v = r[rt];
            let nw: number;
            if ((instr >>> 26) === Op.SWL) nw = b === 0 ? v : (w & ~(-1 >>> (8 * b))) | (v >>> (8 * b));
            else nw = b === 3 ? v : (w & (-1 >>> (8 * (b + 1)))) | (v << (8 * (3 - b)));
            if (!this.writePhys(pa, 4, nw)) exc = Exc.DBE;
            break;
          }
          case Op.LL: {
            const va = (r[rs] + ((instr << 16) >> 16)) | 0;
            const pa = mmu.translate(va, Access.Load, 4);
            if (pa < 0) { exc = mmu.excCode; break; }
            const w = this.readPhys(pa, 4);
            if (w === null) { exc = Exc.DBE; break; }
            this.llBit = true; this.llAddr = pa; this.llValue = w;
            this.cp0[C0.LLAddr] = pa >>> 4;
            r[rt] = w;
            break;
          }
          case Op.SC: {
            // SC succeeds only if the reservation holds and memory still has the value LL read:
            // a compare-and-exchange, so guest locks stay correct across host threads.
            const va = (r[rs] + ((instr << 16) >> 16)) | 0;
            const pa = mmu.translate(va, Access.Store, 4);
            if (pa < 0) { exc = mmu.excCode; break; }
            let ok = 0;
            if (this.llBit && this.llAddr === pa && pa + 4 <= this.mem.size) {
              if (coherent) budget -= this.touch(pa, true);
              ok = Atomics.compareExchange(m32, pa >>> 2, this.llValue, r[rt]) === this.llValue ? 1 : 0;
            }
            this.llBit = false;
            r[rt] = ok;
            break;
          }
          case Op.CACHE:
            if (mmu.mode !== Mode.Kernel && (this.cp0[C0.Status] & Status.CU0) === 0) { exc = Exc.CpU; this.excCE = 0; }
            break;
          case Op.PREF: break;

          case Op.COP0:
            this.instructions += n - accounted; this.cycles += n - accounted; accounted = n;
            if (mmu.mode !== Mode.Kernel && (this.cp0[C0.Status] & Status.CU0) === 0) { exc = Exc.CpU; this.excCE = 0; break; }
            if ((instr & 0x0200003f) === (0x02000000 | Cop0Fn.ERET)) {
              eret(this);
              pc = this.pc; npc = (pc + 4) | 0; branchAt = 1;
            } else {
              exc = cop0(this, instr);
            }
            modeBase = mmu.modeBase; fetchPage = SOFT_TLB_EMPTY;
            cu1 = (this.cp0[C0.Status] & Status.CU1) !== 0;
            if (this.endSlice) budget = 0;
            break;

          case Op.COP1:
            if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
            if (rs === Cop1Rs.BC) {
              // BC1F, BC1T, BC1FL, BC1TL on condition code instr[20:18]
              const cond = (this.fcsr & fccBit((instr >>> 18) & 7)) !== 0;
              branchAt = cur;
              if (cond === ((instr & 0x10000) !== 0)) npc = (cur + 4 + ((instr << 16) >> 14)) | 0;
              else if ((instr & 0x20000) !== 0) { pc = npc; npc = (npc + 4) | 0; }
            } else if (rs === Cop1Rs.D && (instr & Lazy.D_OP_MASK) < Lazy.D_OP_LIMIT && (this.fcsr & Lazy.MASK) === Lazy.READY && pending.cpu === this) {
              // ADD.D, SUB.D, MUL.D: cp1.ts's fast path, inline, with Cause.I left pending
              const d = this.fpd, a = d[(instr >>> 12) & 15], b = d[(instr >>> 17) & 15], fn = instr & 3;
              const v = fn === 0 ? a + b : fn === 1 ? a - b : a * b;
              if (fn === 2 ? productInRange(a, b, v) : v - v === 0) {
                d[(instr >>> 7) & 15] = v; pending.ops[0] = a; pending.ops[1] = b; pending.kind = Lazy.D_KIND | fn;
                this.fcsr = pending.fcsr = this.fcsr & ~Lazy.CAUSE;
              } else exc = fpuOp(this, instr);
            } else exc = fpuOp(this, instr);
            break;
          case Op.COP1X: {
            if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
            const fn = instr & 0x3f;
            if ((instr & Lazy.MADD_D_MASK) === Lazy.MADD_D_OP && (this.fcsr & Lazy.MASK) === Lazy.READY && pending.cpu === this) {
              // MADD.D: cp1.ts's fast path, inline, with Cause.I left pending
              const d = this.fpd, a = d[(instr >>> 12) & 15], b = d[(instr >>> 17) & 15], c = d[(instr >>> 22) & 15], p = a * b, v = p + c;
              if (productInRange(a, b, p) && v - v === 0) {
                d[(instr >>> 7) & 15] = v; pending.ops[0] = a; pending.ops[1] = b; pending.ops[2] = c; pending.kind = Lazy.MADD_D;
                this.fcsr = pending.fcsr = this.fcsr & ~Lazy.CAUSE;
              } else exc = fpuOpX(this, instr);
              break;
            }
            if (fn >= 0x20) { exc = fpuOpX(this, instr); break; }
            const va = (r[rs] + r[rt]) | 0, fd = (instr >>> 6) & 31, fs = (instr >>> 11) & 31;
            if (fn === Cop1x.LWXC1) { if ((exc = this.load(va, 4)) < 0) this.fpr32[fd] = this.loaded; }
            else if (fn === Cop1x.LDXC1) exc = this.loadDouble(va, fd);
            else if (fn === Cop1x.SWXC1) exc = this.store(va, 4, this.fpr32[fs]);
            else if (fn === Cop1x.SDXC1) exc = this.storeDouble(va, fs);
            else if (fn !== Cop1x.PREFX) exc = Exc.RI;
            break;
          }
          case Op.LWC1: {
            if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff003)) { const pa = (va + lDelta[s]) | 0; if (coherent) budget -= this.touch(pa, false); this.fpr32[rt] = m32[pa >>> 2]; }
            else if ((exc = this.load(va, 4)) < 0) this.fpr32[rt] = this.loaded;
            break;
          }
          case Op.SWC1: {
            if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (sTag[s] === (va & 0xfffff003)) { const pa = (va + sDelta[s]) | 0; if (coherent) budget -= this.touch(pa, true); m32[pa >>> 2] = this.fpr32[rt]; }
            else exc = this.store(va, 4, this.fpr32[rt]);
            break;
          }
          case Op.LDC1: {
            if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
            // Big-endian doubleword: the word at va is the high half (odd register with FR=0).
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (lTag[s] === (va & 0xfffff007)) {
              const pa = (va + lDelta[s]) | 0, w = pa >>> 2, f = this.fpr32;
              if (coherent) budget -= this.touch(pa, false);
              f[rt | 1] = m32[w]; f[rt & ~1] = m32[w + 1];
            } else exc = this.loadDouble(va, rt);
            break;
          }
          case Op.SDC1: {
            if (!cu1) { exc = Exc.CpU; this.excCE = 1; break; }
            const va = (r[rs] + ((instr << 16) >> 16)) | 0, s = modeBase + ((va >>> 12) & SOFT_TLB_MASK);
            if (sTag[s] === (va & 0xfffff007)) {
              const pa = (va + sDelta[s]) | 0, w = pa >>> 2, f = this.fpr32;
              if (coherent) budget -= this.touch(pa, true);
              m32[w] = f[rt | 1]; m32[w + 1] = f[rt & ~1];
            } else exc = this.storeDouble(va, rt);
            break;
          }

          case Op.SPECIAL2: {
            const rd = (instr >>> 11) & 31;
            if (!r2) { exc = Exc.RI; break; }
            switch (instr & 0x3f) {
              case Special2.MUL: r[rd] = Math.imul(r[rs], r[rt]); break;
              case Special2.MADD: accumulate(r, Reg.HI, Reg.LO, mulHiSigned(r[rs], r[rt]), Math.imul(r[rs], r[rt]), 1); break;
              case Special2.MADDU: accumulate(r, Reg.HI, Reg.LO, mulHiUnsigned(r[rs], r[rt]), Math.imul(r[rs], r[rt]), 1); break;
              case Special2.MSUB: accumulate(r, Reg.HI, Reg.LO, mulHiSigned(r[rs], r[rt]), Math.imul(r[rs], r[rt]), -1); break;
              case Special2.MSUBU: accumulate(r, Reg.HI, Reg.LO, mulHiUnsigned(r[rs], r[rt]), Math.imul(r[rs], r[rt]), -1); break;
              case Special2.CLZ: r[rd] = Math.clz32(r[rs]); break;
              case Special2.CLO: r[rd] = Math.clz32(~r[rs]); break;
              default: exc = Exc.RI;
            }
            break;
          }
          case Op.SPECIAL3:
            if (!r2) { exc = Exc.RI; break; }
            exc = this.special3(instr, rs, rt);
            break;

          default: exc = Exc.RI; // 64-bit loads and stores, COP2, reserved opcodes
        }
      }

      if (exc >= 0) {
        this.instructions += n - accounted; this.cycles += n - accounted + this.stall; accounted = n; this.stall = 0;
        this.exception(exc, cur, branchAt === ((cur - 4) | 0));
        return n; // run() returns at every exception: the caller sees each one
      }
    }
    this.pc = pc;
    this.instructions += n - accounted;
    this.cycles += n - accounted + this.stall;
    this.stall = 0;
    return n;
  }

  /** SPECIAL3 of MIPS32r2: EXT, INS, WSBH/SEB/SEH and RDHWR. Returns an exception code or -1. */
  private special3(instr: number, rs: number, rt: number): number {
    const r = this.regs, rd = (instr >>> 11) & 31, sa = (instr >>> 6) & 31;
    switch (instr & 0x3f) {
      case Special3.EXT: { // size-1 in rd, lsb in sa
        const size = rd + 1;
        r[rt] = size >= 32 ? r[rs] >>> sa : (r[rs] >>> sa) & ((1 << size) - 1);
        return -1;
      }
      case Special3.INS: { // msb in rd, lsb in sa
        if (rd < sa) return -1; // UNPREDICTABLE; leave rt unchanged
        const size = rd - sa + 1;
        const mask = (size >= 32 ? -1 : ((1 << size) - 1)) << sa;
        r[rt] = (r[rt] & ~mask) | ((r[rs] << sa) & mask);
        return -1;
      }
      case Special3.BSHFL:
        switch (sa) {
          case Bshfl.WSBH: { const v = r[rt]; r[rd] = ((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff); return -1; }
          case Bshfl.SEB: r[rd] = (r[rt] << 24) >> 24; return -1;
          case Bshfl.SEH: r[rd] = (r[rt] << 16) >> 16; return -1;
          default: return Exc.RI;
        }
      case Special3.RDHWR:
        switch (rd) {
          case 0: r[rt] = this.cpuNum; return -1;            // CPUNum
          case 1: r[rt] = 0; return -1;                      // SYNCI_Step: no caches to synchronise
          case 2: r[rt] = this.readCount(); return -1;       // CC
          case 3: r[rt] = 2; return -1;                      // CCRes: Count ticks every 2 cycles
          case 29: r[rt] = this.userLocal; return -1;        // ULR
          default: return Exc.RI;
        }
      default: return Exc.RI;
    }
  }

  /** The cache model for an access to RAM: free when the filter allows it, else a transaction (also called by translated blocks). */
  touch(pa: number, write: boolean): number {
    const line = pa >>> this.lineShift;
    if (this.filterWords[(write ? this.filterWrite : this.filterRead) + (line & this.filterMask)] === line) return 0;
    const lat = this.coherence!.access(pa, write);
    this.stall += lat;
    return lat;
  }

  /** Attaches the cache and coherence model (timing mode). */
  attachCoherence(c: CacheController): void {
    this.coherence = c;
    const f = c.filter;
    this.filterWords = f.words; this.filterRead = f.read; this.filterWrite = f.write; this.filterMask = f.mask; this.lineShift = f.shift;
  }

  /** Slow fetch: translation (filling the fetch soft TLB for RAM), or a device. */
  private fetch(pc: number): number {
    const pa = this.mmu.translate(pc, Access.Fetch, 4);
    if (pa < 0) return this.mmu.excCode;
    const v = this.readPhys(pa, 4);
    if (v === null) return Exc.IBE;
    this.loaded = v;
    return -1;
  }

  /** Slow load: translation, RAM or device. Returns -1 (value in `loaded`) or an exception code. */
  load(va: number, size: number): number {
    const pa = this.mmu.translate(va, Access.Load, size);
    if (pa < 0) return this.mmu.excCode;
    const v = this.readPhys(pa, size);
    if (v === null) return Exc.DBE;
    this.loaded = v;
    return -1;
  }

  /** Slow store. Returns -1 or an exception code. */
  store(va: number, size: number, value: number): number {
    const pa = this.mmu.translate(va, Access.Store, size);
    if (pa < 0) return this.mmu.excCode;
    return this.writePhys(pa, size, value) ? -1 : Exc.DBE;
  }

  private loadDouble(va: number, ft: number): number {
    if ((va & 7) !== 0) { this.cp0[C0.BadVAddr] = va; return Exc.AdEL; }
    let e = this.load(va, 4);
    if (e >= 0) return e;
    const hi = this.loaded;
    e = this.load((va + 4) | 0, 4);
    if (e >= 0) return e;
    this.fpr32[ft | 1] = hi;
    this.fpr32[ft & ~1] = this.loaded;
    return -1;
  }

  private storeDouble(va: number, ft: number): number {
    if ((va & 7) !== 0) { this.cp0[C0.BadVAddr] = va; return Exc.AdES; }
    // Check both words before writing either, so a fault leaves memory unchanged.
    const pa0 = this.mmu.translate(va, Access.Store, 4);
    if (pa0 < 0) return this.mmu.excCode;
    const pa1 = this.mmu.translate((va + 4) | 0, Access.Store, 4);
    if (pa1 < 0) return this.mmu.excCode;
    if (!this.writePhys(pa0, 4, this.fpr32[ft | 1])) return Exc.DBE;
    return this.writePhys(pa1, 4, this.fpr32[ft & ~1]) ? -1 : Exc.DBE;
  }

  /** Reads RAM or a device at a physical address; null is a bus error. */
  readPhys(pa: number, size: number): number | null {
    if (pa + size <= this.mem.size && !isIo(pa)) {
      if (this.coherence !== null) this.touch(pa, false);
      return size === 4 ? this.mem.w32[pa >>> 2] : size === 2 ? this.mem.u16[(pa ^ 2) >>> 1] : this.mem.u8[pa ^ 3];
    }
    if (this.bus === null || !this.bus.claims(pa)) return null;
    return this.bus.read(pa, size);
  }

  writePhys(pa: number, size: number, value: number): boolean {
    if (pa + size <= this.mem.size && !isIo(pa)) {
      if (this.coherence !== null) this.touch(pa, true);
      if (this.mmu.storeThrough) { // sequentially consistent: a seq-cst atomic store (a full fence on the host)
        if (size === 4) Atomics.store(this.mem.w32, pa >>> 2, value);
        else if (size === 2) Atomics.store(this.mem.u16, (pa ^ 2) >>> 1, value);
        else Atomics.store(this.mem.u8, pa ^ 3, value);
      } else if (size === 4) this.mem.w32[pa >>> 2] = value;
      else if (size === 2) this.mem.u16[(pa ^ 2) >>> 1] = value;
      else this.mem.u8[pa ^ 3] = value;
      return true;
    }
    if (this.bus === null || !this.bus.claims(pa)) return false;
    return this.bus.write(pa, size, value);
  }

  /**
   * Takes exception `code` raised by the instruction at `cur` (R10000 manual, 6.3): EPC, Cause.BD
   * and ExcCode, EXL, and the vector; then hands over to the trap handler if one is installed.
   */
  exception(code: number, cur: number, bd: boolean): void {
    const cp0 = this.cp0, st = cp0[C0.Status];
    let cause = cp0[C0.Cause] & ~(Cause.EXC | (3 << Cause.CE_SHIFT));
    let offset = 0x180;
    if ((st & Status.EXL) === 0) {
      cp0[C0.EPC] = bd ? (cur - 4) | 0 : cur;
      cause = bd ? cause | Cause.BD : cause & ~Cause.BD;
      if ((code === Exc.TLBL || code === Exc.TLBS) && this.mmu.excRefill) offset = 0;
    }
    this.mmu.excRefill = false;
    this.cycles += EXCEPTION_CYCLES;
    cause |= code << Cause.EXC_SHIFT;
    if (code === Exc.CpU) cause |= this.excCE << Cause.CE_SHIFT;
    cp0[C0.Cause] = cause;
    cp0[C0.Status] = st | Status.EXL;
    this.pc = (((st & Status.BEV) !== 0 ? Vector.BevRefillBase : Vector.RefillBase) + offset) | 0;
    this.mmu.updateMode();
    if (this.trapHandler !== null) this.trapHandler.exception(this);
  }

  /** For trap handlers: return from the exception to `pc` (clears EXL, breaks LL, like ERET). */
  resume(pc: number): void {
    this.cp0[C0.Status] &= ~Status.EXL;
    this.llBit = false;
    this.pc = pc | 0;
    this.mmu.updateMode();
  }

  /**
   * Runs for about `cycles` simulated cycles: the timer (Count = Compare raises IP7) and pending
   * interrupts are checked between slices; a CPU in WAIT idles until an interrupt or the end.
   */
  step(cycles: number): void {
    const end = this.cycles + cycles;
    while (!this.stopped && this.cycles < end) {
      if (this.cycles >= this.compareAt) {
        this.cp0[C0.Cause] |= CAUSE_IP7;
        this.compareAt += 2 * 0x100000000;
      }
      this.syncIrq();
      if (this.interruptPending()) {
        this.waiting = false;
        this.exception(Exc.Int, this.pc, false);
      }
      const slice = Math.min(end, this.compareAt) - this.cycles;
      if (this.waiting) this.cycles += slice;
      else this.run(Math.max(1, Math.ceil(slice)));
    }
  }

  /** Copies the external interrupt lines into Cause.IP6..IP2. */
  syncIrq(): void {
    if (this.irqWords === null) return;
    const lines = Atomics.load(this.irqWords, this.irqIndex) & EXTERNAL_IP;
    this.cp0[C0.Cause] = (this.cp0[C0.Cause] & ~EXTERNAL_IP) | lines;
  }

  /** An enabled interrupt is pending: IE set, EXL and ERL clear, and IP & IM not zero. */
  interruptPending(): boolean {
    const st = this.cp0[C0.Status];
    return (st & (Status.IE | Status.EXL | Status.ERL)) === Status.IE && (this.cp0[C0.Cause] & st & Status.IM) !== 0;
  }

  readCount(): number {
    return (this.countBase + Math.floor(this.cycles / 2)) | 0;
  }

  /** Sets Count (mtc0) and recomputes when it next reaches Compare. */
  writeCount(value: number): void {
    this.countBase = value - Math.floor(this.cycles / 2);
    this.compareAt = this.cycles + 2 * timerCountToCompare(this);
  }

  stop(): void {
    this.stopped = true;
  }
}
