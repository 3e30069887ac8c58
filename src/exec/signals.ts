// SPDX-License-Identifier: MIT
/**
 * Signals of a `disco exec` process, numbered as Linux MIPS numbers them (uapi asm-mips/signal.h):
 * dispositions, the blocked and pending sets, and delivery through an o32 rt_sigframe
 * (siginfo and ucontext with the MIPS sigcontext, as arch/mips/kernel/signal.c lays them out).
 */
import { constants as osConstants } from 'node:os';
import { readFcsr } from '../node-worker/cpu/cp1.js';
import type { Cpu } from '../node-worker/cpu/cpu.js';
import type { AddressSpace } from './address-space.js';
import { Errno } from './errno.js';

export const enum Sig {
  HUP = 1, INT = 2, QUIT = 3, ILL = 4, TRAP = 5, ABRT = 6, EMT = 7, FPE = 8, KILL = 9, BUS = 10,
  SEGV = 11, SYS = 12, PIPE = 13, ALRM = 14, TERM = 15, USR1 = 16, USR2 = 17, CHLD = 18, PWR = 19,
  WINCH = 20, URG = 21, IO = 22, STOP = 23, TSTP = 24, CONT = 25, TTIN = 26, TTOU = 27, VTALRM = 28,
  PROF = 29, XCPU = 30, XFSZ = 31,
}

/** _NSIG on MIPS: signals 1..128, a sigset of four 32-bit words. */
export const NSIG = 128;
export const SIGSET_BYTES = 16;

/** si_code values. */
export const enum SiCode {
  USER = 0, KERNEL = 0x80, TKILL = -6,
  SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, ILL_ILLOPC = 1, ILL_PRVREG = 6,
  FPE_INTDIV = 1, FPE_INTOVF = 2, FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7,
  TRAP_BRKPT = 1,
}

/** sa_flags bits (MIPS values). */
export const enum Sa { SIGINFO = 0x8, ONSTACK = 0x08000000, RESTART = 0x10000000, NODEFER = 0x40000000, RESETHAND = 0x80000000 }
export const SIG_DFL = 0, SIG_IGN = 1;
const SS_ONSTACK = 1, SS_DISABLE = 2, MINSIGSTKSZ = 2048;

const NAMES = ['', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'EMT', 'FPE', 'KILL', 'BUS', 'SEGV', 'SYS', 'PIPE',
  'ALRM', 'TERM', 'USR1', 'USR2', 'CHLD', 'PWR', 'WINCH', 'URG', 'IO', 'STOP', 'TSTP', 'CONT', 'TTIN', 'TTOU',
  'VTALRM', 'PROF', 'XCPU', 'XFSZ'];

export function signalName(sig: number): string {
  return sig > 0 && sig < NAMES.length ? 'SIG' + NAMES[sig] : `signal ${sig}`;
}

/**
 * The exit status a shell shows for a process killed by `sig`: 128 plus the host's number for
 * that signal (what qemu-mips gives, since it dies of the same signal), or the MIPS number.
 */
export function killedStatus(sig: number): number {
  const host = (osConstants.signals as Record<string, number | undefined>)[signalName(sig)];
  return 128 + (host ?? sig);
}

/** What a signal does when its disposition is SIG_DFL. */
function defaultIgnored(sig: number): boolean {
  return sig === Sig.CHLD || sig === Sig.URG || sig === Sig.WINCH || sig === Sig.CONT ||
    sig === Sig.STOP || sig === Sig.TSTP || sig === Sig.TTIN || sig === Sig.TTOU || sig > 31;
}

export interface SigInfo { signo: number; code: number; pid?: number; uid?: number; addr?: number }

/** Frame layout: o32 argument save area (16), 2 padding words, siginfo (128), ucontext (744). */
const FRAME_INFO = 24, FRAME_UC = FRAME_INFO + 128, FRAME_SIZE = FRAME_UC + 744;
/** ucontext fields: uc_flags, uc_link, uc_stack (sp, size, flags), uc_mcontext at 24, uc_sigmask at 616. */
const UC_STACK = 8, UC_MCONTEXT = 24, UC_SIGMASK = 616;
/** sigcontext fields (relative to uc_mcontext). */
const SC_PC = 8, SC_REGS = 16, SC_FPREGS = 272, SC_FPC_CSR = 532, SC_USED_MATH = 540, SC_MDHI = 552, SC_MDLO = 560;

export class Signals {
  readonly handler = new Uint32Array(NSIG + 1);
  readonly flags = new Uint32Array(NSIG + 1);
  /** sa_mask of each signal, four words per signal. */
  readonly masks = new Uint32Array((NSIG + 1) * 4);
  readonly blocked = new Uint32Array(4);
  readonly pending = new Uint32Array(4);
  private readonly pendingInfo = new Map<number, SigInfo>();
  altSp = 0;
  altSize = 0;
  altDisabled = true;

  static bit(sig: number): [number, number] { return [(sig - 1) >>> 5, 1 << ((sig - 1) & 31)]; }

  isBlocked(sig: number): boolean { const [w, b] = Signals.bit(sig); return (this.blocked[w] & b) !== 0; }

  /** A signal that is neither caught nor ignored, by handler or by default, terminates. */
  isFatal(sig: number): boolean {
    if (sig === Sig.KILL) return true;
    const h = this.handler[sig];
    return h === SIG_DFL && !defaultIgnored(sig);
  }

  isIgnored(sig: number): boolean {
    if (sig === Sig.KILL || sig === Sig.STOP) return false;
    const h = this.handler[sig];
    return h === SIG_IGN || (h === SIG_DFL && defaultIgnored(sig));
  }

  /** Marks `sig` pending (a discarded no-op when it is ignored and not blocked). */
  raise(info: SigInfo): void {
    if (this.isIgnored(info.signo) && !this.isBlocked(info.signo)) return;
    const [w, b] = Signals.bit(info.signo);
    if ((this.pending[w] & b) === 0) this.pendingInfo.set(info.signo, info);
    this.pending[w] |= b;
  }

  /** The lowest pending, unblocked signal (removed from the pending set), or null. */
  takeDeliverable(): SigInfo | null {
    for (let w = 0; w < 4; w++) {
      const ready = this.pending[w] & ~this.blocked[w];
      if (ready === 0) continue;
      const sig = w * 32 + 31 - Math.clz32(ready & -ready) + 1;
      this.pending[w] &= ~(1 << ((sig - 1) & 31));
      const info = this.pendingInfo.get(sig) ?? { signo: sig, code: SiCode.USER };
      this.pendingInfo.delete(sig);
      if (!this.isIgnored(sig)) return info;
      w--; // an ignored signal unblocked: discard it and look again
    }
    return null;
  }

  /** rt_sigaction's effect on state; ignoring a pending signal discards it. */
  setAction(sig: number, handler: number, flags: number, mask: Uint32Array): void {
    this.handler[sig] = handler >>> 0;
    this.flags[sig] = flags >>> 0;
    this.masks.set(mask, sig * 4);
    if (this.isIgnored(sig)) {
      const [w, b] = Signals.bit(sig);
      this.pending[w] &= ~b;
      this.pendingInfo.delete(sig);
    }
  }

  /** sigaltstack: returns 0 or an errno. */
  setAltStack(sp: number, size: number, flags: number, curSp: number): number {
    if (this.onAltStack(curSp)) return Errno.EPERM;
    if ((flags & SS_DISABLE) !== 0) { this.altDisabled = true; this.altSp = 0; this.altSize = 0; return 0; }
    if ((flags & ~SS_ONSTACK) !== 0) return Errno.EINVAL;
    if (size < MINSIGSTKSZ) return Errno.ENOMEM;
    this.altDisabled = false; this.altSp = sp >>> 0; this.altSize = size >>> 0;
    return 0;
  }

  onAltStack(sp: number): boolean {
    return !this.altDisabled && (sp >>> 0) > this.altSp && (sp >>> 0) <= this.altSp + this.altSize;
  }

  altStackFlags(sp: number): number {
    return this.altDisabled ? SS_DISABLE : this.onAltStack(sp) ? SS_ONSTACK : 0;
  }

  /**
   * Builds an rt_sigframe on the user stack and points the CPU at the handler (a0 = signo,
   * a1 = &siginfo, a2 = &ucontext, ra = the sigreturn trampoline). Returns false when the frame
   * cannot be written (the caller then kills the process with SIGSEGV, as Linux does).
   */
  deliver(cpu: Cpu, as: AddressSpace, info: SigInfo, trampoline: number): boolean {
    const sig = info.signo, r = cpu.regs, flags = this.flags[sig];
    let sp = r[29] >>> 0;
    if ((flags & Sa.ONSTACK) !== 0 && !this.altDisabled && !this.onAltStack(sp)) sp = this.altSp + this.altSize;
    sp -= 32;
    const frame = (sp - FRAME_SIZE) & ~15;
    const buf = new Uint8Array(FRAME_SIZE);
    const dv = new DataView(buf.buffer);
    dv.setInt32(FRAME_INFO, sig);
    dv.setInt32(FRAME_INFO + 4, info.code);
    if (info.addr !== undefined) dv.setUint32(FRAME_INFO + 12, info.addr >>> 0);
    else { dv.setInt32(FRAME_INFO + 12, info.pid ?? 0); dv.setInt32(FRAME_INFO + 16, info.uid ?? 0); }
    dv.setUint32(FRAME_UC + UC_STACK, this.altSp);
    dv.setUint32(FRAME_UC + UC_STACK + 4, this.altSize);
    dv.setInt32(FRAME_UC + UC_STACK + 8, this.altStackFlags(r[29]));
    const sc = FRAME_UC + UC_MCONTEXT;
    const put64 = (o: number, v: number): void => { dv.setInt32(o, v >> 31); dv.setInt32(o + 4, v); };
    put64(sc + SC_PC, cpu.pc);
    for (let i = 0; i < 32; i++) put64(sc + SC_REGS + 8 * i, r[i]);
    for (let i = 0; i < 32; i += 2) {
      dv.setInt32(sc + SC_FPREGS + 8 * i, cpu.fpr32[i + 1]);
      dv.setInt32(sc + SC_FPREGS + 8 * i + 4, cpu.fpr32[i]);
    }
    dv.setInt32(sc + SC_FPC_CSR, readFcsr(cpu));
    dv.setInt32(sc + SC_USED_MATH, 1);
    put64(sc + SC_MDHI, r[32]);
    put64(sc + SC_MDLO, r[33]);
    for (let w = 0; w < 4; w++) dv.setUint32(FRAME_UC + UC_SIGMASK + 4 * w, this.blocked[w]);
    try { as.copyOut(frame, buf); } catch { return false; }

    for (let w = 0; w < 4; w++) this.blocked[w] |= this.masks[sig * 4 + w];
    if ((flags & Sa.NODEFER) === 0) { const [w, b] = Signals.bit(sig); this.blocked[w] |= b; }
    this.unblockable();
    const handler = this.handler[sig];
    if ((flags & Sa.RESETHAND) !== 0) { this.handler[sig] = SIG_DFL; this.flags[sig] = 0; }
    r[4] = sig; r[5] = frame + FRAME_INFO; r[6] = frame + FRAME_UC;
    r[29] = frame; r[31] = trampoline; r[25] = handler;
    cpu.pc = handler | 0;
    return true;
  }

  /** rt_sigreturn: restores the context saved by `deliver` from the frame at sp. */
  sigreturn(cpu: Cpu, as: AddressSpace): boolean {
    const r = cpu.regs, frame = r[29] >>> 0;
    let buf: Uint8Array;
    try { buf = as.copyIn(frame, FRAME_SIZE); } catch { return false; }
    const dv = new DataView(buf.buffer);
    for (let w = 0; w < 4; w++) this.blocked[w] = dv.getUint32(FRAME_UC + UC_SIGMASK + 4 * w);
    this.unblockable();
    const sc = FRAME_UC + UC_MCONTEXT;
    cpu.pc = dv.getInt32(sc + SC_PC + 4);
    for (let i = 1; i < 32; i++) r[i] = dv.getInt32(sc + SC_REGS + 8 * i + 4);
    for (let i = 0; i < 32; i += 2) {
      cpu.fpr32[i + 1] = dv.getInt32(sc + SC_FPREGS + 8 * i);
      cpu.fpr32[i] = dv.getInt32(sc + SC_FPREGS + 8 * i + 4);
    }
    readFcsr(cpu); // settles the FPU's lazily kept Cause before the register is replaced
    cpu.fcsr = dv.getInt32(sc + SC_FPC_CSR);
    r[32] = dv.getInt32(sc + SC_MDHI + 4);
    r[33] = dv.getInt32(sc + SC_MDLO + 4);
    return true;
  }

  /** SIGKILL and SIGSTOP can never be blocked. */
  unblockable(): void {
    const [wk, bk] = Signals.bit(Sig.KILL), [ws, bs] = Signals.bit(Sig.STOP);
    this.blocked[wk] &= ~bk;
    this.blocked[ws] &= ~bs;
  }
}
