/* mremap as glibc's realloc of large blocks uses it: grow with MREMAP_MAYMOVE (contents kept,
 * the new tail zero), shrink in place, and the error for bad flags. (An unmapped range is EFAULT
 * on Linux, under disco exec and on the guest kernel; qemu-user 7.2 accepts it, so it is not here.) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(void) {
  size_t small = 16 * 4096, big = 64 * 4096;
  unsigned char *a = mmap(0, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (size_t i = 0; i < small; i++) a[i] = (unsigned char)(i * 7 + 3);
  unsigned char *b = mremap(a, small, big, MREMAP_MAYMOVE);
  int kept = b != MAP_FAILED, zero = kept;
  for (size_t i = 0; kept && i < small; i++) kept = b[i] == (unsigned char)(i * 7 + 3);
  for (size_t i = small; zero && i < big; i++) zero = b[i] == 0;
  printf("grow: %s, contents kept %d, tail zero %d\n", b == MAP_FAILED ? strerror(errno) : "ok", kept, zero);
  memset(b + small, 0x5a, big - small);
  unsigned char *c = mremap(b, big, small, 0);
  printf("shrink in place %d, first byte %d\n", c == b, c[0]);
  errno = 0;
  printf("bad flags: %s\n", mremap(c, small, big, 0x40) == MAP_FAILED ? strerror(errno) : "accepted");
  char *r = malloc(200000);
  memset(r, 1, 200000);
  r = realloc(r, 2000000);
  printf("realloc kept %d\n", r[199999] == 1);
  return 0;
}
