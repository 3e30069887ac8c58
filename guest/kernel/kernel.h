/* Kernel-wide definitions: limits, per-CPU data, locks, console output, memory helpers. */
#ifndef KERNEL_H
#define KERNEL_H
#include <stdarg.h>
#include "hal.h"
#include "frame.h"

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

/* Physical pages (mm.c). */
void mm_init(unsigned kernel_end_pa);
unsigned page_alloc(unsigned node);           /* zeroed page's physical address, or 0 */
unsigned page_alloc_contig(unsigned n, unsigned node);   /* n pages, not zeroed; 0 if none */
void page_free(unsigned pa);
unsigned mm_free_pages(void);
unsigned mm_total_pages(void);

/* Traps (trap.c) and system calls (syscall.c). */
struct trapframe;
void trap(struct trapframe *tf);
void syscall(struct trapframe *tf);

/* Processes and address spaces (proc.c), scheduling (sched.c). */
enum { P_UNUSED, P_EMBRYO, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_ZOMBIE };
#define NPROC 64
#define KSTACK_PAGES 2
struct proc {
  unsigned pid;
  unsigned asid;
  volatile unsigned state;
  unsigned *pgd;                     /* ksseg address of the page directory */
  unsigned kstack;                   /* ksseg address of its kernel stack (KSTACK_PAGES) */
  unsigned ctx_sp;                   /* saved kernel sp while switched out */
  struct proc *parent;
  unsigned wait_status;              /* Linux wait status once a zombie */
  void *chan;                        /* what it sleeps on */
  unsigned last_cpu;
  unsigned brk_start, brk;           /* the heap: [brk_start, brk) */
  unsigned mmap_top;                 /* anonymous mappings grow down from here */
  unsigned tls;                      /* set_thread_area's pointer (UserLocal) */
  struct fdtable *fdt;               /* open files (file.c) */
  struct inode *cwd;                 /* working directory (fs.c) */
};
extern struct proc procs[NPROC];
extern spinlock_t ptable_lock;
extern unsigned kernel_pgd[1024];
#define USTACK_TOP 0x7ffff000u              /* user stacks: 128 KB mapped, growing to 8 MB */
#define USTACK_LIMIT (USTACK_TOP - 0x800000u)
static inline struct trapframe *proc_frame(struct proc *p) {
  return (struct trapframe *)(p->kstack + KSTACK_PAGES * PAGE_SIZE - FRAME_STACK + 16);
}
unsigned *pgd_new(void);
int vm_map(unsigned *pgd, unsigned va, unsigned pa, unsigned flags);
unsigned vm_lookup(unsigned *pgd, unsigned va); /* the PTE, or 0 */
int vm_alloc_range(struct proc *p, unsigned va, unsigned len);   /* zeroed writable pages */
void vm_free_range(struct proc *p, unsigned va, unsigned len);
void vm_free_all(unsigned *pgd);
int vm_copy(unsigned *dst, unsigned *src);
int copy_out(unsigned *pgd, unsigned va, const void *src, unsigned n);   /* any address space */
int user_ok(struct proc *p, unsigned va, unsigned len, int write);
struct proc *proc_alloc(void);               /* an EMBRYO with a pid and a kernel stack, or 0 */
void proc_activate(struct proc *p);
void start_init(const unsigned char *elf, unsigned len, int argc, const char *const *argv);
void proc_exit(struct proc *p, int code, int sig) __attribute__((noreturn));
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
struct inode *namei(struct proc *p, const char *path, int *err);  /* follows links; *err = -errno */
int readi(struct inode *ip, void *dst, unsigned off, unsigned n);  /* kernel buffer; bytes or -errno */
int inode_exec_ok(struct inode *ip);                  /* 0, or -EACCES unless a regular file with an x bit */
unsigned inode_size(struct inode *ip);
struct inode *idup(struct inode *ip);
void iput(struct inode *ip);
void files_fork(struct proc *child, struct proc *parent, int share);   /* share: CLONE_FILES */
void files_exec(struct proc *p);                      /* closes the close-on-exec descriptors */
void files_exit(struct proc *p);                      /* closes everything, drops cwd */
int sys_file(struct proc *p, struct trapframe *tf, unsigned nr, int *ret);  /* 1 if nr is a file call */

/* Signals (signal.c). */
void signal_send(struct proc *p, int sig);           /* raise sig in p (wakes it if asleep) */
int signal_pending(struct proc *p);                   /* a deliverable signal waits: sleeps end with -EINTR */

/*
 * The boot command block (`disco boot -- PROGRAM ARGS`, written by the host before CPU 0
 * starts): the last 64 KB of node 0's memory, BOOTCMD_PA = hal_mem_per_node() - BOOTCMD_BYTES.
 * Big-endian u32 magic BOOTCMD_MAGIC, argc, envc, string bytes; then argc + envc + 1
 * NUL-terminated strings: argv[0..argc-1], env[0..envc-1], and the working directory ("" = "/").
 */
#define BOOTCMD_BYTES 0x10000u
#define BOOTCMD_MAGIC 0x41524756u              /* "ARGV" */

#endif
