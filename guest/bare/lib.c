/* Console output and CPU start-up for bare-metal programs. */
#include <stdarg.h>
#include "bare.h"

extern void _start(void);

#define STACK_BYTES 16384
static char stacks[128][STACK_BYTES] __attribute__((aligned(16)));

void start_cpu(unsigned cpu, unsigned arg) {
  SYS(0x18) = (unsigned)_start;
  SYS(0x1c) = (unsigned)&stacks[cpu][STACK_BYTES - 32];
  SYS(0x20) = arg;
  SYS(0x24) = cpu;
}

void putch(char c) { UART_TX = (unsigned char)c; }

void puts_(const char *s) { while (*s) putch(*s++); }

void put_uint(unsigned v) {
  char buf[12];
  int i = 0;
  do { buf[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) putch(buf[--i]);
}

void put_hex(unsigned v) {
  for (int i = 28; i >= 0; i -= 4) putch("0123456789abcdef"[(v >> i) & 15]);
}

/* %u, %d, %x, %s, %c and %% only. */
void printf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') { putch(*fmt); continue; }
    switch (*++fmt) {
      case 'u': put_uint(va_arg(ap, unsigned)); break;
      case 'd': { int v = va_arg(ap, int); if (v < 0) { putch('-'); v = -v; } put_uint((unsigned)v); break; }
      case 'x': put_hex(va_arg(ap, unsigned)); break;
      case 's': puts_(va_arg(ap, const char *)); break;
      case 'c': putch((char)va_arg(ap, int)); break;
      case '%': putch('%'); break;
      default: putch('?');
    }
  }
  va_end(ap);
}
