/* Arbitrary-precision arithmetic on 32-bit limbs with 64-bit intermediates:
 * factorials, powers of two, Fibonacci numbers in decimal, digit sums. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define LIMBS 400
typedef struct { uint32_t d[LIMBS]; int n; } big;

static void set(big *a, uint32_t v) { memset(a, 0, sizeof *a); a->d[0] = v; a->n = 1; }
static void mul_small(big *a, uint32_t m) {
  uint64_t carry = 0;
  for (int i = 0; i < a->n; i++) { uint64_t t = (uint64_t)a->d[i] * m + carry; a->d[i] = (uint32_t)t; carry = t >> 32; }
  if (carry) a->d[a->n++] = (uint32_t)carry;
}
static void add(big *r, const big *a, const big *b) {
  int n = a->n > b->n ? a->n : b->n;
  uint64_t carry = 0;
  for (int i = 0; i < n; i++) { uint64_t t = (uint64_t)a->d[i] + b->d[i] + carry; r->d[i] = (uint32_t)t; carry = t >> 32; }
  r->n = n;
  if (carry) r->d[r->n++] = (uint32_t)carry;
}
static uint32_t div_small(big *a, uint32_t m) {
  uint64_t rem = 0;
  for (int i = a->n - 1; i >= 0; i--) { uint64_t cur = (rem << 32) | a->d[i]; a->d[i] = (uint32_t)(cur / m); rem = cur % m; }
  while (a->n > 1 && a->d[a->n - 1] == 0) a->n--;
  return (uint32_t)rem;
}
static void mul(big *r, const big *a, const big *b) {
  big t;
  memset(&t, 0, sizeof t);
  for (int i = 0; i < a->n; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < b->n; j++) {
      uint64_t cur = (uint64_t)a->d[i] * b->d[j] + t.d[i + j] + carry;
      t.d[i + j] = (uint32_t)cur;
      carry = cur >> 32;
    }
    t.d[i + b->n] = (uint32_t)carry;
  }
  t.n = a->n + b->n;
  while (t.n > 1 && t.d[t.n - 1] == 0) t.n--;
  *r = t;
}
static void print(const char *label, const big *a) {
  big t = *a;
  static char digits[LIMBS * 10 + 1];
  int n = 0;
  do { uint32_t r = div_small(&t, 1000000000u); for (int k = 0; k < 9; k++) { digits[n++] = (char)('0' + r % 10); r /= 10; } } while (t.n > 1 || t.d[0]);
  while (n > 1 && digits[n - 1] == '0') n--;
  int sum = 0;
  for (int i = 0; i < n; i++) sum += digits[i] - '0';
  printf("%s (%d digits, digit sum %d): ", label, n, sum);
  for (int i = n - 1; i >= 0; i--) putchar(digits[i]);
  putchar('\n');
}

int main(void) {
  big a, b, c;
  set(&a, 1);
  for (uint32_t i = 2; i <= 300; i++) mul_small(&a, i);
  print("300!", &a);
  set(&b, 1);
  for (int i = 0; i < 1000; i++) mul_small(&b, 2);
  print("2^1000", &b);
  set(&a, 0); set(&b, 1); set(&c, 0);
  for (int i = 0; i < 1000; i++) { add(&c, &a, &b); a = b; b = c; }
  print("fib(1001)", &b);
  set(&a, 3);
  for (int i = 0; i < 6; i++) mul(&a, &a, &a);
  print("3^64", &a);
  set(&c, 0xffffffffu);
  mul(&c, &c, &c);
  mul(&c, &c, &c);
  print("(2^32-1)^4", &c);
  return 0;
}
