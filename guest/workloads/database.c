/* database: the decision-support workload of the Disco paper's Database run (README.md).
 * `database [-p PROCS] [-r ORDERS] [-q QUERIES]` builds a customer table (ORDERS / 8 rows, keys
 * scattered over 32 bits), an order table (ORDERS rows) and a hash index on customer keys in
 * one mmap(MAP_SHARED | MAP_ANONYMOUS) region, then forks PROCS - 1 query servers and serves as
 * the PROCS-th itself. The children wait at a start barrier (spinning on shared atomics with
 * sched_yield); all take query numbers from a shared atomic counter, run the query (four kinds:
 * selection with aggregates; hash join with the customers grouped by market segment; group-by
 * on customer with the top spender; a join counting distinct customers) and write its result
 * row into the shared result area. The parent waits for the children and prints the FNV-1a
 * checksum of the result rows in query order, the same whichever process ran which query:
 * `database checksum 0x........`. */
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "common.h"

enum { REGIONS = 5, SEGMENTS = 8, DAYS = 2557, RESULT_WORDS = 4 };

struct customer { uint32_t key, region, segment, balance; };
struct order { uint32_t key, cust, day, amount, priority; };

/* The shared region: a header, then the tables, the index and the results. */
struct db {
  uint32_t ready, go, next, done;   /* barrier, query counter, completed queries */
  uint32_t ncust, norders, nquery, idxmask;
  struct customer *cust;
  struct order *orders;
  uint32_t *idx;                    /* open addressing on key: customer row + 1, 0 = empty */
  uint32_t (*result)[RESULT_WORDS];
};

static struct db *db;

static uint32_t lookup(uint32_t key) {   /* the customer row with this key */
  for (uint32_t i = mix32(key) & db->idxmask;; i = (i + 1) & db->idxmask)
    if (db->cust[db->idx[i] - 1].key == key) return db->idx[i] - 1;   /* every order's customer exists */
}

/* A private hash table from customer row to a 32-bit accumulator, for group-by and distinct. */
struct group { uint32_t *row, *acc, mask; };
static uint32_t *slot(struct group *g, uint32_t row) {
  uint32_t i = mix32(row) & g->mask;
  while (g->row[i] && g->row[i] != row + 1) i = (i + 1) & g->mask;
  g->row[i] = row + 1;
  return &g->acc[i];
}

static void query(uint32_t q, uint32_t *res) {
  uint32_t rng = rng_seed(q), d0 = rng_next(&rng) % DAYS, d1 = d0 + 30 + rng_next(&rng) % 700;
  uint32_t region = rng_next(&rng) % REGIONS, seg = rng_next(&rng) % SEGMENTS, prio = rng_next(&rng) % 5;
  uint32_t threshold = rng_next(&rng) % 90000;
  const struct order *o = db->orders;
  memset(res, 0, RESULT_WORDS * sizeof *res);
  switch (q % 4) {
    case 0:   /* SELECT count(*), sum(amount), max(amount) WHERE day IN [d0,d1) AND priority = p */
      for (uint32_t i = 0; i < db->norders; i++)
        if (o[i].day >= d0 && o[i].day < d1 && o[i].priority == prio) {
          res[0]++; res[1] += o[i].amount;
          if (o[i].amount > res[2]) res[2] = o[i].amount;
        }
      break;
    case 1: {   /* SELECT segment, sum(amount) FROM orders JOIN customers WHERE region = r GROUP BY segment */
      uint32_t sum[SEGMENTS] = { 0 };
      for (uint32_t i = 0; i < db->norders; i++) {
        if (o[i].day < d0 || o[i].day >= d1) continue;
        const struct customer *c = &db->cust[lookup(o[i].cust)];
        if (c->region == region) { sum[c->segment] += o[i].amount; res[0]++; }
      }
      res[1] = FNV_INIT;
      for (int s = 0; s < SEGMENTS; s++) res[1] = fnv1a_u32(res[1], sum[s]);
      for (int s = 0; s < SEGMENTS; s++) if (sum[s] > sum[res[2]]) res[2] = (uint32_t)s;
      res[3] = sum[res[2]];
      break;
    }
    case 2: case 3: {   /* 2: the customer with the most spent in [d0,d1) (lowest key on ties);
                           3: how many distinct customers of segment s placed an order over t */
      struct group g;
      uint32_t cap = 16;
      while (cap < 2 * db->ncust) cap *= 2;
      g.mask = cap - 1;
      g.row = calloc(cap, sizeof *g.row);
      g.acc = calloc(cap, sizeof *g.acc);
      if (!g.row || !g.acc) { fprintf(stderr, "database: out of memory\n"); exit(1); }
      for (uint32_t i = 0; i < db->norders; i++) {
        if (q % 4 == 2 && o[i].day >= d0 && o[i].day < d1) *slot(&g, lookup(o[i].cust)) += o[i].amount;
        if (q % 4 == 3 && o[i].amount > threshold) {
          uint32_t c = lookup(o[i].cust);
          if (db->cust[c].segment == seg && (*slot(&g, c))++ == 0) res[0]++;
        }
      }
      if (q % 4 == 2)
        for (uint32_t i = 0; i <= g.mask; i++) {
          if (!g.row[i]) continue;
          uint32_t key = db->cust[g.row[i] - 1].key;
          res[0]++;
          if (g.acc[i] > res[2] || (g.acc[i] == res[2] && key < res[1])) { res[1] = key; res[2] = g.acc[i]; }
        }
      free(g.row);
      free(g.acc);
      break;
    }
  }
}

static void server(void) {
  for (uint32_t q; (q = __atomic_fetch_add(&db->next, 1, __ATOMIC_SEQ_CST)) < db->nquery;) {
    query(q, db->result[q]);
    __atomic_fetch_add(&db->done, 1, __ATOMIC_RELEASE);
  }
}

int main(int argc, char **argv) {
  long procs = 4, norders = 4000, nquery = 16;
  for (int o; (o = getopt(argc, argv, "p:r:q:")) != -1;) {
    switch (o) {
      case 'p': procs = num_arg("database", o, optarg, 1, 64); break;
      case 'r': norders = num_arg("database", o, optarg, 8, 10000000); break;
      case 'q': nquery = num_arg("database", o, optarg, 1, 100000); break;
      default: fprintf(stderr, "usage: database [-p PROCS] [-r ORDERS] [-q QUERIES]\n"); return 2;
    }
  }
  if (optind != argc) { fprintf(stderr, "usage: database [-p PROCS] [-r ORDERS] [-q QUERIES]\n"); return 2; }

  uint32_t ncust = (uint32_t)norders / 8, cap = 16;
  while (cap < 2 * ncust) cap *= 2;
  size_t size = sizeof(struct db) + ncust * sizeof(struct customer) + (size_t)norders * sizeof(struct order) +
                cap * sizeof(uint32_t) + (size_t)nquery * RESULT_WORDS * sizeof(uint32_t);
  char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) fail("database", "mmap");
  db = (struct db *)mem;
  db->ncust = ncust; db->norders = (uint32_t)norders; db->nquery = (uint32_t)nquery; db->idxmask = cap - 1;
  db->cust = (struct customer *)(mem + sizeof *db);
  db->orders = (struct order *)(db->cust + ncust);
  db->idx = (uint32_t *)(db->orders + norders);
  db->result = (uint32_t (*)[RESULT_WORDS])(db->idx + cap);

  /* Customer keys are mix32 of the row, so distinct; orders refer to random customers. */
  uint32_t rng = rng_seed(1997);
  for (uint32_t c = 0; c < ncust; c++) {
    db->cust[c] = (struct customer){ mix32(c + 1), rng_next(&rng) % REGIONS, rng_next(&rng) % SEGMENTS, rng_next(&rng) % 1000000 };
    uint32_t i = mix32(db->cust[c].key) & db->idxmask;
    while (db->idx[i]) i = (i + 1) & db->idxmask;
    db->idx[i] = c + 1;
  }
  for (uint32_t i = 0; i < (uint32_t)norders; i++)
    db->orders[i] = (struct order){ mix32(i) ^ 0x5a5a5a5au, db->cust[rng_next(&rng) % ncust].key, rng_next(&rng) % DAYS,
                                    100 + rng_next(&rng) % 99900, rng_next(&rng) % 5 };

  /* PROCS - 1 forked servers and the parent; the parent opens the barrier when all have come. */
  for (long p = 0; p < procs - 1; p++) {
    pid_t pid = fork();
    if (pid < 0) fail("database", "fork");
    if (pid == 0) {
      __atomic_fetch_add(&db->ready, 1, __ATOMIC_SEQ_CST);
      while (!__atomic_load_n(&db->go, __ATOMIC_ACQUIRE)) sched_yield();
      server();
      _exit(0);
    }
  }
  while (__atomic_load_n(&db->ready, __ATOMIC_ACQUIRE) < procs - 1) sched_yield();
  __atomic_store_n(&db->go, 1, __ATOMIC_RELEASE);
  server();
  for (long p = 0; p < procs - 1; p++) {
    int status;
    if (wait(&status) < 0) fail("database", "wait");
    if (!WIFEXITED(status) || WEXITSTATUS(status)) { fprintf(stderr, "database: a query server failed (status 0x%x)\n", status); return 1; }
  }
  if (db->done != db->nquery) { fprintf(stderr, "database: %u of %u queries answered\n", db->done, db->nquery); return 1; }
  uint32_t sum = FNV_INIT;
  for (long q = 0; q < nquery; q++)
    for (int w = 0; w < RESULT_WORDS; w++) sum = fnv1a_u32(sum, db->result[q][w]);
  printf("database: %u customers, %ld orders, %ld queries\n", ncust, norders, nquery);
  printf("database checksum 0x%08x\n", sum);
  return 0;
}
