/*
 * Executables: execve of static ELF32 big-endian MIPS programs and of #! scripts from the file
 * system (or of the built-in init), and the initial o32 user stack as Linux builds it
 * (fs/binfmt_elf.c, create_elf_tables; src/exec/stack.ts does the same for `disco exec`). The new image is built
 * in a fresh address space and replaces the old one only once it is complete, so errors
 * (ENOENT, EACCES, ENOEXEC, E2BIG, EFAULT, ENOMEM, EIO) return to the caller intact.
 */
#include "kernel.h"
#include "frame.h"
#include "fs.h"


/* ELF32 (only what a static executable needs). */
struct ehdr {
  unsigned char ident[16];
  unsigned short type, machine;
  unsigned version, entry, phoff, shoff, flags;
  unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr { unsigned type, offset, vaddr, paddr, filesz, memsz, flags, align; };
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PF_W 2
#define USER_TOP 0x7f000000u                  /* segments end below the stack area */

#define MAX_ARG_STRLEN 131072u                /* Linux's limits on one string and on them all */
#define MAX_ARG_BYTES 0x200000u
#define MAX_ARGS 65536u
#define USTACK_PAGES 32

/* Where the executable's bytes come from: a file, or the built-in init's image in the kernel. */
struct image { struct inode *ip; const unsigned char *mem; unsigned size; };

static int image_read(const struct image *im, void *dst, unsigned off, unsigned n) {
  if (im->ip) return readi(im->ip, dst, off, n);
  if (off >= im->size) return 0;
  if (n > im->size - off) n = im->size - off;
  memcpy(dst, im->mem + off, n);
  return (int)n;
}

/*
 * A vector of strings: the caller's user memory (u, NULL-terminated) or the kernel's (k, n);
 * for a script, kernel strings `pre` stand in front of it and its first `skip` strings go
 * (strv_scan then makes n count them all).
 */
struct strv { unsigned u; const char *const *k; unsigned n; const char *pre[3]; unsigned npre, skip; };

/* Counts the strings (validating the pointer array) and their bytes with NULs. */
static int strv_scan(struct proc *p, struct strv *v, unsigned *bytes) {
  if (v->k == NULL && v->u != 0) {           /* a NULL vector: Linux takes it as empty */
    for (v->n = 0;; v->n++) {
      unsigned a = v->u + 4 * v->n;
      if (v->n >= MAX_ARGS) return -E2BIG;
      if (!user_ok(p, a, 4, 0)) return -EFAULT;
      if (*(const unsigned *)a == 0) break;
    }
  }
  for (unsigned i = 0; i < v->n; i++) {
    const char *s = v->k ? v->k[i] : (const char *)((const unsigned *)v->u)[i];
    unsigned len = 0;
    for (;; len++) {
      if (len >= MAX_ARG_STRLEN) return -E2BIG;
      if (v->k == NULL && (len == 0 || (((unsigned)s + len) & (PAGE_SIZE - 1)) == 0) && !user_ok(p, (unsigned)s + len, 1, 0)) return -EFAULT;
      if (s[len] == 0) break;
    }
    *bytes += len + 1;
    if (*bytes > MAX_ARG_BYTES) return -E2BIG;
  }
  if (v->skip > v->n) v->skip = v->n;
  v->n += v->npre - v->skip;
  for (unsigned i = 0; i < v->npre; i++) *bytes += strlen(v->pre[i]) + 1;
  return 0;
}

static const char *strv_get(const struct strv *v, unsigned i) {
  if (i < v->npre) return v->pre[i];
  i += v->skip - v->npre;
  return v->k ? v->k[i] : (const char *)((const unsigned *)v->u)[i];
}

/*
 * A script ("#!INTERPRETER [ARG]" on its first line, as Linux's binfmt_script): the interpreter
 * runs instead, with argv INTERPRETER [ARG] PATH and the caller's argv after its argv[0]. The
 * line is read into buf (SCRIPT_BUF bytes); NULL when im is not a script (or the line is not one),
 * else the interpreter's path with argv->pre set up.
 */
#define SCRIPT_BUF 128
static const char *script(const struct image *im, char *buf, const char *path, struct strv *argv) {
  int n = image_read(im, buf, 0, SCRIPT_BUF - 1);
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return NULL;
  buf[n] = 0;
  char *end = buf + 2;
  while (*end && *end != '\n') end++;
  if (*end != '\n' && n == SCRIPT_BUF - 1) return NULL;       /* the line is too long */
  while (end > buf + 2 && (end[-1] == ' ' || end[-1] == '\t')) end--;
  *end = 0;
  char *interp = buf + 2;
  while (*interp == ' ' || *interp == '\t') interp++;
  if (*interp == 0) return NULL;
  char *arg = interp;
  while (*arg && *arg != ' ' && *arg != '\t') arg++;
  if (*arg) *arg++ = 0;
  while (*arg == ' ' || *arg == '\t') arg++;
  argv->npre = 0;
  argv->pre[argv->npre++] = interp;
  if (*arg) argv->pre[argv->npre++] = arg;                      /* the rest of the line: one argument */
  argv->pre[argv->npre++] = path;
  argv->skip = 1;
  return interp;
}

/* Copies string s (scanned already) to *str in the new address space, its address to the word at ptr. */
static void put_string(unsigned *pgd, unsigned ptr, unsigned *str, const char *s) {
  unsigned n = strlen(s);
  if (ptr) copy_out(pgd, ptr, str, 4);
  copy_out(pgd, *str, s, n);
  copy_out(pgd, *str + n, "", 1);             /* terminated even if the caller changed it */
  *str += n + 1;
}

/* Maps and fills the PT_LOAD segments of im in pgd, reading the file page by page. */
static int load_segments(unsigned *pgd, const struct image *im, const struct phdr *ph, unsigned phnum, unsigned *end) {
  unsigned node = cpus[hal_cpu_id()].node;
  *end = 0;
  for (unsigned i = 0; i < phnum; i++, ph++) {
    if (ph->type != PT_LOAD || ph->memsz == 0) continue;
    if (ph->filesz > ph->memsz || ph->vaddr >= USER_TOP || ph->memsz > USER_TOP - ph->vaddr ||
        ph->offset + ph->filesz < ph->offset || ph->offset + ph->filesz > im->size) return -ENOEXEC;
    for (unsigned a = ph->vaddr & ~(PAGE_SIZE - 1); a < ph->vaddr + ph->memsz; a += PAGE_SIZE) {
      unsigned pte = vm_lookup(pgd, a), pa;
      if (pte & PTE_V) pa = PTE_PA(pte);      /* segments may share a page at their boundary */
      else if ((pa = page_alloc(node)) == 0) return -ENOMEM;
      if (vm_map(pgd, a, pa, (ph->flags & PF_W) || (pte & PTE_D) ? PTE_D : 0) < 0) { if (!(pte & PTE_V)) page_free(pa); return -ENOMEM; }
      unsigned lo = a < ph->vaddr ? ph->vaddr : a;
      unsigned hi = a + PAGE_SIZE < ph->vaddr + ph->filesz ? a + PAGE_SIZE : ph->vaddr + ph->filesz;
      if (lo < hi) {
        int n = image_read(im, (char *)hal_phys_to_kva(pa) + (lo - a), ph->offset + (lo - ph->vaddr), hi - lo);
        if (n != (int)(hi - lo)) return n < 0 ? n : -EIO;
      }
    }
    if (ph->vaddr + ph->memsz > *end) *end = ph->vaddr + ph->memsz;
  }
  return 0;
}

/* A new image: its address space, entry and initial sp, and where its heap starts. */
struct newimage { unsigned *pgd, entry, sp, brk; };

static unsigned rnd_state;

/*
 * Builds the image of im with arguments argv, envp in a new address space. execfn is the path
 * as given (AT_EXECFN); it is a kernel string.
 */
static int build(struct proc *p, const struct image *im, const char *execfn, struct strv *argv, struct strv *envp, struct newimage *ni) {
  struct ehdr eh;
  if (image_read(im, &eh, 0, sizeof eh) != (int)sizeof eh || eh.ident[0] != 0x7f || eh.ident[1] != 'E' ||
      eh.ident[2] != 'L' || eh.ident[3] != 'F' || eh.ident[4] != 1 || eh.ident[5] != 2 || eh.machine != 8 ||
      eh.type != 2 || eh.phentsize != sizeof(struct phdr) || eh.phnum == 0 || eh.phnum > PAGE_SIZE / sizeof(struct phdr))
    return -ENOEXEC;
  unsigned bytes = strlen(execfn) + 1;
  int err = strv_scan(p, argv, &bytes);
  if (err == 0) err = strv_scan(p, envp, &bytes);
  if (err) return err;
  unsigned words = 1 + argv->n + 1 + envp->n + 1 + 2 * 17;
  unsigned need = bytes + 16 + 16 + 4 * words + 16;
  if (need > MAX_ARG_BYTES) return -E2BIG;

  unsigned node = cpus[hal_cpu_id()].node, scratch = page_alloc(node);
  unsigned *pgd = pgd_new();
  if (scratch == 0 || pgd == NULL) { if (scratch) page_free(scratch); if (pgd) vm_free_all(pgd); return -ENOMEM; }
  const struct phdr *ph = hal_phys_to_kva(scratch);
  unsigned phbytes = eh.phnum * sizeof(struct phdr), phdr_va = 0, end = 0;
  int n = image_read(im, (void *)ph, eh.phoff, phbytes);
  err = n < 0 ? n : n != (int)phbytes ? -ENOEXEC : 0;
  for (unsigned i = 0; err == 0 && i < eh.phnum; i++)
    if (ph[i].type == PT_INTERP) err = -ENOEXEC;            /* static executables only */
  if (err == 0) err = load_segments(pgd, im, ph, eh.phnum, &end);
  for (unsigned i = 0; err == 0 && i < eh.phnum; i++) {
    if (ph[i].type == PT_PHDR) phdr_va = ph[i].vaddr;
    else if (ph[i].type == PT_LOAD && phdr_va == 0 && eh.phoff >= ph[i].offset && eh.phoff - ph[i].offset < ph[i].filesz)
      phdr_va = ph[i].vaddr + (eh.phoff - ph[i].offset);
  }
  page_free(scratch);

  /* The stack, at least USTACK_PAGES, and the sigreturn trampolines just above it. */
  unsigned pages = (need + PAGE_SIZE - 1) / PAGE_SIZE + USTACK_PAGES;
  for (unsigned i = 1; err == 0 && i <= pages; i++) {
    unsigned pa = page_alloc(node);
    if (pa == 0 || vm_map(pgd, USTACK_TOP - i * PAGE_SIZE, pa, PTE_D) < 0) { if (pa) page_free(pa); err = -ENOMEM; }
  }
  if (err == 0) {
    static const unsigned code[4] = { 0x24021017, 0x0000000c, 0x24021061, 0x0000000c };  /* li v0, 4119/4193; syscall */
    unsigned pa = page_alloc(node);
    if (pa == 0 || vm_map(pgd, SIGCODE_VA, pa, 0) < 0) { if (pa) page_free(pa); err = -ENOMEM; }
    else memcpy(hal_phys_to_kva(pa), code, sizeof code);
  }
  if (err) { vm_free_all(pgd); return err; }

  /* Strings at the top (argv, envp, execfn; a zero word above), AT_RANDOM's bytes, the tables at sp. */
  unsigned str = USTACK_TOP - 4 - bytes, at_random = (str & ~15u) - 16, sp = (at_random - 4 * words) & ~15u, t = sp;
  unsigned random[4];
  rnd_state ^= hal_time() + p->pid * 0x9e3779b9u;
  for (int i = 0; i < 4; i++) { rnd_state ^= rnd_state << 13; rnd_state ^= rnd_state >> 17; rnd_state ^= rnd_state << 5; random[i] = rnd_state; }
  copy_out(pgd, at_random, random, 16);
  copy_out(pgd, t, &argv->n, 4);
  for (unsigned i = 0; i < argv->n; i++) put_string(pgd, t += 4, &str, strv_get(argv, i));
  copy_out(pgd, t += 4, "\0\0\0", 4);
  for (unsigned i = 0; i < envp->n; i++) put_string(pgd, t += 4, &str, strv_get(envp, i));
  copy_out(pgd, t += 4, "\0\0\0", 4);
  unsigned at_execfn = str;
  put_string(pgd, 0, &str, execfn);
  const unsigned auxv[] = {
    16, 0, 6, PAGE_SIZE, 17, HZ, 3, phdr_va, 4, sizeof(struct phdr), 5, eh.phnum, 7, 0, 8, 0, 9, eh.entry,
    11, 0, 12, 0, 13, 0, 14, 0, 23, 0, 25, at_random, 31, at_execfn, 0, 0,
  };
  copy_out(pgd, t + 4, auxv, sizeof auxv);

  ni->pgd = pgd;
  ni->entry = eh.entry;
  ni->sp = sp;
  ni->brk = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  return 0;
}

/* Points p at the new image: registers cleared, sp and pc set, heap and mappings reset. */
static void enter(struct proc *p, const struct newimage *ni) {
  mm_exec(p, ni->pgd, ni->brk);               /* vm.c: switches to it, drops the old mm */
  p->tls = 0;
  struct trapframe *tf = proc_frame(p);
  memset(tf, 0, sizeof *tf);
  tf->regs[29] = ni->sp;
  tf->epc = ni->entry;
  tf->status = hal_user_status();
}

/* Opens path for execution as an image (a reference the caller drops with iput). */
static int open_exec(struct proc *p, const char *path, struct image *im) {
  int err = 0;
  im->mem = NULL;
  im->ip = namei(p, path, &err);
  if (im->ip == NULL) return err ? err : -ENOENT;
  if ((err = inode_exec_ok(im->ip)) < 0) { iput(im->ip); im->ip = NULL; return err; }
  im->size = inode_size(im->ip);
  return 0;
}

/*
 * de_thread: the other threads of p's group leave (proc.c's exiting flag, acted on at their next
 * return to user mode) before the image is replaced; -1 when p's group is exiting itself (an
 * exit_group, a fatal signal, or another thread's execve came first).
 */
static int other_threads_exit(struct proc *p) {
  extern char tick_chan;
  unsigned f = spin_lock(&ptable_lock);
  for (;;) {
    int left = 0;
    if (p->exiting) break;
    for (int i = 0; i < NPROC; i++) {
      struct proc *q = &procs[i];
      if (q == p || q->tgid != p->tgid || q->state < P_RUNNABLE || q->state > P_SLEEPING) continue;
      left = 1;
      q->exiting = 1;
      if (q->state == P_SLEEPING) make_runnable_locked(q);
    }
    if (!left) break;
    sleep_on(&tick_chan);
  }
  spin_unlock(&ptable_lock, f);
  return p->exiting ? -1 : 0;
}

int sys_execve(struct proc *p, unsigned upath, unsigned uargv, unsigned uenvp) {
  unsigned scratch = page_alloc(cpus[hal_cpu_id()].node);
  if (scratch == 0) return -ENOMEM;
  char *path = hal_phys_to_kva(scratch);
  int err = 0;
  for (unsigned i = 0; err == 0; i++) {
    if (i == PAGE_SIZE) err = -36;                          /* ENAMETOOLONG */
    else if (!user_ok(p, upath + i, 1, 0)) err = -EFAULT;
    else if ((path[i] = ((const char *)upath)[i]) == 0) break;
  }
  struct image im = { NULL, NULL, 0 };
  if (err == 0) err = open_exec(p, path, &im);
  struct strv argv = { uargv, NULL, 0 }, envp = { uenvp, NULL, 0 };
  char line[SCRIPT_BUF];
  const char *interp = err == 0 ? script(&im, line, path, &argv) : NULL;
  if (interp) {                                  /* one level: an interpreter that is a script is ENOEXEC */
    iput(im.ip);
    err = open_exec(p, interp, &im);
  }
  struct newimage ni;
  if (err == 0) err = build(p, &im, path, &argv, &envp, &ni);
  if (im.ip) iput(im.ip);
  page_free(scratch);
  if (err) return err;
  if (other_threads_exit(p) < 0) { vm_free_all(ni.pgd); return -EINTR; }   /* the group exits */
  /* The point of no return. */
  enter(p, &ni);
  hal_set_tls(0);
  files_exec(p);
  signal_exec(p);
  return 0;
}

/* Creates pid 1 running path (the built-in init when path is NULL) and makes it runnable. */
int start_init(const char *path, const char *const *argv, unsigned argc, const char *const *envp, unsigned envc, const char *cwd) {
  extern const unsigned char init_elf[], init_elf_end[];
  struct proc *p = proc_alloc();
  if (p == NULL || signal_fork(p, NULL, 0) < 0) panic("init: out of memory");
  struct image im = { NULL, init_elf, (unsigned)(init_elf_end - init_elf) };
  int err = 0;
  struct inode *dir;
  if (cwd && cwd[0] && !(cwd[0] == '/' && cwd[1] == 0)) {
    if ((dir = fs_open(p, NULL, cwd, O_DIRECTORY, 0, &err)) == NULL) {
      kprintf("init: working directory %s: %s\n", cwd, strerror(err ? -err : ENOENT));
      hal_halt(127);
    }
  } else dir = namei(p, "/", &err);                          /* the root; none without a file system */
  fs_setcwd(fs_of(p), dir);
  if (path && (err = open_exec(p, path, &im)) < 0) return err;
  struct strv av = { 0, argv, argc }, ev = { 0, envp, envc };
  struct newimage ni;
  err = build(p, &im, path ? path : "init", &av, &ev, &ni);
  if (im.ip) iput(im.ip);
  if (err) return err;
  enter(p, &ni);
  bprintf("init: pid %u, entry %p, %u pages free\n", p->pid, ni.entry, mm_free_pages());
  unsigned f = spin_lock(&ptable_lock);
  make_runnable_locked(p);
  spin_unlock(&ptable_lock, f);
  return 0;
}
