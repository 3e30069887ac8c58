// SPDX-License-Identifier: MIT
/** An emulator bug (a JavaScript exception while the program runs) comes back as a result, reported in one line. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { faultSummary } from '../../src/cli/exec.js';
import { runProgram, type ExecRequest } from '../../src/exec/run.js';
import { Cpu } from '../../src/node-worker/cpu/cpu.js';
import { createLogger } from '../../src/shared/log.js';
import { build } from './helpers.js';

function request(program: string): ExecRequest {
  return {
    program, args: [], envp: [], cwd: process.cwd(), strictR10000: false, memory: new SharedArrayBuffer(32 << 20),
    winsize: null, logLevel: 'silent',
  };
}

afterEach(() => { vi.restoreAllMocks(); });

describe('emulator faults', () => {
  it('come back from the worker side as a value with the pc, the instruction and the stack', () => {
    const prog = build('hello.c');
    let calls = 0;
    const real = Cpu.prototype.run;
    vi.spyOn(Cpu.prototype, 'run').mockImplementation(function (this: Cpu, budget: number) {
      if (++calls === 5) throw new Error('injected bug\nsecond line');
      return real.call(this, Math.min(budget, 1000));
    });
    const r = runProgram(request(prog), createLogger('silent'));
    expect(r.kind).toBe('emulator-fault');
    if (r.kind !== 'emulator-fault') return;
    expect(r.message).toContain('injected bug');
    expect(r.stack).toContain('fault.test.ts');
    expect(r.instr).not.toBeNull();
    expect(r.stats.instructions).toBeGreaterThan(0);
    const line = faultSummary(r);
    expect(line).toMatch(/^disco exec: emulator fault at pc 0x[0-9a-f]{8} \(instr 0x[0-9a-f]{8}\): injected bug$/);
  });

  it('are not what a program that runs to its end gives', () => {
    const r = runProgram(request(build('rdhwr.S', 'rdhwr', ['-march=mips32r2', '-nostdlib', '-static'])), createLogger('silent'));
    expect(r).toMatchObject({ kind: 'exit', status: 0x12, message: null });
  });
});
