/* intbench: integer CPU benchmark.
 * Usage: intbench [SIZE]   (SIZE = work units, default 1000)
 * Mix of: 32/64-bit hashing, a sieve, an in-place quicksort + heap sort,
 * bit manipulation (popcount/rotates/bit reversal), a byte-wise CRC-32 and a
 * small switch-dispatched interpreter. Prints a checksum that is identical on
 * every correct platform (no endianness or word-size dependence). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static uint32_t rng_state = 0x12345678u;
static uint32_t xorshift32(void) {
  uint32_t x = rng_state;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rng_state = x;
}

static uint32_t mix32(uint32_t h) {
  h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16;
  return h;
}
static uint64_t mix64(uint64_t h) {
  h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL; h ^= h >> 33;
  return h;
}

static uint32_t phase_hash(int size) {
  uint32_t a = 1;
  uint64_t b = 1;
  for (int i = 0; i < size * 20000; i++) {
    a = mix32(a + (uint32_t)i);
    b = mix64(b ^ a);
  }
  return a ^ (uint32_t)b ^ (uint32_t)(b >> 32);
}

static uint32_t phase_sieve(int size) {
  uint32_t limit = 200000u + (uint32_t)size * 5000u;
  uint8_t *comp = calloc(limit + 1, 1);
  uint32_t count = 0, sum = 0;
  for (int rep = 0; rep < 2; rep++) {
    memset(comp, 0, limit + 1);
    for (uint32_t i = 2; i * i <= limit; i++)
      if (!comp[i])
        for (uint32_t j = i * i; j <= limit; j += i) comp[j] = 1;
    count = 0;
    for (uint32_t i = 2; i <= limit; i++)
      if (!comp[i]) { count++; sum = sum * 31u + i; }
  }
  free(comp);
  return count ^ sum;
}

static void quicksort(uint32_t *a, int lo, int hi) {
  while (lo < hi) {
    uint32_t p = a[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
    else { quicksort(a, i, hi); hi = j; }
  }
}

static void sift(uint32_t *a, int n, int i) {
  for (;;) {
    int l = 2 * i + 1, m = i;
    if (l < n && a[l] > a[m]) m = l;
    if (l + 1 < n && a[l + 1] > a[m]) m = l + 1;
    if (m == i) return;
    uint32_t t = a[i]; a[i] = a[m]; a[m] = t;
    i = m;
  }
}

static uint32_t phase_sort(int size) {
  int n = 20000 + size * 500;
  uint32_t *a = malloc(sizeof(uint32_t) * (size_t)n);
  uint32_t h = 0;
  for (int i = 0; i < n; i++) a[i] = xorshift32();
  quicksort(a, 0, n - 1);
  for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) h ^= 0xdeadu;
  for (int i = 0; i < n; i += 7) h = h * 33u + a[i];
  for (int i = 0; i < n; i++) a[i] = xorshift32() % 100000u;
  for (int i = n / 2 - 1; i >= 0; i--) sift(a, n, i);
  for (int e = n - 1; e > 0; e--) { uint32_t t = a[0]; a[0] = a[e]; a[e] = t; sift(a, e, 0); }
  for (int i = 0; i < n; i += 5) h = h * 33u + a[i];
  free(a);
  return h;
}

static uint32_t rev32(uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
  return (x >> 16) | (x << 16);
}
static int popc(uint32_t x) {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return (int)((x * 0x01010101u) >> 24);
}

static uint32_t phase_bits(int size) {
  uint32_t h = 0, x = 0x9e3779b9u;
  for (int i = 0; i < size * 15000; i++) {
    x = x * 1664525u + 1013904223u;
    uint32_t r = rev32(x);
    uint32_t rot = (x << (i & 31)) | (x >> ((32 - (i & 31)) & 31));
    h += (uint32_t)popc(x ^ r) + (rot & (uint32_t)-(int32_t)(rot & 1)) + (r >> (x & 15));
  }
  return h;
}

static uint32_t crc_table[256];
static uint32_t phase_crc(int size) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  size_t n = 65536;
  uint8_t *buf = malloc(n);
  for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(xorshift32() >> 24);
  uint32_t crc = 0;
  for (int rep = 0; rep < size / 2 + 1; rep++) {
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
    crc = ~c;
  }
  free(buf);
  return crc;
}

static uint32_t phase_interp(int size) {
  /* registers r0..r7, a tiny program run many times */
  static const uint8_t prog[] = {0, 1, 2, 3, 4, 5, 1, 6, 2, 7, 0, 3, 5, 4, 6, 7};
  uint32_t r[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (int it = 0; it < size * 8000; it++) {
    for (unsigned pc = 0; pc < sizeof prog; pc++) {
      unsigned d = (pc + (unsigned)it) & 7, s = prog[pc] & 7;
      switch (prog[pc]) {
        case 0: r[d] += r[s] + 1; break;
        case 1: r[d] ^= r[s] << 3; break;
        case 2: r[d] -= r[s] >> 2; break;
        case 3: r[d] = r[d] * 2654435761u + r[s]; break;
        case 4: r[d] = (r[d] << 7) | (r[d] >> 25); break;
        case 5: r[d] |= r[s] & 0xf0f0u; break;
        case 6: r[d] = r[s] ? r[d] / (r[s] | 1u) + r[d] : r[d]; break;
        default: r[d] = ~r[d] + (uint32_t)it; break;
      }
    }
  }
  return r[0] ^ r[1] ^ r[2] ^ r[3] ^ r[4] ^ r[5] ^ r[6] ^ r[7];
}

int main(int argc, char **argv) {
  int size = argc > 1 ? atoi(argv[1]) : 1000;
  if (size < 1) size = 1;
  uint32_t parts[6];
  parts[0] = phase_hash(size);
  parts[1] = phase_sieve(size);
  parts[2] = phase_sort(size);
  parts[3] = phase_bits(size);
  parts[4] = phase_crc(size);
  parts[5] = phase_interp(size);
  uint32_t total = 0;
  for (int i = 0; i < 6; i++) {
    printf("part%d %08x\n", i, parts[i]);
    total = mix32(total ^ parts[i]);
  }
  printf("size %d checksum %08x\n", size, total);
  return 0;
}
