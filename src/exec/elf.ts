// SPDX-License-Identifier: MIT
/**
 * ELF32 executables for `disco exec` (System V ABI, MIPS supplement): validation of a static
 * big-endian MIPS o32 executable and the description of its loadable segments.
 */

/** A file `disco exec` cannot run; the message is one line naming the problem. */
export class ElfError extends Error {
  override name = 'ElfError';
}

export const enum Pt { LOAD = 1, DYNAMIC = 2, INTERP = 3, PHDR = 6, TLS = 7 }
/** p_flags bits. */
export const enum Pf { X = 1, W = 2, R = 4 }

const EM_MIPS = 8, ET_EXEC = 2, ET_DYN = 3, EHDR_SIZE = 52, PHDR_SIZE = 32;
const EF_MIPS_ABI2 = 0x20; // n32

export interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfImage {
  entry: number;
  /** The program headers' address in the loaded image (AT_PHDR), their size and number. */
  phdrAddr: number;
  phent: number;
  phnum: number;
  /** PT_LOAD segments in file order. */
  segments: Segment[];
  bytes: Uint8Array;
}

/**
 * Validates `bytes` as a static big-endian MIPS ELF32 executable; throws ElfError otherwise.
 * A 'user' image must lie in kuseg (disco exec); a 'kernel' image in kseg0/kseg1 (disco boot).
 */
export function parseElf(bytes: Uint8Array, space: 'user' | 'kernel' = 'user'): ElfImage {
  const inSpace = space === 'user'
    ? (_lo: number, hi: number) => hi <= 0x80000000
    : (lo: number, hi: number) => lo >= 0x80000000 && hi <= 0xc0000000;
  const spaceName = space === 'user' ? 'the user address space' : 'kseg0/kseg1';
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file');
  }
  if (bytes.length < 16) throw new ElfError('truncated ELF header');
  if (bytes[4] === 2) throw new ElfError('64-bit ELF (ELFCLASS64); only 32-bit MIPS executables can run');
  if (bytes[4] !== 1) throw new ElfError(`bad ELF class ${bytes[4]}`);
  if (bytes[5] === 1) throw new ElfError('little-endian ELF; only big-endian MIPS executables can run');
  if (bytes[5] !== 2) throw new ElfError(`bad ELF data encoding ${bytes[5]}`);
  if (bytes.length < EHDR_SIZE) throw new ElfError(`truncated ELF header (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, false);
  const u32 = (o: number): number => dv.getUint32(o, false);

  const type = u16(16), machine = u16(18);
  if (machine !== EM_MIPS) throw new ElfError(`not a MIPS executable (e_machine ${machine})`);
  if ((u32(36) & EF_MIPS_ABI2) !== 0) throw new ElfError('n32 ABI executable; only o32 executables can run');
  if (type !== ET_EXEC && type !== ET_DYN) throw new ElfError(`not an executable (e_type ${type})`);

  const entry = u32(24), phoff = u32(28), phent = u16(42), phnum = u16(44);
  if (phnum === 0) throw new ElfError('no program headers');
  if (phent !== PHDR_SIZE) throw new ElfError(`bad program header size ${phent}`);
  if (phoff + phnum * phent > bytes.length) throw new ElfError('truncated program headers');
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phent;
    if (u32(o) !== Pt.INTERP) continue;
    const off = u32(o + 4), len = u32(o + 16);
    const interp = off + len <= bytes.length ? new TextDecoder().decode(bytes.subarray(off, off + len)).replace(/\0.*$/s, '') : '?';
    throw new ElfError(`dynamically linked (interpreter ${interp}); only static executables can run`);
  }
  if (type === ET_DYN) throw new ElfError('position-independent executable (ET_DYN); only static, non-PIE executables can run');

  const segments: Segment[] = [];
  let phdrAddr = -1;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phent;
    const ptype = u32(o), offset = u32(o + 4), vaddr = u32(o + 8), filesz = u32(o + 16), memsz = u32(o + 20), flags = u32(o + 24);
    if (ptype === Pt.DYNAMIC) throw new ElfError('dynamically linked (has PT_DYNAMIC); only static executables can run');
    if (ptype === Pt.PHDR) phdrAddr = vaddr;
    if (ptype !== Pt.LOAD) continue;
    if (offset + filesz > bytes.length) throw new ElfError(`truncated segment ${i} (needs ${offset + filesz} bytes, file has ${bytes.length})`);
    if (filesz > memsz) throw new ElfError(`segment ${i} has p_filesz > p_memsz`);
    if (!inSpace(vaddr, vaddr + memsz)) throw new ElfError(`segment ${i} lies outside ${spaceName}`);
    if (memsz > 0) segments.push({ vaddr, offset, filesz, memsz, flags });
  }
  if (segments.length === 0) throw new ElfError('no loadable segments');
  if (!inSpace(entry, entry)) throw new ElfError(`entry point 0x${entry.toString(16)} outside ${spaceName}`);
  if (phdrAddr < 0) {
    // Without PT_PHDR the headers are found in the segment that maps file offset e_phoff.
    const s = segments.find((g) => g.offset <= phoff && phoff + phnum * phent <= g.offset + g.filesz);
    phdrAddr = s ? s.vaddr + (phoff - s.offset) : 0;
  }
  return { entry, phdrAddr, phent, phnum, segments, bytes };
}
