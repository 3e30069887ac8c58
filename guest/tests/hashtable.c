/* A chained hash table with string keys: insert, update, lookup, delete,
 * resize; statistics and a checksum over iteration order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

struct entry { char *key; long value; struct entry *next; };
struct table { struct entry **buckets; size_t nbuckets, count, resizes; };

static uint32_t hash(const char *s) {
  uint32_t h = 5381;
  while (*s) h = h * 33 ^ (unsigned char)*s++;
  return h;
}

static void resize(struct table *t, size_t nb) {
  struct entry **nbk = calloc(nb, sizeof *nbk);
  for (size_t i = 0; i < t->nbuckets; i++) {
    struct entry *e = t->buckets[i];
    while (e) {
      struct entry *nx = e->next;
      size_t b = hash(e->key) % nb;
      e->next = nbk[b];
      nbk[b] = e;
      e = nx;
    }
  }
  free(t->buckets);
  t->buckets = nbk;
  t->nbuckets = nb;
  t->resizes++;
}

static void put(struct table *t, const char *k, long v) {
  size_t b = hash(k) % t->nbuckets;
  for (struct entry *e = t->buckets[b]; e; e = e->next)
    if (strcmp(e->key, k) == 0) { e->value = v; return; }
  struct entry *e = malloc(sizeof *e);
  e->key = strdup(k);
  e->value = v;
  e->next = t->buckets[b];
  t->buckets[b] = e;
  if (++t->count > t->nbuckets * 3 / 4) resize(t, t->nbuckets * 2 + 1);
}

static struct entry *get(struct table *t, const char *k) {
  for (struct entry *e = t->buckets[hash(k) % t->nbuckets]; e; e = e->next)
    if (strcmp(e->key, k) == 0) return e;
  return NULL;
}

static int del(struct table *t, const char *k) {
  struct entry **pp = &t->buckets[hash(k) % t->nbuckets];
  for (; *pp; pp = &(*pp)->next)
    if (strcmp((*pp)->key, k) == 0) {
      struct entry *e = *pp;
      *pp = e->next;
      free(e->key);
      free(e);
      t->count--;
      return 1;
    }
  return 0;
}

int main(void) {
  struct table t = {calloc(7, sizeof(struct entry *)), 7, 0, 0};
  char key[32];
  for (int i = 0; i < 20000; i++) {
    snprintf(key, sizeof key, "key-%d-%x", i, i * 2654435761u);
    put(&t, key, i);
  }
  printf("count %zu buckets %zu resizes %zu\n", t.count, t.nbuckets, t.resizes);
  for (int i = 0; i < 20000; i += 3) {
    snprintf(key, sizeof key, "key-%d-%x", i, i * 2654435761u);
    put(&t, key, -i);
  }
  int deleted = 0;
  for (int i = 0; i < 20000; i += 5) {
    snprintf(key, sizeof key, "key-%d-%x", i, i * 2654435761u);
    deleted += del(&t, key);
  }
  deleted += del(&t, "not-there");
  long found = 0, missing = 0, vsum = 0;
  for (int i = 0; i < 21000; i++) {
    snprintf(key, sizeof key, "key-%d-%x", i, i * 2654435761u);
    struct entry *e = get(&t, key);
    if (e) { found++; vsum += e->value; } else missing++;
  }
  printf("deleted %d found %ld missing %ld vsum %ld\n", deleted, found, missing, vsum);
  size_t maxchain = 0, empty = 0;
  uint32_t order = 0;
  for (size_t i = 0; i < t.nbuckets; i++) {
    size_t len = 0;
    for (struct entry *e = t.buckets[i]; e; e = e->next) { len++; order = order * 31 + hash(e->key) + (uint32_t)e->value; }
    if (len > maxchain) maxchain = len;
    if (!len) empty++;
  }
  printf("maxchain %zu empty %zu order %08x\n", maxchain, empty, order);
  /* word frequency */
  const char *text = "the cat sat on the mat the dog sat on the log and the cat saw the dog";
  struct table w = {calloc(3, sizeof(struct entry *)), 3, 0, 0};
  char buf[128];
  strcpy(buf, text);
  for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
    struct entry *e = get(&w, tok);
    put(&w, tok, e ? e->value + 1 : 1);
  }
  const char *q[] = {"the", "cat", "dog", "sat", "on", "mat", "log", "and", "saw", "bird"};
  for (int i = 0; i < 10; i++) {
    struct entry *e = get(&w, q[i]);
    printf("%s=%ld ", q[i], e ? e->value : 0);
  }
  printf("\n");
  return 0;
}
