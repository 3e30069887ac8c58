/* Bit operations: popcount, clz, ctz, ffs, parity, rotates, byte swaps
 * (incl. __builtin_bswap32/64 -> wsbh/rotr on r2), bitfields, bit reversal. */
#include <stdio.h>
#include <stdint.h>
#include <strings.h>

struct bf {
  unsigned a : 3;
  signed b : 5;
  unsigned c : 12;
  signed d : 7;
  unsigned e : 5;
};

struct bf2 {
  uint64_t lo : 20, mid : 24, hi : 20;
};

static uint32_t rotl32(uint32_t x, unsigned r) { return (x << (r & 31)) | (x >> ((32 - r) & 31)); }
static uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }
static uint64_t rotl64(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }

static uint32_t rev32(uint32_t x) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i++) { r = (r << 1) | (x & 1); x >>= 1; }
  return r;
}

static int popcount_naive(uint32_t x) {
  int c = 0;
  while (x) { x &= x - 1; c++; }
  return c;
}

int main(void) {
  uint32_t s = 0x9e3779b9u;
  uint32_t h = 0;
  for (int i = 0; i < 200; i++) {
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;
    uint32_t x = (i % 7 == 0) ? (s >> (i % 32)) : s;
    if (x == 0) x = 1;
    uint64_t y = ((uint64_t)x << 32) | (s * 2654435761u);
    int pc = __builtin_popcount(x);
    if (pc != popcount_naive(x)) printf("popcount mismatch %08x\n", x);
    if (i < 60)
      printf("%08x pc %d pcll %d clz %d ctz %d ffs %d par %d clzll %d ctzll %d rl %08x rr %08x bs %08x bs16 %04x rev %08x rl64 %016llx bs64 %016llx\n",
             x, pc, __builtin_popcountll(y), __builtin_clz(x), __builtin_ctz(x), ffs((int)x),
             __builtin_parity(x), __builtin_clzll(y), __builtin_ctzll(y), rotl32(x, i), rotr32(x, i),
             __builtin_bswap32(x), __builtin_bswap16((uint16_t)x), rev32(x),
             (unsigned long long)rotl64(y, i), (unsigned long long)__builtin_bswap64(y));
    h = rotl32(h, 5) ^ (uint32_t)pc ^ __builtin_bswap32(x) ^ (uint32_t)__builtin_clz(x) ^ rev32(x);
  }
  printf("h %08x\n", h);

  struct bf b;
  for (int i = 0; i < 40; i++) {
    b.a = (unsigned)i;
    b.b = i - 20;
    b.c = (unsigned)(i * 123);
    b.d = -i * 3;
    b.e = (unsigned)(i * 7);
    b.c += b.a;
    printf("bf %u %d %u %d %u\n", b.a, b.b, b.c, b.d, b.e);
  }
  uint32_t raw;
  b.a = 5; b.b = -3; b.c = 0xabc; b.d = -60; b.e = 17;
  __builtin_memcpy(&raw, &b, 4);
  printf("bf raw %08x size %u\n", raw, (unsigned)sizeof b);

  struct bf2 w = {0};
  for (int i = 0; i < 10; i++) {
    w.lo = w.lo * 3 + 0x12345u;
    w.mid += 0x654321u * (uint64_t)i;
    w.hi ^= (uint64_t)i << 15;
    uint64_t r;
    __builtin_memcpy(&r, &w, 8);
    printf("bf2 %llx %llx %llx raw %016llx\n", (unsigned long long)w.lo,
           (unsigned long long)w.mid, (unsigned long long)w.hi, (unsigned long long)r);
  }
  /* bit tricks */
  for (uint32_t v = 1; v < 5000000u; v = v * 3 + 1) {
    uint32_t npow2 = v - 1;
    npow2 |= npow2 >> 1; npow2 |= npow2 >> 2; npow2 |= npow2 >> 4;
    npow2 |= npow2 >> 8; npow2 |= npow2 >> 16; npow2++;
    printf("v %u np2 %u low %u ispow2 %d sext %d\n", v, npow2, v & -v, (v & (v - 1)) == 0,
           (int32_t)(v << 20) >> 20);
  }
  return 0;
}
