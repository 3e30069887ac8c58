// SPDX-License-Identifier: MIT
/**
 * Where a branch or jump goes (MIPS IV ISA, chapter 3): Disco emulates a privileged instruction
 * that sits in a delay slot (Cause.BD) and must then continue where the branch at EPC leads.
 * Evaluated before the emulated instruction writes any register, as the hardware did.
 */
import type { Cpu } from '../node-worker/cpu/cpu.js';
import { fccBit } from '../node-worker/cpu/cpu.js';
import { readFcsr } from '../node-worker/cpu/cp1.js';

export function branchTarget(cpu: Cpu, instr: number, pc: number): number {
  const r = cpu.regs, op = instr >>> 26, rs = (instr >>> 21) & 31, rt = (instr >>> 16) & 31;
  const taken = (pc + 4 + ((instr << 16) >> 14)) | 0, fall = (pc + 8) | 0;
  switch (op) {
    case 0x00: return r[rs];                                             // JR, JALR
    case 0x01: return (rt & 1 ? r[rs] >= 0 : r[rs] < 0) ? taken : fall;  // BLTZ/BGEZ(-L, -AL)
    case 0x02: case 0x03: return (((pc + 4) & 0xf0000000) | ((instr & 0x03ffffff) << 2)) | 0; // J, JAL
    case 0x04: case 0x14: return r[rs] === r[rt] ? taken : fall;         // BEQ(L)
    case 0x05: case 0x15: return r[rs] !== r[rt] ? taken : fall;         // BNE(L)
    case 0x06: case 0x16: return r[rs] <= 0 ? taken : fall;              // BLEZ(L)
    case 0x07: case 0x17: return r[rs] > 0 ? taken : fall;               // BGTZ(L)
    case 0x11: {                                                         // BC1F/BC1T(L)
      const set = (readFcsr(cpu) & fccBit((instr >>> 18) & 7)) !== 0;
      return set === ((instr >>> 16 & 1) === 1) ? taken : fall;
    }
    default: return fall;
  }
}
