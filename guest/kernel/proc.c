/* Processes and threads: the process table, fork/clone/vfork, wait4, thread and group exit. */
#include "kernel.h"
#include "frame.h"

struct proc procs[NPROC];
spinlock_t ptable_lock;
static unsigned next_pid = 1;
unsigned boot_free_pages;

#define CLONE_VM 0x100u
#define CLONE_FILES 0x400u
#define CLONE_SIGHAND 0x800u
#define CLONE_VFORK 0x4000u
#define CLONE_PARENT 0x8000u
#define CLONE_FS 0x200u
#define CLONE_THREAD 0x10000u
#define CLONE_SETTLS 0x80000u
#define CLONE_PARENT_SETTID 0x100000u
#define CLONE_CHILD_CLEARTID 0x200000u
#define CLONE_CHILD_SETTID 0x1000000u

struct proc *proc_alloc(void) {
  unsigned f = spin_lock(&ptable_lock);
  struct proc *p = NULL;
  for (int i = 0; i < NPROC; i++) if (procs[i].state == P_UNUSED) { p = &procs[i]; break; }
  if (p) {
    unsigned pid = next_pid++;
    memset(p, 0, sizeof *p);
    p->state = P_EMBRYO;
    p->pid = p->tgid = p->pgid = p->sid = pid;           /* init's group and session; fork copies the parent's */
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

static void kstack_free(unsigned kstack) {
  for (unsigned k = 0; k < KSTACK_PAGES; k++) page_free(hal_kva_to_phys((void *)kstack) + k * PAGE_SIZE);
}

void proc_activate(struct proc *p) {
  unsigned cpu = hal_cpu_id();
  cpus[cpu].proc = p;
  kstack_top[cpu] = p->kstack + KSTACK_PAGES * PAGE_SIZE;
  mm_activate(p->mm);
  hal_set_tls(p->tls);
}

/*
 * fork, vfork and clone. CLONE_VM shares the mm (else a copy-on-write copy), CLONE_FILES the
 * descriptor table, CLONE_SIGHAND the signal actions; CLONE_THREAD joins the caller's thread
 * group; CLONE_VFORK makes the caller sleep until the child execs or exits (mm_release).
 */
int sys_fork(struct trapframe *tf, unsigned flags, unsigned newsp, unsigned ptid, unsigned tls, unsigned ctid) {
  struct proc *p = cpus[hal_cpu_id()].proc, *c;
  if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) || ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
    return -22;                                                /* EINVAL, as Linux */
  if ((c = proc_alloc()) == NULL) return -11;                  /* EAGAIN */
  if (flags & CLONE_VM) { atomic_add(&p->mm->refs, 1); c->mm = p->mm; } else c->mm = mm_fork(p->mm);
  if (c->mm == NULL || signal_fork(c, p, flags & CLONE_SIGHAND) < 0) {
    if (c->mm) mm_put(c->mm);
    kstack_free(c->kstack);
    c->state = P_UNUSED;
    return -12;                                                /* ENOMEM */
  }
  files_fork(c, p, (flags & CLONE_FILES) != 0, (flags & CLONE_FS) != 0);
  c->tls = (flags & CLONE_SETTLS) ? tls : p->tls;
  c->parent = (flags & (CLONE_THREAD | CLONE_PARENT)) ? p->parent : p;
  if (flags & CLONE_THREAD) c->tgid = p->tgid;
  c->pgid = p->pgid;
  c->sid = p->sid;
  if (flags & CLONE_CHILD_CLEARTID) c->clear_tid = ctid;
  fpu_save(c->fpr, &c->fcsr);                                  /* the caller's live registers */
  struct trapframe *ctf = proc_frame(c);
  *ctf = *tf;
  ctf->regs[2] = 0;
  ctf->regs[7] = 0;
  if (newsp) ctf->regs[29] = newsp;
  if ((flags & CLONE_CHILD_SETTID) && vm_fault(c->mm, ctid, 1) == 0) copy_out(c->mm->pgd, ctid, &c->pid, 4);
  if (flags & CLONE_PARENT_SETTID) {
    if (vm_fault(p->mm, ptid, 1) == 0) copy_out(p->mm->pgd, ptid, &c->pid, 4);
    if (c->mm != p->mm && vm_fault(c->mm, ptid, 1) == 0) copy_out(c->mm->pgd, ptid, &c->pid, 4);
  }
  unsigned pid = c->pid, f = spin_lock(&ptable_lock);
  if (flags & CLONE_VFORK) c->vfork_parent = p;
  make_runnable_locked(c);
  while (c->vfork_parent == p) sleep_on(&c->vfork_parent);    /* c stays ours until then */
  spin_unlock(&ptable_lock, f);
  return (int)pid;
}

/* exec or exit: the address space is the child's no more; a vfork parent goes on. */
void mm_release(struct proc *p) {
  if (p->vfork_parent == NULL) return;
  unsigned f = spin_lock(&ptable_lock);
  p->vfork_parent = NULL;
  wakeup_locked(&p->vfork_parent);
  spin_unlock(&ptable_lock, f);
}

/* Threads of p's group other than p that have not exited; ptable_lock held. */
static unsigned live_threads(struct proc *p) {
  unsigned n = 0;
  for (int i = 0; i < NPROC; i++) {
    struct proc *q = &procs[i];
    n += q != p && q->tgid == p->tgid && q->state != P_UNUSED && q->state != P_ZOMBIE && q->state != P_EMBRYO;
  }
  return n;
}

static struct proc *leader_of(struct proc *p) {
  for (int i = 0; i < NPROC; i++) if (procs[i].pid == p->tgid && procs[i].state != P_UNUSED) return &procs[i];
  return p;
}

/*
 * Process groups and sessions (the bookkeeping of POSIX job control; there is no controlling
 * terminal). A process is its thread group; every thread carries the group's pgid and sid.
 */

/* The leader of process pid (0: p's own), zombies included, or 0; ptable_lock held. */
static struct proc *process_locked(struct proc *p, int pid) {
  if (pid == 0) return leader_of(p);
  for (int i = 0; i < NPROC; i++) {
    struct proc *q = &procs[i];
    if (q->state != P_UNUSED && q->state != P_EMBRYO && q->pid == (unsigned)pid && q->pid == q->tgid) return q;
  }
  return NULL;
}

/* Does a process of group pgid exist (in session sid, unless sid is 0)? ptable_lock held. */
static int group_exists_locked(unsigned pgid, unsigned sid) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *q = &procs[i];
    if (q->state != P_UNUSED && q->state != P_EMBRYO && q->pgid == pgid && (sid == 0 || q->sid == sid)) return 1;
  }
  return 0;
}

static void set_group_locked(unsigned tgid, unsigned pgid, unsigned sid) {
  for (int i = 0; i < NPROC; i++) if (procs[i].state != P_UNUSED && procs[i].tgid == tgid) { procs[i].pgid = pgid; procs[i].sid = sid; }
}

int proc_getpgid(struct proc *p, int pid, int session) {
  unsigned f = spin_lock(&ptable_lock);
  struct proc *q = pid < 0 ? NULL : process_locked(p, pid);
  int r = q == NULL ? -ESRCH : (int)(session ? q->sid : q->pgid);
  spin_unlock(&ptable_lock, f);
  return r;
}

/* setpgid: the caller or a child of it, in the caller's session and not a session leader, joins or founds a group there. */
int proc_setpgid(struct proc *p, int pid, int pgid) {
  if (pgid < 0) return -EINVAL;
  unsigned f = spin_lock(&ptable_lock);
  struct proc *q = pid < 0 ? NULL : process_locked(p, pid);
  int r = 0;
  if (q == NULL || (q->tgid != p->tgid && (q->parent == NULL || q->parent->tgid != p->tgid))) r = -ESRCH;
  else if (q->sid == q->tgid || q->sid != p->sid) r = -EPERM;
  else if (pgid != 0 && (unsigned)pgid != q->tgid && !group_exists_locked((unsigned)pgid, p->sid)) r = -EPERM;
  else set_group_locked(q->tgid, pgid ? (unsigned)pgid : q->tgid, q->sid);
  spin_unlock(&ptable_lock, f);
  return r;
}

/* setsid: a process that leads no group starts a session and a group, both named by its pid. */
int proc_setsid(struct proc *p) {
  unsigned f = spin_lock(&ptable_lock);
  int r = group_exists_locked(p->tgid, 0) ? -EPERM : (int)p->tgid;
  if (r > 0) set_group_locked(p->tgid, p->tgid, p->tgid);
  spin_unlock(&ptable_lock, f);
  return r;
}

/* wait4 sees a thread group's leader (children of any thread of the caller's group) once the whole group is gone. */
int sys_wait4(struct proc *p, int pid, unsigned status, unsigned options) {
  if (status && !user_ok(p, status, 4, 1)) return -14;
  unsigned f = spin_lock(&ptable_lock);
  for (;;) {
    int any = 0;
    for (int i = 0; i < NPROC; i++) {
      struct proc *q = &procs[i];
      if (q->state == P_UNUSED || q->pid != q->tgid || q->parent == NULL || q->parent->tgid != p->tgid ||
          (pid > 0 && q->pid != (unsigned)pid) || (pid == 0 && q->pgid != p->pgid) || (pid < -1 && q->pgid != (unsigned)-pid)) continue;
      any = 1;
      if (q->state != P_ZOMBIE || live_threads(q)) continue;
      unsigned qpid = q->pid, st = q->wait_status, ks = q->kstack;
      q->state = P_UNUSED;                                     /* the slot may be reused at once */
      q->parent = NULL;
      spin_unlock(&ptable_lock, f);
      kstack_free(ks);
      if (status && user_ok(p, status, 4, 1)) *(unsigned *)status = st;
      return (int)qpid;
    }
    if (!any) { spin_unlock(&ptable_lock, f); return -10; }   /* ECHILD */
    if (options & 1) { spin_unlock(&ptable_lock, f); return 0; } /* WNOHANG */
    if (signal_pending(p)) { spin_unlock(&ptable_lock, f); return -ERESTARTSYS; }
    sleep_on(p);
  }
}

/* A thread's address space, open files and signal state go (it runs on in the kernel's map). */
static void drop_resources(struct proc *p) {
  unsigned f = hal_irq_save();
  mm_activate(NULL);
  hal_irq_restore(f);
  mm_put(p->mm);
  p->mm = NULL;
  files_exit(p);
  signal_exit(p);
}

/*
 * Powers off when init's thread group ends: its files are closed (a file it removed while open
 * goes now) and the file system written back; with boot messages, whether pages leaked.
 */
static void init_exit(struct proc *p, unsigned status) __attribute__((noreturn));
static void init_exit(struct proc *p, unsigned status) {
  int code = (status & 0x7f) ? 128 + (int)(status & 0x7f) : (int)(status >> 8) & 0xff;
  bprintf("init: pid 1 exited with status %d\n", code);
  unsigned n = 0;
  for (unsigned c = 0; c < ncpus; c++) n += (user_cpus_mask[c >> 5] >> (c & 31)) & 1;
  bprintf("sched: user processes ran on %u of %u cpus\n", n, ncpus);
  drop_resources(p);
  fs_sync();
  /* the kernel stack we run on is the one page run of pid 1 still held */
  bprintf("mm: %u pages free at boot, %u at power off\n", boot_free_pages, mm_free_pages() + KSTACK_PAGES);
  hal_halt(code);
}

/*
 * The calling thread ends: its CLONE_CHILD_CLEARTID word is zeroed and woken, its resources go;
 * the last thread of a group makes the leader's status visible to the parent. A thread other
 * than the leader is reaped by the scheduler once it has switched away for good.
 */
static void thread_exit(struct proc *p) __attribute__((noreturn));
static void thread_exit(struct proc *p) {
  if (p->clear_tid && user_ok(p, p->clear_tid, 4, 1)) {
    *(volatile unsigned *)p->clear_tid = 0;
    futex_wake(p->mm, p->clear_tid, 1);
  }
  mm_release(p);
  unsigned f = spin_lock(&ptable_lock), last = live_threads(p) == 0;
  spin_unlock(&ptable_lock, f);
  if (last && p->tgid == 1) init_exit(p, leader_of(p)->wait_status);
  drop_resources(p);
  hal_irq_save();
  spin_lock(&ptable_lock);
  struct proc *leader = leader_of(p), *heir = leader != p && leader->state != P_ZOMBIE ? leader : NULL;
  for (int i = 0; i < NPROC; i++) {
    if (procs[i].parent != p) continue;
    if (heir == NULL) for (int j = 0; j < NPROC; j++) if (procs[j].pid == 1) heir = &procs[j];
    procs[i].parent = heir;
  }
  p->state = P_ZOMBIE;
  if (live_threads(p) == 0 && leader->parent) {
    unsigned st = leader->wait_status, sig = st & 0x7f;
    signal_send_locked(leader->parent, SIGCHLD, sig ? CLD_KILLED : CLD_EXITED, leader->pid, sig ? sig : (st >> 8) & 0xff);
    wakeup_locked(leader->parent);
  }
  wakeup_locked(&procs[0]);
  sched();
  panic("zombie %u ran", p->pid);
}

/* exit_group, or a fatal signal: every thread of the group leaves with this status. */
void proc_exit(struct proc *p, int code, int sig) {
  unsigned f = spin_lock(&ptable_lock);
  struct proc *leader = leader_of(p);
  if (!p->exiting) {
    leader->wait_status = sig ? (unsigned)sig : ((unsigned)code & 0xff) << 8;
    for (int i = 0; i < NPROC; i++) {
      struct proc *q = &procs[i];
      if (q->tgid != p->tgid || q->state == P_UNUSED || q->state == P_ZOMBIE) continue;
      q->exiting = 1;
      if (q != p && q->state == P_SLEEPING) make_runnable_locked(q);
    }
  }
  spin_unlock(&ptable_lock, f);
  thread_exit(p);
}

/* exit: only this thread; the group's status is the leader's own unless the group was killed. */
void thread_leave(struct proc *p, int code) {
  unsigned f = spin_lock(&ptable_lock);
  int alone = live_threads(p) == 0;
  if (!alone && p->pid == p->tgid && !p->exiting) p->wait_status = ((unsigned)code & 0xff) << 8;
  spin_unlock(&ptable_lock, f);
  if (alone) proc_exit(p, code, 0);
  thread_exit(p);
}
