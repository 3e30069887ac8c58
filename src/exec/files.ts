// SPDX-License-Identifier: MIT
/**
 * Open files of a `disco exec` process: the guest's descriptor table over host file descriptors,
 * MIPS open(2) flags, and the file offset, which the emulator keeps itself (Node has no lseek)
 * and passes to positional reads and writes.
 */
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import { Errno, SyscallError } from './errno.js';

/** open(2) flags as MIPS numbers them (uapi asm-mips/fcntl.h and asm-generic/fcntl.h). */
export const enum O {
  RDONLY = 0, WRONLY = 1, RDWR = 2, ACCMODE = 3, APPEND = 0x8, DSYNC = 0x10, NONBLOCK = 0x80, CREAT = 0x100,
  TRUNC = 0x200, EXCL = 0x400, NOCTTY = 0x800, ASYNC = 0x1000, LARGEFILE = 0x2000, SYNC = 0x4000,
  DIRECT = 0x8000, DIRECTORY = 0x10000, NOFOLLOW = 0x20000, NOATIME = 0x40000, CLOEXEC = 0x80000,
  PATH = 0x200000,
}

const c = fs.constants;
/** Guest flag -> host flag, for the flags the host open(2) must see. */
const FLAG_MAP: [number, number | undefined][] = [
  [O.APPEND, c.O_APPEND], [O.NONBLOCK, c.O_NONBLOCK], [O.CREAT, c.O_CREAT], [O.TRUNC, c.O_TRUNC],
  [O.EXCL, c.O_EXCL], [O.NOCTTY, c.O_NOCTTY], [O.DSYNC, c.O_DSYNC], [O.SYNC, c.O_SYNC],
  [O.DIRECT, c.O_DIRECT], [O.DIRECTORY, c.O_DIRECTORY], [O.NOFOLLOW, c.O_NOFOLLOW], [O.NOATIME, c.O_NOATIME],
];

export function hostOpenFlags(guest: number): number {
  let h = guest & O.ACCMODE;
  for (const [g, host] of FLAG_MAP) if ((guest & g) !== 0 && host !== undefined) h |= host;
  return h;
}

function guestFlagsFromHost(host: number): number {
  let g = host & O.ACCMODE;
  for (const [gf, hf] of FLAG_MAP) if (hf !== undefined && (host & hf) === hf && gf !== O.SYNC) g |= gf;
  return g;
}

/** A field of /proc/self/fdinfo/N for an inherited descriptor ("pos", "flags"), or null. */
function fdinfo(fd: number, field: string): string | null {
  try {
    const m = new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? m[1] : null;
  } catch { return null; }
}

export const enum Kind { File, Dir, Stream }

export interface DirEntry { name: string; ino: bigint; type: number }

let pipeCount = 0;

/**
 * A pipe inside the emulator (Node cannot make host pipes). One process and no fork: a read from
 * an empty pipe whose write end is open could only block forever, so it fails with EAGAIN.
 */
export class Pipe {
  private chunks: Uint8Array[] = [];
  readers = 0;
  writers = 0;
  readonly ino = ++pipeCount;

  read(buf: Uint8Array): number {
    if (this.chunks.length === 0) {
      if (this.writers === 0) return 0;
      throw new SyscallError(Errno.EAGAIN);
    }
    let n = 0;
    while (n < buf.length && this.chunks.length > 0) {
      const c = this.chunks[0], k = Math.min(c.length, buf.length - n);
      buf.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(k);
    }
    return n;
  }

  write(buf: Uint8Array): number {
    if (this.readers === 0) throw new SyscallError(Errno.EPIPE);
    if (buf.length > 0) this.chunks.push(buf.slice());
    return buf.length;
  }

  get available(): number { return this.chunks.reduce((s, c) => s + c.length, 0); }
}

/** An open file description: shared by descriptors made with dup. */
export class OpenFile {
  refs = 0;
  /** The file offset, when `tracked`; untracked files use the host descriptor's own offset. */
  pos = 0;
  tracked: boolean;
  private tty: boolean | null = null;
  private pollFd: number | null = null;
  /** A directory's entries, read when getdents64 first asks, and the index of the next one. */
  dirEntries: DirEntry[] | null = null;
  dirPos = 0;
  /** Set for the ends of an emulated pipe (hostFd is then -1). */
  pipe: Pipe | null = null;

  constructor(readonly hostFd: number, readonly path: string | null, public flags: number, readonly kind: Kind,
    private readonly ownsHostFd: boolean) {
    this.tracked = ownsHostFd && kind !== Kind.Stream;
  }

  static pipeEnd(pipe: Pipe, write: boolean, flags: number): OpenFile {
    const f = new OpenFile(-1, null, (write ? O.WRONLY : O.RDONLY) | (flags & O.NONBLOCK), Kind.Stream, false);
    f.pipe = pipe;
    if (write) pipe.writers++; else pipe.readers++;
    return f;
  }

  static open(path: string, guestFlags: number, mode: number): OpenFile {
    const fd = fs.openSync(path, hostOpenFlags(guestFlags), mode);
    let kind: Kind;
    try {
      const st = fs.fstatSync(fd);
      kind = st.isDirectory() ? Kind.Dir : st.isFile() || st.isBlockDevice() ? Kind.File : Kind.Stream;
    } catch (e) { fs.closeSync(fd); throw e; }
    return new OpenFile(fd, path, guestFlags & ~O.CLOEXEC, kind, true);
  }

  /** One of the descriptors the emulator inherits (0, 1, 2): never closed on the host. */
  static inherited(fd: number): OpenFile {
    let kind = Kind.Stream;
    try { kind = fs.fstatSync(fd).isFile() ? Kind.File : Kind.Stream; } catch { /* closed: EBADF on use */ }
    const hostFlags = fdinfo(fd, 'flags');
    const flags = hostFlags !== null ? guestFlagsFromHost(parseInt(hostFlags, 8)) : fd === 0 ? O.RDONLY : O.WRONLY;
    return new OpenFile(fd, null, flags, kind, false);
  }

  get seekable(): boolean { return this.kind !== Kind.Stream; }

  /**
   * The host descriptor to read and write. For a pipe or terminal that is a non-blocking second
   * open of it, which the emulator polls: a worker blocked in read(2) could not be stopped
   * (Ctrl-C), and one waiting in Atomics.wait can.
   */
  private ioFd(): number {
    if (this.kind !== Kind.Stream) return this.hostFd;
    if (this.pollFd === null) {
      try {
        this.pollFd = fs.openSync(`/proc/self/fd/${this.hostFd}`, (this.flags & O.ACCMODE) | c.O_NONBLOCK | c.O_NOCTTY);
      } catch { this.pollFd = this.hostFd; } // a socket, or no /proc: plain blocking I/O
    }
    return this.pollFd;
  }

  isTty(): boolean {
    if (this.tty === null) this.tty = this.hostFd >= 0 && isatty(this.hostFd);
    return this.tty;
  }

  /** Starts keeping the offset here: an inherited file's offset is the host descriptor's. */
  track(): void {
    if (this.tracked) return;
    const pos = fdinfo(this.hostFd, 'pos');
    this.pos = pos !== null ? Number(pos) : 0;
    this.tracked = true;
  }

  read(buf: Uint8Array, position: number | null = null): number {
    if (this.kind === Kind.Dir) throw new SyscallError(Errno.EISDIR);
    if ((this.flags & O.ACCMODE) === O.WRONLY) throw new SyscallError(Errno.EBADF);
    if (this.pipe !== null) return this.pipe.read(buf);
    const at = position ?? (this.tracked ? this.pos : null);
    const fd = this.ioFd();
    const n = retryAgain(this, () => fs.readSync(fd, buf, 0, buf.length, at));
    if (position === null && this.tracked) this.pos += n;
    return n;
  }

  write(buf: Uint8Array, position: number | null = null): number {
    if ((this.flags & O.ACCMODE) === O.RDONLY) throw new SyscallError(Errno.EBADF);
    if (this.pipe !== null) return this.pipe.write(buf);
    const append = (this.flags & O.APPEND) !== 0 && position === null;
    const at = position ?? (this.tracked && !append ? this.pos : null);
    let done = 0;
    const fd = this.ioFd();
    while (done < buf.length) {
      const n = retryAgain(this, () => fs.writeSync(fd, buf, done, buf.length - done, at === null ? null : at + done));
      if (n === 0) break;
      done += n;
      if ((this.flags & O.NONBLOCK) !== 0) break; // a non-blocking guest sees short writes
    }
    if (position === null && this.tracked) this.pos = append ? fs.fstatSync(this.hostFd).size : this.pos + done;
    return done;
  }

  /** lseek: returns the new offset. */
  seek(offset: number, whence: number): number {
    if (!this.seekable) throw new SyscallError(Errno.ESPIPE);
    this.track();
    let base: number;
    switch (whence) {
      case 0: base = 0; break; // SEEK_SET
      case 1: base = this.pos; break; // SEEK_CUR
      case 2: base = this.kind === Kind.Dir ? 0 : fs.fstatSync(this.hostFd).size; break; // SEEK_END
      default: throw new SyscallError(Errno.EINVAL);
    }
    const pos = base + offset;
    if (pos < 0) throw new SyscallError(Errno.EINVAL);
    this.pos = pos;
    if (this.kind === Kind.Dir) { this.dirPos = pos; if (pos === 0) this.dirEntries = null; }
    return pos;
  }

  release(): void {
    if (--this.refs > 0) return;
    if (this.pollFd !== null && this.pollFd !== this.hostFd) fs.closeSync(this.pollFd);
    if (this.ownsHostFd) fs.closeSync(this.hostFd);
    if (this.pipe !== null) {
      if ((this.flags & O.ACCMODE) === O.WRONLY) this.pipe.writers--; else this.pipe.readers--;
    }
  }
}

/**
 * Runs a host read or write on a non-blocking descriptor: EAGAIN is waited out (polling, with
 * a growing interval up to 10 ms) unless the guest asked for O_NONBLOCK itself.
 */
function retryAgain(file: OpenFile, op: () => number): number {
  for (let wait = 0.05; ; wait = Math.min(wait * 2, 10)) {
    try { return op(); } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN' || (file.flags & O.NONBLOCK) !== 0) throw e;
      Atomics.wait(pollTimer, 0, 0, wait);
    }
  }
}

const pollTimer = new Int32Array(new SharedArrayBuffer(4));

interface FdEntry { file: OpenFile; cloexec: boolean }

export const MAX_FDS = 1024;

/** The descriptor table: guest fd -> open file description. */
export class FdTable {
  private readonly fds: (FdEntry | undefined)[] = [];

  constructor() {
    for (let fd = 0; fd < 3; fd++) this.install(OpenFile.inherited(fd), false, fd);
  }

  get(fd: number): OpenFile {
    const e = fd >= 0 ? this.fds[fd] : undefined;
    if (e === undefined) throw new SyscallError(Errno.EBADF);
    return e.file;
  }

  entry(fd: number): FdEntry {
    const e = fd >= 0 ? this.fds[fd] : undefined;
    if (e === undefined) throw new SyscallError(Errno.EBADF);
    return e;
  }

  /** Installs `file` at the lowest free descriptor >= min; returns it. */
  install(file: OpenFile, cloexec: boolean, min = 0): number {
    let fd = min;
    while (this.fds[fd] !== undefined) fd++;
    if (fd >= MAX_FDS) { if (file.refs === 0) { file.refs = 1; file.release(); } throw new SyscallError(Errno.EMFILE); }
    return this.installAt(fd, file, cloexec);
  }

  /** Installs `file` at descriptor fd, closing what was there (dup2). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): number {
    if (fd < 0 || fd >= MAX_FDS) throw new SyscallError(Errno.EBADF);
    file.refs++;
    const old = this.fds[fd];
    this.fds[fd] = { file, cloexec };
    old?.file.release();
    return fd;
  }

  close(fd: number): void {
    const e = this.entry(fd);
    this.fds[fd] = undefined;
    e.file.release();
  }
}
