// SPDX-License-Identifier: MIT
/**
 * System calls on the process: exit, identities, the thread pointer, signals (actions, masks,
 * kill, sigreturn), resource limits, uname, sysinfo, scheduling, futexes and getrandom.
 */
import { randomFillSync } from 'node:crypto';
import * as os from 'node:os';
import { Errno, SyscallError } from './errno.js';
import { MAX_FDS } from './files.js';
import { PAGE_SIZE } from './frames.js';
import type { SyscallTable } from './linux.js';
import type { LinuxProcess } from './process.js';
import { NSIG, SIGSET_BYTES, Sig, SiCode, type SigInfo } from './signals.js';

const enum How { BLOCK = 1, UNBLOCK = 2, SETMASK = 3 }
const enum Futex { WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, WAIT_BITSET = 9, WAKE_BITSET = 10, CMD_MASK = 0x7f }
const enum Pr { SET_NAME = 15, GET_NAME = 16 }

/** Resource limits, indexed by the MIPS RLIMIT_* numbers (NOFILE = 5, AS = 6, RSS = 7, NPROC = 8, MEMLOCK = 9). */
const RLIM_NLIMITS = 16;
const INF = -1; // RLIM64_INFINITY
function defaultLimits(): [number, number][] {
  const l: [number, number][] = Array.from({ length: RLIM_NLIMITS }, () => [INF, INF]);
  l[3] = [8 << 20, INF]; // STACK
  l[4] = [0, INF]; // CORE
  l[5] = [MAX_FDS, MAX_FDS]; // NOFILE
  l[9] = [8 << 20, 8 << 20]; // MEMLOCK
  l[12] = [819200, 819200]; // MSGQUEUE
  l[13] = [0, 0]; l[14] = [0, 0]; // NICE, RTPRIO
  return l;
}
const limits = new WeakMap<LinuxProcess, [number, number][]>();
function limitsOf(p: LinuxProcess): [number, number][] {
  let l = limits.get(p);
  if (l === undefined) { l = defaultLimits(); limits.set(p, l); }
  return l;
}

const threadName = new WeakMap<LinuxProcess, string>();

function readSigset(p: LinuxProcess, va: number): Uint32Array {
  const b = p.as.copyIn(va, SIGSET_BYTES), dv = new DataView(b.buffer);
  return Uint32Array.from([0, 1, 2, 3], (w) => dv.getUint32(4 * w));
}

function writeSigset(p: LinuxProcess, va: number, set: Uint32Array): void {
  const b = new Uint8Array(SIGSET_BYTES), dv = new DataView(b.buffer);
  for (let w = 0; w < 4; w++) dv.setUint32(4 * w, set[w]);
  p.as.copyOut(va, b);
}

/** rt_sigaction(sig, act, oact, sigsetsize); struct sigaction is { sa_flags, sa_handler, sa_mask } on MIPS. */
function rtSigaction(p: LinuxProcess): number {
  const sig = p.arg(0), act = p.arg(1), oact = p.arg(2);
  if (p.arg(3) !== SIGSET_BYTES || sig < 1 || sig > NSIG) throw new SyscallError(Errno.EINVAL);
  if (act !== 0 && (sig === Sig.KILL || sig === Sig.STOP)) throw new SyscallError(Errno.EINVAL);
  const s = p.signals;
  let next: [number, number, Uint32Array] | null = null;
  if (act !== 0) {
    const b = p.as.copyIn(act, 8 + SIGSET_BYTES), dv = new DataView(b.buffer);
    next = [dv.getUint32(4), dv.getUint32(0), Uint32Array.from([0, 1, 2, 3], (w) => dv.getUint32(8 + 4 * w))];
  }
  if (oact !== 0) {
    const b = new Uint8Array(8 + SIGSET_BYTES), dv = new DataView(b.buffer);
    dv.setUint32(0, s.flags[sig]);
    dv.setUint32(4, s.handler[sig]);
    for (let w = 0; w < 4; w++) dv.setUint32(8 + 4 * w, s.masks[sig * 4 + w]);
    p.as.copyOut(oact, b);
  }
  if (next !== null) s.setAction(sig, next[0], next[1], next[2]);
  return 0;
}

function rtSigprocmask(p: LinuxProcess): number {
  const how = p.arg(0), setVa = p.arg(1), oldVa = p.arg(2);
  if (p.arg(3) !== SIGSET_BYTES) throw new SyscallError(Errno.EINVAL);
  const s = p.signals, old = s.blocked.slice();
  if (setVa !== 0) {
    const set = readSigset(p, setVa);
    if (how !== How.BLOCK && how !== How.UNBLOCK && how !== How.SETMASK) throw new SyscallError(Errno.EINVAL);
    for (let w = 0; w < 4; w++) {
      s.blocked[w] = how === How.BLOCK ? s.blocked[w] | set[w] : how === How.UNBLOCK ? s.blocked[w] & ~set[w] : set[w];
    }
    s.unblockable();
  }
  if (oldVa !== 0) writeSigset(p, oldVa, old);
  return 0;
}

/** kill, tkill and tgkill: only this process (and its one thread) can be signalled. */
function signalSelf(p: LinuxProcess, target: number, sig: number, code: number): number {
  if (sig < 0 || sig > NSIG) throw new SyscallError(Errno.EINVAL);
  if (target !== p.pid && target !== 0 && target !== -1 && target !== -p.pid) throw new SyscallError(Errno.ESRCH);
  if (sig !== 0) p.send({ signo: sig, code, pid: p.pid, uid: process.getuid?.() ?? 0 } satisfies SigInfo);
  return 0;
}

function sigaltstack(p: LinuxProcess): number {
  const ss = p.arg(0), old = p.arg(1), s = p.signals, sp = p.cpu.regs[29];
  const prev = new Uint8Array(12), dv = new DataView(prev.buffer);
  dv.setUint32(0, s.altSp); dv.setUint32(4, s.altSize); dv.setInt32(8, s.altStackFlags(sp));
  if (ss !== 0) {
    const b = p.as.copyIn(ss, 12), nv = new DataView(b.buffer);
    const err = s.setAltStack(nv.getUint32(0), nv.getUint32(4), nv.getInt32(8), sp);
    if (err !== 0) throw new SyscallError(err);
  }
  if (old !== 0) p.as.copyOut(old, prev);
  return 0;
}

function uname(p: LinuxProcess): number {
  // struct new_utsname: six fields of 65 bytes. Like qemu-user, the host's names and release.
  const fields = ['Linux', os.hostname(), os.release(), os.version(), 'mips', '(none)'];
  const b = new Uint8Array(6 * 65);
  fields.forEach((f, i) => b.set(Buffer.from(f, 'utf8').subarray(0, 64), i * 65));
  p.as.copyOut(p.arg(0), b);
  return 0;
}

function sysinfo(p: LinuxProcess): number {
  const b = new Uint8Array(64), dv = new DataView(b.buffer);
  const frames = p.as.frames;
  dv.setInt32(0, Math.floor(os.uptime()));
  os.loadavg().forEach((l, i) => dv.setUint32(4 + 4 * i, Math.min(0xffffffff, Math.round(l * 65536))));
  dv.setUint32(16, frames.usable * PAGE_SIZE);
  dv.setUint32(20, (frames.usable - frames.used) * PAGE_SIZE);
  dv.setUint16(40, 1); // procs
  dv.setUint32(52, 1); // mem_unit
  p.as.copyOut(p.arg(0), b);
  return 0;
}

/** getrlimit/setrlimit use 32-bit limits where RLIM_INFINITY is 0x7fffffff on MIPS o32. */
function getrlimit(p: LinuxProcess): number {
  const res = p.arg(0);
  if (res < 0 || res >= RLIM_NLIMITS) throw new SyscallError(Errno.EINVAL);
  const [cur, max] = limitsOf(p)[res];
  const b = new Uint8Array(8), dv = new DataView(b.buffer);
  const clamp = (v: number): number => (v === INF || v > 0x7fffffff ? 0x7fffffff : v);
  dv.setUint32(0, clamp(cur)); dv.setUint32(4, clamp(max));
  p.as.copyOut(p.arg(1), b);
  return 0;
}

function setrlimit(p: LinuxProcess): number {
  const res = p.arg(0);
  if (res < 0 || res >= RLIM_NLIMITS) throw new SyscallError(Errno.EINVAL);
  const b = p.as.copyIn(p.arg(1), 8), dv = new DataView(b.buffer);
  const unclamp = (v: number): number => (v === 0x7fffffff ? INF : v);
  return setLimit(p, res, unclamp(dv.getUint32(0)), unclamp(dv.getUint32(4)));
}

function setLimit(p: LinuxProcess, res: number, cur: number, max: number): number {
  const l = limitsOf(p);
  const le = (a: number, b: number): boolean => b === INF || (a !== INF && a <= b);
  if (!le(cur, max)) throw new SyscallError(Errno.EINVAL);
  if (!le(max, l[res][1])) throw new SyscallError(Errno.EPERM);
  l[res] = [cur, max];
  return 0;
}

/** prlimit64(pid, resource, new, old) with struct rlimit64 { u64 cur, max }. */
function prlimit64(p: LinuxProcess): number {
  const pid = p.arg(0), res = p.arg(1), nv = p.arg(2), ov = p.arg(3);
  if (pid !== 0 && pid !== p.pid) throw new SyscallError(Errno.ESRCH);
  if (res < 0 || res >= RLIM_NLIMITS) throw new SyscallError(Errno.EINVAL);
  const [cur, max] = limitsOf(p)[res];
  let next: [number, number] | null = null;
  if (nv !== 0) {
    const b = p.as.copyIn(nv, 16), dv = new DataView(b.buffer);
    const get = (o: number): number => { const v = dv.getBigUint64(o); return v >= 2n ** 53n ? INF : Number(v); };
    next = [get(0), get(8)];
  }
  if (ov !== 0) {
    const b = new Uint8Array(16), dv = new DataView(b.buffer);
    const put = (o: number, v: number): void => dv.setBigUint64(o, v === INF ? 2n ** 64n - 1n : BigInt(v));
    put(0, cur); put(8, max);
    p.as.copyOut(ov, b);
  }
  return next === null ? 0 : setLimit(p, res, next[0], next[1]);
}

function getrusage(p: LinuxProcess): number {
  // struct rusage (o32): ru_utime, ru_stime (timevals), then 14 longs, ru_maxrss first.
  const who = p.arg(0);
  if (who !== 0 && who !== -1 && who !== 1) throw new SyscallError(Errno.EINVAL);
  const b = new Uint8Array(72), dv = new DataView(b.buffer);
  if (who !== -1) {
    const u = process.cpuUsage();
    dv.setInt32(0, Math.floor(u.user / 1e6)); dv.setInt32(4, u.user % 1e6);
    dv.setInt32(8, Math.floor(u.system / 1e6)); dv.setInt32(12, u.system % 1e6);
    dv.setInt32(16, p.as.frames.used * (PAGE_SIZE / 1024));
  }
  p.as.copyOut(p.arg(1), b);
  return 0;
}

/** futex: with one thread nobody else can wake a waiter, so a wait that would block is fatal. */
function futex(p: LinuxProcess, time64: boolean): number | null {
  const uaddr = p.arg(0), op = p.arg(1) & Futex.CMD_MASK, val = p.arg(2), timeout = p.arg(3);
  switch (op) {
    case Futex.WAIT: case Futex.WAIT_BITSET: {
      if (p.as.read32(uaddr) !== val) throw new SyscallError(Errno.EAGAIN);
      if (timeout !== 0) {
        p.as.copyIn(timeout, time64 ? 16 : 8);
        return -Errno.ETIMEDOUT;
      }
      p.log.error({ uaddr: uaddr >>> 0 }, 'futex wait with no other thread to wake it: the program would hang');
      p.die({ signo: Sig.KILL, code: SiCode.USER });
      return null;
    }
    case Futex.WAKE: case Futex.WAKE_BITSET: case Futex.REQUEUE: case Futex.CMP_REQUEUE: case Futex.WAKE_OP:
      return 0;
    default: throw new SyscallError(Errno.ENOSYS);
  }
}

function prctl(p: LinuxProcess): number {
  switch (p.arg(0)) {
    case Pr.SET_NAME: threadName.set(p, p.as.readCString(p.arg(1), 15)); return 0;
    case Pr.GET_NAME: {
      const name = threadName.get(p) ?? (p.opts.argv[0] ?? '').split('/').pop() ?? '';
      const b = new Uint8Array(16);
      b.set(Buffer.from(name, 'utf8').subarray(0, 15));
      p.as.copyOut(p.arg(1), b);
      return 0;
    }
    default: throw new SyscallError(Errno.EINVAL);
  }
}

const id = (f: () => number) => (): number => f();
const uid = id(() => process.getuid?.() ?? 0), gid = id(() => process.getgid?.() ?? 0);
const euid = id(() => process.geteuid?.() ?? 0), egid = id(() => process.getegid?.() ?? 0);

function getresid(p: LinuxProcess, ids: number[]): number {
  for (let i = 0; i < 3; i++) if (p.arg(i) !== 0) p.as.write32(p.arg(i), ids[i]);
  return 0;
}

export const processSyscalls: SyscallTable = {
  4001: (p) => { p.exit(p.arg(0)); return null; }, // exit
  4020: (p) => p.pid, // getpid
  4024: uid, // getuid
  4037: (p) => signalSelf(p, p.arg(0), p.arg(1), SiCode.USER), // kill
  4047: gid, // getgid
  4049: euid, // geteuid
  4050: egid, // getegid
  4057: () => 0, // setpgid
  4064: () => process.ppid, // getppid
  4065: (p) => p.pid, // getpgrp
  4066: (p) => p.pid, // setsid
  4075: setrlimit,
  4076: getrlimit,
  4077: getrusage,
  4080: (p) => { // getgroups(size, list)
    if (p.arg(0) > 0) p.as.write32(p.arg(1), gid());
    return 1;
  },
  4114: () => -Errno.ECHILD, // wait4: no children
  4116: sysinfo,
  4122: uname,
  4132: (p) => p.pid, // getpgid
  4136: () => 0, // personality: PER_LINUX
  4147: () => 0, // cacheflush: there are no caches to flush
  4151: (p) => p.pid, // getsid
  4162: () => 0, // sched_yield
  4186: (p) => getresid(p, [uid(), euid(), euid()]), // getresuid
  4191: (p) => getresid(p, [gid(), egid(), egid()]), // getresgid
  4192: prctl,
  4193: (p) => { // rt_sigreturn
    if (!p.signals.sigreturn(p.cpu, p.as)) p.die({ signo: Sig.SEGV, code: SiCode.KERNEL });
    return null;
  },
  4194: rtSigaction,
  4195: rtSigprocmask,
  4196: (p) => { // rt_sigpending(set, size)
    if (p.arg(1) !== SIGSET_BYTES) throw new SyscallError(Errno.EINVAL);
    const s = p.signals;
    writeSigset(p, p.arg(0), Uint32Array.from([0, 1, 2, 3], (w) => s.pending[w] & s.blocked[w]));
    return 0;
  },
  4206: sigaltstack,
  4222: (p) => p.pid, // gettid
  4236: (p) => signalSelf(p, p.arg(0), p.arg(1), SiCode.TKILL), // tkill
  4238: (p) => futex(p, false),
  4240: (p) => { // sched_getaffinity(pid, len, mask): one CPU
    if ((p.arg(1) >>> 0) < 4) throw new SyscallError(Errno.EINVAL);
    p.as.write32(p.arg(2), 1);
    return 4;
  },
  4239: () => 0, // sched_setaffinity
  4246: (p) => { p.exit(p.arg(0)); return null; }, // exit_group
  4252: (p) => p.pid, // set_tid_address
  4266: (p) => { // tgkill(tgid, tid, sig)
    if (p.arg(0) !== p.pid) throw new SyscallError(Errno.ESRCH);
    return signalSelf(p, p.arg(1), p.arg(2), SiCode.TKILL);
  },
  4283: (p) => { p.cpu.userLocal = p.arg(0); return 0; }, // set_thread_area
  4309: () => 0, // set_robust_list
  4338: prlimit64,
  4353: (p) => { // getrandom(buf, len, flags)
    const n = Math.min(p.arg(1) >>> 0, 1 << 25), b = new Uint8Array(n);
    randomFillSync(b);
    p.as.copyOut(p.arg(0), b);
    return n;
  },
  4367: () => -Errno.ENOSYS, // rseq: glibc copes without it
  4422: (p) => futex(p, true), // futex_time64
};
