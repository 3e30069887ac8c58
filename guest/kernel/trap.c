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
      signal_alarms_locked(cpus[cpu].ticks);
      spin_unlock(&ptable_lock, f);
    }
  }
  if (lines & (1u << IRQ_IPI)) {
    hal_ipi_ack();
    unsigned req = atomic_swap(&cpus[cpu].ipi_pending, 0);
    tlb_shoot_poll();                               /* IPI_TLB */
    if (req & IPI_PING) atomic_add(&cpus[cpu].ipis, 1);
    if (req & IPI_CONSOLE) console_rx_resume();
  }
  if (lines & (1u << IRQ_CONSOLE)) {
    console_rx_interrupt();
  }
  return tick;
}

/*
 * A TLB Modified or Invalid exception on a user address, from user mode or from the kernel
 * touching user memory: demand-zero, copy-on-write, or a stale pair (vm_fault); the stack
 * grows on demand down to USTACK_LIMIT for user accesses; the kernel's access to a page
 * unmapped under it makes its system call fail (user_fault_scratch).
 */
static int tlb_fixup(unsigned code, unsigned va, int user) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  if (p == NULL || p->mm == NULL || va >= 0x80000000u || code < 1 || code > 3) return 0;
  if (user && code != 1 && va >= USTACK_LIMIT && va < USTACK_TOP && !vm_lookup(p->mm->pgd, va) &&
      vm_alloc_range(p, va & ~(PAGE_SIZE - 1), PAGE_SIZE) < 0) return 0;
  return vm_fault(p->mm, va, code != 2) == 0 || (!user && user_fault_scratch(p, va));
}

static void dispatch(struct trapframe *tf) {
  unsigned code = CAUSE_EXC(tf->cause);
  int user = (tf->status & ST_KSU) != 0;
  if (code == 0) {
    if (interrupt(tf->cause) && user && cpus[hal_cpu_id()].proc) yield();   /* preempt on a tick */
    return;
  }
  if (code == 8 && user) { hal_irq_enable(); syscall(tf); return; }
  if (tlb_fixup(code, tf->badvaddr, user)) return;
  if (user) {
    struct proc *p = cpus[hal_cpu_id()].proc;
    /* RDHWR $29 (the thread pointer) traps where the CPU lacks it: emulate it as Linux does. */
    if (code == 10 && !(tf->cause & 0x80000000u) && user_ok(p, tf->epc, 4, 0) &&
        (*(const unsigned *)tf->epc & 0xffe0ffffu) == 0x7c00e83bu) {
      tf->regs[(*(const unsigned *)tf->epc >> 16) & 31] = p->tls;
      tf->epc += 4;
      return;
    }
    signal_fault(tf);
    return;
  }
  if (hal_fixup(tf)) return;
  panic("kernel exception %u at pc %p, address %p, ra %p, sp %p", code, tf->epc, tf->badvaddr, tf->regs[31], tf->regs[29]);
}

void trap(struct trapframe *tf) {
  dispatch(tf);
  if (tf->status & ST_KSU) {                           /* on the way back to user mode */
    struct proc *p = cpus[hal_cpu_id()].proc;
    if (p->exiting) proc_exit(p, 0, 0);               /* its thread group is exiting */
    signal_deliver(tf);
    if (p->user_fault) { p->user_fault = 0; user_fault_end(); }   /* a signal frame raced away */
  }
}
