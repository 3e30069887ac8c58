/*
 * Signals as Linux gives them to o32 MIPS programs (arch/mips/kernel/signal.c, uapi asm-mips/
 * signal.h and siginfo.h, MIPS numbering): per-process pending and blocked sets of 128 signals,
 * an action table shared by CLONE_SIGHAND threads, default actions, delivery on the way back to
 * user mode through a sigframe (a0 = signal, a2 = &sigcontext) or, with SA_SIGINFO, an
 * rt_sigframe (a1 = &siginfo, a2 = &ucontext), returning through the trampolines exec maps at
 * SIGCODE_VA; faults become signals; ITIMER_REAL (alarm, setitimer) runs on CPU 0's tick.
 * Stop signals are ignored (there is no job control). sig_lock guards the sets and the tables
 * and nests inside ptable_lock.
 */
#include "kernel.h"
#include "frame.h"

#define NSIG 128
#define SIGILL 4
#define SIGTRAP 5
#define SIGFPE 8
#define SIGKILL 9
#define SIGBUS 10
#define SIGSEGV 11
#define SIGALRM 14
#define SIGSTOP 23
#define SIG_DFL 0u
#define SIG_IGN 1u
#define SA_SIGINFO 0x8u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048u


#define SYS_pause 4029
#define SYS_alarm 4027
#define SYS_kill 4037
#define SYS_setitimer 4104
#define SYS_getitimer 4105
#define SYS_rt_sigaction 4194
#define SYS_rt_sigprocmask 4195
#define SYS_rt_sigpending 4196
#define SYS_rt_sigtimedwait 4197
#define SYS_rt_sigsuspend 4199
#define SYS_sigaltstack 4206
#define SYS_tkill 4236
#define SYS_tgkill 4266
#define SYS_rt_sigtimedwait_time64 4421

/* struct sigaction on MIPS: sa_flags, sa_handler, sa_mask (asm-mips/signal.h). */
struct k_sigaction { unsigned flags, handler, mask[4]; };
struct sighand { volatile unsigned refs; struct k_sigaction act[NSIG]; };   /* fits a page */

/*
 * The frames (o32, 32-bit words): sigframe = sf_ass[4], sf_pad[2], sigcontext, sigset;
 * rt_sigframe = rs_ass[4], rs_pad[2], siginfo (128 bytes), ucontext (uc_flags, uc_link,
 * uc_stack {sp, size, flags}, sigcontext, sigset padded to 128 bytes). The sigcontext:
 * regmask, status, pc (u64), regs[32] (u64), fpregs[32] (u64), acx, fpc_csr, fpc_eir,
 * used_math, dsp, pad, mdhi, mdlo (u64), hi1..lo3.
 */
#define SF_SC 24
#define SF_MASK (SF_SC + 592)
#define SF_SIZE (SF_MASK + 16)
#define RS_INFO 24
#define RS_UC (RS_INFO + 128)
#define RS_SC (RS_UC + 24)
#define RS_MASK (RS_SC + 592)
#define RS_SIZE (RS_MASK + 128)
#define SC_PC 8
#define SC_REGS 16
#define SC_FPREGS 272
#define SC_FPC_CSR 532
#define SC_USED_MATH 540
#define SC_MDHI 552
#define SC_MDLO 560

static spinlock_t sig_lock;
extern char tick_chan;

static unsigned word(int sig) { return (unsigned)(sig - 1) >> 5; }
static unsigned bit(int sig) { return 1u << ((sig - 1) & 31); }
static int member(const unsigned *set, int sig) { return (set[word(sig)] & bit(sig)) != 0; }
static void unblockable(unsigned *set) { set[word(SIGKILL)] &= ~bit(SIGKILL); set[word(SIGSTOP)] &= ~bit(SIGSTOP); }

/* SIG_DFL ignores CHLD, CONT, URG, WINCH (and here the stop signals STOP, TSTP, TTIN, TTOU). */
static int default_ignored(int sig) {
  return sig == SIGCHLD || sig == 25 || sig == 21 || sig == 20 || sig == SIGSTOP || (sig >= 24 && sig <= 27);
}

static int ignored(struct proc *p, int sig) {
  unsigned h = p->sighand->act[sig - 1].handler;
  return sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && default_ignored(sig)));
}

/* Marks sig pending in p (sig_lock held); returns whether it can be delivered now. */
static int post(struct proc *p, int sig, int code, unsigned val, unsigned status) {
  if (p->sighand == NULL || (ignored(p, sig) && !member(p->sig_blocked, sig))) return 0;
  if (sig <= 32 && !member(p->sig_pending, sig)) {
    p->sig_info[sig - 1].code = code;
    p->sig_info[sig - 1].val = val;
    p->sig_info[sig - 1].status = status;
  }
  p->sig_pending[word(sig)] |= bit(sig);
  return !member(p->sig_blocked, sig);
}

void signal_send_locked(struct proc *p, int sig, int code, unsigned val, unsigned status) {
  unsigned f = spin_lock(&sig_lock);
  int wake = post(p, sig, code, val, status);
  spin_unlock(&sig_lock, f);
  if (wake && p->state == P_SLEEPING) make_runnable_locked(p);
}

void signal_send(struct proc *p, int sig) {
  struct proc *me = cpus[hal_cpu_id()].proc;
  unsigned f = spin_lock(&ptable_lock);
  signal_send_locked(p, sig, SI_USER, me ? me->tgid : 0, 0);
  spin_unlock(&ptable_lock, f);
}

/* Racy reads are fine: senders set the bit before they wake the sleeper under ptable_lock. */
int signal_pending(struct proc *p) {
  if (p->exiting) return 1;                            /* proc.c: the thread group is exiting */
  if (p->sighand == NULL) return 0;
  for (int sig = 1; sig <= NSIG; sig += 32) {
    unsigned ready = p->sig_pending[word(sig)] & ~p->sig_blocked[word(sig)];
    for (int i = 0; ready; i++, ready >>= 1) if ((ready & 1) && !ignored(p, sig + i)) return 1;
  }
  return 0;
}

int signal_fork(struct proc *c, struct proc *parent, int share) {
  if (parent && share) {
    atomic_add(&parent->sighand->refs, 1);
    c->sighand = parent->sighand;
  } else {
    unsigned pa = page_alloc(cpus[hal_cpu_id()].node);
    if (pa == 0) return -ENOMEM;
    struct sighand *h = hal_phys_to_kva(pa);
    h->refs = 1;
    if (parent) { unsigned f = spin_lock(&sig_lock); memcpy(h->act, parent->sighand->act, sizeof h->act); spin_unlock(&sig_lock, f); }
    c->sighand = h;
  }
  memset(c->sig_pending, 0, sizeof c->sig_pending);
  c->sig_restore = 0;
  c->alarm_at = c->alarm_interval = 0;
  if (parent) {
    memcpy(c->sig_blocked, parent->sig_blocked, sizeof c->sig_blocked);
    c->altstack_sp = parent->altstack_sp;
    c->altstack_size = parent->altstack_size;
  }
  return 0;
}

static void sighand_put(struct sighand *h) {
  if (h && atomic_add(&h->refs, (unsigned)-1) == 0) page_free(hal_kva_to_phys(h));
}

/* execve: a private table; caught signals go back to SIG_DFL, ignored ones stay ignored. */
void signal_exec(struct proc *p) {
  struct sighand *h = p->sighand;
  if (h->refs > 1) {
    unsigned pa = page_alloc(cpus[hal_cpu_id()].node);
    if (pa == 0) proc_exit(p, 0, SIGKILL);
    struct sighand *n = hal_phys_to_kva(pa);
    n->refs = 1;
    unsigned f = spin_lock(&sig_lock);
    memcpy(n->act, h->act, sizeof n->act);
    p->sighand = n;
    spin_unlock(&sig_lock, f);
    sighand_put(h);
    h = n;
  }
  unsigned f = spin_lock(&sig_lock);
  for (int i = 0; i < NSIG; i++) if (h->act[i].handler > SIG_IGN) memset(&h->act[i], 0, sizeof h->act[i]);
  p->altstack_sp = p->altstack_size = 0;
  spin_unlock(&sig_lock, f);
}

void signal_exit(struct proc *p) {
  unsigned f = spin_lock(&sig_lock);
  struct sighand *h = p->sighand;
  p->sighand = NULL;
  p->alarm_at = 0;
  spin_unlock(&sig_lock, f);
  sighand_put(h);
}

/* The instruction that trapped (in the branch delay slot when Cause.BD is set), or 0. */
static unsigned fault_insn(struct proc *p, struct trapframe *tf) {
  unsigned pc = tf->epc + ((tf->cause & 0x80000000u) ? 4 : 0);
  return user_ok(p, pc, 4, 0) ? *(const unsigned *)pc : 0;
}

/*
 * A fault in user mode (traps.c: do_ade, do_tr, do_bp, do_ov, do_fpe, do_ri, do_cpu, TLB faults):
 * the signal and si_code Linux raises, delivered on the way out if a handler catches it, else
 * fatal (also when blocked or ignored, as force_sig_info makes it).
 */
void signal_fault(struct trapframe *tf) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  unsigned code = CAUSE_EXC(tf->cause), addr = tf->epc;
  int sig, si;
  switch (code) {
    case 10: case 11: sig = SIGILL; si = SI_KERNEL; break;           /* do_ri, do_cpu: force_sig */
    case 12: sig = SIGFPE; si = 2; break;                            /* Ov: FPE_INTOVF */
    case 9: case 13: {                                               /* break / trap codes 6, 7 */
      unsigned insn = fault_insn(p, tf);
      unsigned tcode = code == 9 ? (insn >> 16) & 0x3ff : (insn >> 26) == 0 ? (insn >> 6) & 0x3ff : 0;
      if (code == 9 && tcode == 0) tcode = (insn >> 6) & 0x3ff;
      if (tcode == 7) { sig = SIGFPE; si = 1; }                      /* BRK_DIVZERO: FPE_INTDIV */
      else if (tcode == 6) { sig = SIGFPE; si = 2; }                 /* BRK_OVERFLOW: FPE_INTOVF */
      else { sig = SIGTRAP; si = code == 9 ? 1 : SI_KERNEL; }        /* TRAP_BRKPT */
      break;
    }
    case 15: {                                                       /* FP exception: FCSR Cause */
      unsigned csr;
      __asm__ volatile("cfc1 %0, $31" : "=r"(csr));
      __asm__ volatile("ctc1 %0, $31" :: "r"(csr & ~0x3f000u));     /* clear Cause, as do_fpe does */
      sig = SIGFPE;
      si = (csr & 0x10000u) ? 7 : (csr & 0x8000u) ? 3 : (csr & 0x4000u) ? 4 : (csr & 0x2000u) ? 5 : 6;
      break;
    }
    case 4: case 5:                                                  /* address error */
      addr = tf->badvaddr;
      if (addr >= 0x80000000u) { sig = SIGSEGV; si = 2; } else { sig = SIGBUS; si = 1; }   /* SEGV_ACCERR, BUS_ADRALN */
      break;
    default:                                                         /* TLB: SEGV_MAPERR or SEGV_ACCERR */
      addr = tf->badvaddr;
      sig = SIGSEGV;
      si = vm_lookup(p->mm->pgd, addr) != 0 ? 2 : 1;                /* a mapping that refused the access (PROT_NONE, read-only) */
      break;
  }
  unsigned f = spin_lock(&sig_lock);
  unsigned h = p->sighand->act[sig - 1].handler;
  if (h <= SIG_IGN || member(p->sig_blocked, sig)) {
    spin_unlock(&sig_lock, f);
    bprintf("pid %u: exception %u at pc %p, address %p: signal %d\n", p->pid, code, tf->epc, tf->badvaddr, sig);
    proc_exit(p, 0, sig);
  }
  p->sig_info[sig - 1].code = si;
  p->sig_info[sig - 1].val = addr;
  p->sig_info[sig - 1].status = 0;
  p->sig_pending[word(sig)] |= bit(sig);
  spin_unlock(&sig_lock, f);
}

/* Makes sure [va, va+len) is writable user memory, growing the stack as a fault would. */
static int stack_ok(struct proc *p, unsigned va, unsigned len) {
  if (va >= USTACK_LIMIT && va + len <= USTACK_TOP) {
    for (unsigned a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE)
      if (!(vm_lookup(p->mm->pgd, a) & PTE_V) && vm_alloc_range(p, a, PAGE_SIZE) < 0) return 0;
  }
  return user_ok(p, va, len, 1);
}

static void put64(unsigned char *d, unsigned v) { ((unsigned *)d)[0] = (unsigned)((int)v >> 31); ((unsigned *)d)[1] = v; }

/* The FPU (Status.FR = 0: the even registers hold the pairs) to and from a sigcontext. */
static void fp_save(unsigned char *sc) {
  unsigned csr;
  __asm__ volatile(
    "sdc1 $f0, 0(%1)\n\tsdc1 $f2, 16(%1)\n\tsdc1 $f4, 32(%1)\n\tsdc1 $f6, 48(%1)\n\t"
    "sdc1 $f8, 64(%1)\n\tsdc1 $f10, 80(%1)\n\tsdc1 $f12, 96(%1)\n\tsdc1 $f14, 112(%1)\n\t"
    "sdc1 $f16, 128(%1)\n\tsdc1 $f18, 144(%1)\n\tsdc1 $f20, 160(%1)\n\tsdc1 $f22, 176(%1)\n\t"
    "sdc1 $f24, 192(%1)\n\tsdc1 $f26, 208(%1)\n\tsdc1 $f28, 224(%1)\n\tsdc1 $f30, 240(%1)\n\t"
    "cfc1 %0, $31" : "=r"(csr) : "r"(sc + SC_FPREGS) : "memory");
  *(unsigned *)(sc + SC_FPC_CSR) = csr;
  *(unsigned *)(sc + SC_USED_MATH) = 1;
}

static void fp_restore(const unsigned char *sc) {
  __asm__ volatile(
    "ldc1 $f0, 0(%0)\n\tldc1 $f2, 16(%0)\n\tldc1 $f4, 32(%0)\n\tldc1 $f6, 48(%0)\n\t"
    "ldc1 $f8, 64(%0)\n\tldc1 $f10, 80(%0)\n\tldc1 $f12, 96(%0)\n\tldc1 $f14, 112(%0)\n\t"
    "ldc1 $f16, 128(%0)\n\tldc1 $f18, 144(%0)\n\tldc1 $f20, 160(%0)\n\tldc1 $f22, 176(%0)\n\t"
    "ldc1 $f24, 192(%0)\n\tldc1 $f26, 208(%0)\n\tldc1 $f28, 224(%0)\n\tldc1 $f30, 240(%0)\n\t"
    "ctc1 %1, $31" :: "r"(sc + SC_FPREGS), "r"(*(const unsigned *)(sc + SC_FPC_CSR) & ~0x3f000u) : "memory");
}

static int on_altstack(struct proc *p, unsigned sp) {
  return p->altstack_size && sp > p->altstack_sp && sp <= p->altstack_sp + p->altstack_size;
}

/* Builds the frame for sig on the user stack and enters the handler (setup_frame, setup_rt_frame). */
static int setup_frame(struct proc *p, struct trapframe *tf, int sig, const struct k_sigaction *a, int code,
                       unsigned val, unsigned status, const unsigned *mask) {
  int rt = (a->flags & SA_SIGINFO) != 0;
  unsigned size = rt ? RS_SIZE : SF_SIZE, sp = tf->regs[29] - 32;
  if ((a->flags & SA_ONSTACK) && p->altstack_size && !on_altstack(p, tf->regs[29])) sp = p->altstack_sp + p->altstack_size;
  unsigned frame = (sp - size) & ~7u;
  if (!stack_ok(p, frame, size)) return -1;
  unsigned char *f = (unsigned char *)frame, *sc = f + (rt ? RS_SC : SF_SC);
  memset(f, 0, size);
  put64(sc + SC_PC, tf->epc);
  for (int i = 1; i < 32; i++) if (i != 26 && i != 27) put64(sc + SC_REGS + 8 * i, tf->regs[i]);
  put64(sc + SC_MDHI, tf->hi);
  put64(sc + SC_MDLO, tf->lo);
  fp_save(sc);
  memcpy(f + (rt ? RS_MASK : SF_MASK), mask, 16);
  if (rt) {
    unsigned *si = (unsigned *)(f + RS_INFO), *uc = (unsigned *)(f + RS_UC);
    si[0] = (unsigned)sig;
    si[1] = (unsigned)code;                     /* MIPS: si_code before si_errno */
    si[3] = val;                                /* si_pid, or si_addr */
    si[5] = status;                             /* si_status (SIGCHLD) */
    uc[2] = p->altstack_sp;
    uc[3] = p->altstack_size;
    uc[4] = !p->altstack_size ? SS_DISABLE : on_altstack(p, tf->regs[29]) ? SS_ONSTACK : 0;
  }
  tf->regs[4] = (unsigned)sig;
  tf->regs[5] = rt ? frame + RS_INFO : 0;
  tf->regs[6] = frame + (rt ? RS_UC : SF_SC);
  tf->regs[29] = frame;
  tf->regs[31] = SIGCODE_VA + (rt ? 8 : 0);
  tf->regs[25] = tf->epc = a->handler;
  return 0;
}

/* Re-executes the interrupted system call (its number and a3 are kept in regs[0], regs[26]). */
static void restart_syscall(struct trapframe *tf) {
  tf->regs[2] = tf->regs[0];
  tf->regs[7] = tf->regs[26];
  tf->epc -= 4;
}

void signal_deliver(struct trapframe *tf) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  if (p == NULL || p->sighand == NULL) return;
  int restart = CAUSE_EXC(tf->cause) == 8 && tf->regs[0] && tf->regs[7] == 1 && tf->regs[2] == ERESTARTSYS;
  for (;;) {
    unsigned f = spin_lock(&sig_lock), ready = 0, w;
    for (w = 0; w < 4 && !ready; w++) ready = p->sig_pending[w] & ~p->sig_blocked[w];
    if (!ready) { spin_unlock(&sig_lock, f); break; }
    int sig = (int)(--w * 32 + __builtin_ctz(ready) + 1);
    p->sig_pending[w] &= ~bit(sig);
    int code = sig <= 32 ? p->sig_info[sig - 1].code : SI_USER;
    unsigned val = sig <= 32 ? p->sig_info[sig - 1].val : 0, status = sig <= 32 ? p->sig_info[sig - 1].status : 0;
    struct k_sigaction a = p->sighand->act[sig - 1];
    if (ignored(p, sig)) { spin_unlock(&sig_lock, f); continue; }
    if (a.handler == SIG_DFL) { spin_unlock(&sig_lock, f); proc_exit(p, 0, sig); }
    unsigned old[4];
    memcpy(old, p->sig_restore ? p->sig_saved : p->sig_blocked, sizeof old);
    p->sig_restore = 0;
    for (int i = 0; i < 4; i++) p->sig_blocked[i] |= a.mask[i];
    if (!(a.flags & SA_NODEFER)) p->sig_blocked[word(sig)] |= bit(sig);
    unblockable(p->sig_blocked);
    if (a.flags & SA_RESETHAND) memset(&p->sighand->act[sig - 1], 0, sizeof a);
    spin_unlock(&sig_lock, f);
    if (restart) { if (a.flags & SA_RESTART) restart_syscall(tf); else tf->regs[2] = EINTR; }
    if (setup_frame(p, tf, sig, &a, code, val, status, old) < 0) proc_exit(p, 0, SIGSEGV);
    return;                                     /* the next one on the way out of sigreturn */
  }
  if (restart) restart_syscall(tf);
  if (p->sig_restore) {
    unsigned f = spin_lock(&sig_lock);
    memcpy(p->sig_blocked, p->sig_saved, sizeof p->sig_blocked);
    p->sig_restore = 0;
    spin_unlock(&sig_lock, f);
  }
}

void signal_return(struct trapframe *tf, int rt) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  unsigned frame = tf->regs[29], size = rt ? RS_SIZE : SF_SIZE;
  if (!user_ok(p, frame, size, 0)) proc_exit(p, 0, SIGSEGV);
  const unsigned char *f = (const unsigned char *)frame, *sc = f + (rt ? RS_SC : SF_SC);
  unsigned mask[4];
  memcpy(mask, f + (rt ? RS_MASK : SF_MASK), sizeof mask);
  unblockable(mask);
  unsigned fl = spin_lock(&sig_lock);
  memcpy(p->sig_blocked, mask, sizeof mask);
  spin_unlock(&sig_lock, fl);
  for (int i = 1; i < 32; i++) tf->regs[i] = ((const unsigned *)(sc + SC_REGS + 8 * i))[1];
  tf->hi = ((const unsigned *)(sc + SC_MDHI))[1];
  tf->lo = ((const unsigned *)(sc + SC_MDLO))[1];
  tf->epc = ((const unsigned *)(sc + SC_PC))[1];
  fp_restore(sc);
  tf->regs[0] = 0;                              /* no system call to restart */
}

/* A signal for thread group tgid goes to one of its threads: one that does not block it, the leader first. */
static void send_group_locked(unsigned tgid, int sig, int code, unsigned sender) {
  struct proc *t = NULL;
  int best = -1;
  for (int i = 0; i < NPROC; i++) {
    struct proc *q = &procs[i];
    if (q->tgid != tgid || q->state < P_RUNNABLE || q->state > P_SLEEPING) continue;
    int score = 2 * !member(q->sig_blocked, sig) + (q->pid == tgid);
    if (score > best) { t = q; best = score; }
  }
  if (t) signal_send_locked(t, sig, code, sender, 0);
}

/* ITIMER_REAL of every process: SIGALRM when it expires (it_real_fn). */
void signal_alarms_locked(unsigned now) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *q = &procs[i];
    if (q->alarm_at == 0 || (int)(now - q->alarm_at) < 0 || q->state == P_UNUSED || q->state == P_ZOMBIE) continue;
    q->alarm_at = q->alarm_interval ? now + q->alarm_interval : 0;
    send_group_locked(q->tgid, SIGALRM, SI_KERNEL, 0);
  }
}

/* Ticks left of p's ITIMER_REAL, 0 when off. */
static unsigned alarm_left(struct proc *p) {
  unsigned at = p->alarm_at, now = cpus[0].ticks;
  return at == 0 ? 0 : (int)(at - now) > 0 ? at - now : 1;
}

static void alarm_set(struct proc *p, unsigned ticks, unsigned interval) {
  unsigned f = spin_lock(&ptable_lock);
  p->alarm_interval = interval;
  p->alarm_at = ticks ? (cpus[0].ticks + ticks) | 1 : 0;   /* never 0 while armed */
  spin_unlock(&ptable_lock, f);
}

/* timeval <-> ticks (10 ms, rounded up as the kernel rounds timers). */
static unsigned tv_ticks(const unsigned *tv) { return tv[0] * HZ + (tv[1] + 1000000 / HZ - 1) / (1000000 / HZ); }

static int sys_itimer(struct proc *p, unsigned which, unsigned nv, unsigned ov) {
  if (which != 0) return -EINVAL;                         /* ITIMER_REAL only */
  if ((nv && !user_ok(p, nv, 16, 0)) || (ov && !user_ok(p, ov, 16, 1))) return -EFAULT;
  if (nv && (((unsigned *)nv)[1] >= 1000000 || ((unsigned *)nv)[3] >= 1000000)) return -EINVAL;
  if (ov) {
    unsigned left = alarm_left(p), *o = (unsigned *)ov;
    o[0] = p->alarm_interval / HZ; o[1] = p->alarm_interval % HZ * (1000000 / HZ);
    o[2] = left / HZ; o[3] = left % HZ * (1000000 / HZ);
  }
  if (nv) alarm_set(p, tv_ticks((unsigned *)nv + 2), tv_ticks((unsigned *)nv));
  return 0;
}

/*
 * kill: pid > 0 a process (thread group); 0 the caller's process group; -1 all but init and the
 * caller; < -1 the process group -pid. tkill, tgkill (tgid != 0): the thread tid.
 */
static int sys_kill(struct proc *p, int pid, int sig, int code, int tid, int tgid) {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  int found = 0;
  unsigned f = spin_lock(&ptable_lock);
  for (int i = 0; i < NPROC; i++) {
    struct proc *q = &procs[i];
    if (q->state == P_UNUSED || q->state == P_EMBRYO) continue;
    if (tid) {
      if (q->pid != (unsigned)tid || (tgid && q->tgid != (unsigned)tgid)) continue;
      found = 1;
      if (sig && q->state != P_ZOMBIE) signal_send_locked(q, sig, code, p->tgid, 0);
      continue;
    }
    if (q->pid != q->tgid) continue;                       /* a group once, through its leader */
    if (pid > 0 ? q->tgid != (unsigned)pid : pid == -1 ? (q->tgid == 1 || q->tgid == p->tgid) : q->pgid != (pid == 0 ? p->pgid : (unsigned)-pid)) continue;
    found = 1;
    if (sig) send_group_locked(q->tgid, sig, code, p->tgid);
  }
  spin_unlock(&ptable_lock, f);
  return found ? 0 : -ESRCH;
}

static int sys_sigaction(struct proc *p, int sig, unsigned act, unsigned oact, unsigned size) {
  if (size != 16) return -EINVAL;
  if (sig < 1 || sig > NSIG || (act && (sig == SIGKILL || sig == SIGSTOP))) return -EINVAL;
  if ((act && !user_ok(p, act, 24, 0)) || (oact && !user_ok(p, oact, 24, 1))) return -EFAULT;
  struct k_sigaction n;
  if (act) memcpy(&n, (const void *)act, sizeof n);
  unsigned f = spin_lock(&sig_lock);
  struct k_sigaction *a = &p->sighand->act[sig - 1], o = *a;
  if (act) {
    unblockable(n.mask);
    *a = n;
    if (ignored(p, sig)) p->sig_pending[word(sig)] &= ~bit(sig);   /* discarded (do_sigaction) */
  }
  spin_unlock(&sig_lock, f);
  if (oact) memcpy((void *)oact, &o, sizeof o);
  return 0;
}

static int sys_sigprocmask(struct proc *p, unsigned how, unsigned set, unsigned oset, unsigned size) {
  if (size != 16) return -EINVAL;
  if ((set && !user_ok(p, set, 16, 0)) || (oset && !user_ok(p, oset, 16, 1))) return -EFAULT;
  if (set && (how < 1 || how > 3)) return -EINVAL;         /* MIPS: SIG_BLOCK 1, SIG_UNBLOCK 2, SIG_SETMASK 3 */
  unsigned s[4], old[4];
  if (set) memcpy(s, (const void *)set, sizeof s);
  unsigned f = spin_lock(&sig_lock);
  memcpy(old, p->sig_blocked, sizeof old);
  if (set) {
    for (int i = 0; i < 4; i++) p->sig_blocked[i] = how == 1 ? old[i] | s[i] : how == 2 ? old[i] & ~s[i] : s[i];
    unblockable(p->sig_blocked);
  }
  spin_unlock(&sig_lock, f);
  if (oset) memcpy((void *)oset, old, sizeof old);
  return 0;
}

/* pause, rt_sigsuspend: sleep until a signal is delivered; the old mask comes back after it. */
static int suspend(struct proc *p, const unsigned *mask) {
  unsigned f = spin_lock(&sig_lock);
  if (mask) {
    memcpy(p->sig_saved, p->sig_blocked, sizeof p->sig_saved);
    memcpy(p->sig_blocked, mask, sizeof p->sig_blocked);
    unblockable(p->sig_blocked);
    p->sig_restore = 1;
  }
  spin_unlock(&sig_lock, f);
  f = spin_lock(&ptable_lock);
  while (!signal_pending(p)) sleep_on(p->sig_pending);
  spin_unlock(&ptable_lock, f);
  return -EINTR;
}

/* rt_sigtimedwait: takes a pending signal of the set; polls on the tick. */
static int sys_sigtimedwait(struct proc *p, unsigned set, unsigned info, unsigned ts, unsigned size, int wide) {
  if (size != 16) return -EINVAL;
  if (!user_ok(p, set, 16, 0) || (info && !user_ok(p, info, 128, 1)) || (ts && !user_ok(p, ts, wide ? 16 : 8, 0))) return -EFAULT;
  unsigned want[4], deadline = 0;
  memcpy(want, (const void *)set, sizeof want);
  unblockable(want);
  if (ts) {
    const unsigned *t = (const unsigned *)ts;
    unsigned sec = wide ? t[1] : t[0], nsec = wide ? t[3] : t[1];
    if (nsec >= 1000000000u || (wide && t[0])) return -EINVAL;
    deadline = cpus[0].ticks + sec * HZ + (nsec + 9999999u) / 10000000u;
  }
  for (;;) {
    unsigned f = spin_lock(&sig_lock), ready = 0, w;
    for (w = 0; w < 4 && !ready; w++) ready = p->sig_pending[w] & want[w];
    if (ready) {
      int sig = (int)(--w * 32 + __builtin_ctz(ready) + 1);
      p->sig_pending[w] &= ~bit(sig);
      unsigned si[6] = { (unsigned)sig, sig <= 32 ? (unsigned)p->sig_info[sig - 1].code : 0, 0,
                         sig <= 32 ? p->sig_info[sig - 1].val : 0, 0, sig <= 32 ? p->sig_info[sig - 1].status : 0 };
      spin_unlock(&sig_lock, f);
      if (info) { memset((void *)info, 0, 128); memcpy((void *)info, si, sizeof si); }
      return sig;
    }
    spin_unlock(&sig_lock, f);
    if (signal_pending(p)) return -EINTR;
    if (ts && (int)(cpus[0].ticks - deadline) >= 0) return -EAGAIN;
    f = spin_lock(&ptable_lock);
    sleep_on(&tick_chan);
    spin_unlock(&ptable_lock, f);
  }
}

static int sys_sigaltstack(struct proc *p, unsigned ss, unsigned oss, unsigned sp) {
  if ((ss && !user_ok(p, ss, 12, 0)) || (oss && !user_ok(p, oss, 12, 1))) return -EFAULT;
  unsigned old[3] = { p->altstack_sp, p->altstack_size, !p->altstack_size ? SS_DISABLE : on_altstack(p, sp) ? SS_ONSTACK : 0 };
  if (ss) {
    const unsigned *s = (const unsigned *)ss;            /* MIPS stack_t: ss_sp, ss_size, ss_flags */
    if (on_altstack(p, sp)) return -EPERM;
    if (s[2] == SS_DISABLE) p->altstack_sp = p->altstack_size = 0;
    else if (s[2] & ~(unsigned)SS_ONSTACK) return -EINVAL;
    else if (s[1] < MINSIGSTKSZ) return -ENOMEM;
    else { p->altstack_sp = s[0]; p->altstack_size = s[1]; }
  }
  if (oss) memcpy((void *)oss, old, sizeof old);
  return 0;
}

int sys_signal(struct proc *p, struct trapframe *tf, unsigned nr, int *ret) {
  unsigned *r = tf->regs, a0 = r[4], a1 = r[5], a2 = r[6], a3 = r[7];
  switch (nr) {
    case SYS_kill: *ret = sys_kill(p, (int)a0, (int)a1, SI_USER, 0, 0); return 1;
    case SYS_tkill: *ret = (int)a0 <= 0 ? -EINVAL : sys_kill(p, 0, (int)a1, SI_TKILL, (int)a0, 0); return 1;
    case SYS_tgkill: *ret = (int)a0 <= 0 || (int)a1 <= 0 ? -EINVAL : sys_kill(p, 0, (int)a2, SI_TKILL, (int)a1, (int)a0); return 1;
    case SYS_rt_sigaction: *ret = sys_sigaction(p, (int)a0, a1, a2, a3); return 1;
    case SYS_rt_sigprocmask: *ret = sys_sigprocmask(p, a0, a1, a2, a3); return 1;
    case SYS_rt_sigpending: {
      if (a1 > 16) { *ret = -EINVAL; return 1; }
      if (!user_ok(p, a0, a1, 1)) { *ret = -EFAULT; return 1; }
      unsigned set[4];
      for (int i = 0; i < 4; i++) set[i] = p->sig_pending[i] & p->sig_blocked[i];
      memcpy((void *)a0, set, a1);
      *ret = 0;
      return 1;
    }
    case SYS_rt_sigsuspend: {
      if (a1 != 16) { *ret = -EINVAL; return 1; }
      if (!user_ok(p, a0, 16, 0)) { *ret = -EFAULT; return 1; }
      unsigned mask[4];
      memcpy(mask, (const void *)a0, sizeof mask);
      *ret = suspend(p, mask);
      return 1;
    }
    case SYS_pause: *ret = suspend(p, NULL); return 1;
    case SYS_rt_sigtimedwait: *ret = sys_sigtimedwait(p, a0, a1, a2, a3, 0); return 1;
    case SYS_rt_sigtimedwait_time64: *ret = sys_sigtimedwait(p, a0, a1, a2, a3, 1); return 1;
    case SYS_sigaltstack: *ret = sys_sigaltstack(p, a0, a1, r[29]); return 1;
    case SYS_alarm: {
      unsigned left = alarm_left(p);
      alarm_set(p, a0 * HZ, 0);
      *ret = (int)(left / HZ + ((left && left < HZ) || left % HZ >= HZ / 2));   /* alarm_setitimer's rounding */
      return 1;
    }
    case SYS_setitimer: *ret = sys_itimer(p, a0, a1, a2); return 1;
    case SYS_getitimer: *ret = sys_itimer(p, a0, 0, a1); return 1;
  }
  return 0;
}
