// SPDX-License-Identifier: MIT
/**
 * A Linux process for `disco exec`: the kernel side of one user-mode program on one CPU. It is
 * the CPU's trap handler: system calls go to the o32 table (linux.ts), TLB exceptions to the
 * refill handler, and the other exceptions become signals as arch/mips/kernel/traps.c maps them.
 */
import { randomBytes } from 'node:crypto';
import { readFcsr } from '../node-worker/cpu/cp1.js';
import type { Logger } from 'pino';
import { C0, Cause, Exc, Status } from '../node-worker/cpu/cp0.js';
import type { Cpu, TrapHandler } from '../node-worker/cpu/cpu.js';
import { AddressSpace, Fault, Prot, STACK_SIZE, STACK_TOP, pageUp } from './address-space.js';
import { Pf, type ElfImage } from './elf.js';
import { FdTable } from './files.js';
import { PAGE_SIZE } from './frames.js';
import { syscall } from './linux.js';
import { serviceTlbFault } from './refill.js';
import { Sig, SiCode, Signals, type SigInfo, killedStatus, signalName } from './signals.js';
import { At, buildInitialStack } from './stack.js';

export interface ProcessOptions {
  /** argv[0] as given, and the program's absolute host path (/proc/self/exe). */
  argv: string[];
  exePath: string;
  envp: string[];
  cwd: string;
  /** --strict-r10000: emulate RDHWR on its Reserved Instruction exception, as Linux does. */
  strict: boolean;
  /** The terminal's size, for TIOCGWINSZ on a terminal. */
  winsize: { rows: number; cols: number } | null;
  log: Logger;
}

/** The signal return trampoline: li v0, 4193 (rt_sigreturn); syscall. */
const TRAMPOLINE_CODE = [0x24021061, 0x0000000c];
const RDHWR_MASK = 0xffe007ff, RDHWR = 0x7c00003b;
/** FCSR Cause bits (E V Z O U I are bits 17..12). */
const enum FcsrCause { I = 1 << 12, U = 1 << 13, O = 1 << 14, Z = 1 << 15, V = 1 << 16, E = 1 << 17 }
const FCSR_CAUSE = 0x3f000;
/** Break and trap codes Linux turns into SIGFPE (asm/break.h). */
const BRK_OVERFLOW = 6, BRK_DIVZERO = 7;

export class LinuxProcess implements TrapHandler {
  readonly as: AddressSpace;
  readonly fds = new FdTable();
  readonly signals = new Signals();
  readonly pid = process.pid;
  readonly log: Logger;
  cwd: string;
  /** The file mode creation mask: the host process's to begin with. */
  umask = process.umask();
  /** Set when the program has ended: its exit status as a shell would see it. */
  exitStatus: number | null = null;
  /** A one-line description of an abnormal end (the signal that killed it). */
  deathMessage: string | null = null;
  readonly trampoline = STACK_TOP;
  /** The pc of the exception being handled, for diagnostics of emulator faults. */
  trapPc: number | null = null;

  constructor(readonly cpu: Cpu, image: ElfImage, readonly opts: ProcessOptions) {
    this.log = opts.log;
    this.cwd = opts.cwd;
    this.as = new AddressSpace(cpu.mem, cpu.mmu);
    this.load(image);
    cpu.trapHandler = this;
  }

  /** Maps the ELF segments, the stack and the trampoline page; sets up the CPU in user mode. */
  private load(image: ElfImage): void {
    const as = this.as;
    let end = 0;
    for (const s of image.segments) {
      const start = s.vaddr & ~(PAGE_SIZE - 1), top = pageUp(s.vaddr + s.memsz);
      let prot = 0;
      if ((s.flags & Pf.R) !== 0) prot |= Prot.R;
      if ((s.flags & Pf.W) !== 0) prot |= Prot.W;
      if ((s.flags & Pf.X) !== 0) prot |= Prot.X;
      // Segments may share a page at their boundary: keep what an earlier one put there.
      for (let a = start; a < top; a += PAGE_SIZE) {
        const p = a >>> 12;
        if (as.pt[p] !== 0) as.pt[p] |= prot; else as.map(a, PAGE_SIZE, prot);
      }
      as.copyOut(s.vaddr, image.bytes.subarray(s.offset, s.offset + s.filesz), true);
      end = Math.max(end, top);
    }
    as.brkStart = as.brk = end;

    as.map(STACK_TOP - STACK_SIZE, STACK_SIZE, Prot.R | Prot.W);
    as.map(this.trampoline, PAGE_SIZE, Prot.R | Prot.X);
    const code = new Uint8Array(8);
    new DataView(code.buffer).setUint32(0, TRAMPOLINE_CODE[0]);
    new DataView(code.buffer).setUint32(4, TRAMPOLINE_CODE[1]);
    as.copyOut(this.trampoline, code, true);

    const uid = process.getuid?.() ?? 0, gid = process.getgid?.() ?? 0;
    const euid = process.geteuid?.() ?? uid, egid = process.getegid?.() ?? gid;
    const sp = buildInitialStack(as, {
      argv: this.opts.argv, envp: this.opts.envp, execfn: this.opts.argv[0] ?? this.opts.exePath,
      platform: 'mips', random: randomBytes(16),
      auxv: [
        [At.PHDR, image.phdrAddr], [At.PHENT, image.phent], [At.PHNUM, image.phnum], [At.PAGESZ, PAGE_SIZE],
        [At.BASE, 0], [At.FLAGS, 0], [At.ENTRY, image.entry], [At.UID, uid], [At.EUID, euid], [At.GID, gid],
        [At.EGID, egid], [At.SECURE, 0], [At.HWCAP, 0], [At.CLKTCK, 100],
      ],
    }, STACK_TOP);

    const cpu = this.cpu;
    cpu.regs.fill(0);
    cpu.regs[29] = sp;
    cpu.cp0[C0.Status] = Status.CU1 | (2 << Status.KSU_SHIFT); // user mode, FR=0, interrupts off
    cpu.cp0[C0.EntryHi] = 0;
    cpu.mmu.jtlb.reset();
    cpu.mmu.flush();
    cpu.mmu.updateMode();
    cpu.pc = image.entry;
  }

  /** The i-th system call argument (o32: a0-a3, then the stack at sp+16). */
  arg(i: number): number {
    return i < 4 ? this.cpu.regs[4 + i] : this.as.read32((this.cpu.regs[29] + 16 + 4 * (i - 4)) | 0);
  }

  /** A 64-bit argument in slots i, i+1 (big-endian: the high word first). */
  arg64(i: number): number {
    return this.arg(i) * 0x100000000 + (this.arg(i + 1) >>> 0);
  }

  exception(cpu: Cpu): void {
    const cp0 = cpu.cp0, epc = cp0[C0.EPC], code = (cp0[C0.Cause] & Cause.EXC) >>> Cause.EXC_SHIFT;
    this.trapPc = epc;
    switch (code) {
      case Exc.Sys:
        cpu.resume(epc + 4);
        syscall(this);
        break;
      case Exc.Mod: case Exc.TLBL: case Exc.TLBS: {
        const fault = serviceTlbFault(cpu, this.as, code);
        cpu.resume(epc);
        if (fault !== Fault.OK) {
          this.force({ signo: Sig.SEGV, code: fault === Fault.MAPERR ? SiCode.SEGV_MAPERR : SiCode.SEGV_ACCERR, addr: cp0[C0.BadVAddr] });
        }
        break;
      }
      case Exc.AdEL: case Exc.AdES:
        cpu.resume(epc);
        this.force({ signo: Sig.BUS, code: SiCode.BUS_ADRALN, addr: cp0[C0.BadVAddr] });
        break;
      case Exc.IBE: case Exc.DBE:
        cpu.resume(epc);
        this.force({ signo: Sig.BUS, code: SiCode.BUS_ADRERR, addr: epc });
        break;
      case Exc.RI:
        cpu.resume(epc);
        if (!this.emulateRdhwr()) this.force({ signo: Sig.ILL, code: SiCode.ILL_ILLOPC, addr: epc });
        break;
      case Exc.CpU:
        cpu.resume(epc);
        this.force({ signo: Sig.ILL, code: SiCode.ILL_PRVREG, addr: epc });
        break;
      case Exc.Ov:
        cpu.resume(epc);
        this.force({ signo: Sig.FPE, code: SiCode.FPE_INTOVF, addr: epc });
        break;
      case Exc.Tr: case Exc.Bp: {
        cpu.resume(epc);
        const instr = this.faultingInstruction();
        // Trap codes are in bits 15:6; break codes in bits 25:16 (or 25:6, as Linux reads them).
        let bcode = code === Exc.Tr ? (instr >>> 6) & 0x3ff : (instr >>> 6) & 0xfffff;
        if (code === Exc.Bp && bcode >= 1024) bcode >>>= 10;
        if (bcode === BRK_DIVZERO) this.force({ signo: Sig.FPE, code: SiCode.FPE_INTDIV, addr: epc });
        else if (bcode === BRK_OVERFLOW) this.force({ signo: Sig.FPE, code: SiCode.FPE_INTOVF, addr: epc });
        else this.force({ signo: Sig.TRAP, code: SiCode.TRAP_BRKPT, addr: epc });
        break;
      }
      case Exc.FPE: {
        // As Linux's do_fpe: the si_code names the first enabled cause, and the causes are cleared.
        const cause = readFcsr(cpu) & FCSR_CAUSE;
        cpu.fcsr &= ~FCSR_CAUSE;
        const fpeCode = (cause & FcsrCause.V) !== 0 ? SiCode.FPE_FLTINV : (cause & FcsrCause.Z) !== 0 ? SiCode.FPE_FLTDIV
          : (cause & FcsrCause.O) !== 0 ? SiCode.FPE_FLTOVF : (cause & FcsrCause.U) !== 0 ? SiCode.FPE_FLTUND : SiCode.FPE_FLTRES;
        cpu.resume(epc);
        this.force({ signo: Sig.FPE, code: fpeCode, addr: epc });
        break;
      }
      default:
        cpu.resume(epc);
        this.log.warn({ excCode: code, pc: hex(epc) }, 'unexpected exception in user mode');
        this.force({ signo: Sig.ILL, code: SiCode.ILL_ILLOPC, addr: epc });
    }
    if (!cpu.stopped) this.deliverPending();
    this.trapPc = null;
  }

  /** The instruction at EPC (or in its delay slot when Cause.BD), or 0 when unreadable. */
  faultingInstruction(): number {
    const cp0 = this.cpu.cp0;
    const at = cp0[C0.EPC] + (cp0[C0.Cause] < 0 ? 4 : 0);
    try { return this.as.read32(at); } catch { return 0; }
  }

  /**
   * Linux's emulation of RDHWR for CPUs without it (arch/mips/kernel/traps.c, simulate_rdhwr):
   * CPUNum, SYNCI_Step, CC, CCRes and UserLocal. Only with --strict-r10000; not in a delay slot.
   */
  private emulateRdhwr(): boolean {
    if (!this.opts.strict || this.cpu.cp0[C0.Cause] < 0) return false;
    const instr = this.faultingInstruction();
    if ((instr & RDHWR_MASK) !== RDHWR) return false;
    const rt = (instr >>> 16) & 31, rd = (instr >>> 11) & 31, cpu = this.cpu;
    let v: number;
    switch (rd) {
      case 0: v = cpu.cpuNum; break;
      case 1: v = 0; break;
      case 2: v = cpu.readCount(); break;
      case 3: v = 2; break;
      case 29: v = cpu.userLocal; break;
      default: return false;
    }
    if (rt !== 0) cpu.regs[rt] = v;
    cpu.resume(cpu.pc + 4);
    return true;
  }

  /** A synchronous signal (force_sig): delivered to a handler now, or fatal when blocked or not caught. */
  force(info: SigInfo): void {
    const s = this.signals, h = s.handler[info.signo];
    if (h > 1 && !s.isBlocked(info.signo)) {
      if (!s.deliver(this.cpu, this.as, info, this.trampoline)) this.die({ signo: Sig.SEGV, code: SiCode.KERNEL });
      return;
    }
    this.die(info);
  }

  /** kill/tgkill to this process: the signal becomes pending and is delivered on the way out. */
  send(info: SigInfo): void {
    this.signals.raise(info);
  }

  /** Delivers pending unblocked signals: runs a handler or applies the default action. */
  deliverPending(): void {
    for (;;) {
      const info = this.signals.takeDeliverable();
      if (info === null) return;
      if (this.signals.isFatal(info.signo)) { this.die(info); return; }
      if (!this.signals.deliver(this.cpu, this.as, info, this.trampoline)) { this.die({ signo: Sig.SEGV, code: SiCode.KERNEL }); return; }
    }
  }

  /** The process is killed by a signal (quietly by SIGPIPE, as shells treat it). */
  die(info: SigInfo): void {
    this.exitStatus = killedStatus(info.signo);
    this.cpu.stop();
    if (info.signo === Sig.PIPE) return;
    let msg = `program killed by ${signalName(info.signo)}`;
    if (info.code > 0 && info.code !== SiCode.KERNEL) {
      msg += ` at pc ${hex(this.cpu.pc)}`;
      if (info.signo === Sig.SEGV || info.signo === Sig.BUS) msg += ` (BadVAddr ${hex(info.addr ?? 0)})`;
      else msg += ` (instr ${hex(this.faultingInstruction())})`;
    }
    this.deathMessage = msg;
  }

  exit(status: number): void {
    this.exitStatus = status & 0xff;
    this.cpu.stop();
  }
}

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
