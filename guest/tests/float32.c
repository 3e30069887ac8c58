/* Single-precision arithmetic: sums, products, division, sqrtf, Kahan
 * summation, float<->int/double conversions, a small float matrix kernel. */
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static uint32_t fb(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

int main(void) {
  float naive = 0, kahan = 0, c = 0;
  for (int i = 1; i <= 100000; i++) {
    float term = 1.0f / (float)i;
    naive += term;
    float y = term - c;
    float t = kahan + y;
    c = (t - kahan) - y;
    kahan = t;
  }
  printf("harmonic naive %.9g (%08x) kahan %.9g (%08x)\n", (double)naive, fb(naive), (double)kahan, fb(kahan));
  float x = 0.1f;
  for (int i = 0; i < 20; i++) {
    x = x * 1.7f - 0.03f / (x + 1.0f);
    printf("iter %d %a %.9g sqrtf %a\n", i, (double)x, (double)x, (double)sqrtf(fabsf(x)));
  }
  float m[8][8], v[8], r[8];
  for (int i = 0; i < 8; i++) {
    v[i] = (float)(i + 1) * 0.37f;
    for (int j = 0; j < 8; j++) m[i][j] = (float)((i * 8 + j) % 11) / 7.0f - 0.5f;
  }
  for (int it = 0; it < 30; it++) {
    for (int i = 0; i < 8; i++) {
      float acc = 0;
      for (int j = 0; j < 8; j++) acc += m[i][j] * v[j];
      r[i] = acc;
    }
    float norm = 0;
    for (int i = 0; i < 8; i++) norm += r[i] * r[i];
    norm = sqrtf(norm);
    for (int i = 0; i < 8; i++) v[i] = r[i] / norm;
  }
  printf("vec");
  for (int i = 0; i < 8; i++) printf(" %08x", fb(v[i]));
  printf("\n");
  volatile float fs[] = {0.0f, 1.5f, -1.5f, 2.5f, 1e10f, -1e-10f, 16777216.0f, 16777217.0f, 3.4e38f, 1.17549435e-38f,
                         0.333333343f, 2147483520.0f, -2147483648.0f};
  for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) {
    float f = fs[i];
    printf("f %a: d %.17g", (double)f, (double)f);
    if (f > -2147483649.0f && f < 2147483648.0f) printf(" i %d", (int)f);
    printf(" neg %08x abs %08x recip %a sq %a half %a\n", fb(-f), fb(fabsf(f)), (double)(1.0f / f), (double)(f * f),
           (double)(f * 0.5f));
  }
  volatile int ints[] = {0, 1, -1, 16777217, 2147483647, -2147483647, 33554435};
  for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++)
    printf("i2f %d -> %a u2f %a\n", ints[i], (double)(float)ints[i], (double)(float)(unsigned)ints[i]);
  volatile double ds[] = {0.1, 1.0 / 3, 1e-40, 1e39, -2.5, 0x1.000001p0, 0x1.0000018p0};
  for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) printf("d2f %a -> %a\n", ds[i], (double)(float)ds[i]);
  float a = 1.0f, b = 3.0f;
  printf("cmp %d %d %d fmaf %a fminf %g fmaxf %g\n", a < b, a == b, a >= b, (double)fmaf(a / b, b, -a),
         (double)fminf(a, b), (double)fmaxf(a, b));
  return 0;
}
