/* Number <-> string conversions: integers in all bases, doubles printed
 * with %.17g and parsed back bit-exactly, shortest round-trip search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static void utoa_base(uint64_t v, int base, char *out) {
  char tmp[70];
  int n = 0;
  do { int d = (int)(v % (uint64_t)base); tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v /= (uint64_t)base; } while (v);
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = 0;
}

int main(void) {
  uint64_t vals[] = {0, 1, 35, 36, 255, 65535, 4294967295ULL, 4294967296ULL, 0x123456789abcdefULL, UINT64_MAX};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    printf("%llu:", (unsigned long long)vals[i]);
    for (int b = 2; b <= 36; b += (b < 10 ? 6 : 13)) {
      char buf[70];
      utoa_base(vals[i], b, buf);
      unsigned long long back = strtoull(buf, NULL, b);
      printf(" b%d=%s%s", b, buf, back == vals[i] ? "" : "(MISMATCH)");
    }
    printf("\n");
  }
  uint64_t s = 0x853c49e6748fea9bULL;
  int exact = 0, shortest_total = 0;
  for (int i = 0; i < 3000; i++) {
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    uint64_t bits = s * 2685821657736338717ULL;
    if (((bits >> 52) & 0x7ff) == 0x7ff) bits ^= 1ULL << 62;
    double d;
    memcpy(&d, &bits, 8);
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", d);
    double back = strtod(buf, NULL);
    if (memcmp(&back, &d, 8) == 0) exact++;
    int prec;
    for (prec = 1; prec <= 17; prec++) {
      snprintf(buf, sizeof buf, "%.*g", prec, d);
      if (strtod(buf, NULL) == d) break;
    }
    shortest_total += prec;
    if (i < 25) printf("%016llx %s prec %d\n", (unsigned long long)bits, buf, prec);
  }
  printf("exact round trips %d/3000 shortest total %d\n", exact, shortest_total);
  const char *dec[] = {"0.1", "0.2", "0.3", "1e23", "8.98846567431158e307", "4.9406564584124654e-324",
                       "2.2250738585072011e-308", "123456789012345678901234567890", "0.000001", "9007199254740993"};
  for (unsigned i = 0; i < sizeof dec / sizeof dec[0]; i++) {
    double d = strtod(dec[i], NULL);
    float f = strtof(dec[i], NULL);
    printf("%s -> %a %.17g f %a\n", dec[i], d, d, (double)f);
  }
  printf("0.1+0.2 %.17g == 0.3 %d\n", 0.1 + 0.2, 0.1 + 0.2 == 0.3);
  return 0;
}
