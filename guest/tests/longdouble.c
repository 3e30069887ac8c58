/* long double (same as double on MIPS o32): arithmetic, printf %Lf/%Lg/%La,
 * strtold, libm long-double functions. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <float.h>

int main(void) {
  printf("sizeof(long double) %u LDBL_MANT_DIG %d LDBL_MAX_EXP %d same-as-double %d\n", (unsigned)sizeof(long double),
         LDBL_MANT_DIG, LDBL_MAX_EXP, LDBL_MANT_DIG == DBL_MANT_DIG);
  long double x = 1.0L;
  for (int i = 1; i <= 25; i++) {
    x = x * i / 3.0L + 0.1L;
    if (i % 5 == 0) printf("x%d %.20Lg %La %Le\n", i, x, x, x);
  }
  long double third = 1.0L / 3.0L;
  printf("third %.25Lf %.3Lf %Lg\n", third, third, third);
  long double v = strtold("2.718281828459045235360287", NULL);
  printf("strtold %.21Lg %La\n", v, v);
  printf("sqrtl %.21Lg sinl %.21Lg expl %.21Lg powl %.21Lg logl %.21Lg\n", sqrtl(2.0L), sinl(1.0L), expl(1.0L),
         powl(2.0L, 0.5L), logl(10.0L));
  printf("floorl %Lg ceill %Lg fabsl %Lg fmodl %Lg\n", floorl(-2.5L), ceill(-2.5L), fabsl(-3.25L), fmodl(10.0L, 3.0L));
  long double sum = 0;
  for (int k = 1; k <= 10000; k++) sum += 1.0L / ((long double)k * k);
  printf("basel %.20Lg diff %.5Lg\n", sum, sum - M_PI * M_PI / 6);
  long long ll = (long long)(1e15L + 0.5L);
  printf("to ll %lld from ll %.1Lf\n", ll, (long double)9007199254740993LL);
  long double ldd;
  int n = sscanf("-1.25e-3", "%Lf", &ldd);
  printf("sscanf %d %.17Lg\n", n, ldd);
  return 0;
}
