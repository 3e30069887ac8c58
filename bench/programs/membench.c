/* membench: memory-bound benchmark.
 * Usage: membench [MB]   (MB = working-set size in MiB, default 32)
 * 1. pointer chasing over a single random cycle (Sattolo shuffle) spanning
 *    the whole array (latency bound, defeats caches);
 * 2. random read-modify-write updates;
 * 3. streaming copy / sum / scale over two half-size buffers (bandwidth).
 * The checksum depends only on the computation, not on the platform. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static uint32_t rng_state = 0x2545F491u;
static uint32_t rnd(void) {
  uint32_t x = rng_state;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rng_state = x;
}

int main(int argc, char **argv) {
  int mb = argc > 1 ? atoi(argv[1]) : 32;
  if (mb < 1) mb = 1;
  uint32_t n = (uint32_t)mb * (1024u * 1024u / 4u); /* uint32 entries */
  uint32_t *next = malloc((size_t)n * 4);
  if (!next) { fprintf(stderr, "out of memory\n"); return 1; }

  /* Sattolo's algorithm: a single cycle through all n entries */
  for (uint32_t i = 0; i < n; i++) next[i] = i;
  for (uint32_t i = n - 1; i > 0; i--) {
    uint32_t j = rnd() % i;
    uint32_t t = next[i]; next[i] = next[j]; next[j] = t;
  }
  uint32_t p = 0, chase = 0;
  uint32_t steps = n * 2u;
  for (uint32_t s = 0; s < steps; s++) {
    p = next[p];
    chase = chase * 31u + p;
  }
  printf("chase steps %u end %u sum %08x\n", steps, p, chase);

  /* random read-modify-write */
  uint32_t rmw = 0;
  for (uint32_t s = 0; s < n; s++) {
    uint32_t k = rnd() % n;
    next[k] = next[k] * 2654435761u + s;
    rmw ^= next[(k * 7u) % n];
  }
  printf("rmw %08x\n", rmw);

  /* streaming */
  uint32_t half = n / 2;
  uint32_t *a = next, *b = next + half;
  for (uint32_t i = 0; i < half; i++) a[i] = i * 2654435761u;
  uint32_t stream = 0;
  for (int pass = 0; pass < 4; pass++) {
    memcpy(b, a, (size_t)half * 4);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < half; i++) sum += b[i];
    for (uint32_t i = 0; i < half; i++) a[i] = b[i] * 3u + (uint32_t)pass;
    stream = stream * 31u + sum;
  }
  printf("stream %08x\n", stream);
  uint32_t total = chase ^ (rmw * 31u) ^ (stream * 961u) ^ p;
  printf("size %d checksum %08x\n", mb, total);
  free(next);
  return 0;
}
