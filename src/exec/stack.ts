// SPDX-License-Identifier: MIT
/**
 * The initial user stack of a new process as Linux builds it (fs/binfmt_elf.c, create_elf_tables):
 * strings at the top, then AT_RANDOM's bytes, then argc, argv[], NULL, envp[], NULL and the
 * auxiliary vector, with $sp pointing at argc.
 */
import type { AddressSpace } from './address-space.js';

export const enum At {
  NULL = 0, PHDR = 3, PHENT = 4, PHNUM = 5, PAGESZ = 6, BASE = 7, FLAGS = 8, ENTRY = 9, UID = 11, EUID = 12,
  GID = 13, EGID = 14, PLATFORM = 15, HWCAP = 16, CLKTCK = 17, SECURE = 23, RANDOM = 25, HWCAP2 = 26, EXECFN = 31,
}

export interface StackImage {
  argv: string[];
  envp: string[];
  execfn: string;
  platform: string;
  random: Uint8Array;
  /** Auxiliary vector entries other than those pointing at strings or bytes placed here. */
  auxv: [number, number][];
}

/** Writes the initial stack below `top` and returns the initial $sp. */
export function buildInitialStack(as: AddressSpace, img: StackImage, top: number): number {
  let sp = top;
  const putBytes = (bytes: Uint8Array): number => { sp -= bytes.length; as.copyOut(sp, bytes); return sp; };
  const putString = (s: string): number => putBytes(Buffer.from(s + '\0', 'utf8'));

  const execfn = putString(img.execfn);
  const envp = img.envp.map(putString);
  const argv = img.argv.map(putString);
  const platform = putString(img.platform);
  sp &= ~15;
  const random = putBytes(img.random);

  const auxv: [number, number][] = [...img.auxv, [At.RANDOM, random], [At.EXECFN, execfn], [At.PLATFORM, platform], [At.NULL, 0]];
  const words = [argv.length, ...argv, 0, ...envp, 0, ...auxv.flat()];
  sp = (sp - words.length * 4) & ~15;
  const table = new Uint8Array(words.length * 4);
  const dv = new DataView(table.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0));
  as.copyOut(sp, table);
  return sp;
}
