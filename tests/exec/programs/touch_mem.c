/* Allocates and touches argv[1] MB, then prints a checksum of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 1, n = mb << 20;
  unsigned char *p = malloc(n);
  if (!p) { printf("malloc failed\n"); return 1; }
  for (size_t i = 0; i < n; i += 4096) p[i] = (unsigned char)(i >> 12);
  unsigned long sum = 0;
  for (size_t i = 0; i < n; i += 4096) sum += p[i];
  printf("touched %zu MB, sum %lu\n", mb, sum);
  return 0;
}
