/* printf formatting of integers and floats, sscanf/strtol/strtod parsing,
 * snprintf truncation, %n, scansets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <inttypes.h>
#include <stddef.h>

int main(void) {
  int ints[] = {0, 1, -1, 42, -42, 1000000, INT_MAX, INT_MIN, 255, -256};
  for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    int v = ints[i];
    printf("[%d][%5d][%-5d][%05d][%+d][% d][%x][%#x][%X][%o][%#o][%u][%hhd][%hd][%.3d][%*d]\n", v, v, v, v, v,
           v, v, v, v, v, v, (unsigned)v, (signed char)v, (short)v, v, 8, v);
  }
  long long lls[] = {0, -1, 1234567890123LL, LLONG_MIN, LLONG_MAX};
  for (unsigned i = 0; i < 5; i++)
    printf("[%lld][%llx][%20lld][%-22lld|][%llu]\n", lls[i], (unsigned long long)lls[i], lls[i], lls[i],
           (unsigned long long)lls[i]);
  printf("[%c][%5c][%-3c][%s][%10s][%-10s][%.2s][%%][%zu][%td][%jd]\n", 'A', 'b', 'c', "str", "right", "left",
         "trunc", sizeof(long), (ptrdiff_t)-5, (intmax_t)99);
  printf("[%" PRId32 "][%" PRIu64 "][%" PRIx16 "]\n", (int32_t)-7, (uint64_t)1 << 63, (uint16_t)0xbeef);

  double ds[] = {0.0, -0.0, 1.0, -1.5, 3.14159265358979, 1e-5, 123456789.125, 1e300, -2.5e-300, 0.1,
                 2.0 / 3.0, 1e21, 5e-324, 0.5, 1.5, 2.5, 1234.5678};
  for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
    double d = ds[i];
    printf("[%f][%.0f][%.2f][%10.3f][%-12.4f|][%e][%.3E][%g][%G][%.10g][%+.1e][%a][%#.0f][%08.2f]\n", d, d, d, d,
           d, d, d, d, d, d, d, d, d, d);
  }
  printf("[%f][%e][%g][%F]\n", 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0 * 0, 1.0 / 0.0);

  /* sscanf */
  int a, b, c, n1 = -1, n2 = -1;
  unsigned u;
  char word[32], rest[64];
  int got = sscanf("  12 -34 0x1f 077 word42 tail text", "%d %d %i %o %31s %n%63[^\n]%n", &a, &b, &c, &u, word,
                   &n1, rest, &n2);
  printf("sscanf got %d: %d %d %d %u %s n1=%d rest=[%s] n2=%d\n", got, a, b, c, u, word, n1, rest, n2);
  double x, y;
  float f;
  long long ll;
  got = sscanf("3.25 -1e-3 6.02e23 -9223372036854775807", "%lf %lf %f %lld", &x, &y, &f, &ll);
  printf("sscanf got %d: %.17g %.17g %.9g %lld\n", got, x, y, (double)f, ll);
  const char *fstrs[] = {"0x1p-3", "inf", "-nan", "1e-320", "2.2250738585072014e-308", "0.1", "1e400", "-0", "nan(123)",
                         ".5e1", "7."};
  for (unsigned i = 0; i < sizeof fstrs / sizeof fstrs[0]; i++) {
    double v;
    int g = sscanf(fstrs[i], "%lf", &v);
    printf("parse %s -> %d %.17g %a\n", fstrs[i], g, v, v);
  }
  char hexs[16], alnum[16];
  got = sscanf("abc123XYZ!rest", "%15[a-z0-9]%15[A-Z]", alnum, hexs);
  printf("scanset %d [%s][%s]\n", got, alnum, hexs);
  got = sscanf("12:34:56", "%d:%d:%d", &a, &b, &c);
  printf("time %d %d %d %d\n", got, a, b, c);
  got = sscanf("x", "%d", &a);
  printf("fail %d\n", got);
  got = sscanf("", "%d", &a);
  printf("eof %d\n", got);

  /* strtol family */
  const char *ls[] = {"123abc", "-0x7fffffff", "0777", "99999999999999999999", "-99999999999999999999", "  +42", "z",
                      "0b101", "1010"};
  int bases[] = {10, 16, 0, 10, 10, 10, 36, 0, 2};
  for (unsigned i = 0; i < sizeof ls / sizeof ls[0]; i++) {
    char *end;
    errno = 0;
    long v = strtol(ls[i], &end, bases[i]);
    int e1 = errno;
    errno = 0;
    unsigned long long uv = strtoull(ls[i], NULL, bases[i]);
    int e2 = errno;
    printf("strtol(%s,%d) = %ld end=[%s] erange=%d strtoull=%llu erange=%d\n", ls[i], bases[i], v, end, e1 == ERANGE,
           uv, e2 == ERANGE);
  }
  char *end;
  errno = 0;
  double d = strtod("1e-400xyz", &end);
  printf("strtod underflow %g end=[%s] erange=%d\n", d, end, errno == ERANGE);
  errno = 0;
  d = strtod("-1e999", &end);
  printf("strtod overflow %g erange=%d\n", d, errno == ERANGE);
  float ff = strtof("3.4028235e38", NULL);
  printf("strtof %.9g %a\n", (double)ff, (double)ff);
  printf("atoi %d atol %ld atof %.17g\n", atoi("  -17x"), atol("2147483647"), atof("1.25e2"));

  char small[8];
  int w = snprintf(small, sizeof small, "%s-%d", "abcdef", 12345);
  printf("snprintf ret %d buf [%s]\n", w, small);
  w = snprintf(NULL, 0, "%.20f", 1.0 / 3);
  printf("snprintf len %d\n", w);
  char big[128];
  sprintf(big, "%s|%5.1f|%-4d|%c", "join", 2.25, 7, 'z');
  puts(big);
  return 0;
}
