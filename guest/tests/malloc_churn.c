/* malloc churn: many malloc/calloc/realloc/free of varied sizes including
 * large (mmap-threshold) blocks; contents verified and checksummed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define SLOTS 1024
static unsigned char *ptr[SLOTS];
static size_t len[SLOTS];
static uint8_t seedv[SLOTS];

static uint32_t rng = 2463534242u;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void fill(int i) { for (size_t k = 0; k < len[i]; k++) ptr[i][k] = (uint8_t)(seedv[i] + k * 7); }
static int check(int i, size_t n) {
  for (size_t k = 0; k < n; k++) if (ptr[i][k] != (uint8_t)(seedv[i] + k * 7)) return 0;
  return 1;
}

static size_t pick_size(void) {
  uint32_t r = rnd();
  switch (r % 64) {
    case 0: case 1: case 2: case 3: return 0;
    case 4: return 140000 + r % 60000;  /* above the mmap threshold */
    case 5: case 6: case 7: case 8: case 9: case 10: return 4096 + r % 20000;
    default: return 1 + r % 512;
  }
}

int main(void) {
  uint32_t sum = 0;
  long mallocs = 0, reallocs = 0, frees = 0, callocs = 0, bad = 0;
  for (int iter = 0; iter < 30000; iter++) {
    int i = (int)(rnd() % SLOTS);
    uint32_t op = rnd() % 10;
    if (ptr[i] == NULL) {
      len[i] = pick_size();
      seedv[i] = (uint8_t)rnd();
      if (op < 2) {
        ptr[i] = calloc(1, len[i] ? len[i] : 1);
        for (size_t k = 0; k < len[i]; k++) if (ptr[i][k]) { bad++; break; }
        callocs++;
      } else {
        ptr[i] = malloc(len[i] ? len[i] : 1);
        mallocs++;
      }
      if (!ptr[i]) { printf("allocation failed\n"); return 1; }
      fill(i);
    } else if (op < 4) {
      size_t old = len[i], nl = pick_size();
      unsigned char *p = realloc(ptr[i], nl ? nl : 1);
      if (!p) { printf("realloc failed\n"); return 1; }
      ptr[i] = p;
      if (!check(i, old < nl ? old : nl)) bad++;
      len[i] = nl;
      fill(i);
      reallocs++;
    } else {
      if (!check(i, len[i])) bad++;
      for (size_t k = 0; k < len[i]; k += 13) sum = sum * 33 + ptr[i][k];
      free(ptr[i]);
      ptr[i] = NULL;
      frees++;
    }
  }
  size_t live = 0;
  for (int i = 0; i < SLOTS; i++) {
    if (ptr[i]) {
      if (!check(i, len[i])) bad++;
      live += len[i];
      free(ptr[i]);
    }
  }
  printf("mallocs %ld callocs %ld reallocs %ld frees %ld bad %ld live %zu sum %08x\n", mallocs, callocs, reallocs,
         frees, bad, live, sum);
  /* growing a buffer by doubling, then a linked structure of small nodes */
  char *s = NULL;
  size_t cap = 0, n = 0;
  for (int k = 0; k < 100000; k++) {
    if (n + 1 >= cap) { cap = cap ? cap * 2 : 16; s = realloc(s, cap); }
    s[n++] = (char)('a' + k % 26);
  }
  s[n] = 0;
  printf("grown %zu cap %zu tail %s\n", n, cap, s + n - 10);
  free(s);
  struct node { struct node *next; int v; } *head = NULL;
  for (int k = 0; k < 20000; k++) {
    struct node *nd = malloc(sizeof *nd);
    nd->v = k; nd->next = head; head = nd;
  }
  long total = 0;
  while (head) { struct node *nx = head->next; total += head->v; free(head); head = nx; }
  printf("nodes total %ld\n", total);
  void *al = NULL;
  int rc = posix_memalign(&al, 4096, 10000);
  printf("memalign rc %d aligned %d\n", rc, ((uintptr_t)al & 4095) == 0);
  free(al);
  return 0;
}
