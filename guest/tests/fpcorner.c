/* Floating-point corner cases: NaN, infinities, -0.0, denormals, comparisons,
 * classification, bit patterns (MIPS legacy NaN encoding), int<->float
 * conversions in the defined range, rounding modes, exception flags. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <fenv.h>
#include <limits.h>

static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static volatile double vzero = 0.0, vone = 1.0, vtwo = 2.0, vthree = 3.0, vnzero = -0.0;
static volatile float fzero = 0.0f, fone = 1.0f;

static const char *cls(double d) {
  switch (fpclassify(d)) {
    case FP_NAN: return "nan";
    case FP_INFINITE: return "inf";
    case FP_ZERO: return "zero";
    case FP_SUBNORMAL: return "subnormal";
    case FP_NORMAL: return "normal";
  }
  return "?";
}

int main(void) {
  double nan_d = vzero / vzero;
  float nan_f = fzero / fzero;
  double inf = vone / vzero, ninf = -vone / vzero;
  printf("0/0 bits %016llx float %08x\n", (unsigned long long)dbits(nan_d), fbits(nan_f));
  printf("inf %016llx -inf %016llx\n", (unsigned long long)dbits(inf), (unsigned long long)dbits(ninf));
  printf("inf-inf bits %016llx inf*0 bits %016llx\n", (unsigned long long)dbits(inf - inf),
         (unsigned long long)dbits(inf * vzero));
  printf("sqrt(-1) bits %016llx\n", (unsigned long long)dbits(sqrt(-vone)));
  printf("nan cmp: == %d != %d < %d > %d <= %d >= %d self== %d\n", nan_d == vone, nan_d != vone, nan_d < vone,
         nan_d > vone, nan_d <= vone, nan_d >= vone, nan_d == nan_d);
  printf("isnan %d isinf %d %d isfinite %d %d signbit(-0) %d signbit(0) %d\n", isnan(nan_d), isinf(inf), isinf(ninf),
         isfinite(inf), isfinite(vone), signbit(vnzero) != 0, signbit(vzero) != 0);
  printf("-0 bits %016llx 0==-0 %d 1/-0 %g 1/0 %g -0+0 bits %016llx -0*-1 bits %016llx\n",
         (unsigned long long)dbits(vnzero), vnzero == vzero, vone / vnzero, vone / vzero,
         (unsigned long long)dbits(vnzero + vzero), (unsigned long long)dbits(vnzero * -vone));
  printf("neg(0) bits %016llx fabs(-0) bits %016llx\n", (unsigned long long)dbits(-vzero),
         (unsigned long long)dbits(fabs(vnzero)));

  double dm = DBL_MIN, sub = DBL_MIN / 4, tmin = DBL_TRUE_MIN;
  volatile double vdm = dm;
  double sub2 = vdm / 3.0;
  printf("DBL_MIN %a sub %a sub2 %a %016llx tmin %a %s %s %s\n", dm, sub, sub2, (unsigned long long)dbits(sub2), tmin,
         cls(dm), cls(sub2), cls(tmin));
  printf("tmin/2 %a tmin*0.5 bits %016llx sub*4 %a sub2*3 %a\n", tmin / vtwo, (unsigned long long)dbits(tmin * 0.5),
         sub2 * 4, sub2 * vthree);
  volatile float ftm = FLT_TRUE_MIN, fmn = FLT_MIN;
  printf("float tmin %a fmin/3 %a bits %08x tmin+tmin %a\n", (double)ftm, (double)(fmn / 3.0f),
         fbits(fmn / 3.0f), (double)(ftm + ftm));
  double big = DBL_MAX;
  volatile double vbig = big;
  printf("DBL_MAX %a *2 %g FLT_MAX %a (float)1e39 %g\n", big, vbig * vtwo, (double)FLT_MAX,
         (double)(float)(vbig / 1e269));
  printf("eps %a 1+eps/2==1 %d\n", DBL_EPSILON, vone + DBL_EPSILON / 2 == vone);

  /* int <-> float conversions (defined range) */
  volatile int is[] = {0, 1, -1, 16777217, -16777217, INT_MAX, INT_MIN, 123456789};
  for (unsigned i = 0; i < sizeof is / sizeof is[0]; i++) {
    int v = is[i];
    printf("int %d -> double %.17g float %.9g (%08x) uns->double %.17g\n", v, (double)v, (double)(float)v,
           fbits((float)v), (double)(unsigned)v);
  }
  volatile double cs[] = {0.0, 0.5, -0.5, 0.9999999, -0.9999999, 2.5, -2.5, 2147483647.0, -2147483648.0,
                          2147483646.9, -2147483648.9, 1e9, 3e9, 4294967295.0, 1e18, -9.2e18, 1.8e19};
  for (unsigned i = 0; i < sizeof cs / sizeof cs[0]; i++) {
    double d = cs[i];
    printf("dbl %.17g ->", d);
    if (d > -2147483649.0 && d < 2147483648.0) printf(" int %d", (int)d);
    if (d > -1.0 && d < 4294967296.0) printf(" uns %u", (unsigned)d);
    if (d > -9.3e18 && d < 9.2e18) printf(" ll %lld", (long long)d);
    if (d > -1.0 && d < 1.8446744073709552e19) printf(" ull %llu", (unsigned long long)d);
    printf(" float %a short %d\n", (double)(float)d, (d > -32769 && d < 32768) ? (short)d : 0);
  }
  /* float <-> double rounding */
  volatile double r1 = 1.0 + 0x1p-24, r2 = 1.0 + 0x1p-24 + 0x1p-40, r3 = 1.0 + 3 * 0x1p-24;
  printf("d->f %a %a %a\n", (double)(float)r1, (double)(float)r2, (double)(float)r3);
  volatile float fa = 16777216.0f;
  printf("f+1 %.1f f*3 %a fdiv %a\n", (double)(fa + fone), (double)(fa * 3.0f), (double)(fone / 3.0f));

  /* rounding modes */
  int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
  const char *mn[] = {"nearest", "zero", "up", "down"};
  for (int m = 0; m < 4; m++) {
    int rc = fesetround(modes[m]);
    volatile double q = vone / vthree, nq = -vone / vthree;
    volatile float fq = fone / 3.0f;
    printf("round %s rc %d getround_ok %d: 1/3 %a -1/3 %a f %a rint(2.5) %g rint(-3.5) %g rint(2.7) %g lrint(-2.5) %ld sqrt2 %a (int)2.7 %d\n",
           mn[m], rc, fegetround() == modes[m], q, nq, (double)fq, rint(2.5), rint(-3.5), rint(2.7), lrint(-2.5),
           sqrt(vtwo), (int)(q * 8.1));
  }
  fesetround(FE_TONEAREST);

  /* exception flags */
  feclearexcept(FE_ALL_EXCEPT);
  volatile double t = vone / vzero;
  printf("divbyzero %d", fetestexcept(FE_DIVBYZERO) != 0);
  feclearexcept(FE_ALL_EXCEPT);
  t = vzero / vzero;
  printf(" invalid %d", fetestexcept(FE_INVALID) != 0);
  feclearexcept(FE_ALL_EXCEPT);
  t = vone / vthree;
  printf(" inexact %d", fetestexcept(FE_INEXACT) != 0);
  feclearexcept(FE_ALL_EXCEPT);
  t = vbig * vtwo;
  printf(" overflow %d", fetestexcept(FE_OVERFLOW) != 0);
  feclearexcept(FE_ALL_EXCEPT);
  t = vdm * vdm;
  printf(" underflow %d", fetestexcept(FE_UNDERFLOW) != 0);
  feclearexcept(FE_ALL_EXCEPT);
  t = vtwo * vthree;
  printf(" exact-none %d\n", fetestexcept(FE_ALL_EXCEPT) == 0);
  (void)t;
  printf("nextafter %a %a\n", nextafter(1.0, 2.0), nextafter(0.0, -1.0));
  printf("fmax/fmin with nan %g %g\n", fmax(nan_d, 1.0), fmin(2.0, nan_d));
  printf("classify %s %s %s %s\n", cls(nan_d), cls(inf), cls(vnzero), cls(1.0));
  return 0;
}
