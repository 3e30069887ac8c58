/* Helpers shared by the workloads (guest/workloads/README.md): FNV-1a checksums, a
 * deterministic integer PRNG, whole-buffer I/O over short reads/writes, numeric options.
 * Everything here is integer arithmetic, so results never depend on the machine. */
#ifndef WORKLOADS_COMMON_H
#define WORKLOADS_COMMON_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FNV_INIT 0x811c9dc5u

/* FNV-1a over n bytes, continuing from h. */
static inline uint32_t fnv1a(uint32_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  while (n--) h = (h ^ *b++) * 0x01000193u;
  return h;
}

/* FNV-1a of a 32-bit value, big-end first, whatever the host byte order. */
static inline uint32_t fnv1a_u32(uint32_t h, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) h = (h ^ ((v >> s) & 0xff)) * 0x01000193u;
  return h;
}

/* The murmur3 finaliser: a bijective 32-bit mix. */
static inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16; x *= 0x85ebca6bu;
  x ^= x >> 13; x *= 0xc2b2ae35u;
  return x ^ (x >> 16);
}

/* xorshift32 (Marsaglia 2003); the state must not be 0, so seeds go through mix32 | 1. */
static inline uint32_t rng_next(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return *s = x;
}
static inline uint32_t rng_seed(uint32_t seed) { return mix32(seed + 0x9e3779b9u) | 1; }

/* write(2)/read(2) until all n bytes moved: 0, or -1 with errno (read: EIO at end of file). */
static inline int write_all(int fd, const void *p, size_t n) {
  const char *b = p;
  while (n) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b += k; n -= (size_t)k;
  }
  return 0;
}
static inline int read_all(int fd, void *p, size_t n) {
  char *b = p;
  while (n) {
    ssize_t k = read(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k == 0) errno = EIO;
    if (k <= 0) return -1;
    b += k; n -= (size_t)k;
  }
  return 0;
}

/* A decimal option value in [lo, hi], or a usage error (exit 2). */
static inline long num_arg(const char *prog, int opt, const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) {
    fprintf(stderr, "%s: -%c wants a number from %ld to %ld, not '%s'\n", prog, opt, lo, hi, s);
    exit(2);
  }
  return v;
}

/* Reports a failed system call and exits 1. */
static inline void fail(const char *prog, const char *what) {
  fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
  exit(1);
}
#endif
