// Per-instruction tests of the integer ISA (MIPS IV manual semantics; encodings from binutils).
import { describe, it, expect } from 'vitest';
import { Runner, CODE } from '../helpers/runner.js';
import { C0, Exc } from '../../src/node-worker/cpu/cp0.js';

const T0 = 8, T1 = 9, T2 = 10, T3 = 11, T4 = 12, V0 = 2, V1 = 3, A0 = 4, RA = 31;
const GENERAL = 0x80000180 | 0;
const DATA = 0x80020000 | 0;
const excCode = (t: Runner) => (t.c0(C0.Cause) >>> 2) & 31;

describe('ALU', () => {
  it('adds, subtracts and compares with sign-extended immediates', () => {
    const t = Runner.create().asm(`
      li $t0, -5
      addiu $t1, $t0, 7
      sltiu $t2, $t0, -1      # 0xfffffffb < 0xffffffff unsigned
      slti $t3, $t0, -6
      sltu $t4, $zero, $t0
      subu $v0, $zero, $t0
    `).run();
    expect(t.r(T1)).toBe(2);
    expect(t.r(T2)).toBe(1);
    expect(t.r(T3)).toBe(0);
    expect(t.r(T4)).toBe(1);
    expect(t.r(V0)).toBe(5);
  });

  it('zero-extends logical immediates and writes nothing to $zero', () => {
    const t = Runner.create().asm(`
      li $t0, -1
      andi $t1, $t0, 0x8000
      ori $t2, $zero, 0xffff
      xori $t3, $t0, 0xffff
      lui $t4, 0x8001
      addiu $zero, $zero, 5
      nor $v0, $zero, $zero
    `).run();
    expect(t.u(T1)).toBe(0x8000);
    expect(t.u(T2)).toBe(0xffff);
    expect(t.u(T3)).toBe(0xffff0000);
    expect(t.u(T4)).toBe(0x80010000);
    expect(t.r(0)).toBe(0);
    expect(t.u(V0)).toBe(0xffffffff);
  });

  it('shifts by immediate and by register (amount masked to 5 bits)', () => {
    const t = Runner.create().asm(`
      li $t0, 0x80000010
      sra $t1, $t0, 4
      srl $t2, $t0, 4
      li $a0, 35
      sllv $t3, $t0, $a0
      srav $t4, $t0, $a0
      srlv $v0, $t0, $a0
    `).run();
    expect(t.u(T1)).toBe(0xf8000001);
    expect(t.u(T2)).toBe(0x08000001);
    expect(t.u(T3)).toBe(0x00000080);
    expect(t.u(T4)).toBe(0xf0000002);
    expect(t.u(V0)).toBe(0x10000002);
  });

  it('multiplies to HI:LO, signed and unsigned', () => {
    const t = Runner.create().asm(`
      li $t0, 0x80000000
      mult $t0, $t0
      mfhi $t1
      mflo $t2
      li $t0, -1
      multu $t0, $t0
      mfhi $t3
      mflo $t4
      li $a0, -3
      li $a1, 7
      mult $a0, $a1
      mfhi $v0
      mflo $v1
    `).run();
    expect(t.u(T1)).toBe(0x40000000);
    expect(t.u(T2)).toBe(0);
    expect(t.u(T3)).toBe(0xfffffffe);
    expect(t.u(T4)).toBe(1);
    expect(t.r(V0)).toBe(-1);
    expect(t.r(V1)).toBe(-21);
  });

  it('divides with truncation toward zero; remainder takes the dividend sign', () => {
    const t = Runner.create().asm(`
      li $t0, -7
      li $t1, 2
      div $zero, $t0, $t1
      mflo $t2
      mfhi $t3
      divu $zero, $t0, $t1
      mflo $t4
      mfhi $v0
      li $a0, 0x80000000
      li $a1, -1
      div $zero, $a0, $a1
      mflo $v1
    `).run();
    expect(t.r(T2)).toBe(-3);
    expect(t.r(T3)).toBe(-1);
    expect(t.u(T4)).toBe(0x7ffffffc);
    expect(t.r(V0)).toBe(1);
    expect(t.u(V1)).toBe(0x80000000);
  });

  it('moves conditionally on a register (movz/movn)', () => {
    const t = Runner.create().asm(`
      li $t0, 11
      li $t1, 22
      movz $t2, $t0, $zero
      movn $t3, $t0, $zero
      movn $t4, $t1, $t0
    `).run();
    expect(t.r(T2)).toBe(11);
    expect(t.r(T3)).toBe(0);
    expect(t.r(T4)).toBe(22);
  });
});

describe('overflow and traps', () => {
  it.each([
    ['add $t2, $t0, $t1', 0x7fffffff, 1],
    ['sub $t2, $t0, $t1', 0x80000000 | 0, 1],
    ['addi $t2, $t0, 1', 0x7fffffff, 0],
  ])('%s raises Integer Overflow and leaves rd unchanged', (op, a, b) => {
    const t = Runner.create().asm(`
      nop
      ${op}
      nop
    `).gpr(T0, a).gpr(T1, b).gpr(T2, 1234).run(GENERAL);
    expect(excCode(t)).toBe(Exc.Ov);
    expect(t.c0(C0.EPC)).toBe(CODE + 4);
    expect(t.r(T2)).toBe(1234);
  });

  it('addu and addiu wrap without trapping', () => {
    const t = Runner.create().asm('addu $t2, $t0, $t1\naddiu $t3, $t0, 1').gpr(T0, 0x7fffffff).gpr(T1, 1).run();
    expect(t.u(T2)).toBe(0x80000000);
    expect(t.u(T3)).toBe(0x80000000);
  });

  it.each([
    ['teq $t0, $t1', 5, 5, true], ['teq $t0, $t1', 5, 6, false],
    ['tne $t0, $t1', 5, 6, true], ['tge $t0, $t1', -1, -2, true],
    ['tgeu $t0, $t1', -1, 2, true], ['tlt $t0, $t1', -1, 2, true],
    ['tltu $t0, $t1', -1, 2, false], ['teqi $t0, -3', -3, 0, true],
    ['tnei $t0, 3', 3, 0, false], ['tgei $t0, -3', -2, 0, true],
    ['tlti $t0, -3', -2, 0, false], ['tltiu $t0, -3', -4, 0, true], ['tgeiu $t0, 4', -1, 0, true],
  ])('%s with %i, %i traps: %s', (op, a, b, traps) => {
    const t = Runner.create().asm(op).gpr(T0, a).gpr(T1, b).step(1);
    if (traps) {
      expect(t.cpu.pc).toBe(GENERAL);
      expect(excCode(t)).toBe(Exc.Tr);
    } else expect(t.cpu.pc).toBe(CODE + 4);
  });
});

describe('branches and delay slots', () => {
  it('executes the delay slot of a taken branch and links past it', () => {
    const t = Runner.create().asm(`
      li $t0, 0
      beq $zero, $zero, 1f
      addiu $t0, $t0, 1       # delay slot: executed
      addiu $t0, $t0, 100     # skipped
    1:
      jal 2f
      addiu $t0, $t0, 10      # delay slot of jal
      b 3f
      nop
    2:
      jr $ra
      addiu $t1, $ra, 0       # delay slot sees the link
    3:
    `).run();
    expect(t.r(T0)).toBe(11);
    expect(t.r(T1)).toBe(CODE + 24);
    expect(t.r(RA)).toBe(CODE + 24);
  });

  it('annuls the delay slot of a branch-likely that is not taken', () => {
    const t = Runner.create().asm(`
      li $t0, 1
      li $t1, 0
      beql $t0, $zero, 1f
      addiu $t1, $t1, 1        # annulled
      bnel $t0, $zero, 1f
      addiu $t1, $t1, 10       # executed: taken
      addiu $t1, $t1, 1000
    1:
      bgezl $t0, 2f
      addiu $t1, $t1, 100
    2:
      bltzl $t0, 3f
      addiu $t1, $t1, 5000     # annulled
    3:
    `).run();
    expect(t.r(T1)).toBe(110);
  });

  it('links with bltzal/bgezal even when not taken', () => {
    const t = Runner.create().asm(`
      li $t0, 1
      bltzal $t0, 1f
      nop
      move $t1, $ra
    1:
    `).run();
    expect(t.r(T1)).toBe(CODE + 12);
  });

  it('jalr links into any register', () => {
    const t = Runner.create().asm(`
      la $t0, 1f
      jalr $t2, $t0
      nop
    1:
    `).run();
    expect(t.r(T2)).toBe(t.r(T0));
  });

  it('an exception in a delay slot sets BD and points EPC at the branch', () => {
    const t = Runner.create().asm(`
      nop
      beq $zero, $zero, 1f
      add $t2, $t0, $t0        # overflows in the delay slot
      nop
    1:
    `).gpr(T0, 0x40000000).run(GENERAL);
    expect(excCode(t)).toBe(Exc.Ov);
    expect(t.c0(C0.EPC)).toBe(CODE + 4);
    expect(t.c0(C0.Cause) >>> 31).toBe(1);
  });

  it('jr to a misaligned address raises AdEL on the fetch, not in the delay slot', () => {
    const t = Runner.create().asm(`
      jr $t0
      nop
    `).gpr(T0, CODE + 2).run(GENERAL);
    expect(excCode(t)).toBe(Exc.AdEL);
    expect(t.c0(C0.EPC)).toBe(CODE + 2);
    expect(t.c0(C0.BadVAddr)).toBe(CODE + 2);
    expect(t.c0(C0.Cause) >>> 31).toBe(0);
  });
});

describe('loads and stores', () => {
  const bytes = (t: Runner) => Array.from(t.memory.readBytes(DATA & 0x1fffffff, 8));
  const setup = (t: Runner) => t.memory.writeBytes(DATA & 0x1fffffff, Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]));

  it('is big-endian for bytes, halfwords and words, with sign and zero extension', () => {
    const t = Runner.create().asm(`
      lw $t0, 0($a0)
      lh $t1, 4($a0)
      lhu $t2, 6($a0)
      lb $t3, 7($a0)
      lbu $t4, 7($a0)
      sh $t0, 2($a0)
      sb $t0, 0($a0)
    `).gpr(A0, DATA);
    setup(t);
    t.run();
    expect(t.u(T0)).toBe(0x11223344);
    expect(t.u(T1)).toBe(0x5566);
    expect(t.u(T2)).toBe(0x7788);
    expect(t.r(T3)).toBe(0xffffff88 | 0);
    expect(t.u(T4)).toBe(0x88);
    expect(bytes(t)).toEqual([0x44, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
  });

  it.each([[0, 0x11223344, 0xaabbcc11], [1, 0x223344dd, 0xaabb1122], [2, 0x3344ccdd, 0xaa112233], [3, 0x44bbccdd, 0x11223344]])(
    'lwl/lwr at byte offset %i', (b, left, right) => {
      const t = Runner.create().asm(`lwl $t0, ${b}($a0)\nlwr $t1, ${b}($a0)`).gpr(A0, DATA).gpr(T0, 0xaabbccdd | 0).gpr(T1, 0xaabbccdd | 0);
      setup(t);
      t.run();
      expect(t.u(T0)).toBe(left);
      expect(t.u(T1)).toBe(right);
    });

  it.each([[0, 0xaabbccdd, 0xdd223344], [1, 0x11aabbcc, 0xccdd3344], [2, 0x1122aabb, 0xbbccdd44], [3, 0x112233aa, 0xaabbccdd]])(
    'swl/swr at byte offset %i', (b, left, right) => {
      // Both words hold 11 22 33 44; swl writes into the first, swr into the second.
      const t = Runner.create().asm(`swl $t0, ${b}($a0)\nswr $t0, ${b + 4}($a0)`).gpr(A0, DATA).gpr(T0, 0xaabbccdd | 0);
      t.memory.writeBytes(DATA & 0x1fffffff, Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x11, 0x22, 0x33, 0x44]));
      t.run();
      expect(t.memory.read32(DATA & 0x1fffffff) >>> 0).toBe(left);
      expect(t.memory.read32((DATA & 0x1fffffff) + 4) >>> 0).toBe(right);
    });

  it('an unaligned lwl/lwr pair loads any unaligned word', () => {
    const t = Runner.create().asm('lwl $t0, 1($a0)\nlwr $t0, 4($a0)').gpr(A0, DATA);
    setup(t);
    t.run();
    expect(t.u(T0)).toBe(0x22334455);
  });

  it.each([['lw $t0, 2($a0)', Exc.AdEL], ['lh $t0, 1($a0)', Exc.AdEL], ['sw $t0, 1($a0)', Exc.AdES], ['sh $t0, 3($a0)', Exc.AdES]])(
    '%s is an Address Error with BadVAddr', (op, code) => {
      const t = Runner.create().asm(op).gpr(A0, DATA).run(GENERAL);
      expect(excCode(t)).toBe(code);
      expect(t.c0(C0.BadVAddr)).toBe(DATA + parseInt(op.split(', ')[1]));
    });

  it('LL/SC succeeds when undisturbed and fails after ERET or a changed word', () => {
    const t = Runner.create().asm(`
      ll $t0, 0($a0)
      addiu $t0, $t0, 1
      sc $t0, 0($a0)           # succeeds: t0 = 1
      ll $t1, 0($a0)
      sw $zero, 0($a0)         # another writer changes the word
      addiu $t1, $t1, 1
      sc $t1, 0($a0)           # fails: t1 = 0
      lw $t2, 0($a0)
    `).gpr(A0, DATA);
    t.memory.write32(DATA & 0x1fffffff, 41);
    t.run();
    expect(t.r(T0)).toBe(1);
    expect(t.r(T1)).toBe(0);
    expect(t.r(T2)).toBe(0);
  });
});

describe('MIPS32r2 extension', () => {
  it('runs seb, seh, wsbh, ext, ins, rotr, rotrv, clz, clo, mul', () => {
    const t = Runner.create().asm(`
      li $a0, 0x12348680
      seb $t0, $a0
      seh $t1, $a0
      wsbh $t2, $a0
      ext $t3, $a0, 4, 12
      li $t4, -1
      ins $t4, $zero, 8, 8
      rotr $v0, $a0, 8
      li $a1, 4
      rotrv $v1, $a0, $a1
      clz $a2, $a1
      li $a3, 0xf0000000
      clo $s0, $a3
      li $s1, -7
      mul $s2, $s1, $a1
    `).run();
    expect(t.r(T0)).toBe(-128);
    expect(t.r(T1)).toBe(0xffff8680 | 0);
    expect(t.u(T2)).toBe(0x34128086);
    expect(t.u(T3)).toBe(0x868);
    expect(t.u(T4)).toBe(0xffff00ff);
    expect(t.u(V0)).toBe(0x80123486);
    expect(t.u(V1)).toBe(0x01234868);
    expect(t.r(6)).toBe(29);
    expect(t.r(16)).toBe(4);
    expect(t.r(18)).toBe(-28);
  });

  it('accumulates into HI:LO with madd, maddu, msub, msubu', () => {
    const t = Runner.create().asm(`
      li $t0, 0xffffffff
      mthi $zero
      mtlo $t0
      li $t1, 1
      maddu $t1, $t1          # HI:LO = 0x1_00000000
      mfhi $t2
      mflo $t3
      li $a0, -2
      li $a1, 3
      madd $a0, $a1           # + (-6)
      mfhi $t4
      mflo $v0
      msub $a0, $a1           # - (-6) back
      mfhi $v1
      mflo $a2
    `).run();
    expect(t.r(T2)).toBe(1);
    expect(t.r(T3)).toBe(0);
    expect(t.r(T4)).toBe(0);
    expect(t.u(V0)).toBe(0xfffffffa);
    expect(t.r(V1)).toBe(1);
    expect(t.r(6)).toBe(0);
  });

  it('raises Reserved Instruction for them in strict R10000 mode', () => {
    for (const op of ['seb $t0, $t1', 'mul $t0, $t1, $t2', 'ext $t0, $t1, 0, 4', 'rdhwr $v1, $29']) {
      const t = Runner.create({ r2: false }).asm(op).step(1);
      expect(t.cpu.pc).toBe(GENERAL);
      expect(excCode(t)).toBe(Exc.RI);
    }
  });

  it('reads the thread pointer with rdhwr $29', () => {
    const t = Runner.create().asm('rdhwr $v1, $29').setup((c) => { c.userLocal = 0x4567; }).run();
    expect(t.r(V1)).toBe(0x4567);
  });
});

describe('reserved and system instructions', () => {
  it.each([['daddu $t0, $t1, $t2'], ['ld $t0, 0($a0)'], ['sd $t0, 0($a0)'], ['dsll $t0, $t1, 2'], ['lwu $t0, 0($a0)']])(
    '64-bit %s raises Reserved Instruction', (op) => {
      const t = Runner.create().asm(`.set gp=64\n${op}`, CODE, 'r10000').gpr(A0, DATA).step(1);
      expect(t.cpu.pc).toBe(GENERAL);
      expect(excCode(t)).toBe(Exc.RI);
    });

  it.each([['syscall', Exc.Sys], ['break', Exc.Bp]])('%s raises its exception at EPC', (op, code) => {
    const t = Runner.create().asm(`nop\n${op}`).step(2);
    expect(t.cpu.pc).toBe(GENERAL);
    expect(excCode(t)).toBe(code);
    expect(t.c0(C0.EPC)).toBe(CODE + 4);
  });

  it('treats sync and pref as no-ops for the program', () => {
    const t = Runner.create().asm('sync\npref 0, 0($a0)\nli $t0, 3').gpr(A0, 0).run();
    expect(t.r(T0)).toBe(3);
  });
});
