// SPDX-License-Identifier: MIT
/** ELF validation: what `disco exec` refuses to run, with one line and status 2. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElfError, parseElf } from '../../src/exec/elf.js';
import { OUT, PROGRAMS, build, disco, requireBuild } from './helpers.js';

beforeAll(requireBuild);

/** A copy of a good static executable with bytes patched. */
function patched(name: string, patch: (b: Buffer) => Buffer): string {
  const dir = join(OUT, 'bad-elf');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, patch(Buffer.from(readFileSync(build('hello.c')))));
  return file;
}

function dynamic(name: string, flags: string[]): string {
  const dir = join(OUT, 'bad-elf');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  execFileSync('mips-linux-gnu-gcc', ['-O2', ...flags, '-o', file, join(PROGRAMS, 'hello.c')]);
  return file;
}

describe('ELF validation', () => {
  const cases: [string, () => string, RegExp][] = [
    ['not ELF', () => patched('text', () => Buffer.from('#!/bin/sh\necho hi\n')), /not an ELF file/],
    ['truncated header', () => patched('short', (b) => b.subarray(0, 40)), /truncated ELF header/],
    ['64-bit', () => patched('class64', (b) => { b[4] = 2; return b; }), /64-bit ELF/],
    ['little-endian', () => patched('little', (b) => { b[5] = 1; return b; }), /little-endian/],
    ['wrong machine', () => patched('x86', (b) => { b.writeUInt16BE(62, 18); return b; }), /not a MIPS executable \(e_machine 62\)/],
    ['truncated segment', () => patched('cut', (b) => b.subarray(0, 4096)), /truncated segment/],
    ['dynamically linked', () => dynamic('dynamic', ['-no-pie']), /dynamically linked \(interpreter \/lib\/ld\.so\.1\)/],
    ['dynamically linked PIE', () => dynamic('pie', ['-pie']), /dynamically linked/],
    ['missing file', () => join(OUT, 'no-such-program'), /no such file or directory/],
  ];

  it.each(cases)('refuses %s with one line and status 2', (_what, make, message) => {
    const file = make();
    const r = disco(['exec', file, 'arg']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^disco exec: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    expect(r.stderr).toMatch(message);
  });

  it('accepts a static executable and describes its segments', () => {
    const img = parseElf(readFileSync(build('hello.c')));
    expect(img.entry).toBeGreaterThan(0x400000);
    expect(img.segments.length).toBeGreaterThanOrEqual(2);
    expect(img.phent).toBe(32);
    expect(img.phdrAddr).toBeGreaterThan(0);
    for (const s of img.segments) expect(s.filesz).toBeLessThanOrEqual(s.memsz);
  });

  it('throws ElfError, whose message is one line', () => {
    expect(() => parseElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2]))).toThrow(ElfError);
    try { parseElf(new Uint8Array(3)); } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      expect((e as Error).message).not.toContain('\n');
    }
  });
});
