// SPDX-License-Identifier: MIT
/**
 * The floating-point unit (CP1) of the R10000 with FR=0 register pairing, as o32 code uses it:
 * MFC1/MTC1/CFC1/CTC1 (and MFHC1/MTHC1 with the MIPS32r2 extension), the S, D and W formats of
 * COP1 and the multiply-add group of COP1X. The branches (BC1x), MOVF/MOVT on general registers
 * and the loads and stores are in the interpreter loop (cpu.ts).
 *
 * IEEE 754 arithmetic with every FCSR rounding mode. The host only rounds to nearest, so each
 * operation computes the round-to-nearest result together with the sign of its exact error
 * (TwoSum for sums, Veltkamp/Dekker TwoProduct for products, the exact remainder a - q*b for
 * quotients and a - q*q for square roots) and steps one unit in the last place where a directed
 * mode needs it. Single-precision operations are computed in double and then rounded once to
 * single from (value, error) pairs, so that no double rounding can occur. Operands and results
 * far from 1 (subnormal results, overflow, products whose error would underflow) take a slow
 * path on scaled significands.
 *
 * Exceptions follow IEEE 754 with tininess detected after rounding and underflow signalled when
 * a tiny result is inexact; overflow gives infinity or the largest finite number as the rounding
 * mode says. Cause is replaced by every arithmetic operation, compare and conversion (not by MOV,
 * ABS, NEG). An enabled exception leaves the destination and the Flags unchanged, sets Cause and
 * returns Exc.FPE. Common operations take fast paths, and once Flags.I is set their Cause.I is
 * only computed when something reads Cause (see "Fast paths" below): code outside the FPU reads
 * FCSR with `readFcsr`.
 *
 * NaNs use the legacy MIPS encoding (a quiet NaN has the fraction's top bit clear) as the
 * R10000 and qemu-mips in legacy mode do: every NaN an arithmetic operation or a conversion
 * produces is the default NaN (0x7fbfffff, 0x7ff7ffff_ffffffff), whatever its operands were; a
 * signaling NaN operand raises Invalid. ABS, NEG and MOV only copy or change the sign bit and
 * never signal. NMADD and NMSUB negate their result, a NaN included (as qemu does).
 */
import type { Cpu } from './cpu.js';
import { Exc } from './cp0.js';

/** IEEE exception bits in the order of FCSR's Cause (bit 12 up), Enables (bit 7) and Flags (bit 2). */
const enum X { I = 1, U = 2, O = 4, Z = 8, V = 16, E = 32 }

const enum Fcsr {
  CAUSE = 0x3f << 12, FCC0 = 1 << 23, FS = 1 << 24, FCC1_7 = 0xfe << 24,
  /** The bits CTC1 can write: FCC, FS, Cause, Enables, Flags, RM. */
  WRITABLE = 0xff83ffff | 0,
}

/** Rounding modes, FCSR[1:0]. */
const enum Rm { RN = 0, RZ = 1, RP = 2, RM = 3 }

/** COP1 rs field values handled here (the rest are in isa.ts's Cop1Rs). */
const enum Rs { MF = 0x00, DMF = 0x01, CF = 0x02, MFH = 0x03, MT = 0x04, DMT = 0x05, CT = 0x06, MTH = 0x07, S = 0x10, D = 0x11, W = 0x14 }

/** COP1 function field for the S and D formats. */
const enum Fn {
  ADD = 0x00, SUB = 0x01, MUL = 0x02, DIV = 0x03, SQRT = 0x04, ABS = 0x05, MOV = 0x06, NEG = 0x07,
  ROUND_W = 0x0c, TRUNC_W = 0x0d, CEIL_W = 0x0e, FLOOR_W = 0x0f,
  MOVCF = 0x11, MOVZ = 0x12, MOVN = 0x13, RECIP = 0x15, RSQRT = 0x16,
  CVT_S = 0x20, CVT_D = 0x21, CVT_W = 0x24, C = 0x30,
}

/** COP1X arithmetic function field: op in bits 5:3, format in bits 2:0. */
const enum FnX { MADD = 0x20, MSUB = 0x28, NMADD = 0x30, NMSUB = 0x38 }

/** FIR (FCR0): implementation 0x09 (R10000 FPU), revision 0; with MIPS32r2, the S, D and W formats. */
const FIR_R10000 = 0x00000900;
const FIR_R2_FORMATS = (1 << 16) | (1 << 17) | (1 << 20);

/** Default NaNs (legacy MIPS encoding). */
const QNAN_S = 0x7fbfffff;
const QNAN_D_HI = 0x7ff7ffff;

/** Result returned by MIPS for a float-to-integer conversion that is invalid. */
const INVALID_W = 0x7fffffff;

const MAX_D = Number.MAX_VALUE;
const MIN_SUB_D = Number.MIN_VALUE;
const MAX_S = 3.4028234663852886e38;
const MIN_NORM_S = 2 ** -126;
const MIN_SUB_S = 2 ** -149;
/** |x| at and above which Math.fround(x) is infinite: MAX_S plus half an ulp. */
const OVF_RN_S = 2 ** 128 - 2 ** 103;
const TWO128 = 2 ** 128;
/** Below these (for a result that rounded to MIN_NORM_S) the unbounded-exponent rounding is tiny. */
const TINY_RN_S = 2 ** -126 - 2 ** -151;
const TINY_UP_S = 2 ** -126 - 2 ** -150;
const TWO1023 = 2 ** 1023;
const TWO1000 = 2 ** 1000;
const TWO_M1000 = 2 ** -1000;
const TWO_M1022 = 2 ** -1022;
const TWO64 = 2 ** 64;
/** Fast-path bounds: inside them Dekker's products and the remainders are exact. */
const FAST_LO = 2 ** -966;
const FAST_HI = 2 ** 995;
const FAST_Q_LO = 2 ** -1021;
/** Square roots of operands outside [SQRT_LO, SQRT_HI] are taken on x * 2^1000 or x * 2^-100. */
const SQRT_LO = 2 ** -960;
const SQRT_HI = 2 ** 1000;
const SQRT_UP = 2 ** 1000;
const SQRT_DOWN = 2 ** -100;
/** 2^27 + 1: Veltkamp's splitting constant for doubles. */
const SPLIT = 134217729;

// Scratch views for bit manipulation (the host is little-endian, as cpu.ts assumes).
const f64 = new Float64Array(1);
const w64 = new Int32Array(f64.buffer);
const f32 = new Float32Array(1);
const w32 = new Int32Array(f32.buffer);

/** Exception bits raised by the operation in progress, and its rounding mode. */
let fx = 0;
let rm: number = Rm.RN;
/** Exponent set by `mant`. */
let mexp = 0;

/** The FCSR bit of condition code cc: FCC0 is bit 23, FCC1..7 are bits 25..31. */
function fcc(cc: number): number { return cc === 0 ? Fcsr.FCC0 : 1 << (24 + cc); }

function isSNaN32(bits: number): boolean { return (bits & 0x7fc00000) === 0x7fc00000; }
function isSNaN64(hi: number): boolean { return (hi & 0x7ff80000) === 0x7ff80000; }

// ---------------------------------------------------------------------------------------------
// Bit-level helpers.

/** The next double above x (x finite or -Infinity; +MAX goes to +Infinity). */
function nextUp(x: number): number {
  if (x === 0) return MIN_SUB_D;
  f64[0] = x;
  let lo = w64[0], hi = w64[1];
  if (hi >= 0) { lo = (lo + 1) | 0; if (lo === 0) hi++; } else { if (lo === 0) hi--; lo = (lo - 1) | 0; }
  w64[0] = lo; w64[1] = hi;
  return f64[0];
}
function nextDown(x: number): number { return -nextUp(-x); }

/** The next single above x (x a finite single). */
function nextUp32(x: number): number {
  if (x === 0) return MIN_SUB_S;
  f32[0] = x;
  const b = w32[0];
  w32[0] = b >= 0 ? b + 1 : b - 1;
  return f32[0];
}
function nextDown32(x: number): number { return -nextUp32(-x); }

/** 2^k for -1022 <= k <= 1023. */
function pow2(k: number): number {
  w64[0] = 0; w64[1] = (k + 1023) << 20;
  return f64[0];
}

/** x * 2^k where the result is a normal double (or the scaling is otherwise exact). */
function scale(x: number, k: number): number {
  if (k > 1023) { x *= TWO1023; k -= 1023; } else if (k < -1022) { x *= TWO_M1022; k += 1022; }
  return x * pow2(k);
}

/** Unbiased exponent of a normal double. */
function expOf(x: number): number {
  f64[0] = x;
  return ((w64[1] >>> 20) & 0x7ff) - 1023;
}

/** |x| / 2^e in [1, 2) for finite nonzero x, with e left in `mexp`. */
function mant(x: number): number {
  f64[0] = x;
  let hi = w64[1] & 0x7fffffff, e = hi >>> 20;
  if (e === 0) { f64[0] = Math.abs(x) * TWO64; hi = w64[1]; e = (hi >>> 20) - 64; }
  mexp = e - 1023;
  w64[1] = (hi & 0x000fffff) | 0x3ff00000;
  return f64[0];
}

/** The exact error a*b - p of p = RN(a*b) (Dekker), valid when nothing overflows or underflows. */
function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/**
 * The rounding mode seen from the magnitude of a result of the given sign:
 * 0 nearest, 1 toward zero, 2 away from zero (up in magnitude), 3 toward zero as well (down).
 */
function magMode(neg: boolean): number {
  return neg && rm >= Rm.RP ? rm ^ 1 : rm;
}

// ---------------------------------------------------------------------------------------------
// Rounding a double-precision result.

/** Directed rounding of r = RN(exact) where exact = r + lo, lo != 0 (no flags). */
function stepD(r: number, lo: number): number {
  switch (rm) {
    case Rm.RZ: return (lo < 0) !== (r < 0) ? (lo < 0 ? nextDown(r) : nextUp(r)) : r;
    case Rm.RP: return lo > 0 ? nextUp(r) : r;
    default: return lo < 0 ? nextDown(r) : r;
  }
}

/** stepD for a normal result, raising Overflow when it steps from MAX to infinity. */
function dirD(r: number, lo: number): number {
  r = stepD(r, lo);
  if (r === Infinity || r === -Infinity) fx |= X.O;
  return r;
}

/** The overflowed result for the rounding mode (double). */
function ovfD(neg: boolean): number {
  fx |= X.O | X.I;
  switch (magMode(neg)) {
    case Rm.RN: case Rm.RP: return neg ? -Infinity : Infinity;
    default: return neg ? -MAX_D : MAX_D;
  }
}

/**
 * Rounds (hi + lo) * 2^k to double in the current mode, with all flags; hi = RN(hi + lo) is a
 * double of magnitude in [0.5, 4), lo only needs the right sign (0 when exact).
 */
function fin64(hi: number, lo: number, k: number): number {
  const m = lo !== 0 && rm !== Rm.RN ? stepD(hi, lo) : hi; // rounded with an unbounded exponent
  const e = expOf(m) + k;
  if (e > 1023) return ovfD(hi < 0);
  if (e >= -1022) {
    if (lo !== 0) fx |= X.I;
    return scale(m, k);
  }
  // Tiny: round again, to the subnormal grid.
  if (e < -1080) {
    fx |= X.U | X.I;
    return magMode(hi < 0) === Rm.RP ? (hi < 0 ? -MIN_SUB_D : MIN_SUB_D) : (hi < 0 ? -0 : 0);
  }
  const t = (hi * pow2(k + 1000)) * TWO_M1000; // one rounding, in the last multiplication
  const d = hi - (t * TWO1000) * pow2(-k - 1000); // exact
  if (d === 0 && lo === 0) return t;
  fx |= X.U | X.I;
  const up = d !== 0 ? d > 0 : lo > 0; // exact > t
  switch (rm) {
    case Rm.RN:
      if (d !== 0 && lo !== 0 && (lo > 0) === up && Math.abs(d) === pow2(-1075 - k)) return up ? nextUp(t) : nextDown(t);
      return t;
    case Rm.RZ: return up !== (hi > 0) ? (up ? nextUp(t) : nextDown(t)) : t;
    case Rm.RP: return up ? nextUp(t) : t;
    default: return up ? t : nextDown(t);
  }
}

// ---------------------------------------------------------------------------------------------
// Rounding to single precision.

/** The overflowed result for the rounding mode (single). */
function ovfS(neg: boolean): number {
  fx |= X.O | X.I;
  switch (magMode(neg)) {
    case Rm.RN: case Rm.RP: return neg ? -Infinity : Infinity;
    default: return neg ? -MAX_S : MAX_S;
  }
}

/** Rounds exact = hi + lo to single when Math.fround(hi) overflowed (|hi| >= OVF_RN_S). */
function overS(hi: number, lo: number): number {
  const neg = hi < 0, ah = neg ? -hi : hi, slo = neg ? -lo : lo;
  switch (magMode(neg)) {
    case Rm.RN:
      if (ah === OVF_RN_S && slo < 0) { fx |= X.I; return neg ? -MAX_S : MAX_S; }
      return ovfS(neg);
    case Rm.RP: return ovfS(neg);
    default:
      if (ah > TWO128 || (ah === TWO128 && slo >= 0)) return ovfS(neg);
      fx |= X.I;
      return neg ? -MAX_S : MAX_S;
  }
}

/**
 * Rounds exact = hi + lo to single in the current mode, with all flags. hi is a finite double,
 * exact or the round-to-nearest binary64 result of one operation on singles; only the sign of lo
 * matters (0 when hi is exact).
 */
function roundS(hi: number, lo: number): number {
  let r = Math.fround(hi);
  const d = hi - r;
  if (d === 0 && lo === 0) return r;
  if (r - r !== 0) return overS(hi, lo);
  fx |= X.I;
  // Rounding to nearest needs no correction: hi is either exact (conversions) or the binary64
  // result of +, -, *, / or sqrt on singles, and rounding those twice to nearest gives the same
  // single as rounding once, since 53 >= 2 * 24 + 2 (Figueroa). Directed modes use lo's sign.
  const up = d !== 0 ? d > 0 : lo > 0; // exact > r
  switch (rm) {
    case Rm.RN: break;
    case Rm.RZ: if (up !== (hi > 0)) r = up ? nextUp32(r) : nextDown32(r); break;
    case Rm.RP: if (up) r = nextUp32(r); break;
    default: if (!up) r = nextDown32(r);
  }
  if (r === Infinity || r === -Infinity) fx |= X.O;
  else {
    const ar = Math.abs(r);
    if (ar < MIN_NORM_S || (ar === MIN_NORM_S && tinyAtMinS(hi, lo))) fx |= X.U;
  }
  return r;
}

/** For a result that rounded to ±MIN_NORM_S: is the rounding with an unbounded exponent tiny? */
function tinyAtMinS(hi: number, lo: number): boolean {
  const neg = hi < 0, ah = neg ? -hi : hi, slo = neg ? -lo : lo;
  switch (magMode(neg)) {
    case Rm.RN: return ah < TINY_RN_S || (ah === TINY_RN_S && slo < 0);
    case Rm.RP: return ah < TINY_UP_S || (ah === TINY_UP_S && slo <= 0);
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Double-precision operations. NaN operands give a NaN (the caller writes the default NaN and
// checks for signaling NaNs); invalid operations on numbers raise Invalid here.

function addD(a: number, b: number): number {
  let r = a + b;
  if (r - r === 0) {
    const bv = r - a;
    let lo = (a - (r - bv)) + (b - bv);
    if (lo !== 0) {
      fx |= X.I;
      if (lo !== lo) { // r - a overflowed (an operand near MAX): redo on halves, which are exact
        const ha = a * 0.5, hb = b * 0.5, h = ha + hb, hv = h - ha;
        lo = ((ha - (h - hv)) + (hb - hv)) * 2;
      }
      if (rm !== Rm.RN) r = dirD(r, lo);
    } else if (r === 0 && rm === Rm.RM) r = -((-a) + (-b)); // an exact zero sum is -0 when rounding down
    return r;
  }
  if (r !== r) { if (a === a && b === b) fx |= X.V; return r; }
  if (a - a !== 0 || b - b !== 0) return r; // an infinite operand: exact
  // Overflow from finite operands. Toward zero, only a sum of 2^1024 or more overflows.
  const neg = r < 0;
  const md = magMode(neg);
  if (md === Rm.RN || md === Rm.RP) return ovfD(neg);
  const ha = a * 0.5, hb = b * 0.5, h = ha + hb, bv = h - ha, e = (ha - (h - bv)) + (hb - bv);
  const ah = neg ? -h : h, se = neg ? -e : e;
  if (ah > TWO1023 || (ah === TWO1023 && se >= 0)) return ovfD(neg);
  fx |= X.I;
  return neg ? -MAX_D : MAX_D;
}

function mulD(a: number, b: number): number {
  const p = a * b, ap = Math.abs(p);
  if (ap >= FAST_LO && ap < FAST_HI && Math.abs(a) < FAST_HI && Math.abs(b) < FAST_HI) {
    const e = twoProdErr(a, b, p);
    if (e !== 0) {
      fx |= X.I;
      if (rm !== Rm.RN) return dirD(p, e);
    }
    return p;
  }
  if (p !== p) { if (a === a && b === b) fx |= X.V; return p; }
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return p; // zeros and infinities are exact
  const ma = mant(a), ea = mexp, mb = mant(b), eb = mexp;
  const m = ma * mb, e = twoProdErr(ma, mb, m);
  return (a < 0) !== (b < 0) ? fin64(-m, -e, ea + eb) : fin64(m, e, ea + eb);
}

/** Division by zero, infinities, zeros and NaNs (double and single). */
function divSpecial(a: number, b: number, q: number): number {
  if (q !== q) { if (a === a && b === b) fx |= X.V; } else if (b === 0 && a - a === 0) fx |= X.Z;
  return q;
}

function divD(a: number, b: number): number {
  const q = a / b, aa = Math.abs(a), ab = Math.abs(b), aq = Math.abs(q);
  if (aa >= FAST_LO && aa < FAST_HI && ab < FAST_HI && aq >= FAST_Q_LO && aq < FAST_HI) {
    const p = q * b, rem = (a - p) - twoProdErr(q, b, p); // exact remainder a - q*b
    if (rem !== 0) {
      fx |= X.I;
      if (rm !== Rm.RN) return dirD(q, b > 0 ? rem : -rem);
    }
    return q;
  }
  if (q !== q || a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return divSpecial(a, b, q);
  const ma = mant(a), ea = mexp, mb = mant(b), eb = mexp;
  const m = ma / mb, p = m * mb, rem = (ma - p) - twoProdErr(m, mb, p);
  return (a < 0) !== (b < 0) ? fin64(-m, -rem, ea - eb) : fin64(m, rem, ea - eb);
}

/** Square root of +inf, zeros, negatives and NaNs (double and single). */
function sqrtSpecial(a: number): number {
  if (a === 0 || a === Infinity || a !== a) return a;
  fx |= X.V;
  return NaN;
}

function sqrtD(a: number): number {
  if (a > 0 && a - a === 0) {
    let x = a, k = 0;
    if (x < SQRT_LO) { x *= SQRT_UP; k = -500; } else if (x > SQRT_HI) { x *= SQRT_DOWN; k = 50; }
    let q = Math.sqrt(x);
    const p = q * q, rem = (x - p) - twoProdErr(q, q, p);
    if (rem !== 0) {
      fx |= X.I;
      if (rm !== Rm.RN) q = stepD(q, rem);
    }
    return k === 0 ? q : q * pow2(k);
  }
  return sqrtSpecial(a);
}

// ---------------------------------------------------------------------------------------------
// Single-precision operations (operands are singles held in doubles).

function addS(a: number, b: number): number {
  const s = a + b;
  if (s - s === 0) {
    if (s === 0) return rm === Rm.RM ? -((-a) + (-b)) : s;
    const bv = s - a;
    return roundS(s, (a - (s - bv)) + (b - bv));
  }
  if (s !== s && a === a && b === b) fx |= X.V;
  return s;
}

function mulS(a: number, b: number): number {
  const p = a * b; // exact in double
  if (p - p === 0) return roundS(p, 0);
  if (p !== p && a === a && b === b) fx |= X.V;
  return p;
}

function divS(a: number, b: number): number {
  const q = a / b;
  if (q - q === 0 && q !== 0) {
    const p = q * b, rem = (a - p) - twoProdErr(q, b, p);
    return roundS(q, b > 0 ? rem : -rem);
  }
  return divSpecial(a, b, q);
}

function sqrtS(a: number): number {
  if (a > 0 && a - a === 0) {
    const q = Math.sqrt(a), p = q * q;
    return roundS(q, (a - p) - twoProdErr(q, q, p));
  }
  return sqrtSpecial(a);
}

// ---------------------------------------------------------------------------------------------
// Conversions to a 32-bit integer.

/** x rounded to an integer in the given mode (nearest: ties to even). */
function rint(x: number, mode: number): number {
  switch (mode) {
    case Rm.RN: {
      const f = Math.floor(x), d = x - f;
      return d < 0.5 ? f : d > 0.5 ? f + 1 : (f % 2 === 0 ? f : f + 1);
    }
    case Rm.RZ: return Math.trunc(x);
    case Rm.RP: return Math.ceil(x);
    default: return Math.floor(x);
  }
}

function toW(x: number, mode: number): number {
  const t = rint(x, mode);
  if (t >= -2147483648 && t <= 2147483647) {
    if (t !== x) fx |= X.I;
    return t | 0;
  }
  fx |= X.V; // NaN, infinity or out of range
  return INVALID_W;
}

// ---------------------------------------------------------------------------------------------
// Committing results.

/**
 * Ends an arithmetic operation: Cause becomes the exceptions raised; an enabled one (or
 * Unimplemented) returns Exc.FPE, otherwise the Flags accumulate and -1 says "write the result".
 */
function done(cpu: Cpu): number {
  if (cpu === pending.cpu) pending.kind = K.NONE;
  const f = cpu.fcsr & ~Fcsr.CAUSE;
  if (fx === 0) { cpu.fcsr = f; return -1; }
  if ((fx & ((f >>> 7) | X.E)) !== 0) { cpu.fcsr = f | (fx << 12); return Exc.FPE; }
  cpu.fcsr = f | (fx << 12) | ((fx & 31) << 2);
  return -1;
}

function writeS(cpu: Cpu, fd: number, r: number): void {
  if (r === r) cpu.fpr[fd] = r; else cpu.fpr32[fd] = QNAN_S;
}

function writeD(cpu: Cpu, fd: number, r: number): void {
  if (r === r) cpu.fpd[fd >> 1] = r; else { cpu.fpr32[fd] = -1; cpu.fpr32[fd + 1] = QNAN_D_HI; }
}

/** A comparison's result: 1 when the condition `cond` (instr[3:0]) holds. */
function compare(a: number, b: number, cond: number, sNaN: boolean): number {
  if (a !== a || b !== b) {
    if ((cond & 8) !== 0 || sNaN) fx |= X.V;
    return cond & 1;
  }
  return ((cond & 4) !== 0 && a < b) || ((cond & 2) !== 0 && a === b) ? 1 : 0;
}

function writeCc(cpu: Cpu, cc: number, v: number): number {
  const e = done(cpu);
  if (e < 0) cpu.fcsr = v !== 0 ? cpu.fcsr | fcc(cc) : cpu.fcsr & ~fcc(cc);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Fast paths and the lazy Inexact Cause.
//
// With round to nearest and no exception enabled, an operation on finite operands whose result
// is normal, or exact (a zero or subnormal double sum, a product by zero), can raise Inexact and
// nothing else: Invalid and Division by zero need special operands, Overflow and Underflow an
// infinite or tiny inexact result (IEEE 754 7.2 to 7.5). Its result is the host's (rounded once
// more, by Math.fround, for the S format: see roundS). Such an operation takes a fast path that
// records its kind and operands in `pending`. While Flags.I is clear, whether it was inexact is computed at once, since it may
// set the flag. Once Flags.I is set (the Flags are sticky) it only decides Cause.I, which is
// left pending until something reads Cause: CFC1 of FCSR or FEXR, CTC1 (whose exception check
// needs it) or `readFcsr`. The next operation that writes Cause discards it; MOV, ABS, NEG,
// the moves and the loads leave Cause, and so what is pending, alone. The pending operation
// belongs to one CPU and applies only while that CPU's FCSR still holds the value the operation
// left. The interpreter loop (cpu.ts) runs the commonest fast paths, ADD.D, SUB.D, MUL.D and
// MADD.D, inline when their Cause.I can be left pending (see `Lazy`).

/** Kinds of fast operation: rs << 6 | function for COP1; 0x800 | format for the COP1X group. */
const enum K {
  NONE = 0,
  ADD_S = Rs.S << 6 | Fn.ADD, SUB_S = Rs.S << 6 | Fn.SUB, MUL_S = Rs.S << 6 | Fn.MUL, DIV_S = Rs.S << 6 | Fn.DIV, SQRT_S = Rs.S << 6 | Fn.SQRT,
  ADD_D = Rs.D << 6 | Fn.ADD, SUB_D = Rs.D << 6 | Fn.SUB, MUL_D = Rs.D << 6 | Fn.MUL, DIV_D = Rs.D << 6 | Fn.DIV, SQRT_D = Rs.D << 6 | Fn.SQRT,
  MADD_S = 0x800, MADD_D = 0x801,
}

/** For the interpreter's inline fast paths. */
export const enum Lazy {
  /** FCSR & MASK === READY: round to nearest, no exception enabled, Flags.I set. */
  MASK = 0xf87, READY = X.I << 2,
  CAUSE = Fcsr.CAUSE,
  /** fd, fs and ft (bits 6, 11 and 16) even, and the function (bits 5:0) ADD, SUB or MUL. */
  D_OP_MASK = 0x1087f, D_OP_LIMIT = Fn.MUL + 1,
  /** The kind of ADD.D, SUB.D and MUL.D is D_KIND | function. */
  D_KIND = Rs.D << 6, MADD_D = K.MADD_D,
  /** fr, fd, fs and ft even and the function MADD.D. */
  MADD_D_MASK = 0x21087f, MADD_D_OP = FnX.MADD | 1,
}

/** FCSR bits that must be clear for the fast paths: the Enables and RM (round to nearest). */
const FAST_FCSR = 0xf83;
const FLAG_I = X.I << 2;
const CAUSE_I = X.I << 12;
/** The low bits of fd, fs and ft (instruction bits 6, 11 and 16): an odd register for a double. */
const ODD_D = 0x10840;
/** The same with fr (bit 21), for COP1X. */
const ODD_DX = 0x210840;

/**
 * The last fast operation: the CPU that owns this state, the kind (K.NONE when no Cause.I is
 * pending), the operands (fs, ft and fr, negated for MSUB and NMSUB) and the FCSR it left.
 */
export const pending = { cpu: null as Cpu | null, kind: K.NONE as number, ops: new Float64Array(3), fcsr: 0 };

/**
 * Whether the double product p = a * b takes the fast path: finite operands and a product exactly
 * zero (an operand zero) or inside the bounds where Dekker's product is exact.
 */
export function productInRange(a: number, b: number, p: number): boolean {
  const ap = Math.abs(p);
  return (ap >= FAST_LO || a === 0 || b === 0) && ap < FAST_HI && Math.abs(a) < FAST_HI && Math.abs(b) < FAST_HI;
}

/** Whether the fast operation `kind` on the operands in `pending` is inexact. */
function inexact(kind: number): boolean {
  const o = pending.ops, a = o[0], b = kind === K.SUB_D || kind === K.SUB_S ? -o[1] : o[1];
  switch (kind) {
    case K.ADD_D: case K.SUB_D: { const r = a + b, bv = r - a; return (a - (r - bv)) + (b - bv) !== 0; } // TwoSum
    case K.MUL_D: return twoProdErr(a, b, a * b) !== 0;
    case K.DIV_D: { const q = a / b, p = q * b; return (a - p) - twoProdErr(q, b, p) !== 0; }
    case K.SQRT_D: { const q = Math.sqrt(a), p = q * q; return (a - p) - twoProdErr(q, q, p) !== 0; }
    // Single precision: the binary64 result s and its error, then s rounded to single (roundS).
    case K.ADD_S: case K.SUB_S: { const s = a + b, bv = s - a; return s !== Math.fround(s) || (a - (s - bv)) + (b - bv) !== 0; }
    case K.MUL_S: { const p = a * b; return p !== Math.fround(p); }
    case K.DIV_S: { const q = a / b, p = q * b; return q !== Math.fround(q) || (a - p) - twoProdErr(q, b, p) !== 0; }
    case K.SQRT_S: { const q = Math.sqrt(a), p = q * q; return q !== Math.fround(q) || (a - p) - twoProdErr(q, q, p) !== 0; }
    case K.MADD_D: { const p = a * b, c = o[2], r = p + c, bv = r - p; return twoProdErr(a, b, p) !== 0 || (p - (r - bv)) + (c - bv) !== 0; }
    default: { // K.MADD_S
      const e = a * b, p = Math.fround(e), c = o[2], s = p + c, bv = s - p;
      return e !== p || s !== Math.fround(s) || (p - (s - bv)) + (c - bv) !== 0;
    }
  }
}

/** Adds the pending Cause.I to the FCSR of `cpu`, if it has one. */
function settleCause(cpu: Cpu): void {
  if (pending.kind !== K.NONE && cpu === pending.cpu) {
    if (cpu.fcsr === pending.fcsr && inexact(pending.kind)) cpu.fcsr |= CAUSE_I;
    pending.kind = K.NONE;
  }
}

/** Makes `cpu` the owner of `pending`, settling the previous owner's Cause first. */
function adopt(cpu: Cpu): void {
  if (pending.cpu !== null) settleCause(pending.cpu);
  pending.cpu = cpu;
}

/** Ends a fast operation of the given kind, its operands in `pending` (see above). */
function fastDone(cpu: Cpu, fsr: number, kind: number): number {
  fsr &= ~Fcsr.CAUSE;
  if ((fsr & FLAG_I) !== 0) { pending.kind = kind; pending.fcsr = fsr; }
  else { pending.kind = K.NONE; if (inexact(kind)) fsr |= CAUSE_I | FLAG_I; }
  cpu.fcsr = fsr;
  return -1;
}

/** The FCSR of `cpu` with the pending Cause.I settled (for code outside the FPU that reads it). */
export function readFcsr(cpu: Cpu): number {
  settleCause(cpu);
  return cpu.fcsr;
}

// ---------------------------------------------------------------------------------------------
// COP1.

/** A COP1 instruction other than BC1. Returns -1 or an exception code. */
export function fpuOp(cpu: Cpu, instr: number): number {
  const fsr = cpu.fcsr, fmt = (instr >>> 21) & 31, fn = instr & 63;
  if ((fsr & FAST_FCSR) !== 0 || fn > Fn.SQRT || (fmt !== Rs.D && fmt !== Rs.S)) return fpuGeneral(cpu, instr);
  if (cpu !== pending.cpu) adopt(cpu);
  const o = pending.ops;
  if (fmt === Rs.D) {
    if ((instr & ODD_D) !== 0) return fpuGeneral(cpu, instr);
    const d = cpu.fpd, a = d[(instr >>> 12) & 15], b = d[(instr >>> 17) & 15];
    let r: number;
    switch (fn) {
      case Fn.ADD: r = a + b; if (r - r !== 0) return fpuGeneral(cpu, instr); break;
      case Fn.SUB: r = a - b; if (r - r !== 0) return fpuGeneral(cpu, instr); break;
      case Fn.MUL: r = a * b; if (!productInRange(a, b, r)) return fpuGeneral(cpu, instr); break;
      case Fn.DIV: {
        r = a / b;
        const aa = Math.abs(a), ar = Math.abs(r);
        if (!(aa >= FAST_LO && aa < FAST_HI && Math.abs(b) < FAST_HI && ar >= FAST_Q_LO && ar < FAST_HI)) return fpuGeneral(cpu, instr);
        break;
      }
      default: // SQRT
        if (!(a >= SQRT_LO && a <= SQRT_HI)) return fpuGeneral(cpu, instr);
        r = Math.sqrt(a);
    }
    d[(instr >>> 7) & 15] = r; o[0] = a; o[1] = b;
  } else {
    const f = cpu.fpr, a = f[(instr >>> 11) & 31], b = f[(instr >>> 16) & 31];
    let r: number;
    switch (fn) {
      case Fn.ADD: r = Math.fround(a + b); break;
      case Fn.SUB: r = Math.fround(a - b); break;
      case Fn.MUL: r = Math.fround(a * b); break; // a * b is exact
      case Fn.DIV: r = Math.fround(a / b); break;
      default: r = a > 0 ? Math.fround(Math.sqrt(a)) : NaN; // SQRT
    }
    const ar = Math.abs(r);
    if (!(ar > MIN_NORM_S && ar <= MAX_S)) return fpuGeneral(cpu, instr);
    f[(instr >>> 6) & 31] = r; o[0] = a; o[1] = b;
  }
  return fastDone(cpu, fsr, (fmt << 6) | fn);
}

/** fpuOp for everything but the fast paths. */
function fpuGeneral(cpu: Cpu, instr: number): number {
  const rs = (instr >>> 21) & 31;
  switch (rs) {
    case Rs.S: return opS(cpu, instr);
    case Rs.D: return opD(cpu, instr);
    case Rs.W: return opW(cpu, instr);
    case Rs.MF: cpu.regs[(instr >>> 16) & 31] = cpu.fpr32[(instr >>> 11) & 31]; return -1;
    case Rs.MT: cpu.fpr32[(instr >>> 11) & 31] = cpu.regs[(instr >>> 16) & 31]; return -1;
    case Rs.MFH:
      if (!cpu.r2) return Exc.RI;
      cpu.regs[(instr >>> 16) & 31] = cpu.fpr32[((instr >>> 11) & 31) | 1];
      return -1;
    case Rs.MTH:
      if (!cpu.r2) return Exc.RI;
      cpu.fpr32[((instr >>> 11) & 31) | 1] = cpu.regs[(instr >>> 16) & 31];
      return -1;
    case Rs.CF: cpu.regs[(instr >>> 16) & 31] = readFcr(cpu, (instr >>> 11) & 31); return -1;
    case Rs.CT: return writeFcr(cpu, (instr >>> 11) & 31, cpu.regs[(instr >>> 16) & 31]);
    default: return Exc.RI; // DMFC1, DMTC1 (64-bit), L and PS formats, reserved
  }
}

function readFcr(cpu: Cpu, n: number): number {
  const f = readFcsr(cpu);
  switch (n) {
    case 0: return cpu.r2 ? FIR_R10000 | FIR_R2_FORMATS : FIR_R10000;
    case 31: return f;
  }
  if (!cpu.r2) return 0;
  switch (n) {
    case 25: return ((f >>> 24) & 0xfe) | ((f >>> 23) & 1); // FCCR
    case 26: return f & 0x0003f07c; // FEXR: Cause and Flags
    case 28: return (f & 0x00000f83) | ((f >>> 22) & 4); // FENR: Enables, FS, RM
    default: return 0;
  }
}

/** CTC1. Writing an FCSR whose Cause holds an enabled exception (or E) raises it at once. */
function writeFcr(cpu: Cpu, n: number, v: number): number {
  let f = readFcsr(cpu);
  if (n === 31) f = v & Fcsr.WRITABLE;
  else if (cpu.r2 && n === 25) { if ((v & ~0xff) === 0) f = (f & ~(Fcsr.FCC1_7 | Fcsr.FCC0)) | ((v & 0xfe) << 24) | ((v & 1) << 23); }
  else if (cpu.r2 && n === 26) { if ((v & ~0x0003f07c) === 0) f = (f & ~0x0003f07c) | v; }
  else if (cpu.r2 && n === 28) { if ((v & ~0x00000f87) === 0) f = (f & ~(0x00000f83 | Fcsr.FS)) | (v & 0x00000f83) | ((v & 4) << 22); }
  else return -1; // FIR and unimplemented registers ignore writes
  cpu.fcsr = f;
  return ((f >>> 12) & ((f >>> 7) | X.E) & 63) !== 0 ? Exc.FPE : -1;
}

function opS(cpu: Cpu, instr: number): number {
  const fn = instr & 63, ft = (instr >>> 16) & 31, fs = (instr >>> 11) & 31, fd = (instr >>> 6) & 31;
  const f = cpu.fpr, w = cpu.fpr32;
  rm = cpu.fcsr & 3;
  fx = 0;
  let r: number, two = false;
  switch (fn) {
    case Fn.ADD: r = addS(f[fs], f[ft]); two = true; break;
    case Fn.SUB: r = addS(f[fs], -f[ft]); two = true; break;
    case Fn.MUL: r = mulS(f[fs], f[ft]); two = true; break;
    case Fn.DIV: r = divS(f[fs], f[ft]); two = true; break;
    case Fn.SQRT: r = sqrtS(f[fs]); break;
    case Fn.RECIP: r = divS(1, f[fs]); break;
    case Fn.RSQRT: r = divS(1, sqrtS(f[fs])); break;
    case Fn.ABS: w[fd] = w[fs] & 0x7fffffff; return -1;
    case Fn.MOV: w[fd] = w[fs]; return -1;
    case Fn.NEG: w[fd] = w[fs] ^ 0x80000000; return -1;
    case Fn.MOVCF:
      if ((instr & 0x20000) !== 0) return Exc.RI;
      if (((cpu.fcsr & fcc(ft >>> 2)) !== 0) === ((ft & 1) !== 0)) w[fd] = w[fs];
      return -1;
    case Fn.MOVZ: if (cpu.regs[ft] === 0) w[fd] = w[fs]; return -1;
    case Fn.MOVN: if (cpu.regs[ft] !== 0) w[fd] = w[fs]; return -1;
    case Fn.ROUND_W: case Fn.TRUNC_W: case Fn.CEIL_W: case Fn.FLOOR_W: case Fn.CVT_W: {
      const v = toW(f[fs], fn === Fn.CVT_W ? rm : fn & 3);
      const e = done(cpu);
      if (e < 0) w[fd] = v;
      return e;
    }
    case Fn.CVT_D: {
      if ((fd & 1) !== 0) return Exc.RI;
      const a = f[fs];
      if (isSNaN32(w[fs])) fx |= X.V;
      const e = done(cpu);
      if (e < 0) writeD(cpu, fd, a);
      return e;
    }
    default:
      if (fn >= Fn.C) return writeCc(cpu, (instr >>> 8) & 7, compare(f[fs], f[ft], fn & 15, isSNaN32(w[fs]) || isSNaN32(w[ft])));
      return Exc.RI; // CVT.S.S, the L-format conversions, CVT.PS.S, reserved
  }
  if (r !== r && (isSNaN32(w[fs]) || (two && isSNaN32(w[ft])))) fx |= X.V;
  const e = done(cpu);
  if (e < 0) writeS(cpu, fd, r);
  return e;
}

function opD(cpu: Cpu, instr: number): number {
  const fn = instr & 63, ft = (instr >>> 16) & 31, fs = (instr >>> 11) & 31, fd = (instr >>> 6) & 31;
  const f = cpu.fpd, w = cpu.fpr32;
  rm = cpu.fcsr & 3;
  fx = 0;
  let r: number, two = false;
  switch (fn) {
    case Fn.ADD: if (((fs | ft | fd) & 1) !== 0) return Exc.RI; r = addD(f[fs >> 1], f[ft >> 1]); two = true; break;
    case Fn.SUB: if (((fs | ft | fd) & 1) !== 0) return Exc.RI; r = addD(f[fs >> 1], -f[ft >> 1]); two = true; break;
    case Fn.MUL: if (((fs | ft | fd) & 1) !== 0) return Exc.RI; r = mulD(f[fs >> 1], f[ft >> 1]); two = true; break;
    case Fn.DIV: if (((fs | ft | fd) & 1) !== 0) return Exc.RI; r = divD(f[fs >> 1], f[ft >> 1]); two = true; break;
    case Fn.SQRT: if (((fs | fd) & 1) !== 0) return Exc.RI; r = sqrtD(f[fs >> 1]); break;
    case Fn.RECIP: if (((fs | fd) & 1) !== 0) return Exc.RI; r = divD(1, f[fs >> 1]); break;
    case Fn.RSQRT: if (((fs | fd) & 1) !== 0) return Exc.RI; r = divD(1, sqrtD(f[fs >> 1])); break;
    case Fn.ABS: case Fn.MOV: case Fn.NEG: case Fn.MOVCF: case Fn.MOVZ: case Fn.MOVN: {
      if (((fs | fd) & 1) !== 0) return Exc.RI;
      let move: boolean;
      switch (fn) {
        case Fn.MOVCF:
          if ((instr & 0x20000) !== 0) return Exc.RI;
          move = ((cpu.fcsr & fcc(ft >>> 2)) !== 0) === ((ft & 1) !== 0);
          break;
        case Fn.MOVZ: move = cpu.regs[ft] === 0; break;
        case Fn.MOVN: move = cpu.regs[ft] !== 0; break;
        default: move = true;
      }
      if (move) {
        const hi = w[fs + 1];
        w[fd] = w[fs];
        w[fd + 1] = fn === Fn.ABS ? hi & 0x7fffffff : fn === Fn.NEG ? hi ^ 0x80000000 : hi;
      }
      return -1;
    }
    case Fn.ROUND_W: case Fn.TRUNC_W: case Fn.CEIL_W: case Fn.FLOOR_W: case Fn.CVT_W: {
      if ((fs & 1) !== 0) return Exc.RI;
      const v = toW(f[fs >> 1], fn === Fn.CVT_W ? rm : fn & 3);
      const e = done(cpu);
      if (e < 0) w[fd] = v;
      return e;
    }
    case Fn.CVT_S: {
      if ((fs & 1) !== 0) return Exc.RI;
      const a = f[fs >> 1];
      let v: number;
      if (a - a === 0) v = roundS(a, 0);
      else { v = a; if (isSNaN64(w[fs + 1])) fx |= X.V; }
      const e = done(cpu);
      if (e < 0) writeS(cpu, fd, v);
      return e;
    }
    default:
      if (fn >= Fn.C) {
        if (((fs | ft) & 1) !== 0) return Exc.RI;
        return writeCc(cpu, (instr >>> 8) & 7, compare(f[fs >> 1], f[ft >> 1], fn & 15, isSNaN64(w[fs + 1]) || isSNaN64(w[ft + 1])));
      }
      return Exc.RI; // CVT.D.D, the L-format conversions, reserved
  }
  if (r !== r && (isSNaN64(w[fs + 1]) || (two && isSNaN64(w[ft + 1])))) fx |= X.V;
  const e = done(cpu);
  if (e < 0) writeD(cpu, fd, r);
  return e;
}

/** The W format: CVT.S.W and CVT.D.W. */
function opW(cpu: Cpu, instr: number): number {
  const fn = instr & 63, fs = (instr >>> 11) & 31, fd = (instr >>> 6) & 31;
  const v = cpu.fpr32[fs];
  rm = cpu.fcsr & 3;
  fx = 0;
  if (fn === Fn.CVT_S) {
    const r = roundS(v, 0);
    const e = done(cpu);
    if (e < 0) cpu.fpr[fd] = r;
    return e;
  }
  if (fn === Fn.CVT_D) {
    if ((fd & 1) !== 0) return Exc.RI;
    done(cpu); // exact: clears Cause
    cpu.fpd[fd >> 1] = v;
    return -1;
  }
  return Exc.RI;
}

// ---------------------------------------------------------------------------------------------
// COP1X: MADD, MSUB, NMADD, NMSUB (unfused: the product is rounded first, as on the R10000).

/** A COP1X arithmetic instruction (function >= 0x20). Returns -1 or an exception code. */
export function fpuOpX(cpu: Cpu, instr: number): number {
  const fsr = cpu.fcsr, fn = instr & 63;
  if ((fsr & FAST_FCSR) !== 0) return fpuOpXGeneral(cpu, instr);
  // The fast paths (see fpuOp) for a product and a sum in the normal range. Bit 3 of the
  // function is MSUB, bit 4 negates the result (NMADD, NMSUB).
  if (cpu !== pending.cpu) adopt(cpu);
  const o = pending.ops;
  let kind: number;
  if ((fn & 7) === 1 && (instr & ODD_DX) === 0) {
    const d = cpu.fpd, a = d[(instr >>> 12) & 15], b = d[(instr >>> 17) & 15];
    const c = (fn & 8) === 0 ? d[(instr >>> 22) & 15] : -d[(instr >>> 22) & 15];
    const p = a * b, r = p + c;
    if (!productInRange(a, b, p) || r - r !== 0) return fpuOpXGeneral(cpu, instr);
    d[(instr >>> 7) & 15] = (fn & 16) === 0 ? r : -r; o[0] = a; o[1] = b; o[2] = c;
    kind = K.MADD_D;
  } else if ((fn & 7) === 0) {
    const f = cpu.fpr, a = f[(instr >>> 11) & 31], b = f[(instr >>> 16) & 31];
    const c = (fn & 8) === 0 ? f[(instr >>> 21) & 31] : -f[(instr >>> 21) & 31];
    const p = Math.fround(a * b), ap = Math.abs(p), r = Math.fround(p + c), ar = Math.abs(r);
    if (!(ap > MIN_NORM_S && ap <= MAX_S && ar > MIN_NORM_S && ar <= MAX_S)) return fpuOpXGeneral(cpu, instr);
    f[(instr >>> 6) & 31] = (fn & 16) === 0 ? r : -r; o[0] = a; o[1] = b; o[2] = c;
    kind = K.MADD_S;
  } else return fpuOpXGeneral(cpu, instr);
  return fastDone(cpu, fsr, kind);
}

/** fpuOpX for everything but the fast paths. */
function fpuOpXGeneral(cpu: Cpu, instr: number): number {
  const fn = instr & 63, fr = (instr >>> 21) & 31, ft = (instr >>> 16) & 31, fs = (instr >>> 11) & 31, fd = (instr >>> 6) & 31;
  const op = fn & 0x38, fmt = fn & 7;
  if (op !== FnX.MADD && op !== FnX.MSUB && op !== FnX.NMADD && op !== FnX.NMSUB) return Exc.RI;
  const w = cpu.fpr32;
  rm = cpu.fcsr & 3;
  fx = 0;
  const sub = op === FnX.MSUB || op === FnX.NMSUB, negate = op >= FnX.NMADD;
  let r: number;
  if (fmt === 0) {
    const f = cpu.fpr;
    r = addS(mulS(f[fs], f[ft]), sub ? -f[fr] : f[fr]);
    if (r !== r && (isSNaN32(w[fs]) || isSNaN32(w[ft]) || isSNaN32(w[fr]))) fx |= X.V;
    const e = done(cpu);
    if (e >= 0) return e;
    if (r === r) f[fd] = negate ? -r : r;
    else w[fd] = negate ? QNAN_S | 0x80000000 : QNAN_S;
    return -1;
  }
  if (fmt === 1) {
    if (((fr | fs | ft | fd) & 1) !== 0) return Exc.RI;
    const f = cpu.fpd;
    r = addD(mulD(f[fs >> 1], f[ft >> 1]), sub ? -f[fr >> 1] : f[fr >> 1]);
    if (r !== r && (isSNaN64(w[fs + 1]) || isSNaN64(w[ft + 1]) || isSNaN64(w[fr + 1]))) fx |= X.V;
    const e = done(cpu);
    if (e >= 0) return e;
    if (r === r) f[fd >> 1] = negate ? -r : r;
    else { w[fd] = -1; w[fd + 1] = negate ? QNAN_D_HI | 0x80000000 : QNAN_D_HI; }
    return -1;
  }
  return Exc.RI; // PS and reserved formats
}
