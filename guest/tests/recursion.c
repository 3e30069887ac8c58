/* Recursion: Ackermann, naive Fibonacci, Towers of Hanoi, mutual recursion,
 * deep recursion with stack-allocated arrays (stack growth). */
#include <stdio.h>
#include <stdint.h>

static unsigned ack_calls;
static unsigned ack(unsigned m, unsigned n) {
  ack_calls++;
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint64_t hanoi_moves;
static uint32_t hanoi_hash;
static void hanoi(int n, int from, int to, int via) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to);
  hanoi_moves++;
  hanoi_hash = hanoi_hash * 31 + (uint32_t)(from * 3 + to);
  hanoi(n - 1, via, to, from);
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static uint32_t deep(int depth, uint32_t seed) {
  volatile uint32_t local[8];
  for (int i = 0; i < 8; i++) local[i] = seed + (uint32_t)i * (uint32_t)depth;
  if (depth == 0) return seed;
  uint32_t r = deep(depth - 1, seed * 1664525u + 1013904223u);
  for (int i = 0; i < 8; i++) r ^= local[i] + (uint32_t)i;
  return r;
}

static int64_t sum_digits_rec(int64_t n) { return n < 10 ? n : (n % 10) + sum_digits_rec(n / 10); }

static unsigned gcd(unsigned a, unsigned b) { return b ? gcd(b, a % b) : a; }

static int count_partitions(int n, int max) {
  if (n == 0) return 1;
  int c = 0;
  for (int k = (max < n ? max : n); k >= 1; k--) c += count_partitions(n - k, k);
  return c;
}

int main(void) {
  for (unsigned m = 0; m <= 3; m++)
    for (unsigned n = 0; n <= 5; n++) {
      ack_calls = 0;
      unsigned r = ack(m, n);
      printf("ack(%u,%u)=%u calls=%u\n", m, n, r, ack_calls);
    }
  for (unsigned n = 0; n <= 24; n += 3) printf("fib(%u)=%u\n", n, fib(n));
  for (int n = 1; n <= 16; n += 5) {
    hanoi_moves = 0; hanoi_hash = 0;
    hanoi(n, 0, 2, 1);
    printf("hanoi %d moves %llu hash %08x\n", n, (unsigned long long)hanoi_moves, hanoi_hash);
  }
  printf("even(10001)=%d odd(10001)=%d\n", is_even(10001), is_odd(10001));
  printf("deep %08x\n", deep(20000, 7));
  printf("digits %lld\n", (long long)sum_digits_rec(987654321012345678LL));
  printf("gcd %u %u %u\n", gcd(1071, 462), gcd(832040, 514229), gcd(1u << 30, 3u << 20));
  for (int n = 5; n <= 40; n += 7) printf("p(%d)=%d\n", n, count_partitions(n, n));
  return 0;
}
