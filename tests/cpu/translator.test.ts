// The block translator (translator.ts) against the interpreter: the same code runs on a CPU without
// translation and on one that translates every block on first sight; registers, CP0, the FPU,
// memory, pc and the instruction count must agree after every call to run().
import { describe, it, expect } from 'vitest';
import { Runner, CODE, assemble } from '../helpers/runner.js';
import { C0, Exc, Status } from '../../src/node-worker/cpu/cp0.js';
import { Translator } from '../../src/node-worker/cpu/translator.js';
import { Cpu } from '../../src/node-worker/cpu/cpu.js';

const GENERAL = 0x80000180 | 0;
const REFILL = 0x80000000 | 0;
const DATA = 0x80020000 | 0;
const excCode = (cpu: Cpu) => (cpu.cp0[C0.Cause] >>> 2) & 31;

interface Snapshot { pc: number; instructions: number; cycles: number; regs: number[]; cp0: number[]; fpr: number[]; fcsr: number; data: number[] }

function snapshot(t: Runner): Snapshot {
  const c = t.cpu, d: number[] = [];
  for (let i = 0; i < 256; i++) d.push(t.memory.read32((DATA & 0x1fffffff) + 4 * i));
  return {
    pc: c.pc, instructions: c.instructions, cycles: c.cycles, regs: [...c.regs], cp0: [...c.cp0], fpr: [...c.fpr32], fcsr: c.fcsr, data: d,
  };
}

interface Opts {
  setup?: (t: Runner) => void;
  /** Instructions per call to run(). */
  budget?: number;
  /** Calls to run() at most. */
  calls?: number;
  /** Stop at the first exception (pc at a vector), or at a BREAK. */
  stopAtVector?: boolean;
  /** Called between calls to run() with the call's index (self-modifying code from the host). */
  between?: (t: Runner, call: number) => void;
  march?: string;
}

function make(source: string, translate: boolean, o: Opts): Runner {
  const t = Runner.create().asm(`${source}\n break\n nop`, CODE, o.march);
  t.cpu.translator = translate ? new Translator(t.cpu) : null;
  if (t.cpu.translator !== null) t.cpu.translator.hot = 1;
  o.setup?.(t);
  return t;
}

/** Runs `source` with and without translation; returns the translated runner after checking every step agrees. */
function compare(source: string, o: Opts = {}): { t: Runner; trace: Snapshot[] } {
  const runners = [make(source, false, o), make(source, true, o)];
  const traces: Snapshot[][] = [[], []];
  runners.forEach((t, k) => {
    const calls = o.calls ?? 10_000;
    for (let i = 0; i < calls && !t.cpu.stopped; i++) {
      t.cpu.run(o.budget ?? 1_000_000);
      traces[k].push(snapshot(t));
      if (t.cpu.pc === GENERAL && excCode(t.cpu) === Exc.Bp) break;
      if (o.stopAtVector && (t.cpu.pc === GENERAL || t.cpu.pc === REFILL)) break;
      o.between?.(t, i);
    }
  });
  expect(traces[1].length).toBe(traces[0].length);
  for (let i = 0; i < traces[0].length; i++) expect(traces[1][i], `after call ${i}`).toEqual(traces[0][i]);
  expect(runners[1].cpu.translator!.compiled).toBeGreaterThan(0);
  return { t: runners[1], trace: traces[1] };
}

describe('translated blocks match the interpreter', () => {
  it('integer loop with loads, stores, shifts, multiply and divide', () => {
    const { t } = compare(`
      li $t0, 0x80020000
      li $t1, 50
      li $v0, 0
      li $v1, 7
    1:
      sw $t1, 0($t0)
      lw $t2, 0($t0)
      sll $t3, $t2, 3
      srl $t4, $t3, 1
      sra $t5, $t3, 2
      mult $t2, $v1
      mflo $t6
      mfhi $t7
      div $zero, $t6, $v1
      mflo $t8
      addu $v0, $v0, $t8
      xor $v0, $v0, $t4
      sb $t2, 4($t0)
      lbu $a0, 4($t0)
      lb $a1, 7($t0)
      sh $t3, 8($t0)
      lh $a2, 8($t0)
      lhu $a3, 10($t0)
      addiu $t0, $t0, 12
      addiu $t1, $t1, -1
      bnez $t1, 1b
      addu $v0, $v0, $a0
    `);
    expect(t.cpu.regs[1 + 1]).not.toBe(0);
  });

  it('delay slots of jal, jalr, jr and bltzal see the link and the old registers', () => {
    compare(`
      li $t0, 3
      jal 1f
      addiu $t0, $t0, 1          # delay slot runs before the call
      b 2f
      nop
    1:
      move $v0, $ra
      la $t1, 3f
      jalr $t2, $t1
      move $v1, $t2             # delay slot: the link is already written
    3:
      bltzal $zero, 4f          # not taken, but links
      addiu $a0, $ra, 0
      li $a1, -1
      bltzal $a1, 4f
      addiu $a2, $ra, 0
    4:
      jr $v0
      addiu $a3, $zero, 9
    2:
      addiu $t0, $t0, 100
    `);
  });

  it('annuls the delay slot of a branch-likely not taken and runs it when taken', () => {
    compare(`
      li $t0, 5
      li $v0, 0
      li $v1, 0
    1:
      addiu $t0, $t0, -1
      beql $t0, $zero, 2f
      addiu $v0, $v0, 100       # only when taken
      bnel $t0, $zero, 1b
      addiu $v1, $v1, 1         # only when taken
    2:
      bgezl $t0, 3f
      addiu $v0, $v0, 1
    3:
      bltzl $t0, 4f
      addiu $v0, $v0, 1000      # annulled
    4:
      blezl $t0, 5f
      addiu $v0, $v0, 10
    5:
      bgtzl $t0, 6f
      addiu $v0, $v0, 10000     # annulled
    6:
      nop
    `);
  });

  it('stops at an overflow in the middle of a block with precise state', () => {
    const { t } = compare(`
      li $t0, 0x7ffffff0
      li $t1, 0
    1:
      addiu $t1, $t1, 1
      addiu $t2, $t1, 5
      add $t0, $t0, $t1          # overflows on the 5th round
      sw $t0, 0($a0)
      b 1b
      addiu $t3, $t3, 1
    `, { setup: (r) => r.gpr(4, DATA), stopAtVector: true });
    expect(t.cpu.pc).toBe(GENERAL);
    expect(excCode(t.cpu)).toBe(Exc.Ov);
    expect(t.cpu.cp0[C0.Cause] & (1 << 31)).toBe(0);
  });

  it('stops at a TLB miss in a delay slot with EPC at the branch and BD set', () => {
    const { t } = compare(`
      li $t0, 4
      li $t1, 0x80020000
    1:
      addiu $t0, $t0, -1
      bnez $t0, 1b
      lw $t2, 0($t1)            # the last round reads kuseg: TLB refill in the delay slot
      nop
    `, {
      setup: (r) => r.setup((cpu) => { cpu.regs[9] = DATA; }),
      stopAtVector: true,
      between: () => undefined,
    });
    // the loop ran from kseg0 data; now a variant that faults in the delay slot:
    expect(t.cpu.pc).toBe(GENERAL);
    const { t: u } = compare(`
      li $t0, 3
      li $t1, 0x80020000
      li $t3, 0x00400000
    1:
      addiu $t0, $t0, -1
      movz $t1, $t3, $t0        # the last round switches to an unmapped kuseg address
      bnez $t0, 1b
      lw $t2, 0($t1)
      nop
    `, { stopAtVector: true });
    expect(u.cpu.pc).toBe(REFILL);
    expect(excCode(u.cpu)).toBe(Exc.TLBL);
    expect(u.cpu.cp0[C0.Cause] >>> 31).toBe(1);
    expect(u.cpu.cp0[C0.EPC]).toBe((CODE + 20) | 0);
    expect(u.cpu.cp0[C0.BadVAddr]).toBe(0x00400000);
  });

  it('traps, syscall and address errors in blocks', () => {
    for (const body of ['teq $t0, $t0', 'syscall', 'lw $t1, 2($a0)', 'sh $t1, 1($a0)', 'tgei $t0, 1', 'addi $t1, $t0, 0x7fff']) {
      compare(`
        li $t0, 0x7fff8001
        li $a0, 0x80020000
        addiu $t2, $t0, 1
        ${body}
        addiu $t3, $t0, 2
      `, { stopAtVector: true });
    }
  });

  it('sees code stored by the CPU (next block and the same block) and by the host', () => {
    // The subroutine at 3: is rewritten by the guest between calls; then an instruction further
    // down the running block is overwritten by a store in that same block.
    const patch = assemble('addiu $v0, $v0, 100', 'mips32r2', 0)[0];
    const patch2 = assemble('addiu $v1, $v1, 7', 'mips32r2', 0)[0];
    compare(`
      li $v0, 0
      li $t4, 3
    1:
      jal 3f
      nop
      addiu $t4, $t4, -1
      la $t0, 3f
      lw $t1, 0($a0)
      bnez $t4, 1b
      sw $t1, 4($t0)            # after the first call, 3: adds 100
      la $t0, 4f
      lw $t1, 4($a0)
      sw $t1, 0($t0)
      nop
    4:
      addiu $v1, $v1, 1         # replaced by the store just above, in the same block
      b 5f
      nop
    3:
      jr $ra
      addiu $v0, $v0, 1
    5:
      nop
    `, {
      setup: (r) => { r.gpr(4, DATA); r.memory.write32(DATA & 0x1fffffff, patch); r.memory.write32((DATA & 0x1fffffff) + 4, patch2); },
    });

    // A loop that rewrites its own first instruction from its delay slot.
    const add1 = assemble('addiu $v0, $v0, 1', 'mips32r2', 0)[0], add100 = assemble('addiu $v0, $v0, 100', 'mips32r2', 0)[0];
    const { t: self } = compare(`
      li $t0, 9
      la $t2, 1f
      nop
    1:
      addiu $v0, $v0, 1
      xor $t3, $t3, $t4
      addiu $t0, $t0, -1
      bnez $t0, 1b
      sw $t3, 0($t2)
    `, { setup: (r) => { r.gpr(11, add100); r.gpr(12, add1 ^ add100); } });
    expect(self.cpu.regs[2]).toBeGreaterThan(300);

    // The host rewrites code between calls to run() (as exec does when it loads a program).
    const code = `
      li $v0, 0
    1:
      addiu $v0, $v0, 1
      b 1b
      nop
    `;
    const { t } = compare(code, {
      budget: 50, calls: 6,
      between: (r, call) => { if (call === 2) r.memory.write32((CODE & 0x1fffffff) + 8, assemble('addiu $v0, $v0, 1000', 'mips32r2', 0)[0]); },
    });
    expect(t.cpu.translator!.stale).toBeGreaterThan(0);
  });

  it('stops at the same instruction for every budget, never between a branch and its delay slot', () => {
    const src = `
      li $t0, 40
      li $v0, 0
    1:
      addiu $v0, $v0, 3
      sll $t1, $v0, 2
      xor $v0, $v0, $t1
      andi $v0, $v0, 0xffff
      addiu $t0, $t0, -1
      bnez $t0, 1b
      addiu $v0, $v0, 1
    `;
    for (const budget of [1, 2, 3, 5, 7, 8, 13, 64]) compare(src, { budget });
  });

  it('takes the timer interrupt at the same point (step and Count/Compare)', () => {
    const handler = assemble(`
      mfc0 $k0, $11
      addiu $k0, $k0, 25
      mtc0 $k0, $11             # next Compare; clears IP7
      addiu $s0, $s0, 1
      eret
      nop
    `, 'mips32r2', GENERAL);
    const src = `
      li $t0, 3000
      li $v0, 0
    1:
      addiu $v0, $v0, 3
      sll $t1, $v0, 2
      xor $v0, $v0, $t1
      addiu $t0, $t0, -1
      bnez $t0, 1b
      addiu $v0, $v0, 1
    `;
    const run = (translate: boolean): Snapshot => {
      const t = make(src, translate, {});
      t.poke(GENERAL, handler);
      t.cpu.cp0[C0.Status] = Status.CU0 | Status.CU1 | Status.IE | (1 << 15);
      t.cpu.mmu.updateMode();
      t.cpu.cp0[C0.Compare] = 40;
      t.cpu.writeCount(0);
      for (let i = 0; i < 2000 && !(t.cpu.pc === GENERAL && excCode(t.cpu) === Exc.Bp); i++) t.cpu.step(97);
      return snapshot(t);
    };
    const a = run(false), b = run(true);
    expect(b).toEqual(a);
    expect(a.regs[16]).toBeGreaterThan(100); // interrupts taken
  });

  it('FPU: loads, stores, arithmetic, compares, branches and moves', () => {
    compare(`
      li $a0, 0x80020000
      li $t0, 20
      mtc1 $t0, $f0
      cvt.d.w $f2, $f0
      li $t1, 3
      mtc1 $t1, $f4
      cvt.d.w $f4, $f4
      sub.d $f6, $f6, $f6
    1:
      add.d $f6, $f6, $f2
      mul.d $f8, $f6, $f4
      div.d $f10, $f8, $f2
      madd.d $f12, $f6, $f8, $f4
      sdc1 $f12, 0($a0)
      ldc1 $f14, 0($a0)
      swc1 $f8, 8($a0)
      lwc1 $f16, 8($a0)
      mfc1 $t2, $f16
      addiu $a0, $a0, 16
      c.lt.d $f6, $f10
      bc1tl 2f
      addiu $t3, $t3, 1
    2:
      addiu $t0, $t0, -1
      movt $t4, $t0, $fcc0
      cfc1 $t5, $31
      bnez $t0, 1b
      sqrt.d $f18, $f6
      trunc.w.d $f20, $f18
      mfc1 $v0, $f20
    `);
  });

  it('r2 extension: ext, ins, seb, seh, wsbh, clz, mul, madd, rdhwr', () => {
    compare(`
      li $t0, 0x12f4f678
      li $t5, 4
    1:
      ext $t1, $t0, 4, 12
      ins $t2, $t0, 8, 8
      seb $t3, $t0
      seh $t4, $t0
      wsbh $a0, $t0
      clz $a1, $t1
      clo $a2, $t3
      mul $a3, $t0, $t1
      madd $t0, $t1
      msubu $t1, $t3
      rotr $v0, $t0, 7
      rdhwr $v1, $29
      addiu $t5, $t5, -1
      bnez $t5, 1b
      addu $t0, $t0, $a3
    `, { setup: (r) => { r.cpu.userLocal = 0x1234; } });
  });

  it('coprocessor unusable inside a block', () => {
    compare(`
      li $t0, 1
      addiu $t1, $t0, 1
      mtc1 $t0, $f0
      addiu $t1, $t0, 2
    `, { setup: (r) => r.setCp0(C0.Status, Status.CU0), stopAtVector: true });
  });
});
