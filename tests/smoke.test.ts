import { describe, it, expect } from 'vitest';
import { Runner } from './helpers/runner.js';

describe('runner', () => {
  it('runs assembled code', () => {
    const t = Runner.create().asm(`
      li $t0, 0x12345678
      addiu $t1, $t0, 1
      sll $t2, $t1, 4
    `).run();
    expect(t.u(9)).toBe(0x12345679);
    expect(t.u(10)).toBe(0x23456790);
  });
});
