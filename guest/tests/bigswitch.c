/* Jump tables: dense switch statements (jr through a table), a sparse switch,
 * a character-classifying switch, and computed goto (GCC labels-as-values). */
#include <stdio.h>
#include <stdint.h>

static uint32_t op(unsigned k, uint32_t x) {
  switch (k) {
    case 0: return x + 1;
    case 1: return x * 3;
    case 2: return x ^ 0xdeadbeef;
    case 3: return x >> 3;
    case 4: return x << 5;
    case 5: return ~x;
    case 6: return x - 77;
    case 7: return x * x;
    case 8: return x | 0x100;
    case 9: return x & 0xfff0fff;
    case 10: return x + (x >> 16);
    case 11: return (x << 7) | (x >> 25);
    case 12: return x / 3;
    case 13: return x % 1000;
    case 14: return x * 2654435761u;
    case 15: return x ^ (x >> 11);
    case 16: return x + 0x1234567;
    case 17: return x - (x << 2);
    case 18: return x == 0 ? 1 : x;
    case 19: return x & -x;
    case 20: return x ? (uint32_t)__builtin_clz(x) : 32;
    case 21: return (uint32_t)__builtin_popcount(x);
    case 22: return x * 9 + 5;
    case 23: return x ^ 0x55555555;
    case 24: return x + 24;
    case 25: return x >> 1;
    case 26: return x * 1000003;
    case 27: return (x & 0xff) << 24 | x >> 8;
    case 28: return x - 1;
    case 29: return x + x + x;
    case 30: return x ^ (x << 13);
    case 31: return x / 7 + x % 7;
    default: return x + k;
  }
}

static const char *sparse(int v) {
  switch (v) {
    case -1000: return "minus-thousand";
    case -1: return "minus-one";
    case 0: return "zero";
    case 7: return "seven";
    case 100: return "hundred";
    case 1024: return "kibi";
    case 65536: return "64k";
    case 1000000: return "million";
    default: return "other";
  }
}

static int classify(int c) {
  switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return 1;
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return 2;
    case ' ': case '\t': case '\n': return 3;
    case '+': case '-': case '*': case '/': return 4;
    case '(': case ')': case '[': case ']': case '{': case '}': return 5;
    default: return (c >= 'a' && c <= 'z') ? 6 : 0;
  }
}

static uint32_t run_threaded(const unsigned char *code, int n, uint32_t x) {
  static void *labels[] = {&&l_add, &&l_mul, &&l_xor, &&l_shr, &&l_nop};
  int pc = 0;
#define NEXT() do { if (pc >= n) return x; goto *labels[code[pc++] % 5]; } while (0)
  NEXT();
l_add: x += 17; NEXT();
l_mul: x *= 5; NEXT();
l_xor: x ^= 0xa5a5a5a5u; NEXT();
l_shr: x = (x >> 1) | (x << 31); NEXT();
l_nop: NEXT();
#undef NEXT
}

int main(void) {
  uint32_t x = 1;
  for (unsigned i = 0; i < 4000; i++) {
    x = op((i * 7 + (x & 3)) % 36, x);
    if (i % 250 == 0) printf("i %u x %08x\n", i, x);
  }
  printf("final %08x\n", x);
  int vals[] = {-1000, -1, 0, 1, 7, 100, 101, 1024, 65536, 1000000, 999999};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) printf("%d -> %s\n", vals[i], sparse(vals[i]));
  const char *text = "int main(void) { return (a+b)*[c-7]/42; } // the quick brown fox 0123456789";
  int counts[7] = {0};
  for (const char *p = text; *p; p++) counts[classify(*p)]++;
  printf("classes");
  for (int i = 0; i < 7; i++) printf(" %d", counts[i]);
  printf("\n");
  unsigned char code[512];
  for (int i = 0; i < 512; i++) code[i] = (unsigned char)((i * 13) ^ (i >> 2));
  uint32_t acc = 0;
  for (int r = 0; r < 50; r++) acc += run_threaded(code, 512 - r, (uint32_t)r);
  printf("threaded %08x\n", acc);
  return 0;
}
