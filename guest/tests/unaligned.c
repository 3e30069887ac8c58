/* Unaligned data: packed structs (lwl/lwr/swl/swr and byte sequences),
 * memcpy/memmove at odd offsets, unaligned loads through packed pointers. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

struct __attribute__((packed)) rec {
  uint8_t tag;
  uint32_t a;
  uint16_t b;
  int64_t c;
  double d;
  int32_t e;
  float f;
};

typedef struct __attribute__((packed, aligned(1))) { uint32_t v; } u32u;
typedef struct __attribute__((packed, aligned(1))) { uint16_t v; } u16u;
typedef struct __attribute__((packed, aligned(1))) { uint64_t v; } u64u;
typedef struct __attribute__((packed, aligned(1))) { double v; } dblu;

static uint8_t buf[256];
static struct rec recs[9];

static uint32_t ld32(const void *p) { return ((const u32u *)p)->v; }
static void st32(void *p, uint32_t v) { ((u32u *)p)->v = v; }
static uint16_t ld16(const void *p) { return ((const u16u *)p)->v; }
static uint64_t ld64(const void *p) { return ((const u64u *)p)->v; }
static void st64(void *p, uint64_t v) { ((u64u *)p)->v = v; }

static void dump(const char *label, const uint8_t *p, int n) {
  printf("%s:", label);
  for (int i = 0; i < n; i++) printf("%s%02x", (i % 16) ? "" : " ", p[i]);
  printf("\n");
}

int main(void) {
  printf("sizeof rec %u\n", (unsigned)sizeof(struct rec));
  for (int i = 0; i < 9; i++) {
    recs[i].tag = (uint8_t)(0xa0 + i);
    recs[i].a = 0x01020304u * (uint32_t)(i + 1);
    recs[i].b = (uint16_t)(0xbeef + i);
    recs[i].c = -0x0102030405060708LL * (i + 1);
    recs[i].d = 1.5 * (i + 1) - 0.125;
    recs[i].e = -i * 1000003;
    recs[i].f = (float)i / 3.0f;
  }
  dump("recs", (const uint8_t *)recs, 64);
  int64_t csum = 0;
  double dsum = 0;
  for (int i = 0; i < 9; i++) {
    csum += recs[i].a + recs[i].b + recs[i].c + recs[i].e + recs[i].tag;
    dsum += recs[i].d + recs[i].f;
    recs[i].a += 7;
    recs[i].c ^= 0x5555;
  }
  printf("csum %lld dsum %.17g a8 %08x c8 %016llx\n", (long long)csum, dsum, recs[8].a,
         (unsigned long long)recs[8].c);

  for (int i = 0; i < 256; i++) buf[i] = (uint8_t)(i * 37 + 11);
  for (int off = 0; off < 8; off++) {
    printf("off %d: ld16 %04x ld32 %08x ld64 %016llx\n", off, ld16(buf + off), ld32(buf + off),
           (unsigned long long)ld64(buf + off));
  }
  for (int off = 0; off < 8; off++) {
    st32(buf + 100 + off * 5, 0xcafebabeu ^ (uint32_t)off);
    st64(buf + 150 + off * 9, 0x0123456789abcdefULL + (uint64_t)off);
  }
  dump("after stores", buf + 96, 128);

  /* memcpy / memmove at odd offsets */
  uint8_t src[300], dst[300];
  for (int i = 0; i < 300; i++) src[i] = (uint8_t)(i ^ 0x5a);
  uint32_t h = 2166136261u;
  for (int so = 0; so < 8; so++) {
    for (int dof = 0; dof < 8; dof++) {
      for (int len = 0; len < 70; len += 3) {
        memset(dst, 0xee, sizeof dst);
        memcpy(dst + dof, src + so, (size_t)len);
        for (int k = 0; k < len + 16; k++) h = (h ^ dst[k]) * 16777619u;
      }
    }
  }
  printf("memcpy hash %08x\n", h);
  for (int i = 0; i < 300; i++) dst[i] = (uint8_t)i;
  memmove(dst + 3, dst + 1, 200);
  memmove(dst + 10, dst + 17, 150);
  dump("memmove", dst, 48);

  /* unaligned double */
  uint8_t dbuf[32] = {0};
  dblu *dp = (dblu *)(dbuf + 3);
  dp->v = 3.141592653589793;
  double back;
  memcpy(&back, dbuf + 3, 8);
  printf("double unaligned %.17g %.17g\n", dp->v, back);
  dump("dbuf", dbuf, 16);

  /* struct with odd-offset members copied by value */
  struct rec tmp = recs[3];
  tmp.d *= 2;
  recs[4] = tmp;
  printf("copy %02x %08x %04x %lld %.17g %d %.9g\n", recs[4].tag, recs[4].a, recs[4].b,
         (long long)recs[4].c, recs[4].d, recs[4].e, recs[4].f);
  return 0;
}
