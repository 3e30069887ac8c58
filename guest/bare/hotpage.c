/*
 * Hot-page interrupt test: CPU 0 lowers the threshold to 16 in its node controller and starts
 * CPU 1 (on node 1), which reads every line of a page homed on node 0. At the 16th miss from
 * node 1 the home controller raises IP6 on CPU 0, which reads the page and node, acknowledges,
 * and prints them with the page it expected.
 */
#include "bare.h"

#define NODECTL(node, off) (*(volatile unsigned int *)(0xbf010000u + (node) * 0x100u + (off)))

static volatile unsigned page[1024] __attribute__((aligned(4096)));
static volatile unsigned sink;

int bare_main(void) {
  if (whoami() != 0) {
    for (;;) for (unsigned i = 0; i < 1024; i += 32) sink += page[i];
  }
  NODECTL(0, 0x10) = 16;
  start_cpu(1, 1);
  while (!(read_cause() & (1u << 14))) { }
  unsigned hot = NODECTL(0, 0x00), from = NODECTL(0, 0x04);
  NODECTL(0, 0x08) = 1;
  unsigned want = ((unsigned)page & 0x1fffffffu) >> 12;
  printf_("hot page %u from node %u (expected page %u from node 1), line %s after ack\n", hot, from, want,
          (read_cause() & (1u << 14)) ? "still up" : "down");
  return !(hot == want && from == 1);
}
