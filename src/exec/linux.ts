// SPDX-License-Identifier: MIT
/**
 * The Linux o32 system call ABI (arch/mips/kernel/scall32-o32.S): the number in v0 (4000 + n),
 * arguments in a0-a3 then at sp+16.., the result in v0 with a3 = 0, or a positive errno in v0
 * with a3 = 1. The calls themselves are grouped by subject in the sys-*.ts files.
 */
import { Errno, hostErrno } from './errno.js';
import type { LinuxProcess } from './process.js';
import { syscallName } from './syscall-names.js';
import { fileSyscalls } from './sys-fs.js';
import { ioSyscalls } from './sys-io.js';
import { memorySyscalls } from './sys-mem.js';
import { processSyscalls } from './sys-proc.js';
import { timeSyscalls } from './sys-time.js';

/**
 * A system call: returns the result (a negative value -4095..-1 is an error), or null when it
 * has set the registers itself (exit, rt_sigreturn). It may also throw a host or SyscallError.
 */
export type SyscallFn = (p: LinuxProcess) => number | null;
export type SyscallTable = Record<number, SyscallFn>;

const TABLE = new Map<number, SyscallFn>();
for (const group of [fileSyscalls, ioSyscalls, memorySyscalls, processSyscalls, timeSyscalls]) {
  for (const [nr, fn] of Object.entries(group)) TABLE.set(Number(nr), fn);
}

/** Calls the system call the CPU asked for; the CPU already points after the SYSCALL. */
export function syscall(p: LinuxProcess): void {
  const r = p.cpu.regs, nr = r[2];
  const fn = TABLE.get(nr);
  let result: number | null;
  if (fn === undefined) {
    result = -Errno.ENOSYS;
    unknown(p, nr);
  } else {
    try { result = fn(p); } catch (e) { result = -hostErrno(e); }
  }
  if (result === null) return;
  if (result < 0 && result >= -4095) { r[2] = -result; r[7] = 1; }
  else { r[2] = result; r[7] = 0; }
}

const warned = new WeakMap<LinuxProcess, Set<number>>();

function unknown(p: LinuxProcess, nr: number): void {
  let set = warned.get(p);
  if (set === undefined) { set = new Set(); warned.set(p, set); }
  if (set.has(nr)) return;
  set.add(nr);
  const name = syscallName(nr);
  p.log.warn({ syscall: nr }, `unimplemented system call ${name === null ? `${nr} (not an o32 system call)` : `${name} (${nr})`}: returning ENOSYS`);
}
