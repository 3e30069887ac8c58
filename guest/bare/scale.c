/*
 * Scaling workload (bench/scaling.mjs): every CPU runs `units` rounds of integer work over its
 * own 4 KB array (little sharing, a low miss rate once warm). a0 = units per CPU. CPU 0 waits
 * for all, prints the combined checksum and powers off.
 */
#include "bare.h"

#define MAXCPU 128
#define WORDS 1024

static unsigned data[MAXCPU][WORDS] __attribute__((aligned(128)));
static volatile unsigned results[MAXCPU * 32] __attribute__((aligned(128)));
static volatile int done;
static volatile unsigned units_all;
static volatile int go;

static unsigned work(unsigned me, unsigned units) {
  unsigned *a = data[me], sum = me;
  for (unsigned i = 0; i < WORDS; i++) a[i] = i * 2654435761u + me;
  for (unsigned r = 0; r < units; r++) {
    for (unsigned i = 0; i < WORDS; i++) {
      unsigned v = a[i] * 1103515245u + r;
      a[i] = v;
      sum += (v >> 7) ^ (sum << 3);
    }
  }
  return sum;
}

int bare_main(unsigned units) {
  unsigned me = whoami(), n = ncpus();
  if (me == 0) {
    units_all = units;
    sync();
    go = 1;
    for (unsigned c = 1; c < n; c++) start_cpu(c, c);
  } else {
    while (!go) { }
    units = units_all;
  }
  results[me * 32] = work(me, units);
  atomic_add(&done, 1);
  if (me != 0) for (;;) { }
  while (done != (int)n) { }
  unsigned total = 0;
  for (unsigned c = 0; c < n; c++) total ^= results[c * 32];
  printf_("scale cpus %u units %u checksum %x\n", n, units, total);
  return 0;
}
