/*
 * Coherence stress patterns on every CPU (disco stress). CPU 0 is booted with a0 = pattern,
 * a1 = operations per CPU, a2 = seed; it starts the others, all run the pattern, and CPU 0
 * checks the exact final values, prints one line and powers off with the number of errors.
 *
 * Patterns: 0 counter (LL/SC increments), 1 spinlock (plain increments under an LL/SC lock),
 * 2 false-sharing (own word of a shared line), 3 migratory (a record passed CPU to CPU),
 * 4 prodcons (producer/consumer pairs through a ring), 5 random (gem5-style: bytes stored by
 * their owners, read back and checked by random CPUs), 6 peterson (with SYNC between the flag
 * store and the other flag's load), 7 peterson-nosync (correct only on a sequentially
 * consistent machine).
 */
#include "bare.h"

#define MAXCPU 128
#define LINE 128

static const char *const names[] = { "counter", "spinlock", "false-sharing", "migratory", "prodcons", "random", "peterson", "peterson-nosync" };

static volatile unsigned params[3];
static volatile int started;
static volatile int errors;

/* Sense-reversing barrier on LL/SC. */
static volatile int bar_count, bar_sense;
static int local_sense[MAXCPU];

static void barrier(unsigned me, unsigned n) {
  int s = !local_sense[me];
  local_sense[me] = s;
  if (atomic_add(&bar_count, 1) == (int)n) { bar_count = 0; sync(); bar_sense = s; }
  else while (bar_sense != s) { }
}

static unsigned xorshift(unsigned *x) {
  unsigned v = *x;
  v ^= v << 13; v ^= v >> 17; v ^= v << 5;
  return *x = v;
}

static unsigned hash3(unsigned a, unsigned b, unsigned c) {
  unsigned h = a * 0x9e3779b1u ^ b * 0x85ebca77u ^ c * 0xc2b2ae3du;
  h ^= h >> 15; h *= 0x2c1b3c6du; h ^= h >> 12;
  return h;
}

static void lock(volatile int *l) {
  int old, tmp;
  for (;;) {
    while (*l != 0) { }
    __asm__ volatile("ll %0, %2\n li %1, 1\n bnez %0, 1f\n nop\n sc %1, %2\n 1:\n"
                     : "=&r"(old), "=&r"(tmp), "+m"(*l) : : "memory");
    if (old == 0 && tmp == 1) return;
  }
}

static void unlock(volatile int *l) { sync(); *l = 0; }

/* --- shared data of the patterns --- */
static volatile int counter;
static volatile int lk __attribute__((aligned(LINE)));
static volatile int plain, plain2;
static volatile int words[MAXCPU] __attribute__((aligned(LINE)));
static volatile struct { int token, a, b, c; } mig __attribute__((aligned(LINE)));

#define RING 64
static volatile struct pc { int head __attribute__((aligned(LINE))); int tail __attribute__((aligned(LINE))); int data[RING]; int sum; int bad; } rings[MAXCPU / 2];

#define REGION 16384
static volatile unsigned char region[REGION] __attribute__((aligned(LINE)));
static volatile unsigned short last_epoch[REGION];

static volatile struct pet { int flag[2]; int turn; int count; } pets[MAXCPU / 2] __attribute__((aligned(LINE)));

static unsigned producer_value(unsigned pair, unsigned i) { return hash3(pair, i, 77); }

static int run(unsigned pattern, unsigned me, unsigned n, unsigned ops, unsigned seed) {
  unsigned rng = seed ^ (me * 0x9e3779b9u) ^ 0x1234567u;
  int bad = 0;
  switch (pattern) {
  case 0:
    for (unsigned i = 0; i < ops; i++) atomic_add(&counter, 1);
    break;
  case 1:
    for (unsigned i = 0; i < ops; i++) { lock(&lk); plain = plain + 1; plain2 = plain2 + (int)me; unlock(&lk); }
    break;
  case 2:
    for (unsigned i = 0; i < ops; i++) words[me] = words[me] + 1;
    break;
  case 3:
    for (unsigned i = 0; i < ops; i++) {
      while ((unsigned)mig.token % n != me) { }
      mig.a = mig.a + (int)me; mig.b = mig.b ^ mig.a; mig.c = mig.c + 1;
      sync();
      mig.token = mig.token + 1;
    }
    break;
  case 4: {
    unsigned pair = me / 2;
    volatile struct pc *r = &rings[pair];
    if (pair * 2 + 1 >= n) break; /* odd CPU out */
    if ((me & 1) == 0) {
      for (unsigned i = 0; i < ops; i++) {
        while (r->tail - r->head >= RING) { }
        r->data[(unsigned)r->tail % RING] = (int)producer_value(pair, i);
        sync();
        r->tail = r->tail + 1;
      }
    } else {
      for (unsigned i = 0; i < ops; i++) {
        while (r->head == r->tail) { }
        int v = r->data[(unsigned)r->head % RING];
        if ((unsigned)v != producer_value(pair, i)) r->bad = r->bad + 1;
        r->sum = r->sum + v;
        sync();
        r->head = r->head + 1;
      }
    }
    break;
  }
  case 5: {
    unsigned epochs = ops / 64 + 1;
    for (unsigned e = 1; e <= epochs; e++) {
      for (unsigned k = 0; k < 64; k++) {       /* store bytes this CPU owns (p % n == me) */
        unsigned p = (xorshift(&rng) % (REGION / n)) * n + me;
        if (p >= REGION) continue;
        region[p] = (unsigned char)hash3(seed, e, p);
        last_epoch[p] = (unsigned short)e;
      }
      barrier(me, n);
      for (unsigned k = 0; k < 64; k++) {       /* any CPU reads any byte and checks it */
        unsigned p = xorshift(&rng) % REGION;
        unsigned ep = last_epoch[p];
        unsigned want = ep == 0 ? 0 : (unsigned char)hash3(seed, ep, p);
        if (region[p] != want) bad++;
      }
      barrier(me, n);
    }
    break;
  }
  case 6: case 7: {
    unsigned pair = me / 2, i = me & 1, other = i ^ 1;
    volatile struct pet *p = &pets[pair];
    if (pair * 2 + 1 >= n) break;
    for (unsigned k = 0; k < ops; k++) {
      p->flag[i] = 1;
      p->turn = (int)other;
      if (pattern == 6) sync();
      while (p->flag[other] && p->turn == (int)other) { }
      p->count = p->count + 1;               /* critical section */
      sync();
      p->flag[i] = 0;
    }
    break;
  }
  }
  return bad;
}

static int check(unsigned pattern, unsigned n, unsigned ops) {
  int bad = 0;
  switch (pattern) {
  case 0: bad = counter != (int)(n * ops); break;
  case 1: bad = plain != (int)(n * ops) || plain2 != (int)(ops * (n * (n - 1) / 2)); break;
  case 2: for (unsigned c = 0; c < n; c++) bad += words[c] != (int)ops; break;
  case 3: bad = mig.c != (int)(n * ops) || mig.a != (int)(ops * (n * (n - 1) / 2)) || mig.token != (int)(n * ops); break;
  case 4:
    for (unsigned pair = 0; pair * 2 + 1 < n; pair++) {
      int want = 0;
      for (unsigned i = 0; i < ops; i++) want += (int)producer_value(pair, i);
      bad += rings[pair].bad + (rings[pair].sum != want);
    }
    break;
  case 6: case 7:
    for (unsigned pair = 0; pair * 2 + 1 < n; pair++) bad += pets[pair].count != (int)(2 * ops);
    break;
  }
  return bad;
}

int bare_main(unsigned pattern, unsigned ops, unsigned seed) {
  unsigned me = whoami(), n = ncpus();
  if (me == 0) {
    params[0] = pattern; params[1] = ops; params[2] = seed;
    sync();
    started = 1;
    for (unsigned c = 1; c < n; c++) start_cpu(c, c);
  } else {
    while (!started) { }
    pattern = params[0]; ops = params[1]; seed = params[2];
  }
  barrier(me, n);
  int bad = run(pattern, me, n, ops, seed);
  if (bad) atomic_add(&errors, bad);
  barrier(me, n);
  if (me != 0) for (;;) { }
  int total = errors + check(pattern, n, ops);
  printf_("stress %s cpus %u ops %u: %s (%d errors)\n", names[pattern < 8 ? pattern : 0], n, ops, total ? "FAIL" : "ok", total);
  return total;
}
