/* The HAL on the bare FLASH machine: CP0, the system device (kseg1) and the console UART. */
#include "kernel.h"
#include "frame.h"

#define SYS(off) (*(volatile unsigned *)(0xbf000000u + (off)))
#define UART(off) (*(volatile unsigned *)(0xbf001000u + (off)))

#define MFC0(reg) ({ unsigned _v; __asm__ volatile("mfc0 %0, $" #reg : "=r"(_v)); _v; })
#define MTC0(reg, v) __asm__ volatile("mtc0 %0, $" #reg :: "r"(v) : "memory")

unsigned *pgd_current[NCPU_MAX];
unsigned kstack_top[NCPU_MAX];

unsigned hal_cpu_id(void) { return MFC0(4) >> CONTEXT_CPU_SHIFT; }
unsigned hal_ncpus(void) { return SYS(0x04); }
unsigned hal_nnodes(void) { return SYS(0x08); }
unsigned hal_cpus_per_node(void) { return SYS(0x0c); }
unsigned hal_mem_per_node(void) { return SYS(0x14); }
unsigned hal_node_id(void) { return SYS(0x10); }

unsigned hal_ram_limit(void) {
  unsigned long long total = (unsigned long long)hal_nnodes() * hal_mem_per_node();
  return total > 0x1f000000u ? 0x1f000000u : (unsigned)total; /* the I/O window hides the rest */
}

void hal_cpu_init(unsigned cpu) {
  MTC0(4, cpu << CONTEXT_CPU_SHIFT);
  unsigned st = MFC0(12);
  st &= ~(0xff00u | ST_IE | ST_EXL | ST_KSU);
  st |= ST_IM(IRQ_IPI) | ST_IM(IRQ_TIMER) | (cpu == 0 ? ST_IM(IRQ_CONSOLE) : 0);
  MTC0(12, st);
}

unsigned hal_irq_save(void) {
  unsigned st = MFC0(12);
  MTC0(12, st & ~ST_IE);
  return st & ST_IE;
}

void hal_irq_restore(unsigned state) {
  unsigned st = MFC0(12);
  MTC0(12, (st & ~ST_IE) | (state & ST_IE));
}

void hal_irq_enable(void) { MTC0(12, MFC0(12) | ST_IE); }

void hal_idle(void) {
  hal_irq_enable();
  __asm__ volatile(".word 0x42000020" ::: "memory"); /* WAIT */
}

unsigned hal_pending_irqs(unsigned cause) {
  return (cause & MFC0(12) & 0xff00u) >> 8;
}

void hal_timer_start(unsigned interval) { MTC0(11, MFC0(9) + interval); }

void hal_timer_ack(unsigned interval) {
  unsigned next = MFC0(11) + interval;
  if ((int)(next - MFC0(9)) <= 0) next = MFC0(9) + interval; /* ticks were missed */
  MTC0(11, next);
}

unsigned hal_time(void) { return MFC0(9); }

void hal_ipi_send(unsigned cpu) { SYS(0x2c) = 0; SYS(0x28) = cpu; }
void hal_ipi_ack(void) { SYS(0x30) = 0; }

extern char _secondary[];
void hal_cpu_start(unsigned cpu, unsigned sp, unsigned arg) {
  SYS(0x18) = (unsigned)_secondary - KSEG_BASE + 0x80000000u; /* its kseg0 alias: unmapped */
  SYS(0x1c) = sp;
  SYS(0x20) = arg;
  SYS(0x24) = cpu;
}

void hal_set_asid(unsigned asid) { MTC0(10, asid & 0xff); }

void hal_tlb_flush_user(void) {
  unsigned flags = hal_irq_save(), hi = MFC0(10), wired = MFC0(6);
  MTC0(2, 0); MTC0(3, 0); MTC0(5, 0);
  for (unsigned i = wired; i < 64; i++) {
    MTC0(0, i);
    MTC0(10, 0x80000000u + i * 0x2000u); /* kseg0 VPN2s are never looked up */
    __asm__ volatile("tlbwi" ::: "memory");
  }
  MTC0(10, hi);
  hal_irq_restore(flags);
}

void hal_tlb_invalidate(unsigned va, unsigned asid) {
  unsigned flags = hal_irq_save(), hi = MFC0(10);
  MTC0(10, (va & ~0x1fffu) | (asid & 0xff));
  __asm__ volatile("tlbp" ::: "memory");
  int idx = (int)MFC0(0);
  if (idx >= 0) {
    MTC0(2, 0); MTC0(3, 0); MTC0(5, 0);
    MTC0(10, 0x80000000u + (unsigned)idx * 0x2000u);
    __asm__ volatile("tlbwi" ::: "memory");
  }
  MTC0(10, hi);
  hal_irq_restore(flags);
}

void hal_set_tls(unsigned tp) {
  __asm__ volatile(".set push\n.set mips32r2\nmtc0 %0, $4, 2\n.set pop" :: "r"(tp) : "memory");
}

int hal_has_userlocal(void) {
  unsigned v;
  hal_set_tls(0x5a5a1234u);
  __asm__ volatile(".set push\n.set mips32r2\nmfc0 %0, $4, 2\n.set pop" : "=r"(v));
  hal_set_tls(0);
  return v == 0x5a5a1234u;
}

void hal_tlb_update(unsigned va, unsigned asid, unsigned lo0, unsigned lo1) {
  unsigned flags = hal_irq_save(), hi = MFC0(10);
  MTC0(10, (va & ~0x1fffu) | (asid & 0xff));
  __asm__ volatile("tlbp" ::: "memory");
  int idx = (int)MFC0(0);
  MTC0(2, lo0); MTC0(3, lo1); MTC0(5, 0);
  if (idx >= 0) __asm__ volatile("tlbwi" ::: "memory");
  else __asm__ volatile("tlbwr" ::: "memory");
  MTC0(10, hi);
  hal_irq_restore(flags);
}

unsigned hal_user_status(void) {
  return (MFC0(12) & 0xff00u) | ST_CU1 | ST_USER | ST_IE | ST_EXL;
}

extern int probe_read(unsigned addr, unsigned *out);
extern char probe_load[], probe_fail[];

int hal_fixup(struct trapframe *tf) {
  unsigned code = CAUSE_EXC(tf->cause);
  if ((code == 7 || code == 6) && tf->epc == (unsigned)probe_load) { tf->epc = (unsigned)probe_fail; return 1; }
  return 0;
}

#define DISK(off) (*(volatile unsigned *)(0xbf002000u + (off)))
unsigned hal_disk_sectors(void) {
  unsigned n;
  return probe_read(0xbf002018u, &n) == 0 ? n : 0;   /* no disk: the read is a bus error */
}

int hal_disk_read(unsigned sector, unsigned pa, unsigned count) {
  DISK(0x00) = sector;
  DISK(0x04) = pa;
  DISK(0x08) = count;
  DISK(0x0c) = 1;
  unsigned st;
  while ((st = DISK(0x10)) != 2 && st != 3) { }
  DISK(0x14) = 0;
  return st == 2 ? 0 : -1;
}

int hal_console_getc(void) {
  unsigned st = UART(0x08);
  if (st & 1) return (int)(UART(0x04) & 0xff);
  return (st & 4) ? -2 : -1;
}

void hal_irq_line(unsigned line, int on) {
  unsigned st = MFC0(12);
  MTC0(12, on ? st | ST_IM(line) : st & ~ST_IM(line));
}

void hal_console_putc(char c) {
  while ((UART(0x08) & 2) == 0) { }
  UART(0x00) = (unsigned char)c;
}

void hal_halt(int status) {
  SYS(0x34) = (unsigned)status;
  for (;;) { }
}
