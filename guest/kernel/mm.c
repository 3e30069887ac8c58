/*
 * Physical page allocator over every node's memory: one bit per 4 KB page of
 * [0, hal_ram_limit()), allocation from the requested node's slice first, then the others.
 * User pages mapped more than once (copy-on-write after fork, MAP_SHARED) count their extra
 * mappings in `extra`; page_unref frees a page when its last mapping goes.
 *
 * Under a monitor (Disco) freed pages go back to it in batches (the paper's "this page is now
 * free" hint) and stay allocated here until their batch has gone; they come back zero-filled,
 * so page_alloc does not clear a page marked in `zeroed` (the "zeroed page" hint).
 */
#include "kernel.h"

#define MAX_PAGES (0x1f000000u / PAGE_SIZE)
static unsigned used[MAX_PAGES / 32];
static unsigned short extra[MAX_PAGES];
static unsigned npages, nfree, pages_per_node;
static unsigned hint[32];
static spinlock_t mm_lock;
static int monitor;                                  /* does a monitor take freed pages? */
static unsigned batch[HAL_FREE_BATCH], nbatch;
static unsigned zeroed[MAX_PAGES / 32];

static int test(unsigned p) { return (used[p >> 5] >> (p & 31)) & 1; }
static void set(unsigned p) { used[p >> 5] |= 1u << (p & 31); }
static void clear(unsigned p) { used[p >> 5] &= ~(1u << (p & 31)); }

void mm_init(unsigned kernel_end_pa) {
  npages = hal_ram_limit() / PAGE_SIZE;
  pages_per_node = hal_mem_per_node() / PAGE_SIZE;
  unsigned reserved = (kernel_end_pa + PAGE_SIZE - 1) / PAGE_SIZE;
  for (unsigned p = 0; p < reserved && p < npages; p++) set(p);
  nfree = npages > reserved ? npages - reserved : 0;
  for (unsigned n = 0; n < 32; n++) hint[n] = n * pages_per_node;
  monitor = hal_pages_freed(NULL, 0);
}

/* mm_lock held: the batch goes to the monitor, and its pages are free (and zero) from now on. */
static void flush_batch(void) {
  if (nbatch == 0) return;
  int taken = hal_pages_freed(batch, nbatch);
  for (unsigned i = 0; i < nbatch; i++) {
    unsigned p = batch[i] / PAGE_SIZE;
    clear(p);
    if (taken) zeroed[p >> 5] |= 1u << (p & 31);
  }
  nfree += nbatch;
  nbatch = 0;
}

static unsigned take(unsigned lo, unsigned hi, unsigned *h) {
  if (lo >= npages) return 0;
  if (hi > npages) hi = npages;
  unsigned start = *h < lo || *h >= hi ? lo : *h;
  for (unsigned pass = 0; pass < 2; pass++) {
    for (unsigned p = pass ? lo : start; p < (pass ? start : hi); p++) {
      if ((p & 31) == 0 && used[p >> 5] == 0xffffffffu && p + 32 <= hi) { p += 31; continue; }
      if (!test(p)) { set(p); *h = p + 1; return p; }
    }
  }
  return 0;
}

unsigned page_alloc(unsigned node) {
  unsigned flags = spin_lock(&mm_lock), p = 0;
  unsigned nodes = hal_nnodes();
  for (unsigned i = 0; i < nodes && p == 0; i++) {
    unsigned n = (node + i) % nodes;
    p = take(n * pages_per_node, (n + 1) * pages_per_node, &hint[n & 31]);
  }
  unsigned zero = 0;
  if (p) {
    nfree--;
    zero = (zeroed[p >> 5] >> (p & 31)) & 1;
    zeroed[p >> 5] &= ~(1u << (p & 31));
  }
  spin_unlock(&mm_lock, flags);
  if (p == 0) return 0;
  if (!zero) memset(hal_phys_to_kva(p * PAGE_SIZE), 0, PAGE_SIZE);
  return p * PAGE_SIZE;
}

unsigned page_alloc_contig(unsigned n, unsigned node) {
  unsigned flags = spin_lock(&mm_lock), found = 0, nodes = hal_nnodes();
  for (unsigned i = 0; i < nodes && !found; i++) {
    unsigned lo = ((node + i) % nodes) * pages_per_node, hi = lo + pages_per_node, run = 0;
    if (hi > npages) hi = npages;
    for (unsigned p = lo; p < hi; p++) {
      run = test(p) ? 0 : run + 1;
      if (run == n) { found = p + 1 - n; break; }
    }
  }
  if (found) { for (unsigned p = found; p < found + n; p++) { set(p); zeroed[p >> 5] &= ~(1u << (p & 31)); } nfree -= n; }
  spin_unlock(&mm_lock, flags);
  return found * PAGE_SIZE;
}

void page_free(unsigned pa) {
  unsigned p = pa / PAGE_SIZE, flags = spin_lock(&mm_lock);
  if (p >= npages || !test(p)) panic("page_free: bad page %x", pa);
  if (monitor) {
    batch[nbatch++] = pa;
    if (nbatch == HAL_FREE_BATCH) flush_batch();
  } else {
    clear(p);
    nfree++;
  }
  spin_unlock(&mm_lock, flags);
}

void page_share(unsigned pa) {
  unsigned f = spin_lock(&mm_lock);
  extra[pa / PAGE_SIZE]++;
  spin_unlock(&mm_lock, f);
}

void page_unref(unsigned pa) {
  unsigned p = pa / PAGE_SIZE, f = spin_lock(&mm_lock), last = extra[p] == 0;
  if (!last) extra[p]--;
  spin_unlock(&mm_lock, f);
  if (last) page_free(pa);
}

int page_shared(unsigned pa) { return extra[pa / PAGE_SIZE] != 0; }

unsigned mm_free_pages(void) {
  unsigned flags = spin_lock(&mm_lock);
  flush_batch();
  unsigned n = nfree;
  spin_unlock(&mm_lock, flags);
  return n;
}
unsigned mm_total_pages(void) { return npages; }
