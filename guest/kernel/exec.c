/* Executables: the ELF loader and the initial o32 user stack (start_init, execve). */
#include "kernel.h"
#include "frame.h"

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

