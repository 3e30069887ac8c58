/* Bare-metal support for programs on the emulated FLASH machine (registers: src/shared/physmap.ts). */
#ifndef BARE_H
#define BARE_H

#define SYS(off) (*(volatile unsigned int *)(0xbf000000u + (off)))
#define UART_TX (*(volatile unsigned int *)0xbf001000u)

static inline unsigned whoami(void) { return SYS(0x00); }
static inline unsigned ncpus(void) { return SYS(0x04); }
static inline unsigned nnodes(void) { return SYS(0x08); }
static inline unsigned node_id(void) { return SYS(0x10); }
static inline void halt(int status) { SYS(0x34) = (unsigned)status; }
static inline void send_ipi(unsigned cpu, unsigned data) { SYS(0x2c) = data; SYS(0x28) = cpu; }
static inline unsigned ipi_data(void) { return SYS(0x2c); }
static inline void ipi_clear(void) { SYS(0x30) = 0; }

static inline unsigned read_cause(void) { unsigned v; __asm__ volatile("mfc0 %0, $13" : "=r"(v)); return v; }
static inline int ipi_pending(void) { return (read_cause() & (1u << 11)) != 0; }

/* Atomic add with LL/SC; returns the new value. */
static inline int atomic_add(volatile int *p, int v) {
  int old, tmp;
  __asm__ volatile(
    "1: ll %0, %2\n"
    "   addu %1, %0, %3\n"
    "   sc %1, %2\n"
    "   beqz %1, 1b\n"
    "   nop\n"
    : "=&r"(old), "=&r"(tmp), "+m"(*p) : "r"(v) : "memory");
  return old + v;
}

static inline void sync(void) { __asm__ volatile("sync" ::: "memory"); }

void start_cpu(unsigned cpu, unsigned arg);
void putch(char c);
void puts_(const char *s);
void put_uint(unsigned v);
void put_hex(unsigned v);
void printf_(const char *fmt, ...);

#endif
