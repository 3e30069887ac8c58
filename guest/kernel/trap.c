/* Exception dispatch: interrupts (timer, IPI), system calls, and faults. */
#include "kernel.h"
#include "frame.h"

/* Returns whether the timer ticked. */
static int interrupt(unsigned cause) {
  unsigned cpu = hal_cpu_id(), lines = hal_pending_irqs(cause);
  int tick = 0;
  if (lines & (1u << IRQ_TIMER)) {
    hal_timer_ack(TICK_COUNTS);
    cpus[cpu].ticks++;
    tick = 1;
    if (cpu == 0) {                                   /* sleepers recheck their deadlines */
      extern char tick_chan;
      unsigned f = spin_lock(&ptable_lock);
      wakeup_locked(&tick_chan);
      spin_unlock(&ptable_lock, f);
    }
  }
  if (lines & (1u << IRQ_IPI)) {
    hal_ipi_ack();
    unsigned req = atomic_swap(&cpus[cpu].ipi_pending, 0);
    if (req & IPI_PING) atomic_add(&cpus[cpu].ipis, 1);
    if (req & IPI_CONSOLE) console_rx_resume();
  }
  if (lines & (1u << IRQ_CONSOLE)) {
    console_rx_interrupt();
  }
  return tick;
}

/* The signal a fault maps to, as Linux reports a process killed by it (128 + signal). */
static int fault_signal(unsigned code, unsigned badvaddr) {
  switch (code) {
    case 10: return 4;              /* RI: SIGILL */
    case 11: return 4;              /* CpU */
    case 9: case 13: return 5;      /* Bp, Tr: SIGTRAP */
    case 12: case 15: return 8;     /* Ov, FPE: SIGFPE */
    case 4: case 5: return badvaddr >= 0x80000000u ? 11 : 10; /* AdEL, AdES: SIGSEGV (kernel address) or SIGBUS */
    default: return 11;             /* TLB faults: SIGSEGV */
  }
}

/*
 * A TLB Invalid or Modified exception on a user address whose PTE now allows the access: the
 * TLB holds a stale copy of the even/odd pair (the page was mapped after the pair was loaded).
 */
static int tlb_fixup(unsigned code, unsigned va) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  if (p == NULL || va >= 0x80000000u || code < 1 || code > 3) return 0;
  unsigned even = vm_lookup(p->pgd, va & ~0x1fffu), odd = vm_lookup(p->pgd, (va & ~0x1fffu) | 0x1000u);
  unsigned pte = (va & 0x1000u) ? odd : even;
  if (!(pte & PTE_V) && code != 1 && va >= USTACK_LIMIT && va < USTACK_TOP) {
    /* the stack grows on demand down to USTACK_LIMIT */
    if (vm_alloc_range(p, va & ~(PAGE_SIZE - 1), PAGE_SIZE) < 0) return 0;
    even = vm_lookup(p->pgd, va & ~0x1fffu);
    odd = vm_lookup(p->pgd, (va & ~0x1fffu) | 0x1000u);
    pte = (va & 0x1000u) ? odd : even;
  }
  if (!(pte & PTE_V) || (code != 2 && !(pte & PTE_D))) return 0;
  hal_tlb_update(va, p->asid, even, odd);
  return 1;
}

void trap(struct trapframe *tf) {
  unsigned code = CAUSE_EXC(tf->cause);
  int user = (tf->status & ST_KSU) != 0;
  if (code == 0) {
    if (interrupt(tf->cause) && user && cpus[hal_cpu_id()].proc) yield();   /* preempt on a tick */
    return;
  }
  if (code == 8 && user) { hal_irq_enable(); syscall(tf); return; }
  if (tlb_fixup(code, tf->badvaddr)) return;
  if (user) {
    struct proc *p = cpus[hal_cpu_id()].proc;
    /* RDHWR $29 (the thread pointer) traps where the CPU lacks it: emulate it as Linux does. */
    if (code == 10 && !(tf->cause & 0x80000000u) && user_ok(p, tf->epc, 4, 0) &&
        (*(const unsigned *)tf->epc & 0xffe0ffffu) == 0x7c00e83bu) {
      tf->regs[(*(const unsigned *)tf->epc >> 16) & 31] = p->tls;
      tf->epc += 4;
      return;
    }
    int sig = fault_signal(code, tf->badvaddr);
    bprintf("pid %u: exception %u at pc %p, address %p: signal %d\n", p->pid, code, tf->epc, tf->badvaddr, sig);
    proc_exit(p, 0, sig);
  }
  if (hal_fixup(tf)) return;
  panic("kernel exception %u at pc %p, address %p, ra %p, sp %p", code, tf->epc, tf->badvaddr, tf->regs[31], tf->regs[29]);
}
