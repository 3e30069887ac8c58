/* Sieve of Eratosthenes (byte array and bit array), prime counting, twin primes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define LIMIT 2000000

int main(void) {
  unsigned char *comp = calloc(LIMIT + 1, 1);
  for (unsigned i = 2; (uint64_t)i * i <= LIMIT; i++)
    if (!comp[i])
      for (unsigned j = i * i; j <= LIMIT; j += i) comp[j] = 1;
  unsigned count = 0, twins = 0, last = 0;
  uint64_t sum = 0;
  for (unsigned i = 2; i <= LIMIT; i++) {
    if (!comp[i]) {
      count++;
      sum += i;
      if (last && i - last == 2) twins++;
      last = i;
    }
    if (i == 10 || i == 100 || i == 1000 || i == 10000 || i == 100000 || i == 1000000)
      printf("pi(%u) = %u\n", i, count);
  }
  printf("pi(%u) = %u sum %llu twins %u largest %u\n", LIMIT, count, (unsigned long long)sum, twins, last);
  printf("first:");
  for (unsigned i = 2, k = 0; k < 25; i++) if (!comp[i]) { printf(" %u", i); k++; }
  printf("\n");
  /* odd-only bit sieve */
  unsigned nbits = LIMIT / 2 + 1;
  uint32_t *bits = calloc(nbits / 32 + 1, 4);
  for (unsigned i = 3; (uint64_t)i * i <= LIMIT; i += 2)
    if (!(bits[(i / 2) >> 5] >> ((i / 2) & 31) & 1))
      for (unsigned j = i * i; j <= LIMIT; j += 2 * i) bits[(j / 2) >> 5] |= 1u << ((j / 2) & 31);
  unsigned c2 = 1;
  for (unsigned i = 3; i <= LIMIT; i += 2) if (!(bits[(i / 2) >> 5] >> ((i / 2) & 31) & 1)) c2++;
  printf("bit sieve count %u match %d\n", c2, c2 == count);
  /* Goldbach check for small evens */
  int bad = 0;
  for (unsigned n = 4; n <= 20000; n += 2) {
    int ok = 0;
    for (unsigned p = 2; p <= n / 2; p++) if (!comp[p] && !comp[n - p]) { ok = 1; break; }
    if (!ok) bad++;
  }
  printf("goldbach failures %d\n", bad);
  free(comp);
  free(bits);
  return 0;
}
