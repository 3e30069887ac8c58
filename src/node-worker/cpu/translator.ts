// SPDX-License-Identifier: MIT
/**
 * Block translator: turns a basic block of MIPS code into one JavaScript function.
 *
 * A block starts at any pc the interpreter loop reaches outside a delay slot and runs straight
 * through up to and including a branch or jump and its delay slot, or up to MAX_BLOCK
 * instructions, the end of the 4 KB page, or the first instruction the translator leaves to the
 * interpreter (COP0, LL/SC, CACHE, reserved encodings, a branch whose delay slot it cannot take).
 * The function keeps the general registers it uses in locals (loaded at entry, stored back at
 * every exit), does loads and stores through the soft TLBs of `Mmu` exactly as the interpreter's
 * fast path does (alignment folded into the tag compare) and falls back to `Cpu.load`/`Cpu.store`.
 *
 * Interface with `Cpu.run` (the hook in cpu.ts): `exec(pc, left, modeBase)` returns the number of
 * instructions it retired (0: nothing done, the interpreter executes one instruction), the next
 * pc in `next`, and, when the block stopped at an exception, its code, pc and BD bit in `exc`,
 * `cur` and `bd`: run() then takes it with `Cpu.exception` exactly as the interpreter would (the
 * faulting instruction is counted, as in the interpreter). A block never ends between a branch
 * and its delay slot, and is only run when it cannot pass the instruction budget, so run() stops
 * at the same instruction with or without translation.
 *
 * A block whose branch goes back to its own first instruction iterates inside the function (registers
 * stay in locals) while the budget allows. FPU instructions are inline where the interpreter has
 * them inline (moves, loads, stores, BC1, and cp1.ts's lazy-Cause fast paths for ADD/SUB/MUL/DIV/
 * SQRT.D and MADD.D) and calls to fpuOp/fpuOpX otherwise; a block with FPU instructions is left to
 * the interpreter while Status.CU1 is clear (so it raises Coprocessor Unusable).
 *
 * Code changes: every block compares its instruction words with memory at entry (at the physical
 * address it is about to run from), so a write by anyone (this CPU, another CPU or thread, DMA,
 * the host copying a program or a signal trampoline into guest memory) is seen the next time the
 * block is entered; a stale block is translated again. A block that stores into its own page ends
 * right after the store (a self-looping block stops iterating), so a store into the rest of the
 * same block is seen too. Not re-checked: iterations of a self-looping block against writes from
 * other threads (seen when the loop ends, at the latest at the end of the run() slice).
 *
 * On by default; DISCO_TRANSLATE=0 in the environment turns it off (=1 forces it on). With the
 * cache/coherence timing model (Cpu.coherence), every access to RAM calls Cpu.touch and its stall
 * cycles come off the block's budget.
 *
 * Cache: blocks are keyed by virtual pc and physical address (the code embeds virtual pcs); a
 * direct-mapped table in front of a Map. A start address is translated after it was reached
 * HOT times, so code that runs once is not compiled.
 */
import { accumulate, mulHiSigned, mulHiUnsigned } from './alu.js';
import { C0, Exc, Status } from './cp0.js';
import { Lazy, fpuOp, fpuOpX, pending, productInRange } from './cp1.js';
import type { Cpu } from './cpu.js';
import { Bshfl, Cop1Rs, Cop1x, Op, RegImm, Special, Special2, Special3 } from './isa.js';
import { SOFT_TLB_MASK } from './mmu.js';

/** A translated block: (physical word index of its first instruction, budget left, mode base). */
type BlockFn = (w: number, left: number, mb: number) => number;

const MAX_BLOCK = 64;
const DM_BITS = 12;
const DM_SIZE = 1 << DM_BITS;
const DM_MASK = DM_SIZE - 1;
/** Executions of a start address before it is translated. */
const HOT = 4;
/** Entries kept before the cache is dropped wholesale. */
const MAX_ENTRIES = 1 << 16;

interface Entry { hits: number; fn: BlockFn | null }

const NONE: BlockFn = () => 0;

const hex = (v: number): string => '0x' + (v >>> 0).toString(16);
const s16 = (instr: number): number => (instr << 16) >> 16;

/** The FPU's fast-path state is usable: FCSR round to nearest, no exception enabled, Flags.I set, and this CPU owns `pending`. */
const READY = `(cpu.fcsr & ${Lazy.MASK}) === ${Lazy.READY} && P.cpu === cpu`;
/** An odd fd, fs or ft of a double operation (instruction bits 6, 11, 16). */
const ODD_D = 0x10840;
/** cp1.ts's bounds for its DIV.D and SQRT.D fast paths (copied: the results must be identical). */
const FAST_LO = 2 ** -966, FAST_HI = 2 ** 995, FAST_Q_LO = 2 ** -1021, SQRT_LO = 2 ** -960, SQRT_HI = 2 ** 1000;

/** Whether translation is on for new CPUs (env DISCO_TRANSLATE=0 turns it off, =1 on). */
export function translationDefault(): boolean {
  const v = typeof process !== 'undefined' ? process.env.DISCO_TRANSLATE : undefined;
  if (v === '0' || v === 'off' || v === 'false') return false;
  if (v === '1' || v === 'on' || v === 'true') return true;
  return DEFAULT_ON;
}
const DEFAULT_ON = true;

/** Unaligned store halves (SWL/SWR), as in the interpreter: store permission first, then read-modify-write. */
function storeLR(cpu: Cpu, swl: boolean, va: number, v: number): number {
  const mmu = cpu.mmu, wa = va & ~3;
  const pa = mmu.translate(wa, 2 /* Access.Store */, 4);
  if (pa < 0) return mmu.excCode;
  const w = cpu.readPhys(pa, 4);
  if (w === null) return Exc.DBE;
  const b = va & 3;
  let nw: number;
  if (swl) nw = b === 0 ? v : (w & ~(-1 >>> (8 * b))) | (v >>> (8 * b));
  else nw = b === 3 ? v : (w & (-1 >>> (8 * (b + 1)))) | (v << (8 * (3 - b)));
  return cpu.writePhys(pa, 4, nw) ? -1 : Exc.DBE;
}

export class Translator {
  /** Results of exec(): the next pc, and the exception (code, pc, BD) the block stopped at, if any. */
  next = 0;
  exc = -1;
  cur = 0;
  bd = false;
  /** Statistics. */
  compiled = 0;
  stale = 0;
  /** Entries of a start address before it is translated (tests set 1). */
  hot = HOT;

  private readonly tagVa = new Int32Array(DM_SIZE).fill(1);
  private readonly tagPa = new Int32Array(DM_SIZE);
  private readonly fns: BlockFn[] = new Array<BlockFn>(DM_SIZE).fill(NONE);
  private readonly map = new Map<number, Entry>();
  private readonly fence = new Int32Array(new SharedArrayBuffer(4));
  private readonly helpers: Record<string, unknown>;

  constructor(private readonly cpu: Cpu) {
    this.helpers = { mulHiSigned, mulHiUnsigned, accumulate, fpuOp, fpuOpX, pending, productInRange, storeLR, fence: this.fence };
  }

  /** Drops every translation. */
  flush(): void {
    this.map.clear();
    this.tagVa.fill(1);
    this.fns.fill(NONE);
  }

  /**
   * Runs the block at pc if there is one (or it is now hot enough to translate) and it fits in
   * `left` instructions. Returns the number of instructions retired, 0 when nothing ran.
   */
  exec(pc: number, left: number, modeBase: number): number {
    const mmu = this.cpu.mmu, fTag = mmu.fetchTag, fDelta = mmu.fetchDelta, tagVa = this.tagVa, tagPa = this.tagPa, fns = this.fns;
    let total = 0;
    const cpu = this.cpu, stall0 = cpu.stall;
    // Runs blocks back to back while each one fits in the budget (less the stall cycles the cache
    // model charged meanwhile) and none stops at an exception.
    for (;;) {
      const slot = modeBase + ((pc >>> 12) & SOFT_TLB_MASK);
      if (fTag[slot] !== (pc & 0xfffff003)) return total;
      const pa = (pc + fDelta[slot]) | 0;
      const i = (pc >>> 2) & DM_MASK;
      let f: BlockFn;
      if (tagVa[i] === pc && tagPa[i] === pa) f = fns[i];
      else {
        const g = this.find(pc, pa);
        if (g === null) return total;
        f = g;
        tagVa[i] = pc; tagPa[i] = pa; fns[i] = f;
      }
      let k = f(pa >>> 2, left - total - (cpu.stall - stall0), modeBase);
      if (k < 0) { // the code changed: translate it again
        this.stale++;
        f = this.translate(pc, pa);
        this.map.set((pc >>> 0) * 1048576 + (pa >>> 12), { hits: this.hot, fn: f });
        fns[i] = f;
        k = f(pa >>> 2, left - total - (cpu.stall - stall0), modeBase);
      }
      if (k <= 0) return total;
      total += k;
      if (this.exc >= 0 || total + (cpu.stall - stall0) >= left) return total;
      pc = this.next;
    }
  }

  /** The block for (pc, pa) from the Map, translated once hot; null while it is not. */
  private find(pc: number, pa: number): BlockFn | null {
    const key = (pc >>> 0) * 1048576 + (pa >>> 12);
    let e = this.map.get(key);
    if (e === undefined) {
      if (this.map.size >= MAX_ENTRIES) this.flush();
      e = { hits: 0, fn: null };
      this.map.set(key, e);
    }
    if (e.fn === null) {
      if (++e.hits < this.hot) return null;
      e.fn = this.translate(pc, pa);
    }
    return e.fn;
  }

  /** Translates the block at virtual pc / physical pa; NONE when its first instruction is left to the interpreter. */
  translate(pc: number, pa: number): BlockFn {
    const m32 = this.cpu.mem.w32;
    const words: number[] = [];
    const pageEnd = 1024 - ((pa >>> 2) & 1023); // instructions left in the page
    const limit = Math.min(MAX_BLOCK, pageEnd);
    let ended = false;
    while (words.length < limit && !ended) {
      const instr = m32[(pa >>> 2) + words.length];
      const kind = this.classify(instr);
      if (kind === K.NO) break;
      if (kind === K.BRANCH) {
        if (words.length + 1 >= limit) break; // delay slot outside the block: leave the branch to the interpreter
        const ds = m32[(pa >>> 2) + words.length + 1];
        const dk = this.classify(ds);
        if (dk !== K.PLAIN && dk !== K.STORE) break;
        words.push(instr, ds);
        ended = true;
      } else {
        words.push(instr);
        if (kind === K.END) ended = true;
      }
    }
    if (words.length === 0) return NONE;
    const src = this.generate(pc, words);
    this.compiled++;
    const factory = new Function('t', 'cpu', 'r', 'cp0', 'm32', 'm16', 'm8', 'lTag', 'lDelta', 'sTag', 'sDelta', 'fpr32', 'fpd', 'h', src) as
      (...a: unknown[]) => BlockFn;
    const c = this.cpu, mmu = c.mmu;
    return factory(this, c, c.regs, c.cp0, c.mem.w32, c.mem.u16, c.mem.u8, mmu.loadTag, mmu.loadDelta, mmu.storeTag, mmu.storeDelta,
      c.fpr32, c.fpd, this.helpers);
  }

  /** How an instruction fits in a block. */
  private classify(instr: number): K {
    const op = instr >>> 26, rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31, r2 = this.cpu.r2;
    switch (op) {
      case Op.SPECIAL:
        switch (instr & 0x3f) {
          case Special.JR: case Special.JALR: return K.BRANCH;
          case Special.SYSCALL: case Special.BREAK: return K.END;
          case Special.SLL: case Special.SRL: case Special.SRA: case Special.SLLV: case Special.SRLV: case Special.SRAV:
          case Special.MOVZ: case Special.MOVN: case Special.MOVCI: case Special.SYNC:
          case Special.MFHI: case Special.MTHI: case Special.MFLO: case Special.MTLO:
          case Special.MULT: case Special.MULTU: case Special.DIV: case Special.DIVU:
          case Special.ADD: case Special.ADDU: case Special.SUB: case Special.SUBU:
          case Special.AND: case Special.OR: case Special.XOR: case Special.NOR: case Special.SLT: case Special.SLTU:
          case Special.TGE: case Special.TGEU: case Special.TLT: case Special.TLTU: case Special.TEQ: case Special.TNE:
            return K.PLAIN;
          default: return K.NO;
        }
      case Op.REGIMM:
        switch (rt) {
          case RegImm.BLTZ: case RegImm.BGEZ: case RegImm.BLTZL: case RegImm.BGEZL:
          case RegImm.BLTZAL: case RegImm.BGEZAL: case RegImm.BLTZALL: case RegImm.BGEZALL:
            return K.BRANCH;
          case RegImm.TGEI: case RegImm.TGEIU: case RegImm.TLTI: case RegImm.TLTIU: case RegImm.TEQI: case RegImm.TNEI:
            return K.PLAIN;
          default: return K.NO;
        }
      case Op.J: case Op.JAL: case Op.BEQ: case Op.BNE: case Op.BLEZ: case Op.BGTZ:
      case Op.BEQL: case Op.BNEL: case Op.BLEZL: case Op.BGTZL:
        return K.BRANCH;
      case Op.ADDI: case Op.ADDIU: case Op.SLTI: case Op.SLTIU: case Op.ANDI: case Op.ORI: case Op.XORI: case Op.LUI:
      case Op.LB: case Op.LBU: case Op.LH: case Op.LHU: case Op.LW: case Op.LWL: case Op.LWR: case Op.PREF:
      case Op.LWC1: case Op.LDC1:
        return K.PLAIN;
      case Op.SB: case Op.SH: case Op.SW: case Op.SWL: case Op.SWR: case Op.SWC1: case Op.SDC1:
        return K.STORE;
      case Op.COP1:
        if (rs === Cop1Rs.BC) return K.BRANCH;
        return K.PLAIN;
      case Op.COP1X: {
        const fn = instr & 0x3f;
        if (fn === Cop1x.SWXC1 || fn === Cop1x.SDXC1) return K.STORE;
        if (fn === Cop1x.LWXC1 || fn === Cop1x.LDXC1 || fn === Cop1x.PREFX || fn >= 0x20) return K.PLAIN;
        return K.NO;
      }
      case Op.SPECIAL2:
        if (!r2) return K.NO;
        switch (instr & 0x3f) {
          case Special2.MUL: case Special2.MADD: case Special2.MADDU: case Special2.MSUB: case Special2.MSUBU:
          case Special2.CLZ: case Special2.CLO:
            return K.PLAIN;
          default: return K.NO;
        }
      case Op.SPECIAL3:
        if (!r2) return K.NO;
        switch (instr & 0x3f) {
          case Special3.EXT: case Special3.INS: return K.PLAIN;
          case Special3.BSHFL: {
            const sa = (instr >>> 6) & 31;
            return sa === Bshfl.WSBH || sa === Bshfl.SEB || sa === Bshfl.SEH ? K.PLAIN : K.NO;
          }
          case Special3.RDHWR: {
            const rd = (instr >>> 11) & 31;
            return rd <= 3 || rd === 29 ? K.PLAIN : K.NO;
          }
          default: return K.NO;
        }
      default: return K.NO; // COP0, LL/SC, CACHE, 64-bit and reserved encodings
    }
  }

  /** The source of the factory for the block of `words` at virtual address pc. */
  private generate(pc: number, words: number[]): string {
    const n = words.length, r2 = this.cpu.r2;
    const used = new Set<number>(), written = new Set<number>();
    let fp = false;
    // Registers each instruction may read or write (a superset is fine).
    for (const instr of words) {
      const op = instr >>> 26, rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31, rd = (instr >>> 11) & 31;
      used.add(rs); used.add(rt);
      const fn = instr & 0x3f;
      if (op === Op.SPECIAL || op === Op.SPECIAL2 || op === Op.SPECIAL3) {
        used.add(rd);
        if (op === Op.SPECIAL3 && fn !== Special3.BSHFL) written.add(rt); // EXT, INS, RDHWR
        else written.add(rd);
      } else if (op === Op.COP1) {
        fp = true;
        if (rs === Cop1Rs.MF || rs === Cop1Rs.MFH || rs === Cop1Rs.CF) written.add(rt);
      } else if (op === Op.COP1X) fp = true;
      else if (op >= Op.ADDI && op <= Op.LUI) written.add(rt);
      else if (op >= Op.LB && op <= Op.LWU) written.add(rt);
      if (op === Op.SPECIAL && fn === Special.MOVCI) fp = true;
      if (op === Op.LWC1 || op === Op.LDC1 || op === Op.SWC1 || op === Op.SDC1) fp = true;
      if (op === Op.JAL || (op === Op.REGIMM && (rt & 0x10) !== 0)) { used.add(31); written.add(31); }
    }
    used.delete(0); written.delete(0);
    const R = (k: number): string => (k === 0 ? '0' : 'r' + k);
    const W = (k: number): string => (k === 0 ? 'z' : 'r' + k);
    const wb = [...written].map((k) => `r[${k}] = r${k};`).join(' ');
    const exit = (count: number, next: string): string => `{ ${wb} t.next = ${next}; return cnt + ${count}; }`;
    const fault = (count: number, code: string, cur: number, bd: boolean): string =>
      `{ ${wb} t.exc = ${code}; t.cur = ${cur | 0}; t.bd = ${bd}; return cnt + ${count}; }`;

    const out: string[] = [];
    out.push(`return function block_${(pc >>> 0).toString(16)}(w, left, mb) {`);
    out.push(`if (left < ${n}) return 0;`);
    out.push(`if (${words.map((x, i) => `m32[w + ${i}] !== ${x | 0}`).join(' || ')}) return -1;`);
    if (used.size > 0) out.push(`let ${[...used].map((k) => `r${k} = r[${k}]`).join(', ')};`);
    out.push('let z = 0, va = 0, s = 0, pa = 0, e = 0, tk = false, tg = 0, a = 0, b = 0, v = 0, cnt = 0, dirty = false;');
    out.push('const pg = w >>> 10;');
    // CU1 cannot change inside a block: without it, the interpreter runs the code (and raises Coprocessor Unusable).
    if (fp) out.push(`if ((cp0[${C0.Status}] & ${Status.CU1}) === 0) return 0;`, `const P = h.pending, PO = P.ops; let rdy = ${READY};`);
    const bodyStart = out.length;
    let looped = false;

    // With the coherence timing model on, every access to RAM asks the CPU's cache model; a miss
    // costs stall cycles, taken from the block's budget so a self-looping block stops in time.
    const coherent = this.cpu.coherence !== null;
    const touchR = coherent ? 'left -= cpu.touch(pa, false);' : '', touchW = coherent ? 'left -= cpu.touch(pa, true);' : '';
    // Emits instruction i (not a branch). More: instructions follow it in the block.
    const plain = (instr: number, i: number, cur: number, bd: boolean, more: boolean, loopSlot = false): void => {
      const op = instr >>> 26, rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31, rd = (instr >>> 11) & 31, sa = (instr >>> 6) & 31;
      const S = R(rs), T = R(rt), D = W(rd), Tw = W(rt), imm = s16(instr), cnt = i + 1;
      const F = (code: string): string => fault(cnt, code, cur, bd);
      const cuCheck = '';
      // A store into the block's own page ends the block after it (in the delay slot of a loop
      // back to the block's start: after the branch) so that the code is checked again.
      const afterStore = more ? `if ((pa >>> 12) === pg) ${exit(cnt, hex(cur + 4) + ' | 0')}` : loopSlot ? 'if ((pa >>> 12) === pg) dirty = true;' : '';
      const afterSlowStore = more ? exit(cnt, hex(cur + 4) + ' | 0') : loopSlot ? 'dirty = true;' : '';
      const load = (mask: number, size: number, fast: string, slow: string): string =>
        `va = (${S} + ${imm}) | 0; s = mb + ((va >>> 12) & ${SOFT_TLB_MASK}); ` +
        `if (lTag[s] === (va & ${mask | 0})) { pa = (va + lDelta[s]) | 0; ${touchR} ${fast} } ` +
        `else { e = cpu.load(va, ${size}); if (e >= 0) ${F('e')} ${slow} }`;
      const store = (mask: number, size: number, fast: string, value: string): string =>
        `va = (${S} + ${imm}) | 0; s = mb + ((va >>> 12) & ${SOFT_TLB_MASK}); ` +
        `if (sTag[s] === (va & ${mask | 0})) { pa = (va + sDelta[s]) | 0; ${touchW} ${fast} ${afterStore} } ` +
        `else { e = cpu.store(va, ${size}, ${value}); if (e >= 0) ${F('e')} ${afterSlowStore} }`;
      let c: string;
      switch (op) {
        case Op.SPECIAL:
          switch (instr & 0x3f) {
            case Special.SLL: c = `${D} = ${T} << ${sa};`; break;
            case Special.SRL: c = rs === 1 && r2 ? `${D} = (${T} >>> ${sa}) | (${T} << ${32 - sa});` : `${D} = (${T} >>> ${sa}) | 0;`; break;
            case Special.SRA: c = `${D} = ${T} >> ${sa};`; break;
            case Special.SLLV: c = `${D} = ${T} << (${S} & 31);`; break;
            case Special.SRLV:
              c = (instr & 0x7c0) === 0x40 && r2 ? `a = ${S} & 31; ${D} = (${T} >>> a) | (${T} << (32 - a));` : `${D} = (${T} >>> (${S} & 31)) | 0;`;
              break;
            case Special.SRAV: c = `${D} = ${T} >> (${S} & 31);`; break;
            case Special.MOVZ: c = `if (${T} === 0) ${D} = ${S};`; break;
            case Special.MOVN: c = `if (${T} !== 0) ${D} = ${S};`; break;
            case Special.MOVCI: {
              const cc = (instr >>> 18) & 7, bit = cc === 0 ? 1 << 23 : 1 << (24 + cc);
              c = `${cuCheck} if (((cpu.fcsr & ${bit | 0}) !== 0) === ${(instr & 0x10000) !== 0}) ${D} = ${S};`;
              break;
            }
            case Special.SYNC: c = 'Atomics.store(h.fence, 0, 0);'; break;
            case Special.SYSCALL: c = F(String(Exc.Sys)); break;
            case Special.BREAK: c = F(String(Exc.Bp)); break;
            case Special.MFHI: c = `${D} = r[32];`; break;
            case Special.MTHI: c = `r[32] = ${S};`; break;
            case Special.MFLO: c = `${D} = r[33];`; break;
            case Special.MTLO: c = `r[33] = ${S};`; break;
            case Special.MULT: c = `a = ${S}; b = ${T}; r[33] = Math.imul(a, b); r[32] = h.mulHiSigned(a, b);`; break;
            case Special.MULTU: c = `a = ${S}; b = ${T}; r[33] = Math.imul(a, b); r[32] = h.mulHiUnsigned(a, b);`; break;
            case Special.DIV:
              c = `a = ${S}; b = ${T}; if (b === 0 || (b === -1 && a === -0x80000000)) { r[33] = a; r[32] = 0; } else { r[33] = (a / b) | 0; r[32] = (a % b) | 0; }`;
              break;
            case Special.DIVU:
              c = `a = ${S} >>> 0; b = ${T} >>> 0; if (b === 0) { r[33] = a | 0; r[32] = 0; } else { r[33] = Math.floor(a / b) | 0; r[32] = (a % b) | 0; }`;
              break;
            case Special.ADD: c = `v = ${S} + ${T}; if (v > 0x7fffffff || v < -0x80000000) ${F(String(Exc.Ov))} ${D} = v;`; break;
            case Special.ADDU: c = `${D} = (${S} + ${T}) | 0;`; break;
            case Special.SUB: c = `v = ${S} - ${T}; if (v > 0x7fffffff || v < -0x80000000) ${F(String(Exc.Ov))} ${D} = v;`; break;
            case Special.SUBU: c = `${D} = (${S} - ${T}) | 0;`; break;
            case Special.AND: c = `${D} = ${S} & ${T};`; break;
            case Special.OR: c = `${D} = ${S} | ${T};`; break;
            case Special.XOR: c = `${D} = ${S} ^ ${T};`; break;
            case Special.NOR: c = `${D} = ~(${S} | ${T});`; break;
            case Special.SLT: c = `${D} = ${S} < ${T} ? 1 : 0;`; break;
            case Special.SLTU: c = `${D} = (${S} >>> 0) < (${T} >>> 0) ? 1 : 0;`; break;
            case Special.TGE: c = `if (${S} >= ${T}) ${F(String(Exc.Tr))}`; break;
            case Special.TGEU: c = `if ((${S} >>> 0) >= (${T} >>> 0)) ${F(String(Exc.Tr))}`; break;
            case Special.TLT: c = `if (${S} < ${T}) ${F(String(Exc.Tr))}`; break;
            case Special.TLTU: c = `if ((${S} >>> 0) < (${T} >>> 0)) ${F(String(Exc.Tr))}`; break;
            case Special.TEQ: c = `if (${S} === ${T}) ${F(String(Exc.Tr))}`; break;
            case Special.TNE: c = `if (${S} !== ${T}) ${F(String(Exc.Tr))}`; break;
            default: throw new Error('translator: unexpected SPECIAL');
          }
          break;
        case Op.REGIMM: {
          const u = imm >>> 0;
          switch (rt) {
            case RegImm.TGEI: c = `if (${S} >= ${imm}) ${F(String(Exc.Tr))}`; break;
            case RegImm.TGEIU: c = `if ((${S} >>> 0) >= ${u}) ${F(String(Exc.Tr))}`; break;
            case RegImm.TLTI: c = `if (${S} < ${imm}) ${F(String(Exc.Tr))}`; break;
            case RegImm.TLTIU: c = `if ((${S} >>> 0) < ${u}) ${F(String(Exc.Tr))}`; break;
            case RegImm.TEQI: c = `if (${S} === ${imm}) ${F(String(Exc.Tr))}`; break;
            case RegImm.TNEI: c = `if (${S} !== ${imm}) ${F(String(Exc.Tr))}`; break;
            default: throw new Error('translator: unexpected REGIMM');
          }
          break;
        }
        case Op.ADDI: c = `v = ${S} + ${imm}; if (v > 0x7fffffff || v < -0x80000000) ${F(String(Exc.Ov))} ${Tw} = v;`; break;
        case Op.ADDIU: c = `${Tw} = (${S} + ${imm}) | 0;`; break;
        case Op.SLTI: c = `${Tw} = ${S} < ${imm} ? 1 : 0;`; break;
        case Op.SLTIU: c = `${Tw} = (${S} >>> 0) < ${imm >>> 0} ? 1 : 0;`; break;
        case Op.ANDI: c = `${Tw} = ${S} & ${instr & 0xffff};`; break;
        case Op.ORI: c = `${Tw} = ${S} | ${instr & 0xffff};`; break;
        case Op.XORI: c = `${Tw} = ${S} ^ ${instr & 0xffff};`; break;
        case Op.LUI: c = `${Tw} = ${instr << 16};`; break;
        case Op.LB: c = load(0xfffff000, 1, `${Tw} = (m8[pa ^ 3] << 24) >> 24;`, `${Tw} = (cpu.loaded << 24) >> 24;`); break;
        case Op.LBU: c = load(0xfffff000, 1, `${Tw} = m8[pa ^ 3];`, `${Tw} = cpu.loaded & 0xff;`); break;
        case Op.LH: c = load(0xfffff001, 2, `${Tw} = (m16[(pa ^ 2) >>> 1] << 16) >> 16;`, `${Tw} = (cpu.loaded << 16) >> 16;`); break;
        case Op.LHU: c = load(0xfffff001, 2, `${Tw} = m16[(pa ^ 2) >>> 1];`, `${Tw} = cpu.loaded & 0xffff;`); break;
        case Op.LW: c = load(0xfffff003, 4, `${Tw} = m32[pa >>> 2];`, `${Tw} = cpu.loaded;`); break;
        case Op.LWL: case Op.LWR: {
          const merge = op === Op.LWL
            ? `b = va & 3; ${Tw} = b === 0 ? v : (v << (8 * b)) | (${T} & ((1 << (8 * b)) - 1));`
            : `b = va & 3; ${Tw} = b === 3 ? v : (v >>> (8 * (3 - b))) | (${T} & ~(-1 >>> (8 * (3 - b))));`;
          c = `va = (${S} + ${imm}) | 0; a = va & ~3; s = mb + ((a >>> 12) & ${SOFT_TLB_MASK}); ` +
            `if (lTag[s] === (a & ${0xfffff003 | 0})) { pa = (a + lDelta[s]) | 0; ${touchR} v = m32[pa >>> 2]; } ` +
            `else { e = cpu.load(a, 4); if (e >= 0) ${F('e')} v = cpu.loaded; } ${merge}`;
          break;
        }
        case Op.SB: c = store(0xfffff000, 1, `m8[pa ^ 3] = ${T};`, `${T} & 0xff`); break;
        case Op.SH: c = store(0xfffff001, 2, `m16[(pa ^ 2) >>> 1] = ${T};`, `${T} & 0xffff`); break;
        case Op.SW: c = store(0xfffff003, 4, `m32[pa >>> 2] = ${T};`, T); break;
        case Op.SWL: case Op.SWR:
          c = `e = h.storeLR(cpu, ${op === Op.SWL}, (${S} + ${imm}) | 0, ${T}); if (e >= 0) ${F('e')} ${afterSlowStore}`;
          break;
        case Op.PREF: c = ''; break;
        case Op.LWC1:
          c = cuCheck + load(0xfffff003, 4, `fpr32[${rt}] = m32[pa >>> 2];`, `fpr32[${rt}] = cpu.loaded;`);
          break;
        case Op.LDC1:
          c = cuCheck + `va = (${S} + ${imm}) | 0; s = mb + ((va >>> 12) & ${SOFT_TLB_MASK}); ` +
            `if (lTag[s] === (va & ${0xfffff007 | 0})) { pa = (va + lDelta[s]) | 0; ${touchR} pa = pa >>> 2; fpr32[${rt | 1}] = m32[pa]; fpr32[${rt & ~1}] = m32[pa + 1]; } ` +
            `else { e = cpu.loadDouble(va, ${rt}); if (e >= 0) ${F('e')} }`;
          break;
        case Op.SWC1:
          c = cuCheck + store(0xfffff003, 4, `m32[pa >>> 2] = fpr32[${rt}];`, `fpr32[${rt}]`);
          break;
        case Op.SDC1:
          c = cuCheck + `va = (${S} + ${imm}) | 0; s = mb + ((va >>> 12) & ${SOFT_TLB_MASK}); ` +
            `if (sTag[s] === (va & ${0xfffff007 | 0})) { pa = (va + sDelta[s]) | 0; ${touchW} m32[pa >>> 2] = fpr32[${rt | 1}]; m32[(pa >>> 2) + 1] = fpr32[${rt & ~1}]; ${afterStore} } ` +
            `else { e = cpu.storeDouble(va, ${rt}); if (e >= 0) ${F('e')} ${afterSlowStore} }`;
          break;
        case Op.COP1: {
          const fs = (instr >>> 11) & 31;
          const call = `e = h.fpuOp(cpu, ${instr | 0}); if (e >= 0) ${F('e')} rdy = ${READY};`;
          if (rs === Cop1Rs.MF) c = `${cuCheck} ${Tw} = fpr32[${fs}];`;
          else if (rs === Cop1Rs.MT) c = `${cuCheck} fpr32[${fs}] = ${T};`;
          else if (rs === Cop1Rs.MFH && r2) c = `${cuCheck} ${Tw} = fpr32[${fs | 1}];`;
          else if (rs === Cop1Rs.MTH && r2) c = `${cuCheck} fpr32[${fs | 1}] = ${T};`;
          else if (rs === Cop1Rs.CF) c = `${cuCheck} ${call} ${rt !== 0 ? `${Tw} = r[${rt}];` : 'r[0] = 0;'}`;
          else if (rs === Cop1Rs.CT) c = `${cuCheck} ${rt !== 0 ? `r[${rt}] = ${T};` : ''} ${call}`;
          else if (rs === Cop1Rs.D && (instr & ODD_D) === 0 && (instr & 0x3f) <= 4) {
            // ADD.D, SUB.D, MUL.D, DIV.D, SQRT.D: cp1.ts's fast paths, inline, with Cause.I left pending
            const fn = instr & 7;
            const ops = ['v = a + b; if (v - v === 0)', 'v = a - b; if (v - v === 0)', 'v = a * b; if (h.productInRange(a, b, v))',
              `v = a / b; tg = Math.abs(a); if (tg >= ${FAST_LO} && tg < ${FAST_HI} && Math.abs(b) < ${FAST_HI} && Math.abs(v) >= ${FAST_Q_LO} && Math.abs(v) < ${FAST_HI})`,
              `if (a >= ${SQRT_LO} && a <= ${SQRT_HI})`][fn];
            c = `if (rdy) { a = fpd[${(instr >>> 12) & 15}]; b = fpd[${(instr >>> 17) & 15}]; ${fn === 4 ? 'v = Math.sqrt(a); ' : ''}${ops} { ` +
              `fpd[${(instr >>> 7) & 15}] = v; PO[0] = a; PO[1] = b; P.kind = ${Lazy.D_KIND | fn}; ` +
              `cpu.fcsr = P.fcsr = cpu.fcsr & ${~Lazy.CAUSE}; } else { ${call} } } else { ${call} }`;
          } else {
            // MOVZ.fmt/MOVN.fmt read a general register from cpu.regs
            const fn = instr & 0x3f;
            const sync = (fn === 0x12 || fn === 0x13) && rt !== 0 ? `r[${rt}] = ${T};` : '';
            c = `${cuCheck} ${sync} ${call}`;
          }
          break;
        }
        case Op.COP1X: {
          const fn = instr & 0x3f;
          const ix = `va = (${S} + ${T}) | 0;`;
          if (fn === Cop1x.LWXC1) c = `${cuCheck} ${ix} e = cpu.load(va, 4); if (e >= 0) ${F('e')} fpr32[${sa}] = cpu.loaded;`;
          else if (fn === Cop1x.LDXC1) c = `${cuCheck} ${ix} e = cpu.loadDouble(va, ${sa}); if (e >= 0) ${F('e')}`;
          else if (fn === Cop1x.SWXC1) c = `${cuCheck} ${ix} e = cpu.store(va, 4, fpr32[${rd}]); if (e >= 0) ${F('e')} ${afterSlowStore}`;
          else if (fn === Cop1x.SDXC1) c = `${cuCheck} ${ix} e = cpu.storeDouble(va, ${rd}); if (e >= 0) ${F('e')} ${afterSlowStore}`;
          else if (fn === Cop1x.PREFX) c = cuCheck;
          else {
            const call = `e = h.fpuOpX(cpu, ${instr | 0}); if (e >= 0) ${F('e')} rdy = ${READY};`;
            if ((instr & Lazy.MADD_D_MASK) === Lazy.MADD_D_OP) {
              c = `if (rdy) { ` +
                `a = fpd[${(instr >>> 12) & 15}]; b = fpd[${(instr >>> 17) & 15}]; tg = fpd[${(instr >>> 22) & 15}]; pa = a * b; v = pa + tg; ` +
                `if (h.productInRange(a, b, pa) && v - v === 0) { fpd[${(instr >>> 7) & 15}] = v; PO[0] = a; PO[1] = b; PO[2] = tg; ` +
                `P.kind = ${Lazy.MADD_D}; cpu.fcsr = P.fcsr = cpu.fcsr & ${~Lazy.CAUSE}; } else { ${call} } } else { ${call} }`;
            } else c = `${cuCheck} ${call}`;
          }
          break;
        }
        case Op.SPECIAL2:
          switch (instr & 0x3f) {
            case Special2.MUL: c = `${D} = Math.imul(${S}, ${T});`; break;
            case Special2.MADD: c = `h.accumulate(r, 32, 33, h.mulHiSigned(${S}, ${T}), Math.imul(${S}, ${T}), 1);`; break;
            case Special2.MADDU: c = `h.accumulate(r, 32, 33, h.mulHiUnsigned(${S}, ${T}), Math.imul(${S}, ${T}), 1);`; break;
            case Special2.MSUB: c = `h.accumulate(r, 32, 33, h.mulHiSigned(${S}, ${T}), Math.imul(${S}, ${T}), -1);`; break;
            case Special2.MSUBU: c = `h.accumulate(r, 32, 33, h.mulHiUnsigned(${S}, ${T}), Math.imul(${S}, ${T}), -1);`; break;
            case Special2.CLZ: c = `${D} = Math.clz32(${S});`; break;
            case Special2.CLO: c = `${D} = Math.clz32(~${S});`; break;
            default: throw new Error('translator: unexpected SPECIAL2');
          }
          break;
        case Op.SPECIAL3:
          switch (instr & 0x3f) {
            case Special3.EXT: {
              const size = rd + 1;
              c = size >= 32 ? `${Tw} = (${S} >>> ${sa}) | 0;` : `${Tw} = (${S} >>> ${sa}) & ${(1 << size) - 1};`;
              break;
            }
            case Special3.INS: {
              if (rd < sa) { c = ''; break; }
              const size = rd - sa + 1, mask = ((size >= 32 ? -1 : (1 << size) - 1) << sa) | 0;
              c = `${Tw} = (${T} & ${~mask}) | ((${S} << ${sa}) & ${mask});`;
              break;
            }
            case Special3.BSHFL:
              if (sa === Bshfl.WSBH) c = `v = ${T}; ${D} = ((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff);`;
              else if (sa === Bshfl.SEB) c = `${D} = (${T} << 24) >> 24;`;
              else c = `${D} = (${T} << 16) >> 16;`;
              break;
            default: // RDHWR
              c = rd === 0 ? `${Tw} = cpu.cpuNum;` : rd === 1 ? `${Tw} = 0;` : rd === 2 ? `${Tw} = cpu.readCount();` : rd === 3 ? `${Tw} = 2;` : `${Tw} = cpu.userLocal;`;
          }
          break;
        default: throw new Error('translator: unexpected opcode');
      }
      out.push(c);
    };

    for (let i = 0; i < n; i++) {
      const instr = words[i], cur = (pc + 4 * i) | 0;
      const op = instr >>> 26, rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31;
      const isBranch = i === n - 2 && this.classify(instr) === K.BRANCH;
      if (!isBranch) { plain(instr, i, cur, false, i < n - 1); continue; }
      // A branch and its delay slot end the block.
      const S = R(rs), T = R(rt), tgt = hex((cur + 4 + (s16(instr) << 2)) | 0) + ' | 0';
      const fall = hex((cur + 8) | 0) + ' | 0';
      let cond = 'true', target = tgt, likely = false;
      const selfLoop = i === n - 2 && op !== Op.SPECIAL && op !== Op.J && op !== Op.JAL && ((cur + 4 + (s16(instr) << 2)) | 0) === (pc | 0);
      if (selfLoop) { out.splice(bodyStart, 0, 'for (;;) {'); looped = true; }
      switch (op) {
        case Op.SPECIAL: // JR, JALR
          out.push(`tg = ${S};`);
          if ((instr & 0x3f) === Special.JALR) out.push(`${W((instr >>> 11) & 31)} = ${(cur + 8) | 0};`);
          target = 'tg';
          break;
        case Op.J: target = hex(((cur + 4) & 0xf0000000) | ((instr & 0x3ffffff) << 2)) + ' | 0'; break;
        case Op.JAL: out.push(`r31 = ${(cur + 8) | 0};`); target = hex(((cur + 4) & 0xf0000000) | ((instr & 0x3ffffff) << 2)) + ' | 0'; break;
        case Op.BEQ: cond = `${S} === ${T}`; break;
        case Op.BNE: cond = `${S} !== ${T}`; break;
        case Op.BLEZ: cond = `${S} <= 0`; break;
        case Op.BGTZ: cond = `${S} > 0`; break;
        case Op.BEQL: cond = `${S} === ${T}`; likely = true; break;
        case Op.BNEL: cond = `${S} !== ${T}`; likely = true; break;
        case Op.BLEZL: cond = `${S} <= 0`; likely = true; break;
        case Op.BGTZL: cond = `${S} > 0`; likely = true; break;
        case Op.REGIMM:
          cond = (rt & 1) === 0 ? `${S} < 0` : `${S} >= 0`;
          likely = (rt & 2) !== 0;
          break;
        case Op.COP1: {
          const cc = (instr >>> 18) & 7, bit = cc === 0 ? 1 << 23 : 1 << (24 + cc);
          cond = `((cpu.fcsr & ${bit | 0}) !== 0) === ${(instr & 0x10000) !== 0}`;
          likely = (instr & 0x20000) !== 0;
          break;
        }
        default: throw new Error('translator: unexpected branch');
      }
      if (cond !== 'true') out.push(`tk = ${cond};`);
      if (op === Op.REGIMM && (rt & 0x10) !== 0) out.push(`r31 = ${(cur + 8) | 0};`); // the link is written even when not taken
      if (likely) out.push(`if (!tk) ${exit(i + 1, fall)}`);
      plain(words[i + 1], i + 1, (cur + 4) | 0, true, false, selfLoop);
      if (selfLoop) {
        // The block branches to itself: iterate here while the budget allows.
        const again = `cnt += ${n}; if (cnt + ${n} <= left && !dirty) continue; ${exit(0, target)}`;
        out.push(cond === 'true' || likely ? again : `if (tk) { ${again} } ${exit(i + 2, fall)}`);
      } else out.push(exit(i + 2, cond === 'true' || likely ? target : `tk ? ${target} : ${fall}`));
      i++;
    }
    if (!(n >= 2 && this.classify(words[n - 2]) === K.BRANCH)) {
      out.push(exit(n, hex((pc + 4 * n) | 0) + ' | 0'));
    }
    if (looped) out.push('}');
    out.push('};');
    return out.join('\n');
  }
}

/** Instruction kinds for block formation. */
const enum K { PLAIN, STORE, BRANCH, END, NO }
