/* Reads stdin with scanf: a count, that many integers, then doubles and
 * words until EOF. Prints statistics. Handles empty input. */
#include <stdio.h>
#include <string.h>

int main(void) {
  int n;
  if (scanf("%d", &n) != 1) {
    printf("no count on stdin\n");
    return 3;
  }
  long long sum = 0;
  int mn = 0, mx = 0, got = 0;
  for (int i = 0; i < n; i++) {
    int v;
    if (scanf("%d", &v) != 1) break;
    if (got == 0 || v < mn) mn = v;
    if (got == 0 || v > mx) mx = v;
    sum += v;
    got++;
  }
  printf("ints: wanted %d got %d sum %lld min %d max %d\n", n, got, sum, mn, mx);
  int nd;
  double dsum = 0, d;
  if (scanf("%d", &nd) == 1) {
    for (int i = 0; i < nd && scanf("%lf", &d) == 1; i++) {
      dsum += d;
      printf("double %d: %.17g\n", i, d);
    }
  }
  printf("double sum %.17g\n", dsum);
  char w[64], longest[64] = "";
  int words = 0, chars = 0;
  while (scanf("%63s", w) == 1) {
    words++;
    chars += (int)strlen(w);
    if (strlen(w) > strlen(longest)) strcpy(longest, w);
  }
  printf("words %d chars %d longest [%s]\n", words, chars, longest);
  printf("eof %d\n", feof(stdin) != 0);
  return 0;
}
