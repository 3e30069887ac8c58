/* memcpy/memmove/memset/memcmp/strcpy at every alignment and many lengths,
 * checked against byte-by-byte reference implementations. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static unsigned char A[600], B[600], R[600];

static void ref_memmove(unsigned char *d, const unsigned char *s, size_t n) {
  if (d < s) for (size_t i = 0; i < n; i++) d[i] = s[i];
  else for (size_t i = n; i-- > 0;) d[i] = s[i];
}

int main(void) {
  static const int lens[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 255, 256, 300};
  int nl = (int)(sizeof lens / sizeof lens[0]);
  long errors = 0, checks = 0;
  uint32_t h = 0;
  for (int so = 0; so < 8; so++)
    for (int dof = 0; dof < 8; dof++)
      for (int li = 0; li < nl; li++) {
        size_t n = (size_t)lens[li];
        for (int i = 0; i < 600; i++) { A[i] = (unsigned char)(i * 7 + so); B[i] = R[i] = (unsigned char)(255 - i); }
        memcpy(B + dof, A + so, n);
        for (size_t i = 0; i < n; i++) R[dof + i] = A[so + i];
        if (memcmp(B, R, 600)) errors++;
        checks++;
        /* overlapping memmove both directions */
        for (int i = 0; i < 600; i++) B[i] = R[i] = (unsigned char)(i ^ 0x33);
        memmove(B + 100 + dof, B + 100 + so * 3, n);
        ref_memmove(R + 100 + dof, R + 100 + so * 3, n);
        if (memcmp(B, R, 600)) errors++;
        memmove(B + 200 + so * 5, B + 200 + dof, n);
        ref_memmove(R + 200 + so * 5, R + 200 + dof, n);
        if (memcmp(B, R, 600)) errors++;
        /* memset */
        memset(B + dof + so, (int)(n & 0xff), n);
        for (size_t i = 0; i < n; i++) R[dof + so + i] = (unsigned char)n;
        if (memcmp(B, R, 600)) errors++;
        checks += 3;
        for (int i = 0; i < 600; i += 17) h = h * 131 + B[i];
        /* memcmp sign at a difference position */
        if (n) {
          memcpy(A + 300, A + 10, n);
          A[300 + n - 1] ^= 0x80;
          int c = memcmp(A + 10, A + 300, n);
          int expect = A[10 + n - 1] < A[300 + n - 1] ? -1 : 1;
          if ((c > 0) - (c < 0) != expect) errors++;
          checks++;
        }
      }
  /* strcpy / strlen / strchr at alignments */
  char s1[200], s2[200];
  for (int off = 0; off < 8; off++)
    for (int n = 0; n < 70; n += 3) {
      for (int i = 0; i < n; i++) s1[off + i] = (char)('A' + (i % 26));
      s1[off + n] = 0;
      strcpy(s2 + (7 - off), s1 + off);
      if (strlen(s2 + (7 - off)) != (size_t)n || strcmp(s2 + (7 - off), s1 + off)) errors++;
      if (n > 5 && strchr(s1 + off, 'F') != s1 + off + 5) errors++;
      checks += 2;
    }
  printf("checks %ld errors %ld hash %08x\n", checks, errors, h);
  return errors != 0;
}
