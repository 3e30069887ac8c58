/* Locks, atomics, console formatting and memory helpers. */
#include "kernel.h"

/* An LL/SC read-modify-write of *p (operand %2): %0 is the old value, INSN computes the new into %1 from %0 and v (%3). */
#define LLSC(insn) "1: ll %0, %2\n   " insn "\n   sc %1, %2\n   beqz %1, 1b\n   nop\n   sync\n" \
  : "=&r"(old), "=&r"(tmp), "+m"(*p) : "r"(v) : "memory"

unsigned atomic_add(volatile unsigned *p, unsigned v) {
  unsigned old, tmp;
  __asm__ volatile(LLSC("addu %1, %0, %3"));
  return old + v;
}

unsigned atomic_or(volatile unsigned *p, unsigned v) {
  unsigned old, tmp;
  __asm__ volatile(LLSC("or %1, %0, %3"));
  return old;
}

unsigned atomic_swap(volatile unsigned *p, unsigned v) {
  unsigned old, tmp;
  __asm__ volatile(LLSC("move %1, %3"));
  return old;
}

unsigned spin_lock(spinlock_t *l) {
  unsigned flags = hal_irq_save();
  while (atomic_swap(&l->v, 1) != 0) {
    while (l->v != 0) tlb_shoot_poll();   /* the holder may be waiting for our TLB shootdown */
  }
  return flags;
}

void spin_unlock(spinlock_t *l, unsigned flags) {
  mb();
  l->v = 0;
  mb();
  hal_irq_restore(flags);
}

void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  if ((((unsigned)p | n) & 3) == 0) {
    unsigned w = (unsigned char)c * 0x01010101u;
    for (unsigned *q = d; n; n -= 4) *q++ = w;
    return d;
  }
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  if ((((unsigned)p | (unsigned)q | n) & 3) == 0) {
    unsigned *pw = d;
    const unsigned *qw = s;
    for (; n; n -= 4) *pw++ = *qw++;
    return d;
  }
  while (n--) *p++ = *q++;
  return d;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static spinlock_t console_lock;

static void put_num(unsigned v, unsigned base, int width, char pad, int neg) {
  char buf[12];
  int i = 0;
  do { buf[i++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
  if (neg) buf[i++] = '-';
  while (width-- > i) hal_console_putc(pad);
  while (i) hal_console_putc(buf[--i]);
}

/* %d %u %x %s %c %p %%, with an optional 0 flag and width. */
void kvprintf(const char *fmt, va_list ap) {
  unsigned flags = spin_lock(&console_lock);
  for (; *fmt; fmt++) {
    if (*fmt != '%') { hal_console_putc(*fmt); continue; }
    char pad = ' ';
    int width = 0;
    if (*++fmt == '0') { pad = '0'; fmt++; }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
      case 'd': { int v = va_arg(ap, int); put_num(v < 0 ? -(unsigned)v : (unsigned)v, 10, width, pad, v < 0); break; }
      case 'u': put_num(va_arg(ap, unsigned), 10, width, pad, 0); break;
      case 'x': put_num(va_arg(ap, unsigned), 16, width, pad, 0); break;
      case 'p': put_num(va_arg(ap, unsigned), 16, 8, '0', 0); break;
      case 's': { const char *s = va_arg(ap, const char *); while (*s) hal_console_putc(*s++); break; }
      case 'c': hal_console_putc((char)va_arg(ap, int)); break;
      case '%': hal_console_putc('%'); break;
      default: hal_console_putc('?'); break;
    }
  }
  spin_unlock(&console_lock, flags);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

void panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kprintf("panic (cpu %u): ", hal_cpu_id());
  kvprintf(fmt, ap);
  kprintf("\n");
  va_end(ap);
  hal_halt(255);
}
