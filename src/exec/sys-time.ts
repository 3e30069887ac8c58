// SPDX-License-Identifier: MIT
/** System calls on time: clocks (32-bit and time64 forms), gettimeofday, time, times and sleeps. */
import { Errno, SyscallError } from './errno.js';
import type { SyscallTable } from './linux.js';
import type { LinuxProcess } from './process.js';
import { decodeTimespec32, decodeTimespec64, encodeTimespec32, encodeTimespec64 } from './structs.js';

const enum Clock {
  REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME_ID = 2, THREAD_CPUTIME_ID = 3, MONOTONIC_RAW = 4,
  REALTIME_COARSE = 5, MONOTONIC_COARSE = 6, BOOTTIME = 7, REALTIME_ALARM = 8, BOOTTIME_ALARM = 9, TAI = 11,
}
const TIMER_ABSTIME = 1;
const CLK_TCK = 100n;

/** Wall-clock time in ns = this + the monotonic hrtime. */
const realtimeBase = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

function clockNs(id: number): bigint {
  switch (id) {
    case Clock.REALTIME: case Clock.REALTIME_COARSE: case Clock.REALTIME_ALARM: case Clock.TAI:
      return realtimeBase + process.hrtime.bigint();
    case Clock.MONOTONIC: case Clock.MONOTONIC_RAW: case Clock.MONOTONIC_COARSE: case Clock.BOOTTIME: case Clock.BOOTTIME_ALARM:
      return process.hrtime.bigint();
    case Clock.PROCESS_CPUTIME_ID: case Clock.THREAD_CPUTIME_ID: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
    default: throw new SyscallError(Errno.EINVAL);
  }
}

function resolutionNs(id: number): bigint {
  clockNs(id); // validates the id
  return id === Clock.REALTIME_COARSE || id === Clock.MONOTONIC_COARSE ? 4_000_000n : 1n;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepNs(ns: bigint): void {
  while (ns > 0n) {
    const ms = Number(ns) / 1e6;
    const t0 = process.hrtime.bigint();
    Atomics.wait(sleeper, 0, 0, Math.min(ms, 1e9));
    ns -= process.hrtime.bigint() - t0;
  }
}

function readTimespec(p: LinuxProcess, va: number, time64: boolean): bigint {
  const b = p.as.copyIn(va, time64 ? 16 : 8);
  const dv = new DataView(b.buffer);
  const nsec = time64 ? Number(dv.getBigInt64(8)) : dv.getInt32(4);
  const sec = time64 ? dv.getBigInt64(0) : BigInt(dv.getInt32(0));
  if (nsec < 0 || nsec >= 1e9 || sec < 0n) throw new SyscallError(Errno.EINVAL);
  return time64 ? decodeTimespec64(b) : decodeTimespec32(b);
}

function writeTimespec(p: LinuxProcess, va: number, ns: bigint, time64: boolean): void {
  p.as.copyOut(va, time64 ? encodeTimespec64(ns) : encodeTimespec32(ns));
}

function clockGettime(p: LinuxProcess, time64: boolean): number {
  writeTimespec(p, p.arg(1), clockNs(p.arg(0)), time64);
  return 0;
}

function clockGetres(p: LinuxProcess, time64: boolean): number {
  const res = resolutionNs(p.arg(0));
  if (p.arg(1) !== 0) writeTimespec(p, p.arg(1), res, time64);
  return 0;
}

/** clock_nanosleep(clock, flags, request, remain): never interrupted, so remain is untouched. */
function clockNanosleep(p: LinuxProcess, time64: boolean): number {
  const id = p.arg(0), flags = p.arg(1);
  if (id === Clock.THREAD_CPUTIME_ID) throw new SyscallError(Errno.EINVAL);
  const req = readTimespec(p, p.arg(2), time64);
  sleepNs((flags & TIMER_ABSTIME) !== 0 ? req - clockNs(id) : req);
  return 0;
}

export const timeSyscalls: SyscallTable = {
  4013: (p) => { // time(tloc)
    const t = Number(clockNs(Clock.REALTIME) / 1_000_000_000n) | 0;
    if (p.arg(0) !== 0) p.as.write32(p.arg(0), t);
    return t;
  },
  4043: (p) => { // times(buf): struct tms of clock ticks
    const u = process.cpuUsage();
    if (p.arg(0) !== 0) {
      const b = new Uint8Array(16), dv = new DataView(b.buffer);
      dv.setInt32(0, Math.floor(u.user / 10000));
      dv.setInt32(4, Math.floor(u.system / 10000));
      p.as.copyOut(p.arg(0), b);
    }
    return Number((process.hrtime.bigint() * CLK_TCK / 1_000_000_000n) & 0x7fffffffn);
  },
  4078: (p) => { // gettimeofday(tv, tz)
    const ns = clockNs(Clock.REALTIME);
    if (p.arg(0) !== 0) {
      const b = new Uint8Array(8), dv = new DataView(b.buffer);
      dv.setInt32(0, Number(ns / 1_000_000_000n));
      dv.setInt32(4, Number((ns % 1_000_000_000n) / 1000n));
      p.as.copyOut(p.arg(0), b);
    }
    if (p.arg(1) !== 0) p.as.copyOut(p.arg(1), new Uint8Array(8));
    return 0;
  },
  4166: (p) => { sleepNs(readTimespec(p, p.arg(0), false)); return 0; }, // nanosleep
  4263: (p) => clockGettime(p, false),
  4264: (p) => clockGetres(p, false),
  4265: (p) => clockNanosleep(p, false),
  4403: (p) => clockGettime(p, true),
  4406: (p) => clockGetres(p, true),
  4407: (p) => clockNanosleep(p, true),
};
