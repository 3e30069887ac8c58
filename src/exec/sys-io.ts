// SPDX-License-Identifier: MIT
/**
 * System calls on file descriptors: read/write and their vector and positional forms, seeking,
 * descriptor duplication, pipes, fcntl, ioctl, getdents64 and fsync.
 */
import * as fs from 'node:fs';
import { Errno, SyscallError } from './errno.js';
import { Kind, O, OpenFile, Pipe, type DirEntry } from './files.js';
import type { SyscallTable } from './linux.js';
import type { LinuxProcess } from './process.js';
import { Sig, SiCode } from './signals.js';

/** Largest single transfer the emulator buffers on the host. */
const MAX_IO = 64 << 20;
const IOV_MAX = 1024;

const enum F {
  DUPFD = 0, GETFD = 1, SETFD = 2, GETFL = 3, SETFL = 4, SETLK = 6, SETLKW = 7, GETLK = 14,
  SETOWN = 24, GETOWN = 23, GETLK64 = 33, SETLK64 = 34, SETLKW64 = 35,
  OFD_GETLK = 36, OFD_SETLK = 37, OFD_SETLKW = 38, DUPFD_CLOEXEC = 1030, GETPIPE_SZ = 1032,
}
const FD_CLOEXEC = 1;
/** Flags F_SETFL may change. */
const SETFL_MASK = O.APPEND | O.NONBLOCK | O.ASYNC | O.DIRECT | O.NOATIME;

/** ioctl requests (MIPS numbering, uapi asm-mips/ioctls.h). */
const enum Ioctl {
  TCGETS = 0x540d, TCSETS = 0x540e, TCSETSW = 0x540f, TCSETSF = 0x5410, TIOCGWINSZ = 0x40087468,
  TIOCSWINSZ = 0x80087467, TIOCGPGRP = 0x40047477, FIONREAD = 0x467f, FIONBIO = 0x667e,
  FIOCLEX = 0x6601, FIONCLEX = 0x6602,
}

function readInto(p: LinuxProcess, file: OpenFile, va: number, count: number, position: number | null): number {
  let n = Math.min(count >>> 0, MAX_IO);
  if (file.kind === Kind.File && file.hostFd >= 0) {
    const at = position ?? (file.tracked ? file.pos : null);
    if (at !== null) n = Math.max(0, Math.min(n, fs.fstatSync(file.hostFd).size - at));
  }
  if (n > 0) p.as.checkWritable(va, n);
  const buf = new Uint8Array(n);
  const got = file.read(buf, position);
  p.as.copyOut(va, buf.subarray(0, got));
  return got;
}

function writeFrom(p: LinuxProcess, file: OpenFile, va: number, count: number, position: number | null): number {
  return writeBytes(p, file, p.as.copyIn(va, Math.min(count >>> 0, MAX_IO)), position);
}

/** A write; EPIPE also sends SIGPIPE, as a write to a pipe without readers does. */
function writeBytes(p: LinuxProcess, file: OpenFile, buf: Uint8Array, position: number | null): number {
  try {
    return file.write(buf, position);
  } catch (e) {
    if (e instanceof SyscallError ? e.errno === Errno.EPIPE : (e as { code?: string }).code === 'EPIPE') {
      p.send({ signo: Sig.PIPE, code: SiCode.USER, pid: p.pid });
    }
    throw e;
  }
}

/** The (base, length) pairs of an iovec array. */
function iovecs(p: LinuxProcess, va: number, count: number): [number, number][] {
  if (count < 0 || count > IOV_MAX) throw new SyscallError(Errno.EINVAL);
  const raw = p.as.copyIn(va, count * 8), dv = new DataView(raw.buffer);
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) out.push([dv.getUint32(i * 8), dv.getUint32(i * 8 + 4)]);
  return out;
}

function readv(p: LinuxProcess): number {
  const file = p.fds.get(p.arg(0));
  let total = 0;
  for (const [base, len] of iovecs(p, p.arg(1), p.arg(2))) {
    if (len === 0) continue;
    const n = readInto(p, file, base, len, null);
    total += n;
    if (n < len) break;
  }
  return total;
}

function writev(p: LinuxProcess): number {
  const file = p.fds.get(p.arg(0));
  const parts = iovecs(p, p.arg(1), p.arg(2)).map(([base, len]) => p.as.copyIn(base, len));
  const all = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of parts) { all.set(b, at); at += b.length; }
  return writeBytes(p, file, all, null);
}

function dup3(p: LinuxProcess, oldfd: number, newfd: number, flags: number): number {
  if ((flags & ~O.CLOEXEC) !== 0 || oldfd === newfd) throw new SyscallError(Errno.EINVAL);
  return p.fds.installAt(newfd, p.fds.get(oldfd), (flags & O.CLOEXEC) !== 0);
}

function pipe2(p: LinuxProcess, flags: number): [number, number] {
  if ((flags & ~(O.CLOEXEC | O.NONBLOCK | O.DIRECT)) !== 0) throw new SyscallError(Errno.EINVAL);
  const pipe = new Pipe(), cloexec = (flags & O.CLOEXEC) !== 0;
  const rfd = p.fds.install(OpenFile.pipeEnd(pipe, false, flags), cloexec);
  try {
    return [rfd, p.fds.install(OpenFile.pipeEnd(pipe, true, flags), cloexec)];
  } catch (e) { p.fds.close(rfd); throw e; }
}

function fcntl(p: LinuxProcess): number {
  const fd = p.arg(0), cmd = p.arg(1), arg = p.arg(2);
  const entry = p.fds.entry(fd);
  switch (cmd) {
    case F.DUPFD: case F.DUPFD_CLOEXEC:
      if (arg < 0) throw new SyscallError(Errno.EINVAL);
      return p.fds.install(entry.file, cmd === F.DUPFD_CLOEXEC, arg);
    case F.GETFD: return entry.cloexec ? FD_CLOEXEC : 0;
    case F.SETFD: entry.cloexec = (arg & FD_CLOEXEC) !== 0; return 0;
    case F.GETFL: return entry.file.flags | O.LARGEFILE;
    case F.SETFL: entry.file.flags = (entry.file.flags & ~SETFL_MASK) | (arg & SETFL_MASK); return 0;
    case F.GETLK: case F.GETLK64: case F.OFD_GETLK:
      // No other process can hold a lock: report the region unlocked (l_type is the first field).
      p.as.copyOut(arg, new Uint8Array([0, 2]));
      return 0;
    case F.SETLK: case F.SETLKW: case F.SETLK64: case F.SETLKW64: case F.OFD_SETLK: case F.OFD_SETLKW:
      return 0;
    case F.GETOWN: return 0;
    case F.SETOWN: return 0;
    case F.GETPIPE_SZ:
      if (entry.file.pipe === null) throw new SyscallError(Errno.EBADF);
      return 65536;
    default: throw new SyscallError(Errno.EINVAL);
  }
}

function ioctl(p: LinuxProcess): number {
  const fd = p.arg(0), req = p.arg(1) >>> 0, arg = p.arg(2);
  const entry = p.fds.entry(fd), file = entry.file;
  switch (req) {
    case Ioctl.FIOCLEX: entry.cloexec = true; return 0;
    case Ioctl.FIONCLEX: entry.cloexec = false; return 0;
    case Ioctl.FIONBIO:
      file.flags = p.as.read32(arg) !== 0 ? file.flags | O.NONBLOCK : file.flags & ~O.NONBLOCK;
      return 0;
    case Ioctl.FIONREAD:
      if (file.pipe === null) throw new SyscallError(Errno.ENOTTY);
      p.as.write32(arg, file.pipe.available);
      return 0;
  }
  if (!file.isTty()) throw new SyscallError(Errno.ENOTTY);
  switch (req) {
    case Ioctl.TCGETS: {
      // struct termios (MIPS): c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[23]; a cooked terminal.
      const t = new Uint8Array(40), dv = new DataView(t.buffer);
      dv.setUint32(0, 0x2d02); // ICRNL IXON IXANY IMAXBEL BRKINT
      dv.setUint32(4, 0x5);    // OPOST ONLCR
      dv.setUint32(8, 0xbf);   // B38400 CS8 CREAD
      dv.setUint32(12, 0x8a3b); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
      t.set([3, 0x1c, 0x7f, 0x15, 1, 0, 0, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 4], 17);
      p.as.copyOut(arg, t);
      return 0;
    }
    case Ioctl.TCSETS: case Ioctl.TCSETSW: case Ioctl.TCSETSF: case Ioctl.TIOCSWINSZ:
      return 0;
    case Ioctl.TIOCGWINSZ: {
      const ws = p.opts.winsize ?? { rows: 24, cols: 80 };
      const b = new Uint8Array(8), dv = new DataView(b.buffer);
      dv.setUint16(0, ws.rows); dv.setUint16(2, ws.cols);
      p.as.copyOut(arg, b);
      return 0;
    }
    case Ioctl.TIOCGPGRP: p.as.write32(arg, p.pid); return 0;
    default: throw new SyscallError(Errno.ENOTTY);
  }
}

const DT_TYPES: [keyof fs.Dirent, number][] = [
  ['isFIFO', 1], ['isCharacterDevice', 2], ['isDirectory', 4], ['isBlockDevice', 6], ['isFile', 8],
  ['isSymbolicLink', 10], ['isSocket', 12],
];

function readDirectory(path: string): DirEntry[] {
  const ino = (q: string): bigint => { try { return fs.lstatSync(q, { bigint: true }).ino; } catch { return 0n; } };
  const out: DirEntry[] = [{ name: '.', ino: ino(path), type: 4 }, { name: '..', ino: ino(path + '/..'), type: 4 }];
  for (const d of fs.readdirSync(path, { withFileTypes: true })) {
    const t = DT_TYPES.find(([m]) => (d[m] as () => boolean).call(d));
    out.push({ name: d.name, ino: ino(path + '/' + d.name), type: t ? t[1] : 0 });
  }
  return out;
}

/** getdents64: struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }. */
function getdents64(p: LinuxProcess): number {
  const file = p.fds.get(p.arg(0)), va = p.arg(1), count = p.arg(2) >>> 0;
  if (file.kind !== Kind.Dir || file.path === null) throw new SyscallError(Errno.ENOTDIR);
  file.dirEntries ??= readDirectory(file.path);
  const out = new Uint8Array(Math.min(count, MAX_IO)), dv = new DataView(out.buffer);
  let used = 0;
  while (file.dirPos < file.dirEntries.length) {
    const e = file.dirEntries[file.dirPos];
    const name = Buffer.from(e.name, 'utf8');
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (used + reclen > out.length) {
      if (used === 0) throw new SyscallError(Errno.EINVAL);
      break;
    }
    dv.setBigUint64(used, e.ino);
    dv.setBigInt64(used + 8, BigInt(file.dirPos + 1));
    dv.setUint16(used + 16, reclen);
    out[used + 18] = e.type;
    out.set(name, used + 19);
    used += reclen;
    file.dirPos++;
  }
  file.pos = file.dirPos;
  p.as.copyOut(va, out.subarray(0, used));
  return used;
}

function fsync(p: LinuxProcess): number {
  const f = p.fds.get(p.arg(0));
  if (f.hostFd >= 0 && f.kind === Kind.File) fs.fsyncSync(f.hostFd);
  return 0;
}

function ftruncate(p: LinuxProcess, length: number): number {
  const f = p.fds.get(p.arg(0));
  if (length < 0) throw new SyscallError(Errno.EINVAL);
  if (f.kind !== Kind.File || (f.flags & O.ACCMODE) === O.RDONLY) throw new SyscallError(Errno.EINVAL);
  fs.ftruncateSync(f.hostFd, length);
  return 0;
}

export const ioSyscalls: SyscallTable = {
  4003: (p) => readInto(p, p.fds.get(p.arg(0)), p.arg(1), p.arg(2), null), // read
  4004: (p) => writeFrom(p, p.fds.get(p.arg(0)), p.arg(1), p.arg(2), null), // write
  4006: (p) => { p.fds.close(p.arg(0)); return 0; }, // close
  4019: (p) => { // lseek
    const pos = p.fds.get(p.arg(0)).seek(p.arg(1), p.arg(2));
    if (pos > 0x7fffffff) throw new SyscallError(Errno.EOVERFLOW);
    return pos;
  },
  4041: (p) => p.fds.install(p.fds.get(p.arg(0)), false), // dup
  4042: (p) => { const [r, w] = pipe2(p, 0); p.cpu.regs[3] = w; return r; }, // pipe: fds in v0 and v1
  4054: ioctl,
  4055: fcntl,
  4063: (p) => { // dup2
    const oldfd = p.arg(0), newfd = p.arg(1), f = p.fds.get(oldfd);
    return oldfd === newfd ? newfd : p.fds.installAt(newfd, f, false);
  },
  4093: (p) => ftruncate(p, p.arg(1)), // ftruncate
  4118: fsync,
  4140: (p) => { // _llseek(fd, offset_high, offset_low, result, whence)
    const off = p.arg(1) * 0x100000000 + (p.arg(2) >>> 0);
    const pos = p.fds.get(p.arg(0)).seek(off, p.arg(4));
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(pos));
    p.as.copyOut(p.arg(3), b);
    return 0;
  },
  4145: readv,
  4146: writev,
  4152: fsync, // fdatasync
  4200: (p) => { // pread64(fd, buf, count, pad, offset)
    const f = p.fds.get(p.arg(0));
    if (!f.seekable) throw new SyscallError(Errno.ESPIPE);
    return readInto(p, f, p.arg(1), p.arg(2), p.arg64(4));
  },
  4201: (p) => { // pwrite64
    const f = p.fds.get(p.arg(0));
    if (!f.seekable) throw new SyscallError(Errno.ESPIPE);
    return writeFrom(p, f, p.arg(1), p.arg(2), p.arg64(4));
  },
  4212: (p) => ftruncate(p, p.arg64(2)), // ftruncate64(fd, pad, length)
  4219: getdents64,
  4220: fcntl, // fcntl64
  4327: (p) => dup3(p, p.arg(0), p.arg(1), p.arg(2)),
  4328: (p) => { // pipe2(fds, flags)
    const [r, w] = pipe2(p, p.arg(1));
    const b = new Uint8Array(8), dv = new DataView(b.buffer);
    dv.setInt32(0, r); dv.setInt32(4, w);
    try { p.as.copyOut(p.arg(0), b); } catch (e) { p.fds.close(r); p.fds.close(w); throw e; }
    return 0;
  },
};
