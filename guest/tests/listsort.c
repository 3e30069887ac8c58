/* Linked lists: build, merge sort, insertion sort, reverse, dedupe,
 * verification and checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

struct node { int v; struct node *next; };

static uint32_t rng = 99;
static int rnd(void) { rng = rng * 1664525u + 1013904223u; return (int)(rng >> 12) % 100000; }

static struct node *push(struct node *h, int v) { struct node *n = malloc(sizeof *n); n->v = v; n->next = h; return n; }

static struct node *merge(struct node *a, struct node *b) {
  struct node head, *t = &head;
  while (a && b) {
    if (a->v <= b->v) { t->next = a; a = a->next; } else { t->next = b; b = b->next; }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static struct node *msort(struct node *h) {
  if (!h || !h->next) return h;
  struct node *slow = h, *fast = h->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  struct node *b = slow->next;
  slow->next = NULL;
  return merge(msort(h), msort(b));
}

static struct node *isort(struct node *h) {
  struct node *sorted = NULL;
  while (h) {
    struct node *n = h; h = h->next;
    struct node **pp = &sorted;
    while (*pp && (*pp)->v < n->v) pp = &(*pp)->next;
    n->next = *pp; *pp = n;
  }
  return sorted;
}

static struct node *reverse(struct node *h) {
  struct node *r = NULL;
  while (h) { struct node *n = h->next; h->next = r; r = h; h = n; }
  return r;
}

static void report(const char *label, struct node *h) {
  long n = 0, sorted = 1;
  uint32_t sum = 0;
  int prev = -1;
  for (struct node *p = h; p; p = p->next) {
    if (n && p->v < prev) sorted = 0;
    prev = p->v;
    sum = sum * 31 + (uint32_t)p->v;
    n++;
  }
  printf("%s: n %ld sorted %ld hash %08x first", label, n, sorted, sum);
  int k = 0;
  for (struct node *p = h; p && k < 6; p = p->next, k++) printf(" %d", p->v);
  printf("\n");
}

static void freelist(struct node *h) { while (h) { struct node *n = h->next; free(h); h = n; } }

int main(void) {
  struct node *h = NULL;
  for (int i = 0; i < 50000; i++) h = push(h, rnd());
  report("random", h);
  h = msort(h);
  report("msort", h);
  h = reverse(h);
  report("reversed", h);
  h = msort(h);
  int removed = 0;
  for (struct node *p = h; p && p->next;) {
    if (p->next->v == p->v) { struct node *d = p->next; p->next = d->next; free(d); removed++; }
    else p = p->next;
  }
  printf("dedupe removed %d\n", removed);
  report("unique", h);
  freelist(h);
  struct node *s = NULL;
  for (int i = 0; i < 1500; i++) s = push(s, rnd() % 1000 - 500);
  s = isort(s);
  report("isort", s);
  freelist(s);
  return 0;
}
