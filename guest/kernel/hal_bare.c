/*
 * The HAL on the bare FLASH machine: its devices (the system device, console UART, disk and
 * Ethernet, in kseg1), interrupt masking in Status, and the TLB flush. The CP0 functions both
 * builds share are in hal_cp0.c; the Disco build has disco/hal_disco.c instead of this file.
 */
#include "kernel.h"
#include "frame.h"

#define SYS(off) (*(volatile unsigned *)(0xbf000000u + (off)))
#define UART(off) (*(volatile unsigned *)(0xbf001000u + (off)))

#include "cp0.h"

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

unsigned hal_pending_irqs(unsigned cause) {
  return (cause & MFC0(12) & 0xff00u) >> 8;
}

void hal_ipi_send(unsigned cpu) { SYS(0x2c) = 0; SYS(0x28) = cpu; }
void hal_ipi_ack(void) { SYS(0x30) = 0; }

extern char _secondary[];
void hal_cpu_start(unsigned cpu, unsigned sp, unsigned arg) {
  SYS(0x18) = (unsigned)_secondary - KSEG_BASE + 0x80000000u; /* its kseg0 alias: unmapped */
  SYS(0x1c) = sp;
  SYS(0x20) = arg;
  SYS(0x24) = cpu;
}

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

static int disk_transfer(unsigned cmd, unsigned sector, unsigned pa, unsigned count) {
  DISK(0x00) = sector;
  DISK(0x04) = pa;
  DISK(0x08) = count;
  DISK(0x0c) = cmd;                                   /* 1 read, 2 write */
  unsigned st;
  while ((st = DISK(0x10)) != 2 && st != 3) { }
  DISK(0x14) = 0;
  return st == 2 ? 0 : -1;
}
int hal_disk_read(unsigned sector, unsigned pa, unsigned count) { return disk_transfer(1, sector, pa, count); }
int hal_disk_write(unsigned sector, unsigned pa, unsigned count) { return disk_transfer(2, sector, pa, count); }

/* Ethernet port registers (docs/machine.md); the Ether line (IP5) stays masked: we poll RxStatus. */
#define ETH(port, off) (*(volatile unsigned *)(0xbf020000u + (port) * 0x100u + (off)))
int hal_ether_send(unsigned port, int dst, unsigned pa, unsigned len) {
  ETH(port, 0x04) = pa;
  ETH(port, 0x08) = len;
  ETH(port, 0x0c) = (unsigned)dst;
  ETH(port, 0x10) = 1;
  unsigned st = ETH(port, 0x14);
  return st == 1 ? 0 : st == 2 ? 1 : -1;
}
void hal_ether_arm(unsigned port, unsigned pa, unsigned max) {
  ETH(port, 0x18) = pa;
  ETH(port, 0x1c) = max;
  ETH(port, 0x20) = 1;
}
int hal_ether_poll(unsigned port, unsigned *src) {
  if (ETH(port, 0x2c) != 1) return -1;
  int len = (int)ETH(port, 0x24);
  *src = ETH(port, 0x28);
  ETH(port, 0x30) = 1;                                /* ack: lowers the line, disarms */
  return len;
}

/* No monitor on the bare machine: freed pages stay with the kernel. */
int hal_pages_freed(const unsigned *pa, unsigned n) { (void)pa; (void)n; return 0; }

int hal_console_getc(void) {
  unsigned st = UART(0x08);
  if (st & 1) return (int)(UART(0x04) & 0xff);
  return (st & 4) ? -2 : -1;
}

void hal_console_putc(char c) {
  while ((UART(0x08) & 2) == 0) { }
  UART(0x00) = (unsigned char)c;
}

void hal_halt(int status) {
  SYS(0x34) = (unsigned)status;
  for (;;) { }
}
