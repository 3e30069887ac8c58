/* 64-bit long long arithmetic on a 32-bit ABI: add/sub with carries, mul,
 * signed/unsigned division & modulo (__divdi3, __udivdi3, __moddi3, __umoddi3),
 * variable shifts 0..63, comparisons, conversions to/from double. */
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

static volatile int64_t v[] = {0, 1, -1, 2, -3, 10, -10, 1000000007LL, -999999937LL,
                               0x100000000LL, -0x100000000LL, 0x7fffffffLL, 0x80000000LL,
                               0x123456789abcdefLL, -0x123456789abcdefLL, INT64_MAX, INT64_MIN,
                               0xffffffffLL, 3037000499LL};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void) {
  uint64_t h = 0;
  for (int i = 0; i < N(v); i++) {
    for (int j = 0; j < N(v); j++) {
      int64_t a = v[i], b = v[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      int64_t add = (int64_t)(ua + ub), sub = (int64_t)(ua - ub), mul = (int64_t)(ua * ub);
      printf("%" PRId64 ",%" PRId64 ": + %" PRId64 " - %" PRId64 " * %" PRId64, a, b, add, sub, mul);
      if (b != 0 && !(a == INT64_MIN && b == -1))
        printf(" / %" PRId64 " %% %" PRId64, a / b, a % b);
      if (ub != 0)
        printf(" u/ %" PRIu64 " u%% %" PRIu64, ua / ub, ua % ub);
      printf(" lt %d ult %d\n", a < b, ua < ub);
      h = h * 1099511628211ULL + (uint64_t)add + (uint64_t)mul;
    }
  }
  for (int i = 0; i < N(v); i++) {
    for (int s = 0; s < 64; s += 5) {
      int64_t a = v[i];
      printf("sh %" PRIx64 " %d: %" PRIx64 " %" PRIx64 " %" PRIx64 "\n", (uint64_t)a, s,
             (uint64_t)a << s, (uint64_t)(a >> s), (uint64_t)a >> s);
    }
  }
  for (int i = 0; i < N(v); i++) {
    int64_t a = v[i];
    double d = (double)a;
    uint64_t ua = (uint64_t)a;
    double ud = (double)ua;
    printf("cv %" PRId64 ": %.17g %.17g", a, d, ud);
    if (d > -9.2e18 && d < 9.2e18) printf(" back %" PRId64, (int64_t)d);
    if (ud < 1.8e19) printf(" uback %" PRIu64, (uint64_t)ud);
    printf(" f %.9g\n", (float)a);
  }
  /* division by constants */
  for (int i = 0; i < N(v); i++) {
    int64_t a = v[i];
    printf("c %" PRId64 ": %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64 "\n", a, a / 10, a % 7,
           (uint64_t)a / 1000000, (uint64_t)a % 3);
  }
  /* factorials mod 2^64 and a 64-bit LCG */
  uint64_t f = 1, x = 42;
  for (int i = 1; i <= 30; i++) {
    f *= (uint64_t)i;
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    printf("fact %d %" PRIu64 " lcg %016" PRIx64 "\n", i, f, x);
  }
  printf("hash %016" PRIx64 "\n", h);
  return 0;
}
