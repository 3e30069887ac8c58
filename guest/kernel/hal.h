/*
 * The hardware abstraction layer: every privileged operation of the kernel goes through these
 * functions (and head.S, the bare machine's vectors and entry code), so that a build for Disco
 * (supervisor mode, devices by monitor call) replaces only hal_bare.c and head.S.
 */
#ifndef HAL_H
#define HAL_H

/* Kernel virtual addresses: physical pa is mapped at KSEG_BASE + pa (ksseg, wired 16 MB pages). */
#define KSEG_BASE 0xC0000000u
#define KSEG_LIMIT 0x20000000u        /* bytes of physical memory the ksseg map can reach */
static inline void *hal_phys_to_kva(unsigned pa) { return (void *)(KSEG_BASE + pa); }
static inline unsigned hal_kva_to_phys(const void *va) { return (unsigned)va - KSEG_BASE; }

/* Machine shape (read once at boot). */
unsigned hal_cpu_id(void);
unsigned hal_ncpus(void);
unsigned hal_nnodes(void);
unsigned hal_cpus_per_node(void);
unsigned hal_node_id(void);                  /* node of the calling CPU */
unsigned hal_mem_per_node(void);              /* bytes */
unsigned hal_ram_limit(void);                 /* physical memory the kernel can address */

struct trapframe;

/* Interrupts: the kernel uses lines IRQ_IPI and IRQ_TIMER (Status.IM is set by hal_cpu_init). */
#define IRQ_CONSOLE 2
#define IRQ_IPI 3
#define IRQ_TIMER 7
void hal_cpu_init(unsigned cpu);              /* per-CPU CP0 set-up (IM, Context), timer off */
unsigned hal_irq_save(void);                  /* disable, returning the previous state */
void hal_irq_restore(unsigned state);
void hal_irq_enable(void);
void hal_idle(void);                          /* wait for an interrupt (interrupts enabled) */
unsigned hal_pending_irqs(unsigned cause);    /* pending & enabled lines of a trap's Cause */

/* Timer (CP0 Count/Compare on IRQ_TIMER). */
void hal_timer_start(unsigned interval);      /* first tick after `interval` counts */
void hal_timer_ack(unsigned interval);        /* schedule the next tick, lower the line */
unsigned hal_time(void);                      /* Count */

/* Inter-processor interrupts: a doorbell; payloads travel in memory. */
void hal_ipi_send(unsigned cpu);
void hal_ipi_ack(void);

/* Starting another CPU at the kernel's secondary entry with stack sp and argument arg. */
void hal_cpu_start(unsigned cpu, unsigned sp, unsigned arg);

/* TLB: 4 KB user pages tagged by ASID; the refill handler reads pgd_current[cpu]. */
#define HAL_NASID 256
void hal_set_asid(unsigned asid);
void hal_tlb_flush_user(void);                /* drop every non-wired entry */
void hal_tlb_invalidate(unsigned va, unsigned asid);
void hal_tlb_update(unsigned va, unsigned asid, unsigned lo0, unsigned lo1); /* rewrite va's pair */
extern unsigned *pgd_current[];               /* per CPU, ksseg address of the page directory */
extern unsigned kstack_top[];                 /* per CPU, kernel stack for traps from user mode */

/* PTE bits (EntryLo layout; bits 31:30 are software bits). */
#define PTE_G 0x1
#define PTE_V 0x2
#define PTE_D 0x4
#define PTE_CACHED (3u << 3)
#define PTE_PFN(pa) (((pa) >> 12) << 6)
#define PTE_PA(pte) ((((pte) & 0x3fffffc0u) >> 6) << 12)

/* The thread pointer user code reads with RDHWR $29 (CP0 UserLocal, register 4 select 2). */
void hal_set_tls(unsigned tp);
int hal_has_userlocal(void);                  /* does RDHWR $29 read what hal_set_tls wrote? */

/* User-mode entry: initial Status for a user frame; jump to a frame (never returns). */
unsigned hal_user_status(void);
struct trapframe;
void user_enter(struct trapframe *tf) __attribute__((noreturn));

/* Kernel-mode exceptions the HAL expects (a probe of an absent device): 1 if handled. */
int hal_fixup(struct trapframe *tf);

/* Block device (polled DMA to physical memory). */
unsigned hal_disk_sectors(void);              /* 512-byte sectors; 0 when no disk */
int hal_disk_read(unsigned sector, unsigned pa, unsigned count);   /* 0 or -1 */
int hal_disk_write(unsigned sector, unsigned pa, unsigned count);  /* 0 or -1 */

/* Ethernet: one port per node, frames of at most HAL_ETHER_MTU bytes by DMA (polled). */
#define HAL_ETHER_MTU 9216
int hal_ether_send(unsigned port, int dst, unsigned pa, unsigned len);  /* 0, 1 busy (retry), -1 */
void hal_ether_arm(unsigned port, unsigned pa, unsigned max);         /* the next frame lands at pa */
int hal_ether_poll(unsigned port, unsigned *src);    /* a landed frame's length (disarms), or -1 */

/* Freed pages: a monitor (Disco) takes them back in batches and returns them zero-filled. */
#define HAL_FREE_BATCH 64
int hal_pages_freed(const unsigned *pa, unsigned n);   /* 1: the monitor took them; 0: there is none */

/* Console and power. Input reaches CPU 0 only (IRQ_CONSOLE, up while input waits or has ended). */
void hal_console_putc(char c);
int hal_console_getc(void);                   /* a byte, -1 (none now) or -2 (input ended) */
void hal_irq_line(unsigned line, int on);     /* enable or mask one line on this CPU */
void hal_halt(int status) __attribute__((noreturn));

#endif
