/*
 * Block device test: reads sectors 0-7 by DMA and prints their byte sum, writes sector 1 back
 * with every byte incremented, reads it again and checks it, and halts with 0 on success.
 */
#include "bare.h"

#define DISK(off) (*(volatile unsigned int *)(0xbf002000u + (off)))
#define PHYS(p) ((unsigned)(p) & 0x1fffffffu)

static unsigned char buf[8 * 512] __attribute__((aligned(128)));

static int transfer(unsigned cmd, unsigned sector, unsigned count, void *at) {
  DISK(0x00) = sector; DISK(0x04) = PHYS(at); DISK(0x08) = count; DISK(0x0c) = cmd;
  while (!(read_cause() & (1u << 12))) { }
  unsigned status = DISK(0x10);
  DISK(0x14) = 1;
  return status == 2 ? 0 : -1;
}

int bare_main(void) {
  if (transfer(1, 0, 8, buf)) { puts_("read failed\n"); return 1; }
  unsigned sum = 0;
  for (unsigned i = 0; i < sizeof buf; i++) sum += buf[i];
  printf_("disk %u sectors, sum of sectors 0-7: %u\n", DISK(0x18), sum);
  for (unsigned i = 512; i < 1024; i++) buf[i]++;
  if (transfer(2, 1, 1, buf + 512)) { puts_("write failed\n"); return 1; }
  unsigned char want0 = buf[512];
  for (unsigned i = 0; i < 1024; i++) buf[i] = 0;
  if (transfer(1, 1, 1, buf + 512) || buf[512] != want0) { puts_("read back failed\n"); return 1; }
  int bad = transfer(1, 100000, 1, buf) == 0;   /* beyond the image: must fail */
  printf_("write-back ok, out-of-range read %s\n", bad ? "WRONGLY SUCCEEDED" : "refused");
  return bad;
}
