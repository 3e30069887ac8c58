/* 32-bit integer arithmetic: wrapping add/sub/mul, signed/unsigned division
 * and modulo (incl. negatives), division by constants, shifts, comparisons,
 * sign/zero extension, 32x32->64 multiplies (mult/multu hi/lo). */
#include <stdio.h>
#include <stdint.h>
#include <limits.h>

static volatile int32_t vi[] = {0, 1, -1, 2, -2, 7, -7, 13, -13, 100, -100,
                                INT_MAX, INT_MIN, 0x12345678, -0x12345678, 65536, -65537};
static volatile uint32_t vu[] = {0, 1, 2, 3, 7, 10, 0xffffffffu, 0x80000000u, 0x7fffffffu,
                                 0xdeadbeefu, 12345u, 0x10000u, 0xfffffffeu};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void) {
  uint32_t h = 0;
  for (int i = 0; i < N(vi); i++) {
    for (int j = 0; j < N(vi); j++) {
      int32_t a = vi[i], b = vi[j];
      int32_t add = (int32_t)((uint32_t)a + (uint32_t)b);
      int32_t sub = (int32_t)((uint32_t)a - (uint32_t)b);
      int32_t mul = (int32_t)((uint32_t)a * (uint32_t)b);
      int64_t wide = (int64_t)a * (int64_t)b;
      printf("%d,%d: + %d - %d * %d w %lld", a, b, add, sub, mul, (long long)wide);
      if (b != 0 && !(a == INT_MIN && b == -1))
        printf(" / %d %% %d", a / b, a % b);
      printf(" < %d sra %d sll %d srl %u\n", a < b, a >> (j & 31),
             (int32_t)((uint32_t)a << (j & 31)), (uint32_t)a >> ((i + j) & 31));
      h = h * 31u + (uint32_t)add + (uint32_t)mul * 7u + (uint32_t)(wide >> 32);
    }
  }
  for (int i = 0; i < N(vu); i++) {
    for (int j = 0; j < N(vu); j++) {
      uint32_t a = vu[i], b = vu[j];
      uint64_t wide = (uint64_t)a * b;
      printf("u %u,%u: * %u hi %u < %d", a, b, a * b, (uint32_t)(wide >> 32), a < b);
      if (b) printf(" / %u %% %u", a / b, a % b);
      printf("\n");
      h ^= (uint32_t)wide + (uint32_t)(wide >> 32);
    }
  }
  /* division by constants (compiled to multiply-high sequences) */
  for (int i = 0; i < N(vi); i++) {
    int32_t a = vi[i];
    uint32_t u = (uint32_t)a;
    printf("c %d: %d %d %d %d %d %d | %u %u %u %u\n", a, a / 3, a % 3, a / 7, a % 10,
           a / 16, a % 16, u / 3, u % 10, u / 1000, u % 65521);
  }
  /* sign / zero extension */
  for (int i = 0; i < N(vu); i++) {
    uint32_t u = vu[i];
    printf("x %08x: sc %d uc %u ss %d us %u\n", u, (signed char)u, (unsigned char)u,
           (short)u, (unsigned short)u);
  }
  /* overflow detection builtins */
  for (int i = 0; i < N(vi); i++) {
    int32_t r1, r2, r3;
    int32_t a = vi[i], b = vi[(i * 5 + 3) % N(vi)];
    int o1 = __builtin_add_overflow(a, b, &r1);
    int o2 = __builtin_sub_overflow(a, b, &r2);
    int o3 = __builtin_mul_overflow(a, b, &r3);
    printf("ov %d %d: %d/%d %d/%d %d/%d\n", a, b, o1, r1, o2, r2, o3, r3);
  }
  int32_t acc = 1;
  uint32_t uacc = 1;
  for (int i = 0; i < 1000; i++) {
    acc = (int32_t)((uint32_t)acc * 1103515245u + 12345u);
    uacc = uacc * 69069u + (uacc >> 3);
  }
  printf("lcg %d %u hash %08x\n", acc, uacc, h);
  return 0;
}
