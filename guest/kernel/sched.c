/*
 * Scheduling: each CPU runs scheduler() on its boot stack, picking RUNNABLE processes round
 * robin from the shared table and switching to them; a process gives the CPU back through
 * sched() with ptable_lock held (yield on a timer tick in user mode, sleep, exit). Idle CPUs
 * wait for an interrupt; making a process runnable sends an IPI to an idle CPU.
 */
#include "kernel.h"

volatile unsigned user_cpus_mask[4];
extern void swtch(unsigned *save, unsigned sp);

void make_runnable_locked(struct proc *p) {
  p->state = P_RUNNABLE;
  unsigned me = hal_cpu_id();
  for (unsigned i = 1; i <= ncpus; i++) {
    unsigned c = (me + i) % ncpus;
    if (c != me && cpus[c].idle) {
      cpus[c].idle = 0;
      atomic_or(&cpus[c].ipi_pending, IPI_RESCHED);
      hal_ipi_send(c);
      return;
    }
  }
}

void scheduler(void) {
  unsigned cpu = hal_cpu_id(), next = 0;
  for (;;) {
    unsigned f = spin_lock(&ptable_lock);
    struct proc *p = NULL;
    for (unsigned i = 0; i < NPROC; i++) {
      struct proc *q = &procs[(next + i) % NPROC];
      if (q->state == P_RUNNABLE) { p = q; next = (next + i + 1) % NPROC; break; }
    }
    if (p) {
      cpus[cpu].idle = 0;
      p->state = P_RUNNING;
      p->last_cpu = cpu;
      atomic_or(&user_cpus_mask[cpu >> 5], 1u << (cpu & 31));
      proc_activate(p);
      swtch(&cpus[cpu].sched_sp, p->ctx_sp);
      cpus[cpu].proc = NULL;
      pgd_current[cpu] = kernel_pgd;
      spin_unlock(&ptable_lock, f);
    } else {
      cpus[cpu].idle = 1;
      spin_unlock(&ptable_lock, f);
      hal_idle();
    }
  }
}

void sched(void) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  swtch(&p->ctx_sp, cpus[hal_cpu_id()].sched_sp);
}

void yield(void) {
  unsigned f = spin_lock(&ptable_lock);
  cpus[hal_cpu_id()].proc->state = P_RUNNABLE;
  sched();
  spin_unlock(&ptable_lock, f);
}

void sleep_on(void *chan) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  p->chan = chan;
  p->state = P_SLEEPING;
  sched();
  p->chan = NULL;
}

void wakeup_locked(void *chan) {
  for (int i = 0; i < NPROC; i++)
    if (procs[i].state == P_SLEEPING && procs[i].chan == chan) make_runnable_locked(&procs[i]);
}

/* A new process's first run: release the lock the scheduler took, then return to user mode. */
void fork_ret_c(void) {
  spin_unlock(&ptable_lock, 0);
}
