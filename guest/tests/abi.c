/* Calling convention: structs passed/returned by value (small and large),
 * varargs with mixed int/double/long long, function pointers, va_copy,
 * many arguments spilled to the stack, float arguments. */
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

struct small { char c; short s; };
struct pair { int a, b; };
struct mixed { double d; int i; char tag[5]; };
struct big { int v[20]; double d; };

static struct small mk_small(char c, short s) { struct small r = {c, s}; return r; }
static struct pair swap_pair(struct pair p) { struct pair r = {p.b, p.a}; return r; }
static struct mixed scale(struct mixed m, double k) { m.d *= k; m.i = (int)(m.i * k); m.tag[0] ^= 0x20; return m; }
static struct big bump(struct big b) { for (int i = 0; i < 20; i++) b.v[i] += i; b.d += 0.5; return b; }

static double many(int a, double b, int c, float d, long long e, int f, double g, char h, short i, float j, int k,
                   long long l, double m) {
  return a + b + c + d + (double)e + f + g + h + i + j + k + (double)l + m;
}

static float fsum(float a, float b, float c, float d, float e) { return a * 1 + b * 2 + c * 3 + d * 4 + e * 5; }

static double vsum(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  double s = 0;
  for (const char *p = fmt; *p; p++) {
    switch (*p) {
      case 'i': s += va_arg(ap, int); break;
      case 'd': s += va_arg(ap, double); break;
      case 'l': s += (double)va_arg(ap, long long); break;
      case 's': s += (double)strlen(va_arg(ap, const char *)); break;
    }
  }
  va_end(ap);
  /* second pass via the copy: count ints only */
  int ints = 0;
  for (const char *p = fmt; *p; p++) {
    switch (*p) {
      case 'i': ints += va_arg(ap2, int); break;
      case 'd': (void)va_arg(ap2, double); break;
      case 'l': (void)va_arg(ap2, long long); break;
      case 's': (void)va_arg(ap2, const char *); break;
    }
  }
  va_end(ap2);
  return s * 1000 + ints;
}

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }

int main(void) {
  struct small s = mk_small('x', -1234);
  printf("small %c %d size %u\n", s.c, s.s, (unsigned)sizeof s);
  struct pair p = swap_pair((struct pair){3, -4});
  printf("pair %d %d\n", p.a, p.b);
  struct mixed m = {2.5, 10, "abcd"};
  m = scale(m, 3.0);
  printf("mixed %.17g %d %s\n", m.d, m.i, m.tag);
  struct big b;
  for (int i = 0; i < 20; i++) b.v[i] = i * i;
  b.d = 1.25;
  struct big b2 = bump(b);
  int bs = 0;
  for (int i = 0; i < 20; i++) bs += b2.v[i];
  printf("big sum %d d %.17g orig %d\n", bs, b2.d, b.v[19]);
  printf("many %.17g\n", many(1, 2.5, 3, 4.25f, 5000000000LL, 6, 7.125, 'A', -9, 10.5f, 11, -12LL, 13.0625));
  printf("fsum %.9g\n", (double)fsum(1.5f, 2.5f, 3.5f, 4.5f, 5.5f));
  printf("vsum %.17g\n", vsum("idlisdi", 1, 2.5, 3000000000LL, 4, "hello", 0.125, 7));
  printf("vsum2 %.17g\n", vsum("dddlli", 1.0, 2.0, 3.0, -1LL, 1LL << 40, -5));
  int (*ops[3])(int, int) = {add, sub, mul};
  int acc = 1;
  for (int i = 0; i < 30; i++) acc = ops[i % 3](acc, i + 2);
  printf("fnptr acc %d\n", acc);
  char line[200];
  int n = snprintf(line, sizeof line, "%d %lld %.3f %s %c %lld %g %d", 1, 2LL, 3.0, "four", '5', -6LL, 7.5, 8);
  printf("vararg printf %d [%s]\n", n, line);
  return 0;
}
