// SPDX-License-Identifier: MIT
/**
 * A fluent runner for per-instruction tests: code assembled by the real cross assembler
 * (binutils' mips-linux-gnu-as, so encodings are not ours), loaded at CODE in kseg0, run on a
 * bare CPU in kernel mode with CU0 and CU1 usable, then registers and CP0 are inspected.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MachineMemory } from '../../src/shared/memory.js';
import { Cpu } from '../../src/node-worker/cpu/cpu.js';
import { C0, Status } from '../../src/node-worker/cpu/cp0.js';

export const CODE = 0x80010000 | 0;
const CACHE_DIR = join(process.cwd(), 'build', 'asm-cache');

/** Assembles MIPS source (noreorder, noat, mips32r2 + FR=0) to big-endian instruction words. */
export function assemble(source: string, march = 'mips32r2', at = CODE): Uint32Array {
  const text = `.set noreorder\n.set noat\n.text\n${source}\n`;
  const key = createHash('sha1').update(`${march}\0${at}\0${text}`).digest('hex');
  mkdirSync(CACHE_DIR, { recursive: true });
  const bin = join(CACHE_DIR, key + '.bin');
  if (!existsSync(bin)) {
    const src = join(CACHE_DIR, key + '.s'), obj = join(CACHE_DIR, key + '.o'), elf = join(CACHE_DIR, key + '.elf');
    writeFileSync(src, text);
    execFileSync('mips-linux-gnu-as', ['-EB', `-march=${march}`, '-mfp32', '-32', '-o', obj, src]);
    // Linked at its load address so jal and la resolve; --no-warn-mismatch for -march=r10000.
    execFileSync('mips-linux-gnu-ld', ['-EB', '--no-warn-mismatch', '-e', '0', `-Ttext=0x${(at >>> 0).toString(16)}`, '-o', elf, obj]);
    execFileSync('mips-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
  }
  const bytes = readFileSync(bin);
  const words = new Uint32Array(bytes.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = bytes.readUInt32BE(i * 4);
  return words;
}

export interface RunnerOptions { r2?: boolean; memoryBytes?: number }

export class Runner {
  readonly memory: MachineMemory;
  readonly cpu: Cpu;
  private end = CODE;

  private constructor(opts: RunnerOptions) {
    this.memory = new MachineMemory(opts.memoryBytes ?? 4 << 20);
    this.cpu = new Cpu({ memory: this.memory, r2: opts.r2 ?? true });
    this.cpu.cp0[C0.Status] = Status.CU0 | Status.CU1;
    this.cpu.mmu.updateMode();
    this.cpu.pc = CODE;
  }

  static create(opts: RunnerOptions = {}): Runner { return new Runner(opts); }

  /** Places assembled code at `at` (a kseg0 address; CODE by default) and points pc there. */
  asm(source: string, at = CODE, march?: string): this {
    const words = assemble(source, march, at);
    this.poke(at, words);
    if (at === CODE) this.end = (CODE + words.length * 4) | 0;
    return this;
  }

  /** Writes words at a kseg0/kseg1 address. */
  poke(at: number, words: ArrayLike<number>): this {
    const pa = at & 0x1fffffff;
    for (let i = 0; i < words.length; i++) this.memory.write32(pa + 4 * i, words[i]);
    return this;
  }

  gpr(n: number, v: number): this { this.cpu.regs[n] = v; return this; }
  setCp0(reg: number, v: number): this { this.cpu.cp0[reg] = v; this.cpu.mmu.updateMode(); return this; }
  setup(fn: (cpu: Cpu) => void): this { fn(this.cpu); return this; }

  /** Runs exactly n instructions (plus a pending delay slot). */
  step(n: number): this { this.cpu.run(n); return this; }

  /** Runs until pc reaches the end of the code placed at CODE (or `until`), at most `limit` instructions. */
  run(until = this.end, limit = 1_000_000): this {
    let left = limit;
    while (this.cpu.pc !== until && left > 0 && !this.cpu.stopped) { this.cpu.run(1); left--; }
    if (this.cpu.pc !== until) throw new Error(`did not reach ${hex(until)}: pc=${hex(this.cpu.pc)}`);
    return this;
  }

  r(n: number): number { return this.cpu.regs[n]; }
  u(n: number): number { return this.cpu.regs[n] >>> 0; }
  c0(reg: number): number { return this.cpu.cp0[reg]; }
}

export function hex(v: number): string { return '0x' + (v >>> 0).toString(16).padStart(8, '0'); }
