/*
 * Address spaces: two-level page tables (a 1024-entry directory of 4 MB tables of EntryLo-format
 * PTEs, read by the refill handler) in reference-counted mms shared by threads; per-CPU ASIDs
 * with generations; TLB shootdowns by IPI; demand-zero and copy-on-write pages; mmap, munmap,
 * mprotect; access to user memory from the kernel. The policy: README.md, "Memory: address spaces, ASIDs and the TLB".
 *
 * PTE states: 0 unmapped; V set: present (D writable now, PTE_COW writable after a copy,
 * PTE_SHARED shared by fork); V clear with PTE_LAZY: mapped, not present (D: may be written;
 * PFN 0: zero-filled on first touch; PTE_NOACC: PROT_NONE, PFN the page it hides, if any).
 */
#include "kernel.h"
#include "frame.h"

unsigned empty_pte[1024] __attribute__((aligned(4096)));

static struct mm mms[2 * NPROC];               /* a process holds one mm, two during exec */
static spinlock_t mms_lock;
static struct mm *active[NCPU_MAX];            /* the mm each CPU runs */
static unsigned asid_next[NCPU_MAX];           /* per CPU: the last generation << 8 | ASID given */

static unsigned node(void) { return cpus[hal_cpu_id()].node; }

unsigned *pgd_new(void) {
  unsigned pa = page_alloc(node());
  if (pa == 0) return NULL;
  unsigned *pgd = hal_phys_to_kva(pa);
  for (int i = 0; i < 1024; i++) pgd[i] = (unsigned)empty_pte;
  return pgd;
}

/* va's PTE, creating its table when create is set; 0 if there is none. */
static unsigned *pte_slot(unsigned *pgd, unsigned va, int create) {
  unsigned *slot = &pgd[va >> 22];
  if (*slot == (unsigned)empty_pte) {
    unsigned t = create ? page_alloc(node()) : 0;
    if (t == 0) return NULL;
    *slot = (unsigned)hal_phys_to_kva(t);
  }
  return &((unsigned *)*slot)[(va >> 12) & 1023];
}

int vm_map(unsigned *pgd, unsigned va, unsigned pa, unsigned flags) {
  unsigned *pte = pte_slot(pgd, va, 1);
  if (pte == NULL) return -1;
  *pte = PTE_PFN(pa) | PTE_CACHED | PTE_V | flags;
  return 0;
}

unsigned vm_lookup(unsigned *pgd, unsigned va) {
  return ((unsigned *)pgd[va >> 22])[(va >> 12) & 1023];
}

/* The page of a mapped PTE (present or hidden), or 0. */
static unsigned pte_page(unsigned pte) { return (pte & (PTE_V | PTE_LAZY)) ? PTE_PA(pte) : 0; }

/* A present private page is writable in place only while no other mapping shares it. */
static unsigned present(unsigned pa, int write, unsigned shared) {
  unsigned v = PTE_PFN(pa) | PTE_CACHED | PTE_V | shared;
  if (write) v |= shared || !page_shared(pa) ? PTE_D : PTE_COW;
  return v;
}

void vm_free_all(unsigned *pgd) {
  for (int i = 0; i < 512; i++) {
    if (pgd[i] == (unsigned)empty_pte) continue;
    unsigned *t = (unsigned *)pgd[i];
    for (int j = 0; j < 1024; j++) if (pte_page(t[j])) page_unref(pte_page(t[j]));
    page_free(hal_kva_to_phys(t));
  }
  page_free(hal_kva_to_phys(pgd));
}

/* ---- mms ---- */

static struct mm *mm_new(unsigned *pgd) {
  struct mm *mm = NULL;
  unsigned f = spin_lock(&mms_lock);
  for (unsigned i = 0; i < 2 * NPROC && mm == NULL; i++) if (mms[i].refs == 0) mm = &mms[i];
  if (mm) {
    memset(mm, 0, sizeof *mm);
    mm->refs = 1;
    mm->pgd = pgd;
    mm->mmap_top = 0x70000000u;
  }
  spin_unlock(&mms_lock, f);
  return mm;
}

void mm_put(struct mm *mm) {
  unsigned *pgd = mm->pgd;
  if (atomic_add(&mm->refs, (unsigned)-1) == 0) vm_free_all(pgd);
}

/* execve's new image (the other threads are gone: exec.c): p moves to a fresh mm, a vfork parent goes on. */
void mm_exec(struct proc *p, unsigned *pgd, unsigned brk) {
  struct mm *mm = mm_new(pgd), *old = p->mm;
  if (mm == NULL) panic("mm: table full");
  mm->brk_start = mm->brk = brk;
  p->mm = mm;
  if (old == NULL) return;
  unsigned f = hal_irq_save();
  mm_activate(mm);
  hal_irq_restore(f);
  mm_release(p);
  mm_put(old);
}

/* Fork: every private writable page becomes copy-on-write in both; shared pages stay shared. */
struct mm *mm_fork(struct mm *src) {
  unsigned *pgd = pgd_new();
  struct mm *mm = pgd ? mm_new(pgd) : NULL;
  if (mm == NULL) { if (pgd) vm_free_all(pgd); return NULL; }
  mm->brk_start = src->brk_start; mm->brk = src->brk; mm->mmap_top = src->mmap_top;
  int err = 0;
  unsigned f = spin_lock(&src->lock);
  for (unsigned i = 0; i < 512 && !err; i++) {
    if (src->pgd[i] == (unsigned)empty_pte) continue;
    unsigned *t = (unsigned *)src->pgd[i];
    for (unsigned j = 0; j < 1024 && !err; j++) {
      unsigned v = t[j], *pte;
      if (v == 0) continue;
      if ((v & PTE_V) && !(v & PTE_SHARED) && (v & PTE_D)) t[j] = v = (v & ~PTE_D) | PTE_COW;
      if ((pte = pte_slot(pgd, (i << 22) | (j << 12), 1)) == NULL) { err = 1; break; }
      if (pte_page(v)) page_share(pte_page(v));
      *pte = v;
    }
  }
  tlb_shootdown(src, 0, 0x80000000u);              /* its writable translations are cached */
  spin_unlock(&src->lock, f);
  if (err) { mm_put(mm); return NULL; }
  return mm;
}

/* ---- ASIDs and shootdowns ---- */

static int asid_live(struct mm *mm, unsigned cpu) {
  return mm->asid[cpu] != 0 && (mm->asid[cpu] >> 8) == (asid_next[cpu] >> 8);
}

/* The next ASID of this CPU; a new generation starts with a flush of its TLB. */
static void asid_new(struct mm *mm, unsigned cpu) {
  unsigned v = asid_next[cpu] + 1;
  if (v < 0x100 || (v & 0xff) == 0) {
    hal_tlb_flush_user();
    v = (v < 0x100 ? 0x100 : v) + 1;                /* ASID 0 stays the idle CPU's */
  }
  asid_next[cpu] = mm->asid[cpu] = v;
}

void mm_activate(struct mm *mm) {
  unsigned cpu = hal_cpu_id();
  active[cpu] = mm;
  if (mm == NULL) { pgd_current[cpu] = kernel_pgd; hal_set_asid(0); return; }
  atomic_or(&mm->cpus[cpu >> 5], 1u << (cpu & 31));  /* before any translation is cached */
  if (!asid_live(mm, cpu)) asid_new(mm, cpu);
  pgd_current[cpu] = mm->pgd;
  hal_set_asid(mm->asid[cpu]);
}

/* Drops this CPU's translations of [va, va+len) in mm: a few pairs, or the whole ASID. */
static void tlb_local(struct mm *mm, unsigned va, unsigned len) {
  unsigned cpu = hal_cpu_id();
  if (!asid_live(mm, cpu)) return;
  if (len <= 16 * PAGE_SIZE) {
    for (unsigned a = va & ~0x1fffu; a < va + len; a += 0x2000u) hal_tlb_invalidate(a, mm->asid[cpu]);
    return;
  }
  mm->asid[cpu] = 0;
  if (active[cpu] == mm) mm_activate(mm);
}

/* Per initiating CPU one request; per target CPU the set of initiators waiting for it. */
static struct shoot { struct mm *mm; unsigned va, len; volatile unsigned left; } shoots[NCPU_MAX];
static volatile unsigned shoot_from[NCPU_MAX][NCPU_MAX / 32];

void tlb_shoot_poll(void) {
  unsigned me = hal_cpu_id();
  for (unsigned w = 0; w < NCPU_MAX / 32; w++) {
    if (shoot_from[me][w] == 0) continue;
    for (unsigned m = atomic_swap(&shoot_from[me][w], 0), b = 0; m; b++, m >>= 1) {
      if (!(m & 1)) continue;
      struct shoot *s = &shoots[w * 32 + b];
      tlb_local(s->mm, s->va, s->len);
      atomic_add(&s->left, (unsigned)-1);
    }
  }
}

/*
 * Invalidates here, then sends an IPI to every other CPU of mm's set and waits for them all,
 * answering the requests of other initiators meanwhile (two CPUs may shoot at each other;
 * spin_lock's wait loop answers them too, so a target that spins with interrupts off on a
 * lock the initiator holds still acknowledges).
 */
void tlb_shootdown(struct mm *mm, unsigned va, unsigned len) {
  unsigned me = hal_cpu_id(), f = hal_irq_save(), set[NCPU_MAX / 32], n = 0;
  struct shoot *s = &shoots[me];
  mb();                                           /* the PTE change before reading the set */
  tlb_local(mm, va, len);
  for (unsigned w = 0; w < NCPU_MAX / 32; w++) {
    set[w] = mm->cpus[w] & (w == me >> 5 ? ~(1u << (me & 31)) : ~0u);
    for (unsigned m = set[w]; m; m &= m - 1) n++;
  }
  if (n) {
    s->mm = mm; s->va = va; s->len = len; s->left = n;
    mb();
    for (unsigned c = 0; c < ncpus; c++) {
      if (!((set[c >> 5] >> (c & 31)) & 1)) continue;
      atomic_or(&shoot_from[c][me >> 5], 1u << (me & 31));
      atomic_or(&cpus[c].ipi_pending, IPI_TLB);
      hal_ipi_send(c);
    }
    while (s->left) tlb_shoot_poll();
  }
  hal_irq_restore(f);
}

/* ---- faults ---- */

/*
 * Makes va accessible in mm as a user access would (write: for writing): fills demand-zero
 * pages, copies a shared copy-on-write page. 0, or -1 for a real fault.
 */
int vm_fault(struct mm *mm, unsigned va, int write) {
  if (va >= 0x80000000u) return -1;
  unsigned f = spin_lock(&mm->lock), *pte = pte_slot(mm->pgd, va, 0), cpu = hal_cpu_id();
  int err = -1;
  if (pte == NULL || *pte == 0) goto out;
  unsigned v = *pte;
  if (!(v & PTE_V)) {
    if ((v & PTE_NOACC) || (write && !(v & PTE_D))) goto out;
    unsigned pa = PTE_PA(v);
    if (pa == 0 && (pa = page_alloc(node())) == 0) goto out;
    v = present(pa, v & PTE_D, v & PTE_SHARED);
  }
  if (write && !(v & PTE_D)) {
    if (!(v & PTE_COW)) goto out;
    unsigned pa = PTE_PA(v);
    if (page_shared(pa)) {
      unsigned np = page_alloc(node());
      if (np == 0) goto out;
      memcpy(hal_phys_to_kva(np), hal_phys_to_kva(pa), PAGE_SIZE);
      *pte = PTE_PFN(np) | PTE_CACHED | PTE_V | PTE_D;
      tlb_shootdown(mm, va, PAGE_SIZE);            /* others may cache the old page */
      page_unref(pa);
      v = *pte;
    } else v = (v & ~PTE_COW) | PTE_D;
  }
  *pte = v;
  err = 0;
  if (active[cpu] == mm)
    hal_tlb_update(va, mm->asid[cpu], vm_lookup(mm->pgd, va & ~0x1fffu), vm_lookup(mm->pgd, (va & ~0x1fffu) | 0x1000u));
out:
  spin_unlock(&mm->lock, f);
  return err;
}

/* Checks a user range and makes it present (and writable) so the kernel can access it directly. */
int user_ok(struct proc *p, unsigned va, unsigned len, int write) {
  if (len == 0) return 1;
  if (va >= 0x80000000u || len > 0x80000000u - va) return 0;
  for (unsigned a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
    unsigned pte = vm_lookup(p->mm->pgd, a);
    if ((!(pte & PTE_V) || (write && !(pte & PTE_D))) && vm_fault(p->mm, a, write) < 0) return 0;
  }
  return 1;
}

/*
 * The kernel touched user memory that another thread unmapped after user_ok checked it (a
 * program racing munmap against its own system call). The access completes on this CPU's
 * zeroed scratch page, entered in this CPU's TLB only and never in the page table; the system
 * call then fails with EFAULT (syscall.c) and the entry goes when the call ends or the process
 * sleeps (user_fault_end), so no user access ever sees the scratch page.
 */
static unsigned scratch[NCPU_MAX];              /* a zeroed page while in use, else 0 */

int user_fault_scratch(struct proc *p, unsigned va) {
  unsigned cpu = hal_cpu_id(), base = va & ~0x1fffu;
  struct mm *mm = p->mm;
  if (active[cpu] != mm || (scratch[cpu] == 0 && (scratch[cpu] = page_alloc(node())) == 0)) return 0;
  unsigned s = PTE_PFN(scratch[cpu]) | PTE_CACHED | PTE_V | PTE_D;
  if (va & 0x1000u) hal_tlb_update(va, mm->asid[cpu], vm_lookup(mm->pgd, base), s);
  else hal_tlb_update(va, mm->asid[cpu], s, vm_lookup(mm->pgd, base | 0x1000u));
  p->user_fault = 1;
  return 1;
}

void user_fault_end(void) {
  unsigned cpu = hal_cpu_id();
  if (scratch[cpu] == 0) return;
  hal_tlb_flush_user();
  page_free(scratch[cpu]);
  scratch[cpu] = 0;
}

/* ---- ranges ---- */

/* Removes [va, va+len) (page aligned); mm->lock held. */
static void unmap(struct mm *mm, unsigned va, unsigned len) {
  int any = 0;
  for (unsigned a = va; a < va + len; a += PAGE_SIZE) {
    if (mm->pgd[a >> 22] == (unsigned)empty_pte) { a |= 0x3ff000u; continue; }
    unsigned *pte = pte_slot(mm->pgd, a, 0), pa = pte_page(*pte);
    any |= *pte & PTE_V;
    *pte = 0;
    if (pa) page_unref(pa);
  }
  if (any) tlb_shootdown(mm, va, len);
}

/* Maps [va, va+len) (page aligned) as not-yet-present pages with the PTE bits lazy. */
static int reserve(struct mm *mm, unsigned va, unsigned len, unsigned lazy) {
  for (unsigned a = va; a < va + len; a += PAGE_SIZE) {
    unsigned *pte = pte_slot(mm->pgd, a, 1);
    if (pte == NULL) return -1;
    if (*pte == 0) *pte = PTE_LAZY | lazy;
  }
  return 0;
}

int vm_alloc_range(struct proc *p, unsigned va, unsigned len) {
  unsigned f = spin_lock(&p->mm->lock), lo = va & ~(PAGE_SIZE - 1), hi = (va + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  int err = reserve(p->mm, lo, hi - lo, PTE_D);
  if (err) unmap(p->mm, lo, hi - lo);
  spin_unlock(&p->mm->lock, f);
  return err;
}

void vm_free_range(struct proc *p, unsigned va, unsigned len) {
  unsigned f = spin_lock(&p->mm->lock), lo = va & ~(PAGE_SIZE - 1), hi = (va + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  unmap(p->mm, lo, hi - lo);
  spin_unlock(&p->mm->lock, f);
}


/* Anonymous mmap: MAP_SHARED pages stay shared across fork; nothing is allocated until touched. */
int vm_mmap(struct proc *p, unsigned addr, unsigned len, unsigned prot, unsigned flags) {
  struct mm *mm = p->mm;
  if (len == 0 || len > 0x7f000000u) return -22;                   /* EINVAL */
  if (!(flags & MAP_ANONYMOUS)) return -ENODEV;                  /* files: file_mmap */
  len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  unsigned lazy = (prot & PROT_WRITE ? PTE_D : 0) | (flags & MAP_SHARED ? PTE_SHARED : 0) |
                  (prot & (PROT_READ | PROT_WRITE | PROT_EXEC) ? 0 : PTE_NOACC);
  unsigned f = spin_lock(&mm->lock);
  int ret;
  if (flags & MAP_FIXED) {
    if ((addr & (PAGE_SIZE - 1)) || addr >= 0x7f000000u || len > 0x7f000000u - addr) { ret = -22; goto out; }
    unmap(mm, addr, len);
  } else {
    if (len > mm->mmap_top - mm->brk - 0x100000u) { ret = -12; goto out; }   /* ENOMEM */
    addr = mm->mmap_top - len;
  }
  if (reserve(mm, addr, len, lazy) < 0) { unmap(mm, addr, len); ret = -12; goto out; }
  if (!(flags & MAP_FIXED)) mm->mmap_top = addr;
  ret = (int)addr;
out:
  spin_unlock(&mm->lock, f);
  return ret;
}

/*
 * mremap: a shrink unmaps the tail in place; a growth (MREMAP_MAYMOVE) moves the range's PTEs to
 * a fresh range below the mmap area, its pages untouched, and reserves the rest like the first
 * page. Growing in place is not tried (ENOMEM without MREMAP_MAYMOVE); MREMAP_FIXED is EINVAL.
 */
int vm_mremap(struct proc *p, unsigned old, unsigned oldlen, unsigned newlen, unsigned flags) {
  struct mm *mm = p->mm;
  oldlen = (oldlen + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  newlen = (newlen + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if ((old & (PAGE_SIZE - 1)) || (flags & ~1u) || newlen == 0 || newlen > 0x7f000000u || old >= 0x7f000000u || oldlen > 0x7f000000u - old) return -22;
  unsigned f = spin_lock(&mm->lock);
  int ret = 0;
  for (unsigned a = old; a < old + oldlen && ret == 0; a += PAGE_SIZE)
    if (mm->pgd[a >> 22] == (unsigned)empty_pte || *pte_slot(mm->pgd, a, 0) == 0) ret = -14;    /* EFAULT */
  if (ret) goto out;
  if (newlen <= oldlen) { unmap(mm, old + newlen, oldlen - newlen); ret = (int)old; goto out; }
  if (!(flags & 1) || newlen > mm->mmap_top - mm->brk - 0x100000u) { ret = -12; goto out; }   /* ENOMEM */
  unsigned to = mm->mmap_top - newlen;
  for (unsigned a = to; a < to + newlen; a += PAGE_SIZE)
    if (pte_slot(mm->pgd, a, 1) == NULL) { ret = -12; goto out; }                          /* tables first */
  unsigned first = *pte_slot(mm->pgd, old, 0);
  for (unsigned i = 0; i < oldlen; i += PAGE_SIZE) {
    unsigned *src = pte_slot(mm->pgd, old + i, 0);
    *pte_slot(mm->pgd, to + i, 0) = *src;
    *src = 0;
  }
  reserve(mm, to + oldlen, newlen - oldlen, (first & (PTE_D | PTE_COW) ? PTE_D : 0) | (first & (PTE_SHARED | PTE_NOACC)));
  tlb_shootdown(mm, old, oldlen);
  mm->mmap_top = to;
  ret = (int)to;
out:
  spin_unlock(&mm->lock, f);
  return ret;
}

/* mprotect: PROT_NONE hides pages, PROT_READ drops write access, PROT_WRITE restores it. */
int vm_mprotect(struct proc *p, unsigned va, unsigned len, unsigned prot) {
  struct mm *mm = p->mm;
  if ((va & (PAGE_SIZE - 1)) || va >= 0x80000000u || len > 0x80000000u - va) return -22;
  len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  unsigned f = spin_lock(&mm->lock), w = prot & PROT_WRITE, none = !(prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
  int ret = 0;
  for (unsigned a = va; a < va + len && ret == 0; a += PAGE_SIZE)
    if (mm->pgd[a >> 22] == (unsigned)empty_pte || *pte_slot(mm->pgd, a, 0) == 0) ret = -12;   /* ENOMEM */
  for (unsigned a = va; a < va + len && ret == 0; a += PAGE_SIZE) {
    unsigned *pte = pte_slot(mm->pgd, a, 0), pa = pte_page(*pte), shared = *pte & PTE_SHARED;
    if (none) *pte = PTE_LAZY | PTE_NOACC | shared | (pa ? PTE_PFN(pa) : 0);
    else if (pa) *pte = present(pa, w, shared);
    else *pte = PTE_LAZY | shared | (w ? PTE_D : 0);
  }
  if (ret == 0) tlb_shootdown(mm, va, len);
  spin_unlock(&mm->lock, f);
  return ret;
}

/* madvise: MADV_DONTNEED drops private pages (zero-filled again on the next touch); others are hints. */
int vm_madvise(struct proc *p, unsigned va, unsigned len, unsigned advice) {
  struct mm *mm = p->mm;
  if ((va & (PAGE_SIZE - 1)) || va >= 0x80000000u || len > 0x80000000u - va) return -22;
  if (advice != 4) return 0;
  unsigned f = spin_lock(&mm->lock);
  for (unsigned a = va; a < va + len; a += PAGE_SIZE) {
    unsigned *pte = mm->pgd[a >> 22] == (unsigned)empty_pte ? NULL : pte_slot(mm->pgd, a, 0);
    if (pte == NULL || !(*pte & PTE_V) || (*pte & PTE_SHARED)) continue;
    unsigned pa = PTE_PA(*pte);
    *pte = PTE_LAZY | (*pte & (PTE_D | PTE_COW) ? PTE_D : 0);
    page_unref(pa);
  }
  tlb_shootdown(mm, va, len);
  spin_unlock(&mm->lock, f);
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
