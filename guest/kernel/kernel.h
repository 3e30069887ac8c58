/* Kernel-wide definitions: limits, per-CPU data, locks, console output, memory helpers. */
#ifndef KERNEL_H
#define KERNEL_H
#include <stdarg.h>
#include "hal.h"
#include "frame.h"
#include "errno.h"

#define NCPU_MAX 128
#define PAGE_SIZE 4096u
#define HZ 100
#define TICK_COUNTS 1000000u        /* Count runs at half the 200 MHz clock: 10 ms */

typedef unsigned size_t;
#define NULL ((void *)0)

/* Boot flags (CPU 0's a0, `disco boot --args FLAGS,...`). */
#define BOOT_VERBOSE 1u
extern unsigned boot_flags;

/* Per-CPU data, indexed by CPU number. */
struct cpu {
  volatile unsigned online;
  volatile unsigned ticks;
  volatile unsigned ipis;
  volatile unsigned ipi_pending;     /* bit mask of IPI_* requests */
  unsigned node;
  struct proc *proc;                 /* running process, or 0 */
  unsigned sched_sp;                 /* the scheduler's saved context */
  volatile unsigned idle;
} __attribute__((aligned(64)));
extern struct cpu cpus[NCPU_MAX];
extern unsigned ncpus, nnodes;
#define IPI_PING 1u
#define IPI_RESCHED 2u
#define IPI_CONSOLE 4u                 /* CPU 0: the input ring has room again */
#define IPI_TLB 8u                     /* a TLB shootdown waits (vm.c, tlb_shoot_poll) */

/* Console input (console.c): CPU 0 drains the UART into a ring that readers on any CPU use. */
void console_rx_interrupt(void);
void console_rx_resume(void);
int console_read(struct proc *p, unsigned buf, unsigned len);

/* Spinlocks (LL/SC); spin_lock disables interrupts and returns the state to restore. */
typedef struct { volatile unsigned v; } spinlock_t;
unsigned spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l, unsigned flags);
static inline void mb(void) { __asm__ volatile("sync" ::: "memory"); }
unsigned atomic_add(volatile unsigned *p, unsigned v);   /* returns the new value */
unsigned atomic_or(volatile unsigned *p, unsigned v);    /* returns the old value */
unsigned atomic_swap(volatile unsigned *p, unsigned v);  /* returns the old value */

/* Console. kprintf writes always; bprintf only when the boot flags ask for boot messages. */
void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);
#define bprintf(...) do { if (boot_flags & BOOT_VERBOSE) kprintf(__VA_ARGS__); } while (0)
void panic(const char *fmt, ...) __attribute__((noreturn));

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
const char *strerror(int err);                /* main.c: the message of an errno */

/* Physical pages (mm.c). */
void mm_init(unsigned kernel_end_pa);
unsigned page_alloc(unsigned node);           /* zeroed page's physical address, or 0 */
unsigned page_alloc_contig(unsigned n, unsigned node);   /* n pages, not zeroed; 0 if none */
void page_free(unsigned pa);
void page_share(unsigned pa);                 /* one more mapping of a user page (COW, MAP_SHARED) */
void page_unref(unsigned pa);                 /* drops a mapping; frees the page with the last */
int page_shared(unsigned pa);                 /* mapped more than once */
unsigned mm_free_pages(void);
unsigned mm_total_pages(void);
extern unsigned boot_free_pages;              /* just before init starts (main.c); leak report at power off */

/* Traps (trap.c) and system calls (syscall.c). */
struct trapframe;
void trap(struct trapframe *tf);
void syscall(struct trapframe *tf);

/* Processes and address spaces (proc.c), scheduling (sched.c). */
enum { P_UNUSED, P_EMBRYO, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_ZOMBIE };
#define NPROC 64
#define KSTACK_PAGES 2
struct proc {
  unsigned pid;                      /* the thread id (gettid) */
  unsigned tgid;                     /* the thread group (getpid): its leader's pid */
  volatile unsigned state;
  struct mm *mm;                     /* address space, shared by CLONE_VM threads (vm.c) */
  unsigned kstack;                   /* ksseg address of its kernel stack (KSTACK_PAGES) */
  unsigned ctx_sp;                   /* saved kernel sp while switched out */
  unsigned user_fault;               /* this system call touched a page unmapped under it: EFAULT */
  unsigned pgid, sid;                /* process group and session (the same in every thread) */
  struct proc *parent;
  unsigned wait_status;              /* Linux wait status once a zombie */
  void *chan;                        /* what it sleeps on */
  struct proc *rq_next;              /* RUNNABLE: next in its CPU's run queue (sched.c) */
  unsigned last_cpu;
  unsigned clear_tid;                /* CLONE_CHILD_CLEARTID, set_tid_address: zeroed, futex-woken at exit */
  struct proc *vfork_parent;         /* CLONE_VFORK: sleeps until mm_release */
  volatile unsigned exiting;         /* the thread group exits: the thread leaves at the next chance */
  unsigned futex_key[2];             /* the futex slept on: (mm, va) or (0, pa); futex.c */
  unsigned futex_bits;               /* FUTEX_WAIT_BITSET's mask; 0: not queued */
  unsigned long long fpr[16];        /* FPU registers while switched out (o32 FR=0: 16 even pairs) */
  unsigned fcsr;
  unsigned tls;                      /* set_thread_area's pointer (UserLocal) */
  struct fdtable *fdt;               /* open files (file.c) */
  struct fsinfo *fs;                 /* working directory and umask, shared by CLONE_FS (file.c) */
  struct sighand *sighand;           /* signal actions, shared by CLONE_SIGHAND threads (signal.c) */
  unsigned sig_pending[4], sig_blocked[4];   /* MIPS signals 1..128, bit sig-1 */
  unsigned sig_saved[4], sig_restore;        /* rt_sigsuspend's mask, restored after the handler */
  struct { int code; unsigned val, status; } sig_info[32];   /* siginfo of pending signals 1..32 */
  unsigned altstack_sp, altstack_size;       /* sigaltstack; size 0: none */
  unsigned alarm_at, alarm_interval;         /* ITIMER_REAL in CPU 0 ticks; alarm_at 0: off */
};
extern struct proc procs[NPROC];
extern spinlock_t ptable_lock;
extern unsigned kernel_pgd[1024];
#define USTACK_TOP 0x7ffff000u              /* user stacks: 128 KB mapped, growing to 8 MB */
#define USTACK_LIMIT (USTACK_TOP - 0x800000u)
static inline struct trapframe *proc_frame(struct proc *p) {
  return (struct trapframe *)(p->kstack + KSTACK_PAGES * PAGE_SIZE - FRAME_STACK + 16);
}
/*
 * Address spaces (vm.c): reference counted, shared by CLONE_VM threads. Per CPU an ASID with a
 * generation (README.md, "Memory"); cpus: the CPUs that may cache its translations.
 */
#define PTE_COW 0x80000000u          /* present: writable after a private copy */
#define PTE_SHARED 0x40000000u       /* MAP_SHARED: fork shares the page */
#define PTE_LAZY 0x20000000u         /* not present (V clear) but mapped: D = may be written */
#define PTE_NOACC 0x10000000u        /* with PTE_LAZY: PROT_NONE (PFN: the hidden page, or 0) */
struct mm {
  volatile unsigned refs;
  unsigned *pgd;                     /* ksseg address of the page directory */
  unsigned brk_start, brk;           /* the heap: [brk_start, brk) */
  unsigned mmap_top;                 /* anonymous mappings grow down from here */
  spinlock_t lock;                   /* its page tables */
  volatile unsigned cpus[NCPU_MAX / 32];
  unsigned asid[NCPU_MAX];           /* per CPU: generation << 8 | ASID, 0: none */
};
void mm_exec(struct proc *p, unsigned *pgd, unsigned brk);   /* p's new image: a fresh mm */
struct mm *mm_fork(struct mm *src);          /* a copy-on-write copy, or 0 */
void mm_put(struct mm *mm);                  /* drops a reference; the last frees it */
void mm_release(struct proc *p);             /* exec or exit: wakes a CLONE_VFORK parent */
void mm_activate(struct mm *mm);             /* this CPU runs mm (0: none); interrupts off */
void tlb_shootdown(struct mm *mm, unsigned va, unsigned len);  /* drop [va, va+len) on every CPU */
void tlb_shoot_poll(void);                   /* answers pending shootdowns (interrupts off) */
int vm_fault(struct mm *mm, unsigned va, int write);           /* demand zero, COW; 0 or -1 */
/* mmap's protections and flags (Linux MIPS). */
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x800
int vm_mmap(struct proc *p, unsigned addr, unsigned len, unsigned prot, unsigned flags);
int vm_mprotect(struct proc *p, unsigned va, unsigned len, unsigned prot);
int vm_mremap(struct proc *p, unsigned old, unsigned oldlen, unsigned newlen, unsigned flags);
int vm_madvise(struct proc *p, unsigned va, unsigned len, unsigned advice);
int sys_futex(struct proc *p, unsigned uaddr, unsigned op, unsigned val, unsigned ts, unsigned uaddr2, unsigned val3, int wide);
int futex_wake(struct mm *mm, unsigned uaddr, unsigned n);
unsigned long long clock_ns(unsigned id);    /* syscall.c: CLOCK_REALTIME (0) or monotonic */
unsigned *pgd_new(void);
int vm_map(unsigned *pgd, unsigned va, unsigned pa, unsigned flags);
unsigned vm_lookup(unsigned *pgd, unsigned va); /* the PTE, or 0 */
int vm_alloc_range(struct proc *p, unsigned va, unsigned len);   /* zeroed writable pages, on first touch */
void vm_free_range(struct proc *p, unsigned va, unsigned len);
void vm_free_all(unsigned *pgd);
int copy_out(unsigned *pgd, unsigned va, const void *src, unsigned n);   /* any address space */
int user_ok(struct proc *p, unsigned va, unsigned len, int write);
int user_fault_scratch(struct proc *p, unsigned va);            /* vm.c: a raced-away user page */
void user_fault_end(void);
struct proc *proc_alloc(void);               /* an EMBRYO with a pid and a kernel stack, or 0 */
int proc_getpgid(struct proc *p, int pid, int session);   /* getpgid, getsid */
int proc_setpgid(struct proc *p, int pid, int pgid);
int proc_setsid(struct proc *p);
void proc_activate(struct proc *p);
/* exec.c: pid 1 runs path (NULL: the built-in init) in working directory cwd; 0 or -errno. */
int start_init(const char *path, const char *const *argv, unsigned argc, const char *const *envp, unsigned envc, const char *cwd);
int sys_execve(struct proc *p, unsigned path, unsigned argv, unsigned envp);
void proc_exit(struct proc *p, int code, int sig) __attribute__((noreturn));   /* the whole thread group */
void thread_leave(struct proc *p, int code) __attribute__((noreturn));        /* exit: this thread only */
void fpu_save(unsigned long long *fpr, unsigned *fcsr);     /* switch.S */
void fpu_restore(const unsigned long long *fpr, unsigned fcsr);
extern unsigned empty_pte[1024];

void scheduler(void) __attribute__((noreturn));
void sched(void);                            /* ptable_lock held, state already changed */
void yield(void);
void sleep_on(void *chan);                   /* ptable_lock held */
void wakeup_locked(void *chan);              /* ptable_lock held */
void make_runnable_locked(struct proc *p);
int sys_fork(struct trapframe *tf, unsigned flags, unsigned newsp, unsigned ptid, unsigned tls, unsigned ctid);
int sys_wait4(struct proc *p, int pid, unsigned status, unsigned options);
extern volatile unsigned user_cpus_mask[4];  /* CPUs that ran user code */

/*
 * The file system (fs.c, docs/fs.md) and open files (file.c). The root file system is on the
 * block device; inodes are reference counted (namei and idup take a reference, iput drops it).
 */
struct inode;
struct fdtable;
void fs_init(void);                                   /* mounts the disk, if any, as / */
void fs_sync(void);                                   /* writes every dirty block to the disk */
struct inode *namei(struct proc *p, const char *path, int *err);  /* follows links; *err = -errno */
int readi(struct inode *ip, void *dst, unsigned off, unsigned n);  /* kernel buffer; bytes or -errno */
int inode_exec_ok(struct inode *ip);                  /* 0, or -EACCES unless a regular file with an x bit */
unsigned inode_size(struct inode *ip);
struct inode *idup(struct inode *ip);
void iput(struct inode *ip);
/* What CLONE_FS shares: the working directory (referenced) and the umask. */
struct fsinfo { unsigned ref; struct inode *cwd; unsigned umask; };
struct fsinfo *fs_of(struct proc *p);         /* p's, made (umask 022, no cwd) on first use */
void files_fork(struct proc *child, struct proc *parent, int share_files, int share_fs);   /* CLONE_FILES, CLONE_FS */
void files_exec(struct proc *p);                      /* closes the close-on-exec descriptors */
void files_exit(struct proc *p);                      /* closes everything, drops cwd */
int sys_file(struct proc *p, struct trapframe *tf, unsigned nr, int *ret);  /* 1 if nr is a file call */
int file_mmap(struct proc *p, unsigned addr, unsigned len, unsigned prot, unsigned flags, int fd, unsigned pgoff);

/* Signals (signal.c). */
void signal_send(struct proc *p, int sig);           /* raise sig in p (wakes it if asleep) */
int signal_pending(struct proc *p);                   /* a deliverable signal waits: sleeps end with -EINTR */
void signal_send_locked(struct proc *p, int sig, int code, unsigned val, unsigned status);  /* ptable_lock held */
#define SIGCHLD 18
#define CLD_EXITED 1
#define CLD_KILLED 2
#define SIGCODE_VA USTACK_TOP                         /* exec maps the sigreturn trampolines here */
#define ERESTARTSYS 512                               /* -ERESTARTSYS: restarted under SA_RESTART, else EINTR */
int signal_fork(struct proc *child, struct proc *parent, int share);  /* share: CLONE_SIGHAND; 0 or -ENOMEM */
void signal_exec(struct proc *p);                     /* caught signals back to default */
void signal_exit(struct proc *p);
void signal_fault(struct trapframe *tf);             /* a fault in user mode: caught, or fatal */
void signal_deliver(struct trapframe *tf);            /* on the way back to user mode */
void signal_return(struct trapframe *tf, int rt);     /* sigreturn, rt_sigreturn */
void signal_alarms_locked(unsigned now);              /* CPU 0's tick, ptable_lock held */
int sys_signal(struct proc *p, struct trapframe *tf, unsigned nr, int *ret);  /* 1 if nr is a signal call */

/*
 * The boot command block (`disco boot -- PROGRAM ARGS`, written by the host before CPU 0
 * starts): the last 64 KB of node 0's memory, BOOTCMD_PA = hal_mem_per_node() - BOOTCMD_BYTES.
 * Big-endian u32 magic BOOTCMD_MAGIC, argc, envc, string bytes; then argc + envc + 1
 * NUL-terminated strings: argv[0..argc-1], env[0..envc-1], and the working directory ("" = "/").
 */
#define BOOTCMD_BYTES 0x10000u
#define BOOTCMD_MAGIC 0x41524756u              /* "ARGV" */

#endif
