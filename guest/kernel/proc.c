/*
 * Address spaces and processes: two-level page tables (a 1024-entry directory of 4 MB tables
 * of EntryLo-format PTEs, read by the refill handler), the ELF loader, and user-mode entry.
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

/* ELF32 big-endian MIPS (only what a static executable needs). */
struct ehdr {
  unsigned char ident[16];
  unsigned short type, machine;
  unsigned version, entry, phoff, shoff, flags;
  unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr { unsigned type, offset, vaddr, paddr, filesz, memsz, flags, align; };
#define PT_LOAD 1
#define PF_W 2


/* Maps and fills the PT_LOAD segments; returns the entry or 0. */
static unsigned load_elf(struct proc *p, const unsigned char *elf, unsigned len, unsigned *phdr_va, unsigned *phnum) {
  const struct ehdr *eh = (const void *)elf;
  if (len < sizeof *eh || eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' || eh->ident[3] != 'F' ||
      eh->ident[4] != 1 || eh->ident[5] != 2 || eh->machine != 8 || eh->type != 2) return 0;
  if (eh->phoff + eh->phnum * sizeof(struct phdr) > len) return 0;
  unsigned top = 0;
  *phdr_va = 0;
  *phnum = eh->phnum;
  for (unsigned i = 0; i < eh->phnum; i++) {
    const struct phdr *ph = (const void *)(elf + eh->phoff + i * sizeof(struct phdr));
    if (ph->type != PT_LOAD) continue;
    if (ph->offset + ph->filesz > len || ph->vaddr >= 0x7f000000u || ph->memsz > 0x7f000000u - ph->vaddr) return 0;
    if (eh->phoff >= ph->offset && eh->phoff < ph->offset + ph->filesz) *phdr_va = ph->vaddr + (eh->phoff - ph->offset);
    unsigned node = cpus[hal_cpu_id()].node;
    for (unsigned a = ph->vaddr & ~(PAGE_SIZE - 1); a < ph->vaddr + ph->memsz; a += PAGE_SIZE) {
      unsigned pte = vm_lookup(p->pgd, a), pa;
      if (pte & PTE_V) pa = PTE_PA(pte);
      else {
        pa = page_alloc(node);
        if (pa == 0 || vm_map(p->pgd, a, pa, (ph->flags & PF_W) ? PTE_D : 0) < 0) return 0;
      }
      if (ph->flags & PF_W) vm_map(p->pgd, a, pa, PTE_D);
      /* copy the file bytes that fall in this page */
      unsigned lo = a < ph->vaddr ? ph->vaddr : a;
      unsigned hi = a + PAGE_SIZE < ph->vaddr + ph->filesz ? a + PAGE_SIZE : ph->vaddr + ph->filesz;
      if (lo < hi) memcpy((char *)hal_phys_to_kva(pa) + (lo - a), elf + ph->offset + (lo - ph->vaddr), hi - lo);
    }
    if (ph->vaddr + ph->memsz > top) top = ph->vaddr + ph->memsz;
  }
  p->brk_start = p->brk = (top + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  p->mmap_top = 0x70000000u;
  return eh->entry;
}

#define USTACK_PAGES 32

struct proc procs[NPROC];
spinlock_t ptable_lock;
static unsigned next_pid = 1;

struct proc *proc_alloc(void) {
  unsigned f = spin_lock(&ptable_lock);
  struct proc *p = NULL;
  for (int i = 0; i < NPROC; i++) if (procs[i].state == P_UNUSED) { p = &procs[i]; break; }
  if (p) {
    unsigned pid = next_pid++;
    memset(p, 0, sizeof *p);
    p->state = P_EMBRYO;
    p->pid = pid;
    p->asid = pid & 0xff;
  }
  spin_unlock(&ptable_lock, f);
  if (p == NULL) return NULL;
  unsigned ks = page_alloc_contig(KSTACK_PAGES, cpus[hal_cpu_id()].node);
  if (ks == 0) { p->state = P_UNUSED; return NULL; }
  p->kstack = (unsigned)hal_phys_to_kva(ks);
  /* the first switch to it lands in fork_ret, just below its trap frame */
  extern char fork_ret[];
  unsigned *ctx = (unsigned *)((unsigned)proc_frame(p) - 16 - 48);
  memset(ctx, 0, 48);
  ctx[10] = (unsigned)fork_ret;
  p->ctx_sp = (unsigned)ctx;
  return p;
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
static int copy_out(unsigned *pgd, unsigned va, const void *src, unsigned n) {
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

void proc_activate(struct proc *p) {
  unsigned cpu = hal_cpu_id();
  cpus[cpu].proc = p;
  pgd_current[cpu] = p->pgd;
  kstack_top[cpu] = p->kstack + KSTACK_PAGES * PAGE_SIZE;
  hal_tlb_flush_user();       /* a process's mappings live only in the TLB of the CPU running it */
  hal_set_asid(p->asid);
  hal_set_tls(p->tls);
}

/* Creates pid 1 from an ELF image and makes it runnable (the caller then enters the scheduler). */
void start_init(const unsigned char *elf, unsigned len, int argc, const char *const *argv) {
  struct proc *p = proc_alloc();
  unsigned node = cpus[hal_cpu_id()].node;
  if (p == NULL || (p->pgd = pgd_new()) == NULL) panic("init: out of memory");
  unsigned phdr = 0, phnum = 0;
  unsigned entry = load_elf(p, elf, len, &phdr, &phnum);
  if (entry == 0) panic("init: bad executable");
  for (unsigned i = 1; i <= USTACK_PAGES; i++) {
    unsigned pa = page_alloc(node);
    if (pa == 0 || vm_map(p->pgd, USTACK_TOP - i * PAGE_SIZE, pa, PTE_D) < 0) panic("init: out of memory");
  }

  /* The o32 initial stack: argc, argv[], 0, envp[] (none), 0, auxv pairs, AT_NULL. */
  unsigned sp = USTACK_TOP, uargv[8];
  static const unsigned char random_bytes[16] = { 0x3a, 0x91, 0x5c, 0x07, 0xe2, 0x48, 0xbd, 0x16, 0x6f, 0xc3, 0x20, 0x8e, 0x55, 0xa9, 0x74, 0x0b };
  sp -= 16;
  copy_out(p->pgd, sp, random_bytes, 16);
  unsigned at_random = sp;
  if (argc > 8) argc = 8;
  for (int i = argc - 1; i >= 0; i--) {
    unsigned n = strlen(argv[i]) + 1;
    sp -= n;
    copy_out(p->pgd, sp, argv[i], n);
    uargv[i] = sp;
  }
  sp &= ~15u;
  unsigned auxv[] = { 3, phdr, 4, 32, 5, phnum, 6, PAGE_SIZE, 9, entry, 11, 0, 12, 0, 13, 0, 14, 0, 16, 0, 17, HZ, 23, 0, 25, at_random, 0, 0 };
  unsigned words[1 + 8 + 2 + sizeof auxv / 4], k = 0;
  words[k++] = (unsigned)argc;
  for (int i = 0; i < argc; i++) words[k++] = uargv[i];
  words[k++] = 0;
  words[k++] = 0;
  memcpy(&words[k], auxv, sizeof auxv);
  k += sizeof auxv / 4;
  sp = (sp - k * 4) & ~7u;
  copy_out(p->pgd, sp, words, k * 4);

  struct trapframe *tf = proc_frame(p);
  memset(tf, 0, sizeof *tf);
  tf->regs[29] = sp;
  tf->epc = entry;
  tf->status = hal_user_status();
  bprintf("init: pid %u, entry %p, %u pages free\n", p->pid, entry, mm_free_pages());
  unsigned f = spin_lock(&ptable_lock);
  make_runnable_locked(p);
  spin_unlock(&ptable_lock, f);
}

int sys_fork(struct trapframe *tf, unsigned flags, unsigned newsp, unsigned ptid, unsigned tls, unsigned ctid) {
  struct proc *p = cpus[hal_cpu_id()].proc, *c = proc_alloc();
  if (c == NULL) return -11;                                   /* EAGAIN */
  if ((c->pgd = pgd_new()) == NULL || vm_copy(c->pgd, p->pgd) < 0) {
    if (c->pgd) vm_free_all(c->pgd);
    page_free(hal_kva_to_phys((void *)c->kstack));
    page_free(hal_kva_to_phys((void *)c->kstack) + PAGE_SIZE);
    c->state = P_UNUSED;
    return -12;                                                /* ENOMEM */
  }
  c->brk_start = p->brk_start; c->brk = p->brk; c->mmap_top = p->mmap_top;
  c->tls = (flags & 0x80000u) ? tls : p->tls;                  /* CLONE_SETTLS */
  c->parent = p;
  struct trapframe *ctf = proc_frame(c);
  *ctf = *tf;
  ctf->regs[2] = 0;
  ctf->regs[7] = 0;
  if (newsp) ctf->regs[29] = newsp;
  if (flags & 0x01000000u) copy_out(c->pgd, ctid, &c->pid, 4); /* CLONE_CHILD_SETTID */
  if (flags & 0x00100000u) { copy_out(p->pgd, ptid, &c->pid, 4); copy_out(c->pgd, ptid, &c->pid, 4); } /* CLONE_PARENT_SETTID */
  unsigned pid = c->pid, f = spin_lock(&ptable_lock);
  make_runnable_locked(c);
  spin_unlock(&ptable_lock, f);
  return (int)pid;
}

int sys_wait4(struct proc *p, int pid, unsigned status, unsigned options) {
  if (status && !user_ok(p, status, 4, 1)) return -14;
  unsigned f = spin_lock(&ptable_lock);
  for (;;) {
    int any = 0;
    for (int i = 0; i < NPROC; i++) {
      struct proc *q = &procs[i];
      if (q->parent != p || q->state == P_UNUSED || (pid > 0 && q->pid != (unsigned)pid)) continue;
      any = 1;
      if (q->state != P_ZOMBIE) continue;
      unsigned qpid = q->pid, st = q->wait_status, ks = hal_kva_to_phys((void *)q->kstack);
      q->state = P_UNUSED;
      q->parent = NULL;
      spin_unlock(&ptable_lock, f);
      for (unsigned k = 0; k < KSTACK_PAGES; k++) page_free(ks + k * PAGE_SIZE);
      if (status) *(unsigned *)status = st;
      return (int)qpid;
    }
    if (!any) { spin_unlock(&ptable_lock, f); return -10; }   /* ECHILD */
    if (options & 1) { spin_unlock(&ptable_lock, f); return 0; } /* WNOHANG */
    sleep_on(p);
  }
}

void proc_exit(struct proc *p, int code, int sig) {
  unsigned cpu = hal_cpu_id();
  if (p->pid == 1) {
    bprintf("init: pid 1 exited with status %d\n", sig ? 128 + sig : code);
    unsigned n = 0;
    for (unsigned c = 0; c < ncpus; c++) n += (user_cpus_mask[c >> 5] >> (c & 31)) & 1;
    bprintf("sched: user processes ran on %u of %u cpus\n", n, ncpus);
    hal_halt(sig ? 128 + sig : code);
  }
  pgd_current[cpu] = kernel_pgd;
  hal_tlb_flush_user();
  vm_free_all(p->pgd);
  p->pgd = kernel_pgd;
  hal_irq_save();
  spin_lock(&ptable_lock);
  for (int i = 0; i < NPROC; i++) if (procs[i].parent == p) procs[i].parent = &procs[0];
  p->wait_status = sig ? (unsigned)sig : ((unsigned)code & 0xff) << 8;
  p->state = P_ZOMBIE;
  if (p->parent) wakeup_locked(p->parent);
  wakeup_locked(&procs[0]);
  sched();
  panic("zombie %u ran", p->pid);
}
