// SPDX-License-Identifier: MIT
/** Small guest kernels for Disco's tests: MIPS assembly linked by binutils at kseg0 0x80000000 (it runs at ksseg 0xC0000000). */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Assembles and links `source` into DIR/NAME.elf; returns its path. */
export function linkGuest(dir: string, name: string, source: string): string {
  const src = join(dir, `${name}.S`), ld = join(dir, 'guest.ld'), elf = join(dir, `${name}.elf`);
  writeFileSync(src, source);
  writeFileSync(ld, 'ENTRY(_start) SECTIONS { . = 0x80000000; .text : { *(.text) } /DISCARD/ : { *(.MIPS.abiflags) *(.reginfo) *(.gnu.attributes) } }');
  execFileSync('mips-linux-gnu-gcc', ['-EB', '-march=r10000', '-mabi=32', '-nostdlib', '-static', '-no-pie', '-Wl,--no-warn-mismatch',
    '-Wl,-T,' + ld, '-Wl,--build-id=none', '-o', elf, src]);
  return elf;
}
