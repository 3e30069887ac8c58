/*
 * Scheduling: each CPU runs scheduler() on its boot stack, taking RUNNABLE processes from its
 * own run queue, or stealing from another CPU's when it has none, and switching to them; a process gives the CPU back through
 * sched() with ptable_lock held (yield on a timer tick in user mode, sleep, exit). Idle CPUs
 * wait for an interrupt; a process made runnable goes to an idle CPU's queue (with an IPI), or
 * else to this CPU's. The queues have their own locks but are used with ptable_lock held, which
 * keeps a process from running anywhere before the CPU switching away from it is off its stack. Exited threads
 * (not group leaders) are reaped here once they have switched away for good.
 */
#include "kernel.h"

volatile unsigned user_cpus_mask[4];
extern void swtch(unsigned *save, unsigned sp);

/* Per-CPU FIFO run queues; a RUNNABLE process is in exactly one. */
static struct runq { spinlock_t lock; struct proc *head, *tail; } runq[NCPU_MAX];

static void enqueue(unsigned c, struct proc *p) {
  unsigned f = spin_lock(&runq[c].lock);
  p->rq_next = NULL;
  if (runq[c].tail) runq[c].tail->rq_next = p; else runq[c].head = p;
  runq[c].tail = p;
  spin_unlock(&runq[c].lock, f);
}

static struct proc *dequeue(unsigned c) {
  unsigned f = spin_lock(&runq[c].lock);
  struct proc *p = runq[c].head;
  if (p && (runq[c].head = p->rq_next) == NULL) runq[c].tail = NULL;
  spin_unlock(&runq[c].lock, f);
  return p;
}

/* Queues p on an idle CPU (woken by an IPI), else on this one. */
void make_runnable_locked(struct proc *p) {
  p->state = P_RUNNABLE;
  unsigned me = hal_cpu_id();
  for (unsigned i = 1; i < ncpus; i++) {
    unsigned c = (me + i) % ncpus;
    if (cpus[c].idle) {
      cpus[c].idle = 0;
      enqueue(c, p);
      atomic_or(&cpus[c].ipi_pending, IPI_RESCHED);
      hal_ipi_send(c);
      return;
    }
  }
  enqueue(me, p);
}

void scheduler(void) {
  unsigned cpu = hal_cpu_id();
  for (;;) {
    unsigned f = spin_lock(&ptable_lock);
    struct proc *p = dequeue(cpu);
    for (unsigned i = 1; p == NULL && i < ncpus; i++) p = dequeue((cpu + i) % ncpus);   /* steal */
    if (p) {
      cpus[cpu].idle = 0;
      p->state = P_RUNNING;
      p->last_cpu = cpu;
      atomic_or(&user_cpus_mask[cpu >> 5], 1u << (cpu & 31));
      proc_activate(p);
      swtch(&cpus[cpu].sched_sp, p->ctx_sp);
      cpus[cpu].proc = NULL;
      mm_activate(NULL);
      if (p->state == P_ZOMBIE && p->pid != p->tgid) {   /* a thread is reaped once off its stack */
        for (unsigned k = 0; k < KSTACK_PAGES; k++) page_free(hal_kva_to_phys((void *)p->kstack) + k * PAGE_SIZE);
        p->state = P_UNUSED;
      }
      spin_unlock(&ptable_lock, f);
    } else {
      cpus[cpu].idle = 1;
      spin_unlock(&ptable_lock, f);
      hal_idle();
    }
  }
}

/* The FPU registers are saved and restored eagerly with the switch. */
void sched(void) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  user_fault_end();                          /* no other process may see a scratch entry */
  fpu_save(p->fpr, &p->fcsr);
  swtch(&p->ctx_sp, cpus[hal_cpu_id()].sched_sp);
  fpu_restore(p->fpr, p->fcsr);
}

void yield(void) {
  unsigned f = spin_lock(&ptable_lock);
  struct proc *p = cpus[hal_cpu_id()].proc;
  p->state = P_RUNNABLE;
  enqueue(hal_cpu_id(), p);                  /* no one takes it before the switch: ptable_lock */
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
  struct proc *p = cpus[hal_cpu_id()].proc;
  fpu_restore(p->fpr, p->fcsr);
  spin_unlock(&ptable_lock, 0);
}
