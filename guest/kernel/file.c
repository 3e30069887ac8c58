/*
 * Open files and the o32 file system calls. A struct file (an inode, one end of a pipe, the
 * console, /dev/null or /dev/ether) is reference counted and shared by dup and fork; a struct
 * fdtable maps a process's descriptors to files, with close-on-exec flags, and is shared by
 * clone(CLONE_FILES). The first process gets the console on 0, 1 and 2. Numbers, flags and
 * structure layouts are Linux MIPS o32 (asm-mips/unistd_o32.h, fcntl.h, stat.h).
 */
#include "kernel.h"
#include "frame.h"
#include "fs.h"

#define NFILE 512
#define NOFILE 256

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EMPTY_PATH 0x1000
#define UTIME_NOW ((1 << 30) - 1)
#define UTIME_OMIT ((1 << 30) - 2)
#define ST_DEV 0x801u                        /* st_dev of every file on the disk: 8, 1 */

enum { FT_NONE, FT_INODE, FT_PIPE, FT_CONSOLE, FT_NULL, FT_ETHER };
struct file {
  unsigned type, ref, flags;                 /* flags: O_ACCMODE, O_APPEND, O_NONBLOCK, ... */
  unsigned long long off;
  struct inode *ip;                          /* FT_INODE, and devices opened by name */
  struct pipe *pipe;                         /* FT_PIPE; writer end when (flags & O_ACCMODE) */
  unsigned port;                             /* FT_ETHER */
};
struct fdtable {
  unsigned ref;
  spinlock_t lock;
  struct file *fd[NOFILE];
  unsigned char cloexec[NOFILE];
};
static struct file files[NFILE];
static struct fdtable fdtables[NPROC];
static spinlock_t file_lock;                 /* reference counts of files and tables */

/* ---- files ---- */

static struct file *file_alloc(unsigned type, unsigned flags) {
  unsigned f = spin_lock(&file_lock);
  struct file *fp = NULL;
  for (int i = 0; i < NFILE && fp == NULL; i++) if (files[i].ref == 0) fp = &files[i];
  if (fp) { memset(fp, 0, sizeof *fp); fp->ref = 1; fp->type = type; fp->flags = flags; }
  spin_unlock(&file_lock, f);
  return fp;
}
static struct file *file_dup(struct file *fp) { unsigned f = spin_lock(&file_lock); fp->ref++; spin_unlock(&file_lock, f); return fp; }
static void file_put(struct file *fp) {
  unsigned f = spin_lock(&file_lock), last = --fp->ref == 0;
  struct file copy = *fp;
  if (last) fp->type = FT_NONE;
  spin_unlock(&file_lock, f);
  if (!last) return;
  if (copy.type == FT_PIPE) pipe_close(copy.pipe, (copy.flags & O_ACCMODE) != 0);
  if (copy.ip) iput(copy.ip);
}

/* ---- descriptor tables ---- */

static struct fdtable *table_alloc(void) {
  unsigned f = spin_lock(&file_lock);
  struct fdtable *t = NULL;
  for (int i = 0; i < NPROC && t == NULL; i++) if (fdtables[i].ref == 0) t = &fdtables[i];
  if (t) { memset(t, 0, sizeof *t); t->ref = 1; }
  spin_unlock(&file_lock, f);
  return t;
}

/* The process's table; the first process starts with the console on 0, 1 and 2. */
static struct fdtable *table(struct proc *p) {
  if (p->fdt) return p->fdt;
  struct file *con = file_alloc(FT_CONSOLE, O_RDWR);
  struct fdtable *t = table_alloc();
  if (t == NULL) panic("files: no table for pid %u", p->pid);   /* NPROC tables: one per process at most */
  for (int i = 0; con && i < 3; i++) t->fd[i] = i ? file_dup(con) : con;
  return p->fdt = t;
}

/* The file behind fd, referenced, or NULL. */
static struct file *fd_get(struct proc *p, int fd) {
  struct fdtable *t = table(p);
  if (fd < 0 || fd >= NOFILE) return NULL;
  unsigned f = spin_lock(&t->lock);
  struct file *fp = t->fd[fd];
  if (fp) file_dup(fp);
  spin_unlock(&t->lock, f);
  return fp;
}

/* Installs fp (the caller's reference) at the lowest free descriptor >= min; -EMFILE if none. */
static int fd_install(struct proc *p, struct file *fp, int min, int cloexec) {
  struct fdtable *t = table(p);
  unsigned f = spin_lock(&t->lock);
  for (int i = min; i < NOFILE; i++) {
    if (t->fd[i]) continue;
    t->fd[i] = fp;
    t->cloexec[i] = (unsigned char)cloexec;
    spin_unlock(&t->lock, f);
    return i;
  }
  spin_unlock(&t->lock, f);
  file_put(fp);
  return -EMFILE;
}

static int fd_close(struct proc *p, int fd) {
  struct fdtable *t = table(p);
  if (fd < 0 || fd >= NOFILE) return -EBADF;
  unsigned f = spin_lock(&t->lock);
  struct file *fp = t->fd[fd];
  t->fd[fd] = NULL;
  spin_unlock(&t->lock, f);
  if (fp == NULL) return -EBADF;
  file_put(fp);
  return 0;
}

/* dup2/dup3/F_DUPFD's install at exactly newfd, closing what was there. */
static int fd_replace(struct proc *p, struct file *fp, int newfd, int cloexec) {
  struct fdtable *t = table(p);
  unsigned f = spin_lock(&t->lock);
  struct file *old = t->fd[newfd];
  t->fd[newfd] = fp;
  t->cloexec[newfd] = (unsigned char)cloexec;
  spin_unlock(&t->lock, f);
  if (old) file_put(old);
  return newfd;
}

static struct fdtable *table_copy(struct fdtable *from) {
  struct fdtable *t = table_alloc();
  if (t == NULL) return NULL;
  unsigned f = spin_lock(&from->lock);
  for (int i = 0; i < NOFILE; i++) if ((t->fd[i] = from->fd[i]) != NULL) { file_dup(t->fd[i]); t->cloexec[i] = from->cloexec[i]; }
  spin_unlock(&from->lock, f);
  return t;
}

static void table_put(struct fdtable *t) {
  unsigned f = spin_lock(&file_lock), last = t->ref == 1;
  if (!last) t->ref--;
  spin_unlock(&file_lock, f);
  if (!last) return;
  for (int i = 0; i < NOFILE; i++) if (t->fd[i]) { file_put(t->fd[i]); t->fd[i] = NULL; }
  f = spin_lock(&file_lock);
  t->ref = 0;                                /* free for table_alloc only once emptied */
  spin_unlock(&file_lock, f);
}

/* ---- working directory and umask (CLONE_FS) ---- */

static struct fsinfo fsinfos[NPROC];

struct fsinfo *fs_of(struct proc *p) {
  if (p->fs) return p->fs;
  unsigned f = spin_lock(&file_lock);
  for (int i = 0; i < NPROC && p->fs == NULL; i++) if (fsinfos[i].ref == 0) p->fs = &fsinfos[i];
  if (p->fs) { p->fs->ref = 1; p->fs->cwd = NULL; p->fs->umask = 022; }
  spin_unlock(&file_lock, f);
  if (p->fs == NULL) panic("files: no fsinfo for pid %u", p->pid);   /* NPROC of them: one per process at most */
  return p->fs;
}

static void fsinfo_put(struct fsinfo *fs) {
  unsigned f = spin_lock(&file_lock), last = fs->ref == 1;
  if (!last) fs->ref--;
  spin_unlock(&file_lock, f);
  if (!last) return;
  fs_setcwd(fs, NULL);
  f = spin_lock(&file_lock);
  fs->ref = 0;                               /* free for fs_of only once emptied */
  spin_unlock(&file_lock, f);
}

void files_fork(struct proc *child, struct proc *parent, int share_files, int share_fs) {
  struct fdtable *t = table(parent);
  struct fsinfo *fs = fs_of(parent);
  unsigned f;
  if (share_files) { f = spin_lock(&file_lock); t->ref++; spin_unlock(&file_lock, f); child->fdt = t; }
  else child->fdt = table_copy(t);           /* NULL (no table left): the child starts with the console */
  if (share_fs) { f = spin_lock(&file_lock); fs->ref++; spin_unlock(&file_lock, f); child->fs = fs; return; }
  struct fsinfo *own = fs_of(child);
  own->umask = fs->umask;
  fs_setcwd(own, fs_cwd(fs));
}

void files_exec(struct proc *p) {
  struct fdtable *t = table(p);
  if (t->ref > 1) {                          /* exec unshares a CLONE_FILES table */
    struct fdtable *own = table_copy(t);
    if (own) { table_put(t); p->fdt = t = own; }
  }
  for (int i = 0; i < NOFILE; i++) if (t->cloexec[i] && t->fd[i]) fd_close(p, i);
}

void files_exit(struct proc *p) {
  if (p->fdt) table_put(p->fdt);
  p->fdt = NULL;
  if (p->fs) fsinfo_put(p->fs);
  p->fs = NULL;
}

/* ---- user memory ---- */

/* A path argument copied into a fresh page (free it with path_put); 0 or -errno. */
static int path_get(struct proc *p, unsigned va, char **out) {
  unsigned pa = page_alloc(cpus[hal_cpu_id()].node);
  if (pa == 0) return -ENOMEM;
  char *k = hal_phys_to_kva(pa);
  for (unsigned i = 0; i < PAGE_SIZE; i++) {
    if ((i == 0 || ((va + i) & (PAGE_SIZE - 1)) == 0) && !user_ok(p, va + i, 1, 0)) { page_free(pa); return -EFAULT; }
    if ((k[i] = ((const char *)va)[i]) == 0) { *out = k; return 0; }
  }
  page_free(pa);
  return -ENAMETOOLONG;
}
static void path_put(char *k) { if (k) page_free(hal_kva_to_phys(k)); }

static void put32(unsigned char *d, unsigned v) { d[0] = (unsigned char)(v >> 24); d[1] = (unsigned char)(v >> 16); d[2] = (unsigned char)(v >> 8); d[3] = (unsigned char)v; }
static void put64(unsigned char *d, unsigned long long v) { put32(d, (unsigned)(v >> 32)); put32(d + 4, (unsigned)v); }
static int copy_to_user(struct proc *p, unsigned va, const void *src, unsigned n) {
  if (!user_ok(p, va, n, 1)) return -EFAULT;
  memcpy((void *)va, src, n);
  return 0;
}

/* ---- paths relative to a directory descriptor ---- */

struct at { char *path; struct file *dir; };
static void at_put(struct at *a) { path_put(a->path); if (a->dir) file_put(a->dir); }
static struct inode *at_base(struct at *a) { return a->dir ? a->dir->ip : NULL; }

/* The path at va, relative to dirfd; with empty_ok, "" names dirfd itself (AT_EMPTY_PATH). */
static int at_get(struct proc *p, int dirfd, unsigned va, struct at *a, int empty_ok) {
  a->dir = NULL;
  int err = path_get(p, va, &a->path);
  if (err) { a->path = NULL; return err; }
  if (a->path[0] == '/' || dirfd == AT_FDCWD) return 0;
  if ((a->dir = fd_get(p, dirfd)) == NULL) err = -EBADF;
  else if (a->dir->ip == NULL) err = a->path[0] ? -ENOTDIR : 0;
  else if (!S_ISDIR(a->dir->ip->d.mode) && (a->path[0] || !empty_ok)) err = -ENOTDIR;
  if (err) { at_put(a); a->path = NULL; a->dir = NULL; }
  return err;
}

/* ---- open ---- */

static int do_open(struct proc *p, int dirfd, unsigned pathva, unsigned flags, unsigned mode) {
  struct at a;
  int err = at_get(p, dirfd, pathva, &a, 0);
  if (err) return err;
  struct inode *ip = fs_open(p, at_base(&a), a.path, flags, mode, &err);
  at_put(&a);
  if (ip == NULL) return err;
  unsigned type = FT_INODE, port = 0;
  if ((ip->d.mode & S_IFMT) == S_IFCHR) {
    unsigned dev = (unsigned)ip->d.major << 16 | ip->d.minor;
    if (dev == (1u << 16 | 3)) type = FT_NULL;
    else if (dev == (5u << 16 | 1)) type = FT_CONSOLE;
    else if (dev == (10u << 16 | 200)) { type = FT_ETHER; port = cpus[hal_cpu_id()].node; }
    else { iput(ip); return -ENXIO; }
  }
  struct file *fp = file_alloc(type, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | 0x800u));
  if (fp == NULL) { iput(ip); return -ENFILE; }
  fp->ip = ip;
  fp->port = port;
  return fd_install(p, fp, 0, (flags & O_CLOEXEC) != 0);
}

/* ---- read and write ---- */

#define MAX_RW 0x7ffff000u                   /* Linux's MAX_RW_COUNT */

/* Reads into user memory already checked; at *off for inode files (advanced). */
static int file_read(struct proc *p, struct file *fp, unsigned buf, unsigned n, unsigned long long *off) {
  if ((fp->flags & O_ACCMODE) == O_WRONLY) return -EBADF;
  if (n > MAX_RW) n = MAX_RW;
  switch (fp->type) {
    case FT_INODE: {
      if (S_ISDIR(fp->ip->d.mode)) return -EISDIR;
      if (*off >= 0xffffffffu) return 0;
      int r = readi(fp->ip, (void *)buf, (unsigned)*off, n);
      if (r > 0) *off += (unsigned)r;
      return r;
    }
    case FT_PIPE: return pipe_read(p, fp->pipe, (char *)buf, n, (fp->flags & O_NONBLOCK) != 0);
    case FT_CONSOLE: return console_read(p, buf, n);
    case FT_ETHER: return ether_read(p, fp->port, (char *)buf, n);
    default: return 0;                       /* /dev/null */
  }
}

static int file_write(struct proc *p, struct file *fp, unsigned buf, unsigned n, unsigned long long *off) {
  if ((fp->flags & O_ACCMODE) == 0) return -EBADF;
  if (n > MAX_RW) n = MAX_RW;
  switch (fp->type) {
    case FT_INODE: return writei(fp->ip, (const void *)buf, off, n, (fp->flags & O_APPEND) != 0);
    case FT_PIPE: return pipe_write(p, fp->pipe, (const char *)buf, n, (fp->flags & O_NONBLOCK) != 0);
    case FT_CONSOLE: for (unsigned i = 0; i < n; i++) hal_console_putc(((const char *)buf)[i]); return (int)n;
    case FT_ETHER: return ether_write(p, fp->port, (const char *)buf, n);
    default: return (int)n;                  /* /dev/null */
  }
}

/*
 * mmap of a file, from page pgoff: a private copy of the file's bytes, read into a fresh
 * anonymous mapping (the bytes past the end of the file zero), then given the protection asked
 * for. That is MAP_PRIVATE, and MAP_SHARED without PROT_WRITE while nobody writes the file; a
 * writable shared mapping would have to write back to the file, which this kernel does not do
 * (ENODEV). Only regular files open for reading can be mapped.
 */
int file_mmap(struct proc *p, unsigned addr, unsigned len, unsigned prot, unsigned flags, int fd, unsigned pgoff) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  int r;
  if (fp->type != FT_INODE || S_ISDIR(fp->ip->d.mode)) r = -ENODEV;
  else if ((fp->flags & O_ACCMODE) == O_WRONLY) r = -EACCES;
  else if ((flags & MAP_SHARED) && (prot & PROT_WRITE)) r = -ENODEV;
  else if (pgoff >= 0x100000u) r = -EINVAL;                    /* past the 4 GB a file can have */
  else if ((r = vm_mmap(p, addr, len, PROT_READ | PROT_WRITE, (flags & ~MAP_SHARED) | MAP_ANONYMOUS)) >= 0) {
    int n = readi(fp->ip, (void *)r, pgoff * PAGE_SIZE, len);
    if (n < 0) { vm_free_range(p, (unsigned)r, len); r = n; }
    else if (prot != (PROT_READ | PROT_WRITE)) vm_mprotect(p, (unsigned)r, (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), prot);
  }
  file_put(fp);
  return r;
}

/* read, write, pread64, pwrite64 (pos: NULL for the file's own offset). */
static int do_rw(struct proc *p, int fd, unsigned buf, unsigned n, int write, unsigned long long *pos) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  int r;
  if (pos && fp->type != FT_INODE) r = -ESPIPE;
  else if (!user_ok(p, buf, n > MAX_RW ? MAX_RW : n, !write)) r = -EFAULT;
  else r = write ? file_write(p, fp, buf, n, pos ? pos : &fp->off) : file_read(p, fp, buf, n, pos ? pos : &fp->off);
  file_put(fp);
  return r;
}

static int do_rwv(struct proc *p, int fd, unsigned iov, unsigned cnt, int write) {
  if (cnt > 1024) return -EINVAL;
  if (!user_ok(p, iov, cnt * 8, 0)) return -EFAULT;
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  const unsigned *v = (const unsigned *)iov;
  int total = 0;
  for (unsigned i = 0; i < cnt; i++)
    if (!user_ok(p, v[2 * i], v[2 * i + 1], !write)) { total = -EFAULT; break; }
  for (unsigned i = 0; total >= 0 && i < cnt; i++) {
    unsigned len = v[2 * i + 1];
    if (len == 0) continue;
    int r = write ? file_write(p, fp, v[2 * i], len, &fp->off) : file_read(p, fp, v[2 * i], len, &fp->off);
    if (r < 0) { if (total == 0) total = r; break; }
    total += r;
    if ((unsigned)r < len) break;
  }
  file_put(fp);
  return total;
}

static int do_lseek(struct proc *p, int fd, long long off, unsigned whence, unsigned long long *res) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  int err = 0;
  long long base = whence == 0 ? 0 : whence == 1 ? (long long)fp->off : whence == 2 && fp->ip ? (long long)inode_size(fp->ip) : -1;
  if (fp->type == FT_PIPE || fp->type == FT_CONSOLE || fp->type == FT_ETHER) err = -ESPIPE;
  else if (base < 0 || base + off < 0) err = -EINVAL;
  else *res = fp->off = (unsigned long long)(base + off);
  file_put(fp);
  return err;
}

/* ---- stat ---- */

static void file_stat(struct file *fp, struct kstat *st) {
  if (fp->ip) { fs_stat(fp->ip, st); return; }
  memset(st, 0, sizeof *st);
  st->nlink = 1;
  st->mtime = fs_now();
  st->ino = (unsigned)(fp - files) + 1000000u;
  if (fp->type == FT_PIPE) st->mode = S_IFIFO | 0600;
  else { st->mode = S_IFCHR | 0620; st->rdev = 5u << 8 | 1; }
}

enum { STAT_OLD, STAT_64, STAT_X };
static int put_stat(struct proc *p, unsigned va, const struct kstat *st, int kind) {
  unsigned char b[256];
  unsigned n = kind == STAT_OLD ? 144 : kind == STAT_64 ? 104 : 256;
  memset(b, 0, n);
  if (kind == STAT_OLD) {                    /* asm-mips/stat.h struct stat (o32) */
    put32(b, ST_DEV); put32(b + 16, st->ino); put32(b + 20, st->mode); put32(b + 24, st->nlink);
    put32(b + 28, st->uid); put32(b + 32, st->gid); put32(b + 36, st->rdev); put32(b + 48, st->size);
    put32(b + 56, st->mtime); put32(b + 64, st->mtime); put32(b + 72, st->mtime);
    put32(b + 80, 4096); put32(b + 84, st->blocks);
  } else if (kind == STAT_64) {              /* struct stat64 */
    put32(b, ST_DEV); put64(b + 16, st->ino); put32(b + 24, st->mode); put32(b + 28, st->nlink);
    put32(b + 32, st->uid); put32(b + 36, st->gid); put32(b + 40, st->rdev); put64(b + 56, st->size);
    put32(b + 64, st->mtime); put32(b + 72, st->mtime); put32(b + 80, st->mtime);
    put32(b + 88, 4096); put64(b + 96, st->blocks);
  } else {                                   /* struct statx, STATX_BASIC_STATS */
    put32(b, 0x7ff); put32(b + 4, 4096); put32(b + 16, st->nlink); put32(b + 20, st->uid); put32(b + 24, st->gid);
    b[28] = (unsigned char)(st->mode >> 8); b[29] = (unsigned char)st->mode;
    put64(b + 32, st->ino); put64(b + 40, st->size); put64(b + 48, st->blocks);
    put64(b + 64, st->mtime); put64(b + 96, st->mtime); put64(b + 112, st->mtime);
    put32(b + 128, (st->rdev >> 8) & 0xfff); put32(b + 132, (st->rdev & 0xff) | ((st->rdev >> 12) & ~0xffu));
    put32(b + 136, ST_DEV >> 8); put32(b + 140, ST_DEV & 0xff);
  }
  return copy_to_user(p, va, b, n);
}

static int fd_stat(struct proc *p, int fd, unsigned va, int kind) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  struct kstat st;
  file_stat(fp, &st);
  file_put(fp);
  return put_stat(p, va, &st, kind);
}

static int path_stat(struct proc *p, int dirfd, unsigned pathva, unsigned flags, unsigned va, int kind) {
  struct at a;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800u | 0x6000u)) return -EINVAL;   /* statx: AT_NO_AUTOMOUNT, sync flags */
  int err = at_get(p, dirfd, pathva, &a, (flags & AT_EMPTY_PATH) != 0);
  if (err) return err;
  if (a.path[0] == 0 && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) { at_put(&a); return fd_stat(p, dirfd, va, kind); }
  struct inode *ip = fs_lookup(p, at_base(&a), a.path[0] || !(flags & AT_EMPTY_PATH) ? a.path : ".", !(flags & AT_SYMLINK_NOFOLLOW), &err);
  at_put(&a);
  if (ip == NULL) return err;
  struct kstat st;
  fs_stat(ip, &st);
  iput(ip);
  return put_stat(p, va, &st, kind);
}

/* ---- descriptors ---- */

static int do_dup(struct proc *p, int fd, int newfd, int exact, int cloexec) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  if (!exact) return fd_install(p, fp, newfd, cloexec);
  if (newfd < 0 || newfd >= NOFILE) { file_put(fp); return -EBADF; }
  return fd_replace(p, fp, newfd, cloexec);
}

static int do_pipe(struct proc *p, unsigned flags, int fds[2]) {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  struct pipe *pi = pipe_alloc();
  if (pi == NULL) return -ENFILE;
  struct file *r = file_alloc(FT_PIPE, O_NONBLOCK & flags), *w = r ? file_alloc(FT_PIPE, O_WRONLY | (O_NONBLOCK & flags)) : NULL;
  if (w == NULL) { if (r) file_put(r); else pipe_close(pi, 0); pipe_close(pi, 1); return -ENFILE; }
  r->pipe = w->pipe = pi;
  if ((fds[0] = fd_install(p, r, 0, (flags & O_CLOEXEC) != 0)) < 0) { file_put(w); return fds[0]; }
  if ((fds[1] = fd_install(p, w, 0, (flags & O_CLOEXEC) != 0)) < 0) { fd_close(p, fds[0]); return fds[1]; }
  return 0;
}

static int do_fcntl(struct proc *p, int fd, unsigned cmd, unsigned arg) {
  struct fdtable *t = table(p);
  struct file *fp = fd_get(p, fd);
  int r = 0;
  if (fp == NULL) return -EBADF;
  switch (cmd) {
    case 0: case 1030:                       /* F_DUPFD, F_DUPFD_CLOEXEC */
      if (arg >= NOFILE) { r = -EINVAL; break; }
      return fd_install(p, fp, (int)arg, cmd == 1030);
    case 1: r = t->cloexec[fd]; break;       /* F_GETFD */
    case 2: t->cloexec[fd] = arg & 1; break; /* F_SETFD */
    case 3: r = (int)fp->flags; break;       /* F_GETFL */
    case 4: fp->flags = (fp->flags & ~(O_APPEND | O_NONBLOCK)) | (arg & (O_APPEND | O_NONBLOCK)); break;
    default: r = -EINVAL;
  }
  file_put(fp);
  return r;
}

static int do_getdents(struct proc *p, int fd, unsigned buf, unsigned n, int wide) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  int r;
  if (fp->type != FT_INODE || !S_ISDIR(fp->ip->d.mode)) r = -ENOTDIR;
  else if (!user_ok(p, buf, n, 1)) r = -EFAULT;
  else {
    unsigned off = fp->off > 0xffffffffu ? 0xffffffffu : (unsigned)fp->off;
    r = fs_getdents(fp->ip, &off, (char *)buf, n, wide);
    fp->off = off;
  }
  file_put(fp);
  return r;
}

/* ---- paths ---- */

static int do_unlink(struct proc *p, int dirfd, unsigned path, unsigned flags) {
  struct at a;
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  int err = at_get(p, dirfd, path, &a, 0);
  if (err == 0) { err = fs_unlink(p, at_base(&a), a.path, (flags & AT_REMOVEDIR) != 0); at_put(&a); }
  return err;
}

static int do_mkdir(struct proc *p, int dirfd, unsigned path, unsigned mode) {
  struct at a;
  int err = at_get(p, dirfd, path, &a, 0);
  if (err == 0) { err = fs_mkdir(p, at_base(&a), a.path, mode); at_put(&a); }
  return err;
}

static int do_rename(struct proc *p, int ofd, unsigned old, int nfd, unsigned new, unsigned flags) {
  struct at a, b;
  int err = at_get(p, ofd, old, &a, 0);
  if (err) return err;
  if ((err = at_get(p, nfd, new, &b, 0)) == 0) { err = fs_rename(p, at_base(&a), a.path, at_base(&b), b.path, flags); at_put(&b); }
  at_put(&a);
  return err;
}

static int do_link(struct proc *p, int ofd, unsigned old, int nfd, unsigned new, unsigned flags) {
  struct at a, b;
  if (flags & ~AT_SYMLINK_FOLLOW) return -EINVAL;
  int err = at_get(p, ofd, old, &a, 0);
  if (err) return err;
  if ((err = at_get(p, nfd, new, &b, 0)) == 0) { err = fs_link(p, at_base(&a), a.path, at_base(&b), b.path, (flags & AT_SYMLINK_FOLLOW) != 0); at_put(&b); }
  at_put(&a);
  return err;
}

static int do_symlink(struct proc *p, unsigned target, int dirfd, unsigned path) {
  char *t;
  struct at a;
  int err = path_get(p, target, &t);
  if (err) return err;
  if ((err = at_get(p, dirfd, path, &a, 0)) == 0) { err = fs_symlink(p, t, at_base(&a), a.path); at_put(&a); }
  path_put(t);
  return err;
}

static int do_readlink(struct proc *p, int dirfd, unsigned path, unsigned buf, int size) {
  struct at a;
  if (size <= 0) return -EINVAL;
  if (!user_ok(p, buf, (unsigned)size, 1)) return -EFAULT;
  int err = at_get(p, dirfd, path, &a, 0);
  if (err == 0) { err = fs_readlink(p, at_base(&a), a.path, (char *)buf, (unsigned)size); at_put(&a); }
  return err;
}

/* The inode a path names (following links), or the file dirfd's inode for a NULL path. */
static struct inode *inode_at(struct proc *p, int dirfd, unsigned path, int follow, int *err) {
  struct at a;
  if ((*err = at_get(p, dirfd, path, &a, 0)) != 0) return NULL;
  struct inode *ip = fs_lookup(p, at_base(&a), a.path, follow, err);
  at_put(&a);
  return ip;
}
static struct inode *inode_fd(struct proc *p, int fd, int *err) {
  struct file *fp = fd_get(p, fd);
  struct inode *ip = fp && fp->ip ? idup(fp->ip) : NULL;
  *err = fp == NULL ? -EBADF : ip == NULL ? -EINVAL : 0;
  if (fp) file_put(fp);
  return ip;
}

static int do_chdir(struct proc *p, struct inode *ip, int err) {
  if (ip == NULL) return err;
  if (!S_ISDIR(ip->d.mode)) { iput(ip); return -ENOTDIR; }
  fs_setcwd(fs_of(p), ip);
  return 0;
}

static int do_access(struct proc *p, int dirfd, unsigned path, unsigned mode, unsigned flags) {
  int err;
  if ((mode & ~7u) || (flags & ~(AT_SYMLINK_NOFOLLOW | 0x200u | AT_EMPTY_PATH))) return -EINVAL;
  struct inode *ip = inode_at(p, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &err);
  if (ip == NULL) return err;
  /* every process is root: only X_OK can fail, on a file with no x bit */
  if ((mode & 1) && !S_ISDIR(ip->d.mode) && !(ip->d.mode & 0111)) err = -EACCES;
  iput(ip);
  return err;
}

static int do_truncate(struct inode *ip, int err, long long len) {
  if (ip == NULL) return err;
  if (S_ISDIR(ip->d.mode)) err = -EISDIR;
  else if ((ip->d.mode & S_IFMT) != S_IFREG || len < 0) err = -EINVAL;
  else err = fs_truncate(ip, (unsigned long long)len);
  iput(ip);
  return err;
}

static int do_ftruncate(struct proc *p, int fd, long long len) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  int err = fp->type != FT_INODE || !(fp->flags & O_ACCMODE) ? -EINVAL : do_truncate(idup(fp->ip), 0, len);
  file_put(fp);
  return err;
}

static int do_utimensat(struct proc *p, int dirfd, unsigned path, unsigned times, unsigned flags, int wide) {
  int err;
  unsigned t = fs_now();
  if (times) {
    if (!user_ok(p, times, wide ? 32 : 16, 0)) return -EFAULT;
    const unsigned *v = (const unsigned *)times + (wide ? 4 : 2);   /* times[1]: the modification time */
    int nsec = (int)v[wide ? 3 : 1];
    if (nsec == UTIME_OMIT) return 0;
    if (nsec != UTIME_NOW) { if (nsec < 0 || nsec >= 1000000000) return -EINVAL; t = v[wide ? 1 : 0]; }
  }
  struct inode *ip = path ? inode_at(p, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &err) : inode_fd(p, dirfd, &err);
  if (ip == NULL) return err;
  fs_set_mtime(ip, t);
  iput(ip);
  return 0;
}

static int do_chmod(struct inode *ip, int err, unsigned mode) {
  if (ip == NULL) return err;
  fs_chmod(ip, mode);
  iput(ip);
  return 0;
}

/* Every process is root: the owner changes as asked (-1 keeps one), up to the format's 16 bits. */
static int do_chown(struct inode *ip, int err, unsigned uid, unsigned gid) {
  if (ip == NULL) return err;
  if ((uid != ~0u && uid > 0xffffu) || (gid != ~0u && gid > 0xffffu)) { iput(ip); return -EINVAL; }
  fs_chown(ip, uid, gid);
  iput(ip);
  return 0;
}

static int do_fsync(struct proc *p, int fd) {
  struct file *fp = fd_get(p, fd);
  if (fp == NULL) return -EBADF;
  int r = fp->type == FT_INODE ? 0 : -EINVAL;
  file_put(fp);
  if (r == 0) fs_sync();
  return r;
}

/* ---- dispatch ---- */

int sys_file(struct proc *p, struct trapframe *tf, unsigned nr, int *ret) {
  unsigned *r = tf->regs, a0 = r[4], a1 = r[5], a2 = r[6], a3 = r[7], a4 = 0, a5 = 0;
  int stack = user_ok(p, r[29] + 16, 8, 0), fds[2];        /* arguments 5 and 6 are on the user stack */
  if (stack) { a4 = ((unsigned *)r[29])[4]; a5 = ((unsigned *)r[29])[5]; }
  unsigned long long res;
  int err;
  switch (nr) {
    case 4003: *ret = do_rw(p, (int)a0, a1, a2, 0, NULL); break;                          /* read */
    case 4004: *ret = do_rw(p, (int)a0, a1, a2, 1, NULL); break;                          /* write */
    case 4005: *ret = do_open(p, AT_FDCWD, a0, a1, a2); break;                            /* open */
    case 4006: *ret = fd_close(p, (int)a0); break;                                       /* close */
    case 4008: *ret = do_open(p, AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC, a1); break;  /* creat */
    case 4009: *ret = do_link(p, AT_FDCWD, a0, AT_FDCWD, a1, 0); break;                   /* link */
    case 4010: *ret = do_unlink(p, AT_FDCWD, a0, 0); break;                               /* unlink */
    case 4012: *ret = do_chdir(p, inode_at(p, AT_FDCWD, a0, 1, &err), err); break;        /* chdir */
    case 4015: *ret = do_chmod(inode_at(p, AT_FDCWD, a0, 1, &err), err, a1); break;       /* chmod */
    case 4019:                                                                            /* lseek */
      *ret = do_lseek(p, (int)a0, (int)a1, a2, &res);
      if (*ret == 0) *ret = res > 0x7fffffffu ? -EOVERFLOW : (int)res;
      break;
    case 4033: *ret = do_access(p, AT_FDCWD, a0, a1, 0); break;                           /* access */
    case 4036: fs_sync(); *ret = 0; break;                                                /* sync */
    case 4038: *ret = do_rename(p, AT_FDCWD, a0, AT_FDCWD, a1, 0); break;                 /* rename */
    case 4039: *ret = do_mkdir(p, AT_FDCWD, a0, a1); break;                               /* mkdir */
    case 4040: *ret = do_unlink(p, AT_FDCWD, a0, AT_REMOVEDIR); break;                    /* rmdir */
    case 4041: *ret = do_dup(p, (int)a0, 0, 0, 0); break;                                 /* dup */
    case 4042:                                                                            /* pipe: fds in v0, v1 */
      if ((*ret = do_pipe(p, 0, fds)) == 0) { *ret = fds[0]; r[3] = (unsigned)fds[1]; }
      break;
    case 4054:                                                                            /* ioctl */
      *ret = do_fcntl(p, (int)a0, 3, 0) < 0 ? -EBADF : -ENOTTY;  /* the console is no tty, as qemu's pipes */
      break;
    case 4055: case 4220: *ret = do_fcntl(p, (int)a0, a1, a2); break;                     /* fcntl, fcntl64 */
    case 4060: *ret = (int)atomic_swap(&fs_of(p)->umask, a0 & 0777); break;              /* umask */
    case 4063:                                                                            /* dup2 */
      if (a0 != a1) { *ret = do_dup(p, (int)a0, (int)a1, 1, 0); break; }
      struct file *fp = fd_get(p, (int)a0);
      *ret = fp ? (int)a1 : -EBADF;
      if (fp) file_put(fp);
      break;
    case 4083: *ret = do_symlink(p, a0, AT_FDCWD, a1); break;                             /* symlink */
    case 4085: *ret = do_readlink(p, AT_FDCWD, a0, a1, (int)a2); break;                   /* readlink */
    case 4092: *ret = do_truncate(inode_at(p, AT_FDCWD, a0, 1, &err), err, (int)a1); break; /* truncate */
    case 4093: *ret = do_ftruncate(p, (int)a0, (int)a1); break;                           /* ftruncate */
    case 4094: *ret = do_chmod(inode_fd(p, (int)a0, &err), err, a1); break;               /* fchmod */
    case 4202: *ret = do_chown(inode_at(p, AT_FDCWD, a0, 1, &err), err, a1, a2); break;   /* chown */
    case 4016: *ret = do_chown(inode_at(p, AT_FDCWD, a0, 0, &err), err, a1, a2); break;   /* lchown */
    case 4095: *ret = do_chown(inode_fd(p, (int)a0, &err), err, a1, a2); break;           /* fchown */
    case 4291: *ret = do_chown(inode_at(p, (int)a0, a1, !(a4 & 0x100), &err), err, a2, a3); break; /* fchownat */
    case 4106: *ret = path_stat(p, AT_FDCWD, a0, 0, a1, STAT_OLD); break;                 /* stat */
    case 4107: *ret = path_stat(p, AT_FDCWD, a0, AT_SYMLINK_NOFOLLOW, a1, STAT_OLD); break; /* lstat */
    case 4108: *ret = fd_stat(p, (int)a0, a1, STAT_OLD); break;                           /* fstat */
    case 4118: case 4152: *ret = do_fsync(p, (int)a0); break;                             /* fsync, fdatasync */
    case 4133: *ret = do_chdir(p, inode_fd(p, (int)a0, &err), err); break;                /* fchdir */
    case 4140:                                                                            /* _llseek */
      if (!user_ok(p, a3, 8, 1) || !stack) { *ret = -EFAULT; break; }
      if ((*ret = do_lseek(p, (int)a0, (long long)((unsigned long long)a1 << 32 | a2), a4, &res)) == 0) put64((unsigned char *)a3, res);
      break;
    case 4141: *ret = do_getdents(p, (int)a0, a1, a2, 0); break;                          /* getdents */
    case 4145: *ret = do_rwv(p, (int)a0, a1, a2, 0); break;                               /* readv */
    case 4146: *ret = do_rwv(p, (int)a0, a1, a2, 1); break;                               /* writev */
    case 4200: case 4201:                                                                 /* pread64, pwrite64 */
      if (!stack) { *ret = -EFAULT; break; }
      res = (unsigned long long)a4 << 32 | a5;
      *ret = (long long)res < 0 ? -EINVAL : do_rw(p, (int)a0, a1, a2, nr == 4201, &res);
      break;
    case 4203:                                                                            /* getcwd */
      if (!user_ok(p, a0, a1, 1)) { *ret = -EFAULT; break; }
      *ret = fs_getcwd(p, (char *)a0, a1);
      break;
    case 4211: *ret = do_truncate(inode_at(p, AT_FDCWD, a0, 1, &err), err, (long long)((unsigned long long)a2 << 32 | a3)); break; /* truncate64 */
    case 4212: *ret = do_ftruncate(p, (int)a0, (long long)((unsigned long long)a2 << 32 | a3)); break; /* ftruncate64 */
    case 4213: *ret = path_stat(p, AT_FDCWD, a0, 0, a1, STAT_64); break;                  /* stat64 */
    case 4214: *ret = path_stat(p, AT_FDCWD, a0, AT_SYMLINK_NOFOLLOW, a1, STAT_64); break; /* lstat64 */
    case 4215: *ret = fd_stat(p, (int)a0, a1, STAT_64); break;                            /* fstat64 */
    case 4219: *ret = do_getdents(p, (int)a0, a1, a2, 1); break;                          /* getdents64 */
    case 4288: *ret = do_open(p, (int)a0, a1, a2, a3); break;                             /* openat */
    case 4289: *ret = do_mkdir(p, (int)a0, a1, a2); break;                                /* mkdirat */
    case 4293: *ret = path_stat(p, (int)a0, a1, a3, a2, STAT_64); break;                  /* fstatat64 */
    case 4294: *ret = do_unlink(p, (int)a0, a1, a2); break;                               /* unlinkat */
    case 4295: *ret = do_rename(p, (int)a0, a1, (int)a2, a3, 0); break;                   /* renameat */
    case 4296: *ret = stack ? do_link(p, (int)a0, a1, (int)a2, a3, a4) : -EFAULT; break;  /* linkat */
    case 4297: *ret = do_symlink(p, a0, (int)a1, a2); break;                              /* symlinkat */
    case 4298: *ret = do_readlink(p, (int)a0, a1, a2, (int)a3); break;                    /* readlinkat */
    case 4299: *ret = do_chmod(inode_at(p, (int)a0, a1, 1, &err), err, a2); break;        /* fchmodat */
    case 4300: *ret = do_access(p, (int)a0, a1, a2, 0); break;                            /* faccessat */
    case 4316: *ret = do_utimensat(p, (int)a0, a1, a2, a3, 0); break;                     /* utimensat */
    case 4327:                                                                            /* dup3 */
      *ret = (a2 & ~O_CLOEXEC) || a0 == a1 ? -EINVAL : do_dup(p, (int)a0, (int)a1, 1, (a2 & O_CLOEXEC) != 0);
      break;
    case 4328:                                                                            /* pipe2 */
      if (!user_ok(p, a0, 8, 1)) { *ret = -EFAULT; break; }
      if ((*ret = do_pipe(p, a1, fds)) == 0) { ((int *)a0)[0] = fds[0]; ((int *)a0)[1] = fds[1]; }
      break;
    case 4351: *ret = stack ? do_rename(p, (int)a0, a1, (int)a2, a3, a4) : -EFAULT; break; /* renameat2 */
    case 4366: *ret = stack ? path_stat(p, (int)a0, a1, a2, a4, STAT_X) : -EFAULT; break; /* statx */
    case 4412: *ret = do_utimensat(p, (int)a0, a1, a2, a3, 1); break;                     /* utimensat_time64 */
    case 4439: *ret = do_access(p, (int)a0, a1, a2, a3); break;                           /* faccessat2 */
    default: return 0;
  }
  return 1;
}
