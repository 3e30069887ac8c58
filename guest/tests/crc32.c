/* Checksums: CRC-32 (bitwise and table-driven), Adler-32, FNV-1a 32/64,
 * over fixed strings and 1 MiB of generated data. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

static uint32_t table[256];

static void init_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
  }
  return ~c;
}

static uint32_t crc_table(uint32_t c, const uint8_t *p, size_t n) {
  c = ~c;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

static uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; }
  return (b << 16) | a;
}

static uint32_t fnv32(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}
static uint64_t fnv64(const uint8_t *p, size_t n) {
  uint64_t h = 14695981039346656037ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

int main(void) {
  init_table();
  const char *strs[] = {"", "a", "abc", "123456789", "The quick brown fox jumps over the lazy dog",
                        "message digest"};
  for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; i++) {
    const uint8_t *p = (const uint8_t *)strs[i];
    size_t n = strlen(strs[i]);
    printf("[%s] crc %08x %08x adler %08x fnv32 %08x fnv64 %016llx\n", strs[i], crc_bitwise(p, n),
           crc_table(0, p, n), adler32(p, n), fnv32(p, n), (unsigned long long)fnv64(p, n));
  }
  size_t n = 1 << 20;
  uint8_t *data = malloc(n);
  uint32_t x = 1;
  for (size_t i = 0; i < n; i++) { x = x * 1664525u + 1013904223u; data[i] = (uint8_t)(x >> 24); }
  uint32_t whole = crc_table(0, data, n);
  uint32_t inc = 0;
  for (size_t off = 0; off < n; off += 4099) inc = crc_table(inc, data + off, off + 4099 <= n ? 4099 : n - off);
  printf("1MiB crc %08x incremental %08x match %d adler %08x fnv32 %08x\n", whole, inc, whole == inc,
         adler32(data, n), fnv32(data, n));
  printf("bitwise 64KiB %08x table %08x\n", crc_bitwise(data, 65536), crc_table(0, data, 65536));
  free(data);
  return 0;
}
