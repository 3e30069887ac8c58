/*
 * Ethernet smoke test: node 0's port sends a numbered frame to every other node's port; each
 * node answers with the frame's words summed and its own port number; node 0 checks each reply.
 * Runs on CPU 0 of every node (the CPU whose Ether line the port raises).
 */
#include "bare.h"

#define ETH(node, off) (*(volatile unsigned int *)(0xbf020000u + (node) * 0x100u + (off)))
#define PHYS(p) ((unsigned)(p) & 0x1fffffffu)
#define WORDS 64

static unsigned txbuf[128][WORDS] __attribute__((aligned(128)));
static unsigned rxbuf[128][WORDS] __attribute__((aligned(128)));
static volatile int ready;

static void arm(unsigned node) {
  ETH(node, 0x18) = PHYS(rxbuf[node]);
  ETH(node, 0x1c) = sizeof rxbuf[node];
  ETH(node, 0x20) = 1;
}

static unsigned receive(unsigned node) {      /* waits for a frame; returns its source port */
  while (!(read_cause() & (1u << 13))) { }
  unsigned src = ETH(node, 0x28);
  ETH(node, 0x30) = 1;                        /* ack: clears the line, disarms */
  return src;
}

static void send(unsigned node, unsigned dst, unsigned *frame, unsigned bytes) {
  ETH(node, 0x04) = PHYS(frame);
  ETH(node, 0x08) = bytes;
  ETH(node, 0x0c) = dst;
  do { ETH(node, 0x10) = 1; } while (ETH(node, 0x14) == 2);  /* busy: retry */
}

int bare_main(void) {
  unsigned me = whoami(), n = ncpus(), per = SYS(0x0c), nodes = nnodes(), node = node_id();
  if (me == 0) for (unsigned c = per; c < n; c += per) start_cpu(c, c);
  if (me % per != 0) for (;;) { }
  arm(node);
  atomic_add(&ready, 1);
  if (node != 0) {
    unsigned src = receive(node);
    unsigned sum = 0;
    for (int i = 0; i < WORDS; i++) sum += rxbuf[node][i];
    txbuf[node][0] = sum; txbuf[node][1] = node;
    send(node, src, txbuf[node], 8);
    for (;;) { }
  }
  while (ready != (int)nodes) { }
  int bad = 0;
  for (unsigned d = 1; d < nodes; d++) {
    for (int i = 0; i < WORDS; i++) txbuf[0][i] = d * 1000 + (unsigned)i;
    send(0, d, txbuf[0], sizeof txbuf[0]);
    unsigned src = receive(0);
    arm(0);
    unsigned want = d * 1000 * WORDS + WORDS * (WORDS - 1) / 2;
    if (src != d || rxbuf[0][0] != want || rxbuf[0][1] != d) bad++;
  }
  printf_("ping %u nodes: %u replies, %d bad\n", nodes, nodes - 1, bad);
  return bad;
}
