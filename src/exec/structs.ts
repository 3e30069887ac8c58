// SPDX-License-Identifier: MIT
/**
 * Kernel structures the o32 system calls write, in big-endian guest layout: struct stat64 of
 * MIPS o32 (uapi asm-mips/stat.h: 32-bit st_dev and st_rdev with padding), the generic struct
 * statx, and o32 timespecs (32-bit and time64).
 */
import type { BigIntStats } from 'node:fs';

export interface StatInfo {
  dev: bigint; ino: bigint; mode: number; nlink: number; uid: number; gid: number; rdev: bigint;
  size: bigint; blksize: number; blocks: bigint;
  atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint; birthtimeNs: bigint;
}

export function statInfo(st: BigIntStats): StatInfo {
  return {
    dev: st.dev, ino: st.ino, mode: Number(st.mode), nlink: Number(st.nlink), uid: Number(st.uid), gid: Number(st.gid),
    rdev: st.rdev, size: st.size, blksize: Number(st.blksize), blocks: st.blocks,
    atimeNs: st.atimeNs, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, birthtimeNs: st.birthtimeNs,
  };
}

/** A synthetic stat for the emulator's own objects (pipes). */
export function syntheticStat(mode: number, ino: number): StatInfo {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    dev: 0x0cn, ino: BigInt(ino), mode, nlink: 1, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0,
    rdev: 0n, size: 0n, blksize: 4096, blocks: 0n, atimeNs: now, mtimeNs: now, ctimeNs: now, birthtimeNs: 0n,
  };
}

/** Host dev_t (glibc encoding) -> major, minor. */
function major(dev: bigint): number { return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)); }
function minor(dev: bigint): number { return Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)); }
/** The kernel's 32-bit encoding (new_encode_dev). */
function encodeDev32(dev: bigint): number {
  const ma = major(dev), mi = minor(dev);
  return ((mi & 0xff) | (ma << 8) | ((mi & ~0xff) << 12)) >>> 0;
}

const NS = 1_000_000_000n;
function sec(ns: bigint): bigint { return ns >= 0n ? ns / NS : -((-ns + NS - 1n) / NS); }
function nsec(ns: bigint): number { return Number(ns - sec(ns) * NS); }

export const STAT64_SIZE = 104;

export function encodeStat64(st: StatInfo): Uint8Array {
  const b = new Uint8Array(STAT64_SIZE), dv = new DataView(b.buffer);
  dv.setUint32(0, encodeDev32(st.dev));
  dv.setBigUint64(16, st.ino);
  dv.setUint32(24, st.mode);
  dv.setUint32(28, st.nlink);
  dv.setUint32(32, st.uid);
  dv.setUint32(36, st.gid);
  dv.setUint32(40, encodeDev32(st.rdev));
  dv.setBigInt64(56, st.size);
  dv.setInt32(64, Number(BigInt.asIntN(32, sec(st.atimeNs))));
  dv.setUint32(68, nsec(st.atimeNs));
  dv.setInt32(72, Number(BigInt.asIntN(32, sec(st.mtimeNs))));
  dv.setUint32(76, nsec(st.mtimeNs));
  dv.setInt32(80, Number(BigInt.asIntN(32, sec(st.ctimeNs))));
  dv.setUint32(84, nsec(st.ctimeNs));
  dv.setUint32(88, st.blksize);
  dv.setBigInt64(96, st.blocks);
  return b;
}

export const STATX_SIZE = 256;
const STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;

export function encodeStatx(st: StatInfo): Uint8Array {
  const b = new Uint8Array(STATX_SIZE), dv = new DataView(b.buffer);
  const ts = (o: number, ns: bigint): void => { dv.setBigInt64(o, sec(ns)); dv.setUint32(o + 8, nsec(ns)); };
  dv.setUint32(0, STATX_BASIC_STATS | (st.birthtimeNs > 0n ? STATX_BTIME : 0));
  dv.setUint32(4, st.blksize);
  dv.setUint32(16, st.nlink);
  dv.setUint32(20, st.uid);
  dv.setUint32(24, st.gid);
  dv.setUint16(28, st.mode);
  dv.setBigUint64(32, st.ino);
  dv.setBigUint64(40, st.size);
  dv.setBigUint64(48, st.blocks);
  ts(64, st.atimeNs);
  if (st.birthtimeNs > 0n) ts(80, st.birthtimeNs);
  ts(96, st.ctimeNs);
  ts(112, st.mtimeNs);
  dv.setUint32(128, major(st.rdev));
  dv.setUint32(132, minor(st.rdev));
  dv.setUint32(136, major(st.dev));
  dv.setUint32(140, minor(st.dev));
  return b;
}

/** struct old_timespec32 { s32 tv_sec; s32 tv_nsec; } */
export function encodeTimespec32(ns: bigint): Uint8Array {
  const b = new Uint8Array(8), dv = new DataView(b.buffer);
  dv.setInt32(0, Number(BigInt.asIntN(32, sec(ns))));
  dv.setInt32(4, nsec(ns));
  return b;
}

/** struct __kernel_timespec { s64 tv_sec; s64 tv_nsec; } */
export function encodeTimespec64(ns: bigint): Uint8Array {
  const b = new Uint8Array(16), dv = new DataView(b.buffer);
  dv.setBigInt64(0, sec(ns));
  dv.setBigInt64(8, BigInt(nsec(ns)));
  return b;
}

export function decodeTimespec32(b: Uint8Array): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return BigInt(dv.getInt32(0)) * NS + BigInt(dv.getInt32(4));
}

export function decodeTimespec64(b: Uint8Array): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return dv.getBigInt64(0) * NS + BigInt(Number(dv.getBigInt64(8)));
}
