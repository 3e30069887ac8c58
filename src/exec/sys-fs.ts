// SPDX-License-Identifier: MIT
/**
 * System calls on paths: open, the stat family, access, links, directories, renames, the current
 * directory, truncation, modes, owners and times. Paths are host paths, as with qemu-user; a
 * relative path is taken from the process's own current directory (a worker cannot chdir).
 */
import * as fs from 'node:fs';
import { Errno, SyscallError } from './errno.js';
import { Kind, O, OpenFile } from './files.js';
import type { SyscallTable } from './linux.js';
import type { LinuxProcess } from './process.js';
import {
  type StatInfo, decodeTimespec32, decodeTimespec64, encodeStat64, encodeStatx, statInfo, syntheticStat,
} from './structs.js';

export const AT_FDCWD = -100;
const enum At { SYMLINK_NOFOLLOW = 0x100, REMOVEDIR = 0x200, SYMLINK_FOLLOW = 0x400, EACCESS = 0x200, EMPTY_PATH = 0x1000 }
const S_IFIFO = 0o010000;
const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
const RENAME_NOREPLACE = 1;

/** A path argument: a C string of at most PATH_MAX bytes. */
function pathArg(p: LinuxProcess, va: number): string {
  return p.as.readCString(va, 4096);
}

/** The host path for a path relative to dirfd (AT_FDCWD or an open directory). */
export function resolveAt(p: LinuxProcess, dirfd: number, path: string): string {
  if (path === '') throw new SyscallError(Errno.ENOENT);
  if (path.startsWith('/')) return path;
  let base = p.cwd;
  if (dirfd !== AT_FDCWD) {
    const f = p.fds.get(dirfd);
    if (f.kind !== Kind.Dir || f.path === null) throw new SyscallError(Errno.ENOTDIR);
    base = f.path;
  }
  return base === '/' ? '/' + path : base + '/' + path;
}

/** The path in argument i relative to the directory fd in argument `dirfdArg`. */
function pathAt(p: LinuxProcess, dirfdArg: number, i: number): string {
  return resolveAt(p, p.arg(dirfdArg), pathArg(p, p.arg(i)));
}

/** The path in argument i relative to the current directory. */
function cwdPath(p: LinuxProcess, i: number): string {
  return resolveAt(p, AT_FDCWD, pathArg(p, p.arg(i)));
}

/** /proc/self/exe names the emulator's host process: the guest means its own program. */
function followExe(p: LinuxProcess, path: string): string {
  return path === '/proc/self/exe' || path === `/proc/${p.pid}/exe` ? p.opts.exePath : path;
}

function openAt(p: LinuxProcess, dirfd: number, pathVa: number, flags: number, mode: number): number {
  const path = followExe(p, resolveAt(p, dirfd, pathArg(p, pathVa)));
  const creating = (flags & O.CREAT) !== 0 && !fs.existsSync(path);
  const file = OpenFile.open(path, flags, mode & 0o7777);
  // The host's umask applied already; the guest's own umask decides the new file's mode.
  if (creating) try { fs.fchmodSync(file.hostFd, mode & 0o7777 & ~p.umask); } catch { /* leave it */ }
  return p.fds.install(file, (flags & O.CLOEXEC) !== 0);
}

function fdStat(p: LinuxProcess, fd: number): StatInfo {
  const f = fd === AT_FDCWD ? null : p.fds.get(fd);
  if (f === null) return statInfo(fs.statSync(p.cwd, { bigint: true }));
  if (f.pipe !== null) return syntheticStat(S_IFIFO | 0o600, f.pipe.ino);
  return statInfo(fs.fstatSync(f.hostFd, { bigint: true }));
}

function pathStat(path: string, follow: boolean): StatInfo {
  return statInfo(follow ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true }));
}

/** fstatat semantics: AT_EMPTY_PATH with "" means dirfd itself. */
function statAt(p: LinuxProcess, dirfd: number, pathVa: number, flags: number): StatInfo {
  const path = pathArg(p, pathVa);
  if (path === '' && (flags & At.EMPTY_PATH) !== 0) return fdStat(p, dirfd);
  const follow = (flags & At.SYMLINK_NOFOLLOW) === 0;
  const full = resolveAt(p, dirfd, path);
  return pathStat(follow ? followExe(p, full) : full, follow);
}

function readlinkAt(p: LinuxProcess, dirfd: number, pathVa: number, buf: number, size: number): number {
  if (size <= 0) throw new SyscallError(Errno.EINVAL);
  const path = resolveAt(p, dirfd, pathArg(p, pathVa));
  let target: string;
  const fdLink = /^\/proc\/(self|thread-self|\d+)\/fd\/(\d+)$/.exec(path);
  if (followExe(p, path) !== path) target = p.opts.exePath;
  else if (fdLink !== null && (fdLink[1] === 'self' || Number(fdLink[1]) === p.pid)) {
    const f = p.fds.get(Number(fdLink[2]));
    target = f.path ?? (f.pipe !== null ? `pipe:[${f.pipe.ino}]` : fs.readlinkSync(`/proc/self/fd/${f.hostFd}`));
  } else target = fs.readlinkSync(path);
  const bytes = Buffer.from(target, 'utf8').subarray(0, size >>> 0);
  p.as.copyOut(buf, bytes);
  return bytes.length;
}

function accessAt(p: LinuxProcess, dirfd: number, pathVa: number, mode: number): number {
  if ((mode & ~7) !== 0) throw new SyscallError(Errno.EINVAL);
  fs.accessSync(resolveAt(p, dirfd, pathArg(p, pathVa)), mode);
  return 0;
}

function unlinkAt(p: LinuxProcess, dirfd: number, pathVa: number, flags: number): number {
  const path = resolveAt(p, dirfd, pathArg(p, pathVa));
  if ((flags & ~At.REMOVEDIR) !== 0) throw new SyscallError(Errno.EINVAL);
  if ((flags & At.REMOVEDIR) !== 0) fs.rmdirSync(path);
  else {
    // unlink(2) of a directory is EISDIR on Linux; Node reports it as EPERM.
    if (fs.lstatSync(path).isDirectory()) throw new SyscallError(Errno.EISDIR);
    fs.unlinkSync(path);
  }
  return 0;
}

function mkdirAt(p: LinuxProcess, dirfd: number, pathVa: number, mode: number): number {
  const path = resolveAt(p, dirfd, pathArg(p, pathVa));
  fs.mkdirSync(path, mode & 0o7777);
  try { fs.chmodSync(path, mode & 0o7777 & ~p.umask); } catch { /* leave it */ }
  return 0;
}

function renameAt(p: LinuxProcess, olddir: number, oldVa: number, newdir: number, newVa: number, flags: number): number {
  const from = resolveAt(p, olddir, pathArg(p, oldVa)), to = resolveAt(p, newdir, pathArg(p, newVa));
  if ((flags & ~RENAME_NOREPLACE) !== 0) throw new SyscallError(Errno.EINVAL);
  if ((flags & RENAME_NOREPLACE) !== 0 && fs.existsSync(to)) throw new SyscallError(Errno.EEXIST);
  fs.renameSync(from, to);
  return 0;
}

function chdir(p: LinuxProcess, path: string): number {
  const real = fs.realpathSync(path);
  if (!fs.statSync(real).isDirectory()) throw new SyscallError(Errno.ENOTDIR);
  fs.accessSync(real, fs.constants.X_OK);
  p.cwd = real;
  return 0;
}

function getcwd(p: LinuxProcess): number {
  const bytes = Buffer.from(p.cwd + '\0', 'utf8');
  if ((p.arg(1) >>> 0) < bytes.length) throw new SyscallError(Errno.ERANGE);
  p.as.copyOut(p.arg(0), bytes);
  return bytes.length;
}

function truncate(p: LinuxProcess, pathVa: number, length: number): number {
  if (length < 0) throw new SyscallError(Errno.EINVAL);
  fs.truncateSync(resolveAt(p, AT_FDCWD, pathArg(p, pathVa)), length);
  return 0;
}

function chownAt(p: LinuxProcess, dirfd: number, pathVa: number, uid: number, gid: number, flags: number): number {
  const path = pathArg(p, pathVa);
  if (path === '' && (flags & At.EMPTY_PATH) !== 0) { fs.fchownSync(p.fds.get(dirfd).hostFd, uid, gid); return 0; }
  const full = resolveAt(p, dirfd, path);
  if ((flags & At.SYMLINK_NOFOLLOW) !== 0) fs.lchownSync(full, uid, gid); else fs.chownSync(full, uid, gid);
  return 0;
}

/** utimensat(dirfd, path, times[2], flags) with 32-bit or 64-bit timespecs. */
function utimensAt(p: LinuxProcess, time64: boolean): number {
  const dirfd = p.arg(0), pathVa = p.arg(1), timesVa = p.arg(2), flags = p.arg(3);
  const size = time64 ? 16 : 8;
  const now = BigInt(Date.now()) * 1_000_000n;
  let times: (bigint | null)[] = [now, now];
  if (timesVa !== 0) {
    const raw = p.as.copyIn(timesVa, 2 * size);
    times = [0, 1].map((i) => {
      const b = raw.subarray(i * size, (i + 1) * size);
      const nsec = new DataView(b.buffer, b.byteOffset).getInt32(time64 ? 12 : 4);
      if (nsec === UTIME_NOW) return now;
      if (nsec === UTIME_OMIT) return null;
      if (nsec < 0 || nsec >= 1e9) throw new SyscallError(Errno.EINVAL);
      return time64 ? decodeTimespec64(b) : decodeTimespec32(b);
    });
  }
  let path: string | null = null, fd = -1;
  if (pathVa === 0) fd = p.fds.get(dirfd).hostFd; // futimens
  else path = resolveAt(p, dirfd, pathArg(p, pathVa));
  if (times[0] === null && times[1] === null) return 0;
  const cur = path !== null ? fs.statSync(path, { bigint: true }) : fs.fstatSync(fd, { bigint: true });
  const secs = (t: bigint | null, old: bigint): number => Number(t ?? old) / 1e9;
  const at = secs(times[0], cur.atimeNs), mt = secs(times[1], cur.mtimeNs);
  if (path === null) fs.futimesSync(fd, at, mt);
  else if ((flags & At.SYMLINK_NOFOLLOW) !== 0) fs.lutimesSync(path, at, mt);
  else fs.utimesSync(path, at, mt);
  return 0;
}

export const fileSyscalls: SyscallTable = {
  4005: (p) => openAt(p, AT_FDCWD, p.arg(0), p.arg(1), p.arg(2)), // open
  4009: (p) => { fs.linkSync(cwdPath(p, 0), cwdPath(p, 1)); return 0; }, // link
  4010: (p) => unlinkAt(p, AT_FDCWD, p.arg(0), 0), // unlink
  4012: (p) => chdir(p, cwdPath(p, 0)), // chdir
  4015: (p) => { fs.chmodSync(cwdPath(p, 0), p.arg(1) & 0o7777); return 0; }, // chmod
  4016: (p) => chownAt(p, AT_FDCWD, p.arg(0), p.arg(1), p.arg(2), At.SYMLINK_NOFOLLOW), // lchown
  4033: (p) => accessAt(p, AT_FDCWD, p.arg(0), p.arg(1)), // access
  4038: (p) => renameAt(p, AT_FDCWD, p.arg(0), AT_FDCWD, p.arg(1), 0), // rename
  4039: (p) => mkdirAt(p, AT_FDCWD, p.arg(0), p.arg(1)), // mkdir
  4040: (p) => unlinkAt(p, AT_FDCWD, p.arg(0), At.REMOVEDIR), // rmdir
  4060: (p) => { const old = p.umask; p.umask = p.arg(0) & 0o777; return old; }, // umask
  4083: (p) => { fs.symlinkSync(pathArg(p, p.arg(0)), cwdPath(p, 1)); return 0; }, // symlink
  4085: (p) => readlinkAt(p, AT_FDCWD, p.arg(0), p.arg(1), p.arg(2)), // readlink
  4092: (p) => truncate(p, p.arg(0), p.arg(1)), // truncate
  4094: (p) => { fs.fchmodSync(p.fds.get(p.arg(0)).hostFd, p.arg(1) & 0o7777); return 0; }, // fchmod
  4095: (p) => { fs.fchownSync(p.fds.get(p.arg(0)).hostFd, p.arg(1), p.arg(2)); return 0; }, // fchown
  4133: (p) => { // fchdir
    const f = p.fds.get(p.arg(0));
    if (f.kind !== Kind.Dir || f.path === null) throw new SyscallError(Errno.ENOTDIR);
    return chdir(p, f.path);
  },
  4202: (p) => chownAt(p, AT_FDCWD, p.arg(0), p.arg(1), p.arg(2), 0), // chown
  4203: getcwd,
  4211: (p) => truncate(p, p.arg(0), p.arg64(2)), // truncate64(path, pad, length)
  4213: (p) => { p.as.copyOut(p.arg(1), encodeStat64(statAt(p, AT_FDCWD, p.arg(0), 0))); return 0; }, // stat64
  4214: (p) => { p.as.copyOut(p.arg(1), encodeStat64(statAt(p, AT_FDCWD, p.arg(0), At.SYMLINK_NOFOLLOW))); return 0; }, // lstat64
  4215: (p) => { p.as.copyOut(p.arg(1), encodeStat64(fdStat(p, p.arg(0)))); return 0; }, // fstat64
  4288: (p) => openAt(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3)), // openat
  4289: (p) => mkdirAt(p, p.arg(0), p.arg(1), p.arg(2)), // mkdirat
  4291: (p) => chownAt(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3), p.arg(4)), // fchownat
  4293: (p) => { p.as.copyOut(p.arg(2), encodeStat64(statAt(p, p.arg(0), p.arg(1), p.arg(3)))); return 0; }, // fstatat64
  4294: (p) => unlinkAt(p, p.arg(0), p.arg(1), p.arg(2)), // unlinkat
  4295: (p) => renameAt(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3), 0), // renameat
  4296: (p) => { // linkat(olddir, old, newdir, new, flags)
    fs.linkSync(pathAt(p, 0, 1), pathAt(p, 2, 3));
    return 0;
  },
  4297: (p) => { fs.symlinkSync(pathArg(p, p.arg(0)), pathAt(p, 1, 2)); return 0; }, // symlinkat
  4298: (p) => readlinkAt(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3)), // readlinkat
  4299: (p) => { fs.chmodSync(pathAt(p, 0, 1), p.arg(2) & 0o7777); return 0; }, // fchmodat
  4300: (p) => accessAt(p, p.arg(0), p.arg(1), p.arg(2)), // faccessat
  4316: (p) => utimensAt(p, false), // utimensat
  4351: (p) => renameAt(p, p.arg(0), p.arg(1), p.arg(2), p.arg(3), p.arg(4)), // renameat2
  4366: (p) => { // statx(dirfd, path, flags, mask, buf)
    p.as.copyOut(p.arg(4), encodeStatx(statAt(p, p.arg(0), p.arg(1), p.arg(2))));
    return 0;
  },
  4412: (p) => utimensAt(p, true), // utimensat_time64
  4439: (p) => accessAt(p, p.arg(0), p.arg(1), p.arg(2)), // faccessat2
};
