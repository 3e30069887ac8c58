// SPDX-License-Identifier: MIT
// Placeholder until the FPU lands: every COP1 arithmetic operation is unimplemented.
import type { Cpu } from './cpu.js';
import { Exc } from './cp0.js';
export function fpuOp(_cpu: Cpu, _instr: number): number { return Exc.RI; }
export function fpuOpX(_cpu: Cpu, _instr: number): number { return Exc.RI; }
