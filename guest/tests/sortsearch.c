/* qsort and bsearch on ints, strings and structs (stable via tiebreak). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static uint32_t rng = 12345;
static uint32_t next(void) { rng = rng * 1103515245u + 12345u; return (rng >> 8) & 0xffffff; }

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static int cmp_int_desc(const void *a, const void *b) { return cmp_int(b, a); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct person { char name[12]; int age; int id; };
static int cmp_person(const void *a, const void *b) {
  const struct person *p = a, *q = b;
  if (p->age != q->age) return p->age - q->age;
  int c = strcmp(p->name, q->name);
  if (c) return c;
  return p->id - q->id;
}
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#define NI 5000
static int arr[NI];

int main(void) {
  for (int i = 0; i < NI; i++) arr[i] = (int)(next() % 100000) - 50000;
  qsort(arr, NI, sizeof arr[0], cmp_int);
  int ok = 1;
  long long sum = 0;
  for (int i = 0; i < NI; i++) { if (i && arr[i - 1] > arr[i]) ok = 0; sum += arr[i] * (long long)(i + 1); }
  printf("ints sorted %d min %d max %d median %d weighted %lld\n", ok, arr[0], arr[NI - 1], arr[NI / 2], sum);
  int found = 0, missing = 0;
  for (int k = -50000; k < 50000; k += 97) {
    int *p = bsearch(&k, arr, NI, sizeof arr[0], cmp_int);
    if (p) { found++; if (*p != k) printf("bad bsearch\n"); } else missing++;
  }
  printf("bsearch found %d missing %d\n", found, missing);
  qsort(arr, NI, sizeof arr[0], cmp_int_desc);
  printf("desc first %d %d %d last %d\n", arr[0], arr[1], arr[2], arr[NI - 1]);

  static const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "apple", "date", "kiwi",
                                "lemon", "lime", "mango", "grape", "Zebra", "alpha", "", "zz", "a"};
  int nw = (int)(sizeof words / sizeof words[0]);
  const char *w[32];
  memcpy(w, words, sizeof words);
  qsort(w, (size_t)nw, sizeof w[0], cmp_str);
  for (int i = 0; i < nw; i++) printf("[%s]", w[i]);
  printf("\n");
  const char *key = "kiwi";
  const char **hit = bsearch(&key, w, (size_t)nw, sizeof w[0], cmp_str);
  printf("kiwi at %d\n", hit ? (int)(hit - w) : -1);
  key = "nope";
  hit = bsearch(&key, w, (size_t)nw, sizeof w[0], cmp_str);
  printf("nope at %d\n", hit ? (int)(hit - w) : -1);

  struct person ps[200];
  static const char *names[] = {"ann", "bob", "cy", "dee", "eve", "fay", "gus"};
  for (int i = 0; i < 200; i++) {
    strcpy(ps[i].name, names[next() % 7]);
    ps[i].age = 20 + (int)(next() % 15);
    ps[i].id = i;
  }
  qsort(ps, 200, sizeof ps[0], cmp_person);
  for (int i = 0; i < 200; i += 19) printf("%s/%d/%d ", ps[i].name, ps[i].age, ps[i].id);
  printf("\n");

  double ds[1000];
  for (int i = 0; i < 1000; i++) ds[i] = ((double)next() - 8388608.0) / 1024.0;
  qsort(ds, 1000, sizeof ds[0], cmp_double);
  printf("doubles %.17g %.17g %.17g\n", ds[0], ds[500], ds[999]);
  return 0;
}
