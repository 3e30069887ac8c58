/*
 * Address spaces: two-level page tables (a 1024-entry directory of 4 MB tables of EntryLo-format
 * PTEs, read by the refill handler), user memory ranges, fork's copy, and access from the kernel.
 */
#include "kernel.h"
#include "frame.h"

unsigned empty_pte[1024] __attribute__((aligned(4096)));

unsigned *pgd_new(void) {
  unsigned pa = page_alloc(cpus[hal_cpu_id()].node);
  if (pa == 0) return NULL;
  unsigned *pgd = hal_phys_to_kva(pa);
  for (int i = 0; i < 1024; i++) pgd[i] = (unsigned)empty_pte;
  return pgd;
}

int vm_map(unsigned *pgd, unsigned va, unsigned pa, unsigned flags) {
  unsigned *slot = &pgd[va >> 22];
  if (*slot == (unsigned)empty_pte) {
    unsigned t = page_alloc(cpus[hal_cpu_id()].node);
    if (t == 0) return -1;
    *slot = (unsigned)hal_phys_to_kva(t);
  }
  ((unsigned *)*slot)[(va >> 12) & 1023] = PTE_PFN(pa) | PTE_CACHED | PTE_V | flags;
  return 0;
}

unsigned vm_lookup(unsigned *pgd, unsigned va) {
  return ((unsigned *)pgd[va >> 22])[(va >> 12) & 1023];
}

int vm_alloc_range(struct proc *p, unsigned va, unsigned len) {
  unsigned node = cpus[hal_cpu_id()].node;
  for (unsigned a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
    if (vm_lookup(p->pgd, a) & PTE_V) continue;
    unsigned pa = page_alloc(node);
    if (pa == 0 || vm_map(p->pgd, a, pa, PTE_D) < 0) {
      if (pa) page_free(pa);
      vm_free_range(p, va, a - va);
      return -1;
    }
  }
  return 0;
}

void vm_free_range(struct proc *p, unsigned va, unsigned len) {
  for (unsigned a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
    unsigned *slot = &p->pgd[a >> 22];
    if (*slot == (unsigned)empty_pte) continue;
    unsigned *pte = &((unsigned *)*slot)[(a >> 12) & 1023];
    if (*pte & PTE_V) {
      page_free(PTE_PA(*pte));
      *pte = 0;
      hal_tlb_invalidate(a, p->asid);  /* one CPU per process so far */
    }
  }
}

int user_ok(struct proc *p, unsigned va, unsigned len, int write) {
  if (len == 0) return 1;
  if (va >= 0x80000000u || len > 0x80000000u - va) return 0;
  for (unsigned a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
    unsigned pte = vm_lookup(p->pgd, a);
    if (!(pte & PTE_V) || (write && !(pte & PTE_D))) return 0;
  }
  return 1;
}

void vm_free_all(unsigned *pgd) {
  for (int i = 0; i < 512; i++) {
    if (pgd[i] == (unsigned)empty_pte) continue;
    unsigned *t = (unsigned *)pgd[i];
    for (int j = 0; j < 1024; j++) if (t[j] & PTE_V) page_free(PTE_PA(t[j]));
    page_free(hal_kva_to_phys(t));
  }
  page_free(hal_kva_to_phys(pgd));
}

/* Copies every user page of src into fresh pages mapped alike in dst (fork). */
int vm_copy(unsigned *dst, unsigned *src) {
  unsigned node = cpus[hal_cpu_id()].node;
  for (unsigned i = 0; i < 512; i++) {
    if (src[i] == (unsigned)empty_pte) continue;
    unsigned *t = (unsigned *)src[i];
    for (unsigned j = 0; j < 1024; j++) {
      if (!(t[j] & PTE_V)) continue;
      unsigned pa = page_alloc(node);
      if (pa == 0) return -1;
      memcpy(hal_phys_to_kva(pa), hal_phys_to_kva(PTE_PA(t[j])), PAGE_SIZE);
      if (vm_map(dst, (i << 22) | (j << 12), pa, t[j] & PTE_D) < 0) { page_free(pa); return -1; }
    }
  }
  return 0;
}

/* Writes n bytes at user address va of an address space that need not be the current one. */
int copy_out(unsigned *pgd, unsigned va, const void *src, unsigned n) {
  const unsigned char *s = src;
  while (n > 0) {
    unsigned pte = vm_lookup(pgd, va);
    if (!(pte & PTE_V)) return -1;
    unsigned off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
    memcpy((char *)hal_phys_to_kva(PTE_PA(pte)) + off, s, chunk);
    va += chunk; s += chunk; n -= chunk;
  }
  return 0;
}

