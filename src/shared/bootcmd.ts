// SPDX-License-Identifier: MIT
/**
 * The boot command block (guest/kernel/kernel.h, BOOTCMD_*): the program the guest's init runs,
 * its arguments, environment and working directory, placed by the host in the last 64 KB of the
 * guest's first node (of the VM's memory under Disco) before the kernel starts. Big-endian u32
 * magic "ARGV", argc, envc, string bytes; then argv, env and cwd as NUL-terminated strings.
 */
export const BOOTCMD_BYTES = 0x10000;
export const BOOTCMD_MAGIC = 0x41524756;

export class BootCommandError extends Error {}

export function encodeBootCommand(argv: string[], env: string[], cwd = ''): Uint8Array {
  if (argv.length === 0) throw new BootCommandError('no program to run');
  for (const e of env) if (!/^[^=\0]+=/.test(e)) throw new BootCommandError(`environment entry "${e}" is not NAME=VALUE`);
  if ([...argv, ...env, cwd].some((s) => s.includes('\0'))) throw new BootCommandError('arguments cannot contain NUL bytes');
  const strings = Buffer.from([...argv, ...env, cwd].map((s) => s + '\0').join(''), 'utf8');
  if (16 + strings.length > BOOTCMD_BYTES) throw new BootCommandError(`the arguments and environment take ${16 + strings.length} bytes; at most ${BOOTCMD_BYTES} fit`);
  const out = Buffer.alloc(16 + strings.length);
  out.writeUInt32BE(BOOTCMD_MAGIC, 0);
  out.writeUInt32BE(argv.length, 4);
  out.writeUInt32BE(env.length, 8);
  out.writeUInt32BE(strings.length, 12);
  strings.copy(out, 16);
  return out;
}
