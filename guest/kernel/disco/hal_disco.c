/*
 * The HAL under Disco (the paper's changes to IRIX, section 5.1): the kernel runs in supervisor
 * mode in a VM; devices are monitor calls (`syscall` in supervisor mode, call in v0, arguments
 * in a0..a3, result in v0; src/disco/mcall.ts); frequently read privileged registers come from
 * the special page Disco keeps at DISCO_SPECIAL, and the interrupt-enable bit is written there
 * too, so disabling and enabling interrupts costs no trap (Disco reads the bit back on every
 * entry; enabling with an interrupt pending makes one call so it is taken at once). The CP0
 * functions common to both builds are in hal_cp0.c.
 */
#include "../kernel.h"
#include "../frame.h"

#define DISCO_SPECIAL 0xdffff000u
enum { SP_STATUS, SP_CAUSE, SP_EPC, SP_BADVADDR, SP_CONTEXT, SP_ENTRYHI, SP_INDEX, SP_VCPUS };
#define SPECIAL(i) (((volatile unsigned *)DISCO_SPECIAL)[i])

enum { MC_INFO = 1, MC_CONSOLE_WRITE, MC_DISK_SECTORS, MC_DISK_READ, MC_DISK_WRITE, MC_IPI, MC_IPI_ACK,
       MC_START, MC_HALT, MC_TLB_FLUSH, MC_SET_VECTORS, MC_IRQ, MC_FREE_PAGES, MC_ETHER_SEND, MC_ETHER_RECV,
       MC_CONSOLE_READ };

static unsigned mcall(unsigned nr, unsigned a0, unsigned a1, unsigned a2, unsigned a3) {
  register unsigned v0 __asm__("$2") = nr;
  register unsigned r4 __asm__("$4") = a0, r5 __asm__("$5") = a1, r6 __asm__("$6") = a2, r7 __asm__("$7") = a3;
  __asm__ volatile("syscall" : "+r"(v0) : "r"(r4), "r"(r5), "r"(r6), "r"(r7) : "memory");
  return v0;
}

unsigned hal_cpu_id(void) { return SPECIAL(SP_INDEX); }
unsigned hal_ncpus(void) { return SPECIAL(SP_VCPUS); }
unsigned hal_nnodes(void) { return 1; }
unsigned hal_cpus_per_node(void) { return hal_ncpus(); }
unsigned hal_node_id(void) { return 0; }
unsigned hal_mem_per_node(void) { return mcall(MC_INFO, 2, 0, 0, 0); }
unsigned hal_ram_limit(void) { return hal_mem_per_node(); }

unsigned hal_irq_save(void) {
  unsigned st = SPECIAL(SP_STATUS);
  SPECIAL(SP_STATUS) = st & ~ST_IE;
  return st & ST_IE;
}

void hal_irq_restore(unsigned state) {
  unsigned st = (SPECIAL(SP_STATUS) & ~ST_IE) | (state & ST_IE);
  SPECIAL(SP_STATUS) = st;
  if ((st & ST_IE) && (SPECIAL(SP_CAUSE) & st & 0xff00u)) mcall(MC_IRQ, 0, 0, 0, 0);
}

void hal_irq_enable(void) { hal_irq_restore(ST_IE); }

unsigned hal_pending_irqs(unsigned cause) { return (cause & SPECIAL(SP_STATUS) & 0xff00u) >> 8; }

void hal_ipi_send(unsigned cpu) { mcall(MC_IPI, cpu, 0, 0, 0); }
void hal_ipi_ack(void) { mcall(MC_IPI_ACK, 0, 0, 0, 0); }

extern char _secondary[];
void hal_cpu_start(unsigned cpu, unsigned sp, unsigned arg) { mcall(MC_START, cpu, (unsigned)_secondary, sp, arg); }

void hal_tlb_flush_user(void) { mcall(MC_TLB_FLUSH, 0, 0, 0, 0); }

/* The paper's hints: Disco takes the machine pages back and gives zero-filled ones on next touch. */
int hal_pages_freed(const unsigned *pa, unsigned n) { return mcall(MC_FREE_PAGES, pa ? hal_kva_to_phys(pa) : 0, n, 0, 0) == 0; }

int hal_fixup(struct trapframe *tf) { (void)tf; return 0; }

unsigned hal_disk_sectors(void) { return mcall(MC_DISK_SECTORS, 0, 0, 0, 0); }
int hal_disk_read(unsigned sector, unsigned pa, unsigned count) { return (int)mcall(MC_DISK_READ, sector, pa, count, 0); }
int hal_disk_write(unsigned sector, unsigned pa, unsigned count) { return (int)mcall(MC_DISK_WRITE, sector, pa, count, 0); }

/* One port on Disco's virtual subnet: destinations and sources are VM numbers. */
static unsigned rx_pa, rx_max;
int hal_ether_send(unsigned port, int dst, unsigned pa, unsigned len) { (void)port; return (int)mcall(MC_ETHER_SEND, (unsigned)dst, len, pa, 0); }
void hal_ether_arm(unsigned port, unsigned pa, unsigned max) { (void)port; rx_pa = pa; rx_max = max; }
int hal_ether_poll(unsigned port, unsigned *src) {
  (void)port;
  int r = (int)mcall(MC_ETHER_RECV, rx_pa, rx_max, 0, 0);
  if (r < 0) return -1;
  *src = (unsigned)r >> 16;
  return r & 0xffff;
}

/* Console input (the machine's goes to the first VM; the others see it ended). */
int hal_console_getc(void) { return (int)mcall(MC_CONSOLE_READ, 0, 0, 0, 0); }

void hal_console_putc(char c) {
  static char byte[NCPU_MAX];
  unsigned cpu = hal_cpu_id();
  byte[cpu] = c;
  mcall(MC_CONSOLE_WRITE, hal_kva_to_phys(&byte[cpu]), 1, 0, 0);
}

void hal_halt(int status) {
  for (;;) mcall(MC_HALT, (unsigned)status, 0, 0, 0);
}
