// TLB, segments, privilege levels, CP0 and interrupts (R10000 manual, chapters 6, 14, 16).
import { describe, it, expect } from 'vitest';
import { Runner, CODE } from '../helpers/runner.js';
import { C0, Exc, Status } from '../../src/node-worker/cpu/cp0.js';
import { EXCEPTION_CYCLES } from '../../src/node-worker/cpu/cpu.js';

const T0 = 8, T1 = 9, T2 = 10, A0 = 4, A1 = 5;
const REFILL = 0x80000000 | 0, GENERAL = 0x80000180 | 0;
const excCode = (t: Runner) => (t.c0(C0.Cause) >>> 2) & 31;
const V = 2, D = 4, G = 1, CACHED = 3 << 3;
const lo = (pa: number, flags: number) => ((pa >>> 12) << 6) | CACHED | flags;

/** Writes JTLB entry i directly (as a kernel's tlbwi would) and drops stale soft translations. */
function map(t: Runner, i: number, hi: number, lo0: number, lo1: number, pageMask = 0): void {
  t.cpu.mmu.jtlb.write(i, pageMask, hi, lo0, lo1);
  t.cpu.mmu.flush();
}

/** Code placed at physical `pa`, run at user or supervisor virtual address `va` through the TLB. */
function atMode(mode: 'user' | 'supervisor', source: string, va = 0x00010000, pa = 0x00010000): Runner {
  const t = Runner.create().asm(source, (0x80000000 | pa) | 0);
  map(t, 63, va, lo(pa, V | D), lo(pa + 0x1000, V | D));
  t.setCp0(C0.Status, Status.CU1 | ((mode === 'user' ? 2 : 1) << 3));
  t.cpu.pc = va;
  return t;
}

describe('TLB exceptions', () => {
  it('a miss in kuseg takes the refill vector with BadVAddr, Context and EntryHi set', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)').gpr(A0, 0x00403abc)
      .setCp0(C0.EntryHi, 0x25).setCp0(C0.Context, 0xff800000 | 0).step(1);
    expect(t.cpu.pc).toBe(REFILL);
    expect(excCode(t)).toBe(Exc.TLBL);
    expect(t.c0(C0.BadVAddr)).toBe(0x00403abc);
    expect(t.c0(C0.EntryHi) >>> 0).toBe(0x00402000 | 0x25);
    expect(t.c0(C0.Context) >>> 0).toBe((0xff800000 | (0x00403abc >>> 13) << 4) >>> 0);
    expect(t.c0(C0.EPC)).toBe(CODE);
  });

  it('an exception costs the CPU EXCEPTION_CYCLES beyond the instructions retired', () => {
    const plain = Runner.create().asm('addiu $t0, $t0, 1').step(1);
    const miss = Runner.create().asm('lw $t0, 0($a0)').gpr(A0, 0x00403abc).step(1);
    expect(excCode(miss)).toBe(Exc.TLBL);
    expect(miss.cpu.cycles - miss.cpu.instructions).toBe(plain.cpu.cycles - plain.cpu.instructions + EXCEPTION_CYCLES);
  });

  it('a store miss is TLBS; a miss while EXL is set goes to the general vector and keeps EPC', () => {
    const t = Runner.create().asm('sw $t0, 0($a0)').gpr(A0, 0x00500000).step(1);
    expect(excCode(t)).toBe(Exc.TLBS);
    const n = Runner.create().asm('lw $t0, 0($a0)').gpr(A0, 0x00500000)
      .setCp0(C0.Status, Status.CU0 | Status.EXL).setCp0(C0.EPC, 0x1234).step(1);
    expect(n.cpu.pc).toBe(GENERAL);
    expect(n.c0(C0.EPC)).toBe(0x1234);
  });

  it('maps even and odd pages of a pair; loads and stores reach the right frames', () => {
    const t = Runner.create().asm(`
      sw $t0, 0($a0)
      sw $t1, 0($a1)
      lw $t2, 4($a0)
    `).gpr(A0, 0x00400010).gpr(A1, 0x00401020).gpr(T0, 111).gpr(T1, 222);
    map(t, 5, 0x00400000, lo(0x200000, V | D), lo(0x305000, V | D));
    t.memory.write32(0x200014, 77);
    t.run();
    expect(t.memory.read32(0x200010)).toBe(111);
    expect(t.memory.read32(0x305020)).toBe(222);
    expect(t.r(T2)).toBe(77);
  });

  it('an invalid page raises TLBL at the general vector; a clean page raises Modified on a store', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)').gpr(A0, 0x00401000);
    map(t, 0, 0x00400000, lo(0x200000, V), lo(0x201000, 0));
    t.step(1);
    expect(t.cpu.pc).toBe(GENERAL);
    expect(excCode(t)).toBe(Exc.TLBL);
    const m = Runner.create().asm('lw $t1, 0($a0)\nsw $t1, 0($a0)').gpr(A0, 0x00400000);
    map(m, 0, 0x00400000, lo(0x200000, V), lo(0x201000, V));
    m.step(2);
    expect(m.cpu.pc).toBe(GENERAL);
    expect(excCode(m)).toBe(Exc.Mod);
    expect(m.c0(C0.BadVAddr)).toBe(0x00400000);
  });

  it('matches the ASID unless the entry is global', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)\nlw $t1, 0($a1)').gpr(A0, 0x00400000).gpr(A1, 0x00600000).setCp0(C0.EntryHi, 7);
    map(t, 1, 0x00400000 | 3, lo(0x200000, V), lo(0x201000, V));        // ASID 3: misses for ASID 7
    map(t, 2, 0x00600000 | 3, lo(0x210000, V | G), lo(0x211000, V | G)); // global
    t.memory.write32(0x210000, 99);
    t.cpu.pc = (CODE + 4) | 0;
    t.step(1);
    expect(t.r(T1)).toBe(99);
    t.cpu.pc = CODE;
    t.step(1);
    expect(t.cpu.pc).toBe(REFILL);
  });

  it('changing the ASID drops translations cached for the old one', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)\nmtc0 $a1, $10\nnop\nlw $t1, 0($a0)').gpr(A0, 0x00400000).gpr(A1, 2).setCp0(C0.EntryHi, 1);
    map(t, 1, 0x00400000 | 1, lo(0x200000, V), lo(0x201000, V));
    t.memory.write32(0x200000, 5);
    t.run(REFILL);
    expect(t.r(T0)).toBe(5);
    expect(t.c0(C0.EPC)).toBe(CODE + 12);
  });

  it('tlbwi over a live entry makes the next access use the new frame', () => {
    const t = Runner.create().asm(`
      lw $t0, 0($a0)
      mtc0 $a1, $2
      mtc0 $a1, $3
      mtc0 $zero, $0
      tlbwi
      lw $t1, 0($a0)
    `).gpr(A0, 0x00400000).gpr(A1, lo(0x220000, V));
    map(t, 0, 0x00400000, lo(0x200000, V), lo(0x201000, V));
    t.setCp0(C0.EntryHi, 0x00400000);
    t.memory.write32(0x200000, 1);
    t.memory.write32(0x220000, 2);
    t.run();
    expect(t.r(T0)).toBe(1);
    expect(t.r(T1)).toBe(2);
  });

  it('a 16 KB page pair maps with PageMask', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)\nlw $t1, 0($a1)').gpr(A0, 0x00803ffc).gpr(A1, 0x00805000);
    map(t, 3, 0x00800000, lo(0x100000, V), lo(0x140000, V), 0x6000);
    t.memory.write32(0x103ffc, 10);
    t.memory.write32(0x141000, 20);
    t.run();
    expect(t.r(T0)).toBe(10);
    expect(t.r(T1)).toBe(20);
  });

  it('tlbp finds an entry or sets P; tlbr reads one back; tlbwr stays above Wired', () => {
    const t = Runner.create().asm(`
      tlbp
      mfc0 $t0, $0
      mtc0 $a1, $10
      nop
      tlbp
      mfc0 $t1, $0
      tlbr
      mfc0 $t2, $2
      mtc0 $zero, $6
      li $a0, 60
      mtc0 $a0, $6
      tlbwr
      mfc0 $a2, $1
    `).gpr(A1, 0x00700000 | 9).setCp0(C0.EntryHi, 0x00400000);
    map(t, 17, 0x00700000 | 9, lo(0x200000, V | G), lo(0x201000, V | G));
    t.run();
    expect(t.u(T0)).toBe(0x80000000);
    expect(t.r(T1)).toBe(17);
    expect(t.u(T2)).toBe(lo(0x200000, V | G) >>> 0);
    expect(t.r(6)).toBeGreaterThanOrEqual(60);
    expect(t.r(6)).toBeLessThanOrEqual(63);
  });

  it('BEV moves the vectors to the boot ROM', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)').gpr(A0, 0x00400000).setCp0(C0.Status, Status.CU0 | Status.BEV).step(1);
    expect(t.cpu.pc >>> 0).toBe(0xbfc00200);
    const g = Runner.create().asm('syscall').setCp0(C0.Status, Status.CU0 | Status.BEV).step(1);
    expect(g.cpu.pc >>> 0).toBe(0xbfc00380);
  });
});

describe('segments by privilege level', () => {
  it.each([[0x80000000], [0xa0000000], [0xc0000000], [0xe0000000]])('user mode cannot load from 0x%s', (addr) => {
    const t = atMode('user', 'lw $t0, 0($a0)').gpr(A0, addr | 0).step(1);
    expect(t.cpu.pc).toBe(GENERAL);
    expect(excCode(t)).toBe(Exc.AdEL);
    expect(t.c0(C0.BadVAddr)).toBe(addr | 0);
    expect(t.c0(C0.EPC)).toBe(0x00010000);
  });

  it('supervisor mode reaches kuseg and ksseg through the TLB but not kseg0, kseg1 or kseg3', () => {
    for (const addr of [0x80001000, 0xa0001000, 0xe0001000]) {
      const t = atMode('supervisor', 'lw $t0, 0($a0)').gpr(A0, addr | 0).step(1);
      expect(excCode(t)).toBe(Exc.AdEL);
    }
    const s = atMode('supervisor', 'lw $t0, 0($a0)').gpr(A0, 0xc0004000 | 0).step(1);
    expect(s.cpu.pc).toBe(REFILL);
    const ok = atMode('supervisor', 'lw $t0, 0($a0)', 0xc0010000 | 0).gpr(A0, 0xc0010000 | 0);
    ok.run(0xc0010004 | 0);
    expect(ok.r(T0)).toBe(ok.memory.read32(0x10000));
  });

  it('kernel mode reads kseg0 and kseg1 unmapped', () => {
    const t = Runner.create().asm('lw $t0, 0($a0)\nlw $t1, 0($a1)').gpr(A0, 0x80030000 | 0).gpr(A1, 0xa0030004 | 0);
    t.memory.write32(0x30000, 3);
    t.memory.write32(0x30004, 4);
    t.run();
    expect([t.r(T0), t.r(T1)]).toEqual([3, 4]);
  });

  it('privileged instructions in user mode raise Coprocessor Unusable with CE', () => {
    for (const [op, ce] of [['mtc0 $t0, $12', 0], ['tlbwi', 0], ['eret', 0], ['cache 0, 0($a0)', 0], ['mfc1 $t0, $f0', 1]] as const) {
      const t = atMode('user', op).step(1);
      if (ce === 1) t.cpu.cp0[C0.Status] &= ~Status.CU1;
      if (ce === 1) { t.cpu.pc = 0x00010000; t.cpu.cp0[C0.Status] &= ~Status.EXL; t.cpu.mmu.updateMode(); t.step(1); }
      expect(t.cpu.pc).toBe(GENERAL);
      expect(excCode(t)).toBe(Exc.CpU);
      expect((t.c0(C0.Cause) >>> 28) & 3).toBe(ce);
    }
  });

  it('supervisor mode may use CP0 when CU0 is set', () => {
    const t = atMode('supervisor', 'mfc0 $t0, $15');
    t.cpu.cp0[C0.Status] |= Status.CU0;
    t.step(1);
    expect(t.r(T0)).toBe(0x934);
  });
});

describe('ERET and interrupts', () => {
  it('eret returns to EPC in the mode KSU names and breaks LL', () => {
    const t = Runner.create().asm('ll $t0, 0($a0)\neret').gpr(A0, 0x80030000 | 0)
      .setCp0(C0.Status, Status.CU0 | Status.EXL | (2 << 3)).setCp0(C0.EPC, 0x00010000);
    t.step(2);
    expect(t.cpu.pc).toBe(0x00010000);
    expect(t.cpu.mode).toBe(2);
    expect(t.cpu.llBit).toBe(false);
    const e = Runner.create().asm('eret').setCp0(C0.Status, Status.CU0 | Status.ERL | Status.EXL).setCp0(C0.ErrorEPC, 0x1230).setCp0(C0.EPC, 0x4560).step(1);
    expect(e.cpu.pc).toBe(0x1230);
    expect(e.c0(C0.Status) & (Status.ERL | Status.EXL)).toBe(Status.EXL);
  });

  it('Count reaching Compare raises IP7, taken when IE and IM7 are set; writing Compare clears it', () => {
    const loop = `
    1: b 1b
       nop
    `;
    const t = Runner.create().asm(loop).setup((c) => {
      c.writeCount(0);
      c.cp0[C0.Compare] = 50;
      c.writeCount(0);
      c.cp0[C0.Status] = Status.CU0 | Status.IE | (0x80 << 8);
      c.mmu.updateMode();
    });
    t.cpu.step(99);
    expect(t.cpu.pc).toBe(CODE);
    t.cpu.step(10);
    expect(excCode(t)).toBe(Exc.Int);
    expect(t.c0(C0.Status) & Status.EXL).toBe(Status.EXL);
    expect([CODE, CODE + 4]).toContain(t.c0(C0.EPC));
    expect(t.c0(C0.Cause) & (1 << 15)).not.toBe(0);
    t.asm('mtc0 $zero, $11', GENERAL);
    t.cpu.pc = GENERAL;
    t.step(1);
    expect(t.c0(C0.Cause) & (1 << 15)).toBe(0);
  });

  it('a software interrupt set in Cause is taken once enabled, with EPC at the next instruction', () => {
    const t = Runner.create().asm(`
      li $t0, 0x100
      mtc0 $t0, $13
      li $t1, 0x10000101
      mtc0 $t1, $12
      nop
      nop
    `);
    t.cpu.step(20);
    expect(excCode(t)).toBe(Exc.Int);
    expect(t.c0(C0.EPC)).toBe(CODE + 20); // li of a 32-bit value is lui + ori
  });

  it('WAIT idles until an interrupt arrives', () => {
    const t = Runner.create().asm('wait\nnop').setup((c) => {
      c.cp0[C0.Compare] = 500;
      c.writeCount(0);
      c.cp0[C0.Status] = Status.CU0 | Status.IE | (0x80 << 8);
      c.mmu.updateMode();
    });
    t.cpu.step(400);
    expect(t.cpu.waiting).toBe(true);
    expect(t.cpu.instructions).toBe(1);
    t.cpu.step(1000);
    expect(excCode(t)).toBe(Exc.Int);
    expect(t.cpu.waiting).toBe(false);
  });
});

describe('UserLocal (MIPS32r2 extension)', () => {
  it('CP0 Context select 2 holds the value RDHWR $29 reads', () => {
    const t = Runner.create().asm(`
      li $t0, 0x7ffe1234
      mtc0 $t0, $4, 2
      rdhwr $t1, $29
      mfc0 $t2, $4, 2
    `).run();
    expect(t.u(T1)).toBe(0x7ffe1234);
    expect(t.u(T2)).toBe(0x7ffe1234);
  });
});
