/* Processes: the process table, fork, wait4 and exit. */
#include "kernel.h"
#include "frame.h"

struct proc procs[NPROC];
spinlock_t ptable_lock;
static unsigned next_pid = 1;

struct proc *proc_alloc(void) {
  unsigned f = spin_lock(&ptable_lock);
  struct proc *p = NULL;
  for (int i = 0; i < NPROC; i++) if (procs[i].state == P_UNUSED) { p = &procs[i]; break; }
  if (p) {
    unsigned pid = next_pid++;
    memset(p, 0, sizeof *p);
    p->state = P_EMBRYO;
    p->pid = pid;
    p->asid = pid & 0xff;
  }
  spin_unlock(&ptable_lock, f);
  if (p == NULL) return NULL;
  unsigned ks = page_alloc_contig(KSTACK_PAGES, cpus[hal_cpu_id()].node);
  if (ks == 0) { p->state = P_UNUSED; return NULL; }
  p->kstack = (unsigned)hal_phys_to_kva(ks);
  /* the first switch to it lands in fork_ret, just below its trap frame */
  extern char fork_ret[];
  unsigned *ctx = (unsigned *)((unsigned)proc_frame(p) - 16 - 48);
  memset(ctx, 0, 48);
  ctx[10] = (unsigned)fork_ret;
  p->ctx_sp = (unsigned)ctx;
  return p;
}

void proc_activate(struct proc *p) {
  unsigned cpu = hal_cpu_id();
  cpus[cpu].proc = p;
  pgd_current[cpu] = p->pgd;
  kstack_top[cpu] = p->kstack + KSTACK_PAGES * PAGE_SIZE;
  hal_tlb_flush_user();       /* a process's mappings live only in the TLB of the CPU running it */
  hal_set_asid(p->asid);
  hal_set_tls(p->tls);
}

int sys_fork(struct trapframe *tf, unsigned flags, unsigned newsp, unsigned ptid, unsigned tls, unsigned ctid) {
  struct proc *p = cpus[hal_cpu_id()].proc, *c = proc_alloc();
  if (c == NULL) return -11;                                   /* EAGAIN */
  if ((c->pgd = pgd_new()) == NULL || vm_copy(c->pgd, p->pgd) < 0) {
    if (c->pgd) vm_free_all(c->pgd);
    page_free(hal_kva_to_phys((void *)c->kstack));
    page_free(hal_kva_to_phys((void *)c->kstack) + PAGE_SIZE);
    c->state = P_UNUSED;
    return -12;                                                /* ENOMEM */
  }
  c->brk_start = p->brk_start; c->brk = p->brk; c->mmap_top = p->mmap_top;
  c->tls = (flags & 0x80000u) ? tls : p->tls;                  /* CLONE_SETTLS */
  c->parent = p;
  struct trapframe *ctf = proc_frame(c);
  *ctf = *tf;
  ctf->regs[2] = 0;
  ctf->regs[7] = 0;
  if (newsp) ctf->regs[29] = newsp;
  if (flags & 0x01000000u) copy_out(c->pgd, ctid, &c->pid, 4); /* CLONE_CHILD_SETTID */
  if (flags & 0x00100000u) { copy_out(p->pgd, ptid, &c->pid, 4); copy_out(c->pgd, ptid, &c->pid, 4); } /* CLONE_PARENT_SETTID */
  unsigned pid = c->pid, f = spin_lock(&ptable_lock);
  make_runnable_locked(c);
  spin_unlock(&ptable_lock, f);
  return (int)pid;
}

int sys_wait4(struct proc *p, int pid, unsigned status, unsigned options) {
  if (status && !user_ok(p, status, 4, 1)) return -14;
  unsigned f = spin_lock(&ptable_lock);
  for (;;) {
    int any = 0;
    for (int i = 0; i < NPROC; i++) {
      struct proc *q = &procs[i];
      if (q->parent != p || q->state == P_UNUSED || (pid > 0 && q->pid != (unsigned)pid)) continue;
      any = 1;
      if (q->state != P_ZOMBIE) continue;
      unsigned qpid = q->pid, st = q->wait_status, ks = hal_kva_to_phys((void *)q->kstack);
      q->state = P_UNUSED;
      q->parent = NULL;
      spin_unlock(&ptable_lock, f);
      for (unsigned k = 0; k < KSTACK_PAGES; k++) page_free(ks + k * PAGE_SIZE);
      if (status) *(unsigned *)status = st;
      return (int)qpid;
    }
    if (!any) { spin_unlock(&ptable_lock, f); return -10; }   /* ECHILD */
    if (options & 1) { spin_unlock(&ptable_lock, f); return 0; } /* WNOHANG */
    sleep_on(p);
  }
}

void proc_exit(struct proc *p, int code, int sig) {
  unsigned cpu = hal_cpu_id();
  if (p->pid == 1) {
    bprintf("init: pid 1 exited with status %d\n", sig ? 128 + sig : code);
    unsigned n = 0;
    for (unsigned c = 0; c < ncpus; c++) n += (user_cpus_mask[c >> 5] >> (c & 31)) & 1;
    bprintf("sched: user processes ran on %u of %u cpus\n", n, ncpus);
    hal_halt(sig ? 128 + sig : code);
  }
  pgd_current[cpu] = kernel_pgd;
  hal_tlb_flush_user();
  vm_free_all(p->pgd);
  p->pgd = kernel_pgd;
  hal_irq_save();
  spin_lock(&ptable_lock);
  for (int i = 0; i < NPROC; i++) if (procs[i].parent == p) procs[i].parent = &procs[0];
  p->wait_status = sig ? (unsigned)sig : ((unsigned)code & 0xff) << 8;
  p->state = P_ZOMBIE;
  if (p->parent) wakeup_locked(p->parent);
  wakeup_locked(&procs[0]);
  sched();
  panic("zombie %u ran", p->pid);
}
