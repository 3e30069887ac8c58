/* libm: trig, exp/log, pow, sqrt, fmod, rounding functions, frexp/ldexp/modf,
 * printed exactly with %.17g and %a; float variants too. */
#include <stdio.h>
#include <math.h>

static volatile double xs[] = {0.0, -0.0, 0.5, 1.0, -1.0, 2.0, 3.141592653589793, -2.718281828459045, 10.0,
                               0.001, 100.25, -7.5, 1e-10, 1e10, 0.7853981633974483, 123456.789};

int main(void) {
  int n = (int)(sizeof xs / sizeof xs[0]);
  for (int i = 0; i < n; i++) {
    double x = xs[i];
    printf("x=%.17g (%a)\n", x, x);
    printf("  sin %.17g cos %.17g tan %.17g\n", sin(x), cos(x), tan(x));
    printf("  exp %.17g expm1 %.17g sinh %.17g tanh %.17g\n", exp(x), expm1(x), sinh(x), tanh(x));
    printf("  atan %.17g atan2 %.17g hypot %.17g cbrt %.17g\n", atan(x), atan2(x, 1.5), hypot(x, 3.0), cbrt(x));
    if (x > 0) printf("  log %.17g log10 %.17g log2 %.17g log1p %.17g sqrt %.17g %a\n", log(x), log10(x), log2(x),
                      log1p(x), sqrt(x), sqrt(x));
    if (fabs(x) <= 1) printf("  asin %.17g acos %.17g\n", asin(x), acos(x));
    printf("  floor %.17g ceil %.17g round %.17g trunc %.17g rint %.17g nearbyint %.17g lround %ld\n", floor(x),
           ceil(x), round(x), trunc(x), rint(x), nearbyint(x), fabs(x) < 1e9 ? lround(x) : 0L);
    printf("  fmod %.17g remainder %.17g pow %.17g pow2 %.17g\n", fmod(x, 0.75), remainder(x, 0.75),
           pow(fabs(x), 1.5), pow(x, 3.0));
    int e;
    double ip;
    double m = frexp(x, &e);
    double fr = modf(x, &ip);
    printf("  frexp %.17g %d ldexp %.17g modf %.17g %.17g\n", m, e, ldexp(x, 7), fr, ip);
    float xf = (float)x;
    printf("  f: sinf %.9g cosf %.9g expf %.9g sqrtf %a logf %a powf %.9g\n", (double)sinf(xf), (double)cosf(xf),
           (double)expf(xf > 80 ? 80 : xf), (double)sqrtf(fabsf(xf)), (double)logf(fabsf(xf) + 1),
           (double)powf(fabsf(xf), 0.5f));
  }
  printf("pi %a e %a\n", 4 * atan(1.0), exp(1.0));
  printf("pow edge %.17g %.17g %.17g %.17g\n", pow(2, 0.5), pow(-8, 1.0 / 3), pow(0, -1), pow(10, -310));
  printf("sqrt(-1) isnan %d, log(0) %g, exp(1000) %g, exp(-1000) %g\n", isnan(sqrt(-1.0)), log(0.0), exp(1000.0),
         exp(-1000.0));
  double acc = 0;
  for (int k = 1; k <= 2000; k++) acc += sin(k * 0.001) * cos(k * 0.002) + sqrt((double)k) / k;
  printf("acc %.17g %a\n", acc, acc);
  printf("fmin %g fmax %g fdim %g fma %.17g copysign %g\n", fmin(1, NAN), fmax(-2, 3), fdim(5, 7),
         fma(0.1, 10.0, -1.0), copysign(3.0, -0.0));
  printf("erf %.17g lgamma %.17g tgamma %.17g j0 %.17g\n", erf(0.5), lgamma(4.5), tgamma(5.5), j0(2.0));
  return 0;
}
