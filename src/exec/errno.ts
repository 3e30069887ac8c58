// SPDX-License-Identifier: MIT
/**
 * Linux error numbers as the MIPS o32 ABI numbers them (uapi asm-mips/errno.h; 1..34 are the
 * generic ones), and the translation of a host error (a Node `code` string) into them.
 */

/** errno values by name (MIPS numbering). */
export const Errno = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10,
  EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28,
  ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, ENOMSG: 35, EIDRM: 36, EDEADLK: 45,
  ENOLCK: 46, ENODATA: 61, ETIME: 62, ENOLINK: 67, EPROTO: 71, EBADMSG: 77, ENAMETOOLONG: 78, EOVERFLOW: 79,
  EBADFD: 81, EILSEQ: 88, ENOSYS: 89, ELOOP: 90, ENOTEMPTY: 93, EUSERS: 94, ENOTSOCK: 95, EDESTADDRREQ: 96,
  EMSGSIZE: 97, EPROTOTYPE: 98, ENOPROTOOPT: 99, EPROTONOSUPPORT: 120, ESOCKTNOSUPPORT: 121, EOPNOTSUPP: 122,
  EAFNOSUPPORT: 124, EADDRINUSE: 125, EADDRNOTAVAIL: 126, ENETDOWN: 127, ENETUNREACH: 128, ECONNABORTED: 130,
  ECONNRESET: 131, ENOBUFS: 132, EISCONN: 133, ENOTCONN: 134, ETIMEDOUT: 145, ECONNREFUSED: 146,
  EHOSTUNREACH: 148, EALREADY: 149, EINPROGRESS: 150, ESTALE: 151, ECANCELED: 158, EDQUOT: 1133,
} as const;

/** Host error codes: the names above plus the aliases Node may report. */
const BY_NAME: Record<string, number> = { ...Errno, EWOULDBLOCK: Errno.EAGAIN, ENOTSUP: Errno.EOPNOTSUPP };

/** A failed system call: carries the MIPS errno to return to the guest. */
export class SyscallError extends Error {
  constructor(readonly errno: number) { super(`errno ${errno}`); }
}

/** The MIPS errno for an error thrown by Node's fs (EIO for a host errno without a MIPS twin). */
export function hostErrno(e: unknown): number {
  if (e instanceof SyscallError) return e.errno;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in BY_NAME) return BY_NAME[code];
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return Errno.EIO; // a host errno MIPS lacks
  throw e; // not a host system call's error (Node's ERR_* or none): an emulator bug
}
