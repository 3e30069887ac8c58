// The host side of `disco boot -- PROGRAM ARGS`: the boot command block (guest/kernel/kernel.h,
// BOOTCMD_*) as the guest sees it in machine memory (big-endian words in the last 64 KB of node
// 0), and the clear errors (exit 2) for an environment entry without '=', a block over 64 KB,
// --env/--cwd without a program and a node too small to hold the block.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Machine } from '../../src/machine/machine.js';
import { makeConfig } from '../../src/shared/config.js';
import { BOOTCMD_BYTES, BootCommandError, encodeBootCommand } from '../../src/shared/bootcmd.js';

const disco = (...args: string[]) => spawnSync('node', ['bin/disco.js', ...args], { encoding: 'utf8', timeout: 120_000 });
const kernel = readFileSync('guest/images/kernel.elf');

function machine(nodes: number, memPerNodeMB: number): Machine {
  const m = new Machine(makeConfig({ nodes, memPerNodeMB }));
  m.loadKernel(kernel);
  return m;
}

describe('boot command block', () => {
  it('lies in the last 64 KB of node 0 as big-endian magic, argc, envc, string bytes, then the strings', () => {
    const m = machine(2, 4);
    m.loadBootCommand(encodeBootCommand(['/bin/prog', 'two words', '', 'ünï'], ['X=1', 'E='], '/tmp'));
    const pa = (4 << 20) - 0x10000;
    const strings = '/bin/prog\0two words\0\0\xc3\xbcn\xc3\xaf\0X=1\0E=\0/tmp\0';
    // The guest reads the header as 32-bit words and the strings as bytes.
    expect([0, 4, 8, 12].map((o) => m.memory.read32(pa + o) >>> 0)).toEqual([0x41524756, 4, 2, strings.length]);
    expect([0, 1, 2, 3].map((o) => String.fromCharCode(m.memory.read8(pa + o))).join('')).toBe('ARGV');
    expect(Buffer.from(m.memory.readBytes(pa + 16, strings.length)).toString('latin1')).toBe(strings);
    // Nothing else changes: not the words before it, not node 1.
    expect(m.memory.read32(pa - 4)).toBe(0);
    expect(m.memory.read32(4 << 20)).toBe(0);
  });

  it('is absent unless written: a fresh machine has no magic there', () => {
    const m = machine(1, 8);
    expect(m.memory.read32((8 << 20) - BOOTCMD_BYTES)).toBe(0);
  });

  it('holds exactly 64 KB: 16 header bytes and 65520 string bytes fit, one more does not', () => {
    const fits = 'a'.repeat(BOOTCMD_BYTES - 16 - 2);                  // + NULs after argv[0] and "" (cwd)
    expect(encodeBootCommand([fits], [], '')).toHaveLength(BOOTCMD_BYTES);
    expect(() => encodeBootCommand([fits + 'a'], [], '')).toThrow(/65537 bytes; at most 65536 fit/);
  });

  it.each([['FOO'], ['=value'], ['']])('rejects the environment entry %j (not NAME=VALUE)', (e) => {
    expect(() => encodeBootCommand(['/bin/p'], [e])).toThrow(BootCommandError);
  });

  it('rejects a NUL inside an argument and an empty argv', () => {
    expect(() => encodeBootCommand(['/bin/p', 'a\0b'], [])).toThrow(/NUL/);
    expect(() => encodeBootCommand([], [])).toThrow(/no program/);
  });

  it('never overwrites the kernel', () => {
    const big = Buffer.from(kernel);
    big.writeUInt32BE(0xf0001, big.readUInt32BE(28) + 20);      // the load segment's p_memsz: 960 KB + 1
    const m = new Machine(makeConfig({ nodes: 1, memPerNodeMB: 1 }));
    m.loadKernel(big);
    expect(() => m.loadBootCommand(encodeBootCommand(['/bin/p'], []))).toThrow(/would overwrite the kernel/);
    big.writeUInt32BE(0xf0000, big.readUInt32BE(28) + 20);      // ends where the block starts
    const ok = new Machine(makeConfig({ nodes: 1, memPerNodeMB: 1 }));
    ok.loadKernel(big);
    ok.loadBootCommand(encodeBootCommand(['/bin/p'], []));
  });

  it('needs room in node 0 below the I/O window', () => {
    expect(() => machine(1, 1024).loadBootCommand(encodeBootCommand(['/bin/p'], []))).toThrow('the boot command block would lie in the I/O window: node 0 may have at most 496 MB');
  });
});

describe('disco boot -- PROGRAM', () => {
  it.each([
    ['--env without =', ['--env', 'FOO', '--', '/bin/p'], 'disco boot: environment entry "FOO" is not NAME=VALUE\n'],
    ['--env without a program', ['--env', 'A=1'], 'disco boot: --env and --cwd need a program: disco boot [options] -- PROGRAM ARGS...\n'],
    ['--cwd without a program', ['--cwd', '/tmp'], 'disco boot: --env and --cwd need a program: disco boot [options] -- PROGRAM ARGS...\n'],
    ['a 70 KB argument', ['--', '/bin/p', 'x'.repeat(70_000)], 'disco boot: the arguments and environment take 70026 bytes; at most 65536 fit\n'],
    ['node 0 over the I/O window', ['--mem-per-node', '1024', '--', '/bin/p'], 'disco boot: the boot command block would lie in the I/O window: node 0 may have at most 496 MB\n'],
  ])('exits 2 with one line for %s', (_what, args, message) => {
    const r = disco('boot', '-q', ...args);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(message);
    expect(r.status).toBe(2);
  });

  it('hands the kernel PROGRAM as given, leaving the options after -- to the program', () => {
    // No disk: the guest kernel's init cannot find the program and says so, as a shell would (127).
    const r = disco('boot', '-q', '--mem-per-node', '16', '--', './no such/prog', '-q', '--env', 'X');
    expect(r.stdout).toBe('init: ./no such/prog: No such file or directory\n');
    expect(r.status).toBe(127);
  });
});
