/* Console input test: echoes the UART's input upper-cased until the end of input, then reports the byte count. */
#include "bare.h"

#define UART(off) (*(volatile int *)(0xbf001000u + (off)))

int bare_main(void) {
  unsigned count = 0;
  for (;;) {
    while (!(read_cause() & (1u << 10))) { }     /* IP2: input waiting, or the end of input */
    int status = UART(0x08);
    if (status & 1) {
      int c = UART(0x04);
      count++;
      putch((char)(c >= 'a' && c <= 'z' ? c - 32 : c));
    } else if (status & 4) break;
  }
  printf_("%u bytes\n", count);
  return 0;
}
