/*
 * The disco file system (docs/fs.md) on the block device: a write-back cache of 4 KB blocks,
 * in-memory inodes with reference counts, the Unix block map (12 direct, single and double
 * indirect), allocation from the bitmaps, directories, symbolic links and path lookup.
 *
 * One sleep lock serializes the file system: every exported function takes it, and buffers and
 * inodes are only touched with it held, so no lock order exists to get wrong. Disk transfers are
 * polled and complete at once; dirty blocks reach the disk on eviction and on fs_sync.
 */
#include "kernel.h"
#include "fs.h"

#define BSIZE 4096u
#define NBUF 128
#define NINODE 128
#define NDIRECT 12
#define NPTR 1024u
#define MAXSYMLINKS 40
#define BAD 0xffffffffu                      /* a block pointer outside the data area */
#define FS_MAGIC 0x44534b46u

static struct {
  unsigned magic, version, bsize, blocks, inodes, bmap, bmap_n, imap, imap_n, itable, itable_n, data, root;
} sb;
static struct inode *root;

/* ---- the lock ---- */

static volatile unsigned locked;
static void lock(void) {
  unsigned f = spin_lock(&ptable_lock);
  while (locked) sleep_on((void *)&locked);
  locked = 1;
  spin_unlock(&ptable_lock, f);
}
static void unlock(void) {
  unsigned f = spin_lock(&ptable_lock);
  locked = 0;
  wakeup_locked((void *)&locked);
  spin_unlock(&ptable_lock, f);
}

unsigned fs_now(void) { return (unsigned)(clock_ns(0) / 1000000000u); }

/* ---- the buffer cache ---- */

struct buf { unsigned blockno, ref, valid, dirty, stamp, pa; unsigned char *data; };
static struct buf bufs[NBUF];
static unsigned stamp;

static void bflush(struct buf *b) {
  if (b->dirty && hal_disk_write(b->blockno * 8, b->pa, 8) < 0) kprintf("fs: write error, block %u\n", b->blockno);
  b->dirty = 0;
}

/* Block bn's buffer (referenced); read from the disk when `read`, else left to be overwritten. */
static struct buf *bget(unsigned bn, int read) {
  struct buf *v = NULL;
  for (int i = 0; i < NBUF; i++) {
    struct buf *b = &bufs[i];
    if (b->valid && b->blockno == bn) { b->ref++; b->stamp = ++stamp; return b; }
    if (b->ref == 0 && (v == NULL || b->stamp < v->stamp)) v = b;
  }
  if (v == NULL) panic("fs: every buffer in use");   /* callers hold a few; NBUF covers MAXSYMLINKS */
  if (v->valid) bflush(v);
  v->blockno = bn; v->ref = 1; v->valid = 1; v->dirty = 0; v->stamp = ++stamp;
  if (read && hal_disk_read(bn * 8, v->pa, 8) < 0) { kprintf("fs: read error, block %u\n", bn); memset(v->data, 0, BSIZE); }
  return v;
}
static struct buf *bread(unsigned bn) { return bget(bn, 1); }
static void brelse(struct buf *b) { b->ref--; }

static void sync_locked(void) { for (int i = 0; i < NBUF; i++) if (bufs[i].valid) bflush(&bufs[i]); }
void fs_sync(void) { if (root) { lock(); sync_locked(); unlock(); } }

/* ---- bitmaps ---- */

/* Finds a clear bit in the bitmap at block `start` (n blocks), sets it, returns it; 0 if none. */
static unsigned bit_alloc(unsigned start, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    struct buf *b = bread(start + i);
    for (unsigned j = 0; j < BSIZE; j++) {
      if (b->data[j] == 0xff) continue;
      unsigned k = 0;
      while (b->data[j] & (1u << k)) k++;
      b->data[j] |= (unsigned char)(1u << k);
      b->dirty = 1;
      brelse(b);
      return i * BSIZE * 8 + j * 8 + k;
    }
    brelse(b);
  }
  return 0;
}
static void bit_clear(unsigned start, unsigned bit) {
  struct buf *b = bread(start + bit / (BSIZE * 8));
  b->data[bit % (BSIZE * 8) / 8] &= (unsigned char)~(1u << (bit % 8));
  b->dirty = 1;
  brelse(b);
}

static unsigned check(unsigned bn) { return bn == 0 || (bn >= sb.data && bn < sb.blocks) ? bn : BAD; }

static unsigned balloc(void) {   /* a zeroed data block, or 0 */
  unsigned bn = bit_alloc(sb.bmap, sb.bmap_n);
  if (bn == 0) return 0;
  if (check(bn) == BAD) { kprintf("fs: block bitmap claims block %u is free\n", bn); return 0; }
  struct buf *b = bget(bn, 0);
  memset(b->data, 0, BSIZE);
  b->dirty = 1;
  brelse(b);
  return bn;
}
static void bfree(unsigned bn) { if (check(bn) != BAD && bn) bit_clear(sb.bmap, bn); }

/* ---- inodes ---- */

static struct inode icache[NINODE];

static void iupdate(struct inode *ip) {
  struct buf *b = bread(sb.itable + ip->inum / 32);
  memcpy(b->data + (ip->inum % 32) * 128, &ip->d, 128);
  b->dirty = 1;
  brelse(b);
}

static struct inode *iget(unsigned inum) {
  struct inode *free = NULL;
  if (inum == 0 || inum >= sb.inodes) return NULL;
  for (int i = 0; i < NINODE; i++) {
    if (icache[i].ref && icache[i].inum == inum) { icache[i].ref++; return &icache[i]; }
    if (icache[i].ref == 0 && free == NULL) free = &icache[i];
  }
  if (free == NULL) return NULL;
  struct buf *b = bread(sb.itable + inum / 32);
  memcpy(&free->d, b->data + (inum % 32) * 128, 128);
  brelse(b);
  free->inum = inum;
  free->ref = 1;
  return free;
}

struct inode *idup(struct inode *ip) { if (ip) { lock(); ip->ref++; unlock(); } return ip; }

/* The block of file block k: 0 a hole (or, allocating, no space), BAD a corrupt pointer. */
static unsigned entry(unsigned blk, unsigned i, int alloc) {   /* entry i of an indirect block */
  if (blk == 0 || blk == BAD) return blk;
  struct buf *b = bread(blk);
  unsigned *a = (unsigned *)b->data, bn = a[i];
  if (bn == 0 && alloc && (bn = balloc()) != 0) { a[i] = bn; b->dirty = 1; }
  brelse(b);
  return check(bn);
}
static unsigned slot(struct inode *ip, unsigned i, int alloc) {   /* the caller writes the inode */
  if (ip->d.addrs[i] == 0 && alloc) ip->d.addrs[i] = balloc();
  return check(ip->d.addrs[i]);
}
static unsigned bmap(struct inode *ip, unsigned k, int alloc) {
  if (k < NDIRECT) return slot(ip, k, alloc);
  k -= NDIRECT;
  if (k < NPTR) return entry(slot(ip, 12, alloc), k, alloc);
  k -= NPTR;
  return entry(entry(slot(ip, 13, alloc), k / NPTR, alloc), k % NPTR, alloc);
}

/* Frees the entries from `from` on of the indirect block *ptr, and the block itself when from is 0. */
static int free_ind(unsigned *ptr, unsigned from) {
  if (check(*ptr) == BAD || *ptr == 0) return 0;
  struct buf *b = bread(*ptr);
  unsigned *a = (unsigned *)b->data;
  for (unsigned i = from; i < NPTR; i++) if (a[i]) { bfree(a[i]); a[i] = 0; b->dirty = 1; }
  brelse(b);
  if (from) return 0;
  bfree(*ptr);
  *ptr = 0;
  return 1;
}

/* Frees every block at file block n or beyond (docs/fs.md: no pointer past the end of a file). */
static void free_from(struct inode *ip, unsigned n) {
  for (unsigned k = n; k < NDIRECT; k++) { bfree(ip->d.addrs[k]); ip->d.addrs[k] = 0; }
  free_ind(&ip->d.addrs[12], n > NDIRECT ? n - NDIRECT : 0);
  unsigned from = n > NDIRECT + NPTR ? n - NDIRECT - NPTR : 0;
  if (check(ip->d.addrs[13]) == BAD || ip->d.addrs[13] == 0) return;
  struct buf *b = bread(ip->d.addrs[13]);
  unsigned *a = (unsigned *)b->data;
  for (unsigned i = from / NPTR; i < NPTR; i++) if (free_ind(&a[i], i == from / NPTR ? from % NPTR : 0)) b->dirty = 1;
  brelse(b);
  if (from == 0) { bfree(ip->d.addrs[13]); ip->d.addrs[13] = 0; }
}

static int iread(struct inode *ip, void *dst, unsigned off, unsigned n) {
  if (off >= ip->d.size) return 0;
  if (n > ip->d.size - off) n = ip->d.size - off;
  char *d = dst;
  for (unsigned done = 0, m; done < n; done += m, off += m) {
    unsigned bn = bmap(ip, off / BSIZE, 0);
    m = BSIZE - off % BSIZE < n - done ? BSIZE - off % BSIZE : n - done;
    if (bn == BAD) return -EIO;
    if (bn == 0) { memset(d + done, 0, m); continue; }
    struct buf *b = bread(bn);
    memcpy(d + done, b->data + off % BSIZE, m);
    brelse(b);
  }
  return (int)n;
}

static int iwrite(struct inode *ip, const void *src, unsigned off, unsigned n) {
  if (n > 0xffffffffu - off) n = 0xffffffffu - off;         /* the size is a u32 */
  if (n == 0) return -EFBIG;
  const char *s = src;
  unsigned done = 0, m;
  int err = 0;
  for (; done < n; done += m, off += m) {
    unsigned bn = bmap(ip, off / BSIZE, 1);
    m = BSIZE - off % BSIZE < n - done ? BSIZE - off % BSIZE : n - done;
    if (bn == 0 || bn == BAD) { err = bn ? -EIO : -ENOSPC; break; }
    struct buf *b = bread(bn);
    memcpy(b->data + off % BSIZE, s + done, m);
    b->dirty = 1;
    brelse(b);
  }
  if (off > ip->d.size) ip->d.size = off;
  if (done) ip->d.mtime = fs_now();
  iupdate(ip);
  return done ? (int)done : err;
}

static int itrunc(struct inode *ip, unsigned size) {
  if (size < ip->d.size) {
    free_from(ip, (size + BSIZE - 1) / BSIZE);
    unsigned bn = size % BSIZE ? bmap(ip, size / BSIZE, 0) : 0;
    if (bn && bn != BAD) {                       /* the tail past the end reads as zeros later */
      struct buf *b = bread(bn);
      memset(b->data + size % BSIZE, 0, BSIZE - size % BSIZE);
      b->dirty = 1;
      brelse(b);
    }
  }
  ip->d.size = size;
  ip->d.mtime = fs_now();
  iupdate(ip);
  return 0;
}

static void iput_locked(struct inode *ip) {
  if (--ip->ref > 0 || ip->d.nlink > 0 || ip->d.mode == 0) return;
  free_from(ip, 0);                              /* the last reference to an unlinked inode */
  memset(&ip->d, 0, sizeof ip->d);
  iupdate(ip);
  bit_clear(sb.imap, ip->inum);
}
void iput(struct inode *ip) { if (ip) { lock(); iput_locked(ip); unlock(); } }

static struct inode *ialloc(unsigned mode, int *err) {
  unsigned inum = bit_alloc(sb.imap, sb.imap_n);
  struct inode *ip = inum ? iget(inum) : NULL;
  if (ip == NULL) { if (inum) bit_clear(sb.imap, inum); *err = inum ? -ENFILE : -ENOSPC; return NULL; }
  memset(&ip->d, 0, sizeof ip->d);
  ip->d.mode = (unsigned short)mode;
  ip->d.mtime = fs_now();
  return ip;
}

int readi(struct inode *ip, void *dst, unsigned off, unsigned n) { lock(); int r = iread(ip, dst, off, n); unlock(); return r; }
int writei(struct inode *ip, const void *src, unsigned long long *off, unsigned n, int append) {
  lock();
  if (append) *off = ip->d.size;
  int r = n == 0 ? 0 : *off > 0xffffffffu ? -EFBIG : iwrite(ip, src, (unsigned)*off, n);
  if (r > 0) *off += (unsigned)r;
  unlock();
  return r;
}
unsigned inode_size(struct inode *ip) { return ip->d.size; }
int inode_exec_ok(struct inode *ip) { return (ip->d.mode & S_IFMT) == S_IFREG && (ip->d.mode & 0111) ? 0 : -13; }

int fs_truncate(struct inode *ip, unsigned long long size) {
  if (size > 0xffffffffu) return -EFBIG;
  lock(); int r = itrunc(ip, (unsigned)size); unlock(); return r;
}
void fs_chmod(struct inode *ip, unsigned mode) {
  lock(); ip->d.mode = (unsigned short)((ip->d.mode & S_IFMT) | (mode & 07777)); iupdate(ip); unlock();
}
void fs_chown(struct inode *ip, unsigned uid, unsigned gid) {
  lock();
  if (uid != ~0u) ip->d.uid = (unsigned short)uid;
  if (gid != ~0u) ip->d.gid = (unsigned short)gid;
  iupdate(ip);
  unlock();
}
void fs_set_mtime(struct inode *ip, unsigned t) { lock(); ip->d.mtime = t; iupdate(ip); unlock(); }

void fs_stat(struct inode *ip, struct kstat *st) {
  lock();
  st->ino = ip->inum; st->mode = ip->d.mode; st->nlink = ip->d.nlink; st->uid = ip->d.uid; st->gid = ip->d.gid;
  st->rdev = (ip->d.minor & 0xffu) | ((unsigned)ip->d.major << 8) | ((ip->d.minor & ~0xffu) << 12);
  st->size = ip->d.size; st->mtime = ip->d.mtime; st->blocks = (ip->d.size + BSIZE - 1) / BSIZE * 8;
  unlock();
}

/* ---- directories ---- */

struct dirent { unsigned inum; unsigned short reclen; unsigned char namelen, zero; char name[]; };
static unsigned need(unsigned namelen) { return (8 + namelen + 3) & ~3u; }
static int same(const char *a, const char *b, unsigned n) { while (n--) if (*a++ != *b++) return 0; return 1; }
static int dot_record(const struct dirent *e) { return e->name[0] == '.' && (e->namelen == 1 || (e->namelen == 2 && e->name[1] == '.')); }

/* Where a record is: its byte offset in the directory, and the previous record's in its block (~0: first). */
struct walk { unsigned off, prev; };

/* Is the record at byte off of a block well formed? Every walk stops a block at the first that is not. */
static int ok_record(struct dirent *e, unsigned off) {
  return e->reclen >= 8 && !(e->reclen & 3) && off + e->reclen <= BSIZE && (!e->inum || (e->namelen && need(e->namelen) <= e->reclen));
}

/*
 * A cursor over a directory's records, block by block (holes skipped, each block's walk stopped
 * at its first malformed record): dirnext gives the next record, its block held in c->b and its
 * place in c->k (block), c->off and c->prev (the previous record's offset in the block, ~0 for
 * the first); NULL after the last, with no block held. dirstop lets go of a walk left early.
 */
struct dircursor { struct inode *dp; unsigned k, off, prev; struct buf *b; };
static struct dirent *dirnext(struct dircursor *c) {
  for (;;) {
    if (c->b) {
      if (c->off == ~0u) { c->off = 0; c->prev = ~0u; }
      else { c->prev = c->off; c->off += ((struct dirent *)(c->b->data + c->off))->reclen; }
      struct dirent *e = (struct dirent *)(c->b->data + c->off);
      if (c->off < BSIZE && ok_record(e, c->off)) return e;
      brelse(c->b);
      c->b = NULL;
      c->k++;
    }
    if (c->k >= c->dp->d.size / BSIZE) return NULL;
    unsigned bn = bmap(c->dp, c->k, 0);
    if (bn == 0 || bn == BAD) { c->k++; continue; }
    c->b = bread(bn);
    c->off = ~0u;
  }
}
static void dirstop(struct dircursor *c) { if (c->b) brelse(c->b); c->b = NULL; }

/* Looks name up in dp: its inode number (0 if none), and where its record is in w (if w). */
static unsigned dirlookup(struct inode *dp, const char *name, unsigned len, struct walk *w) {
  struct dircursor c = { dp, 0, 0, 0, NULL };
  for (struct dirent *e; (e = dirnext(&c)) != NULL;) {
    if (e->inum && e->namelen == len && same(e->name, name, len)) {
      unsigned inum = e->inum;
      if (w) { w->off = c.k * BSIZE + c.off; w->prev = c.prev == ~0u ? ~0u : c.k * BSIZE + c.prev; }
      dirstop(&c);
      return inum;
    }
  }
  return 0;
}

/* Points the record at byte `off` of dp at inum. */
static void dirset(struct inode *dp, unsigned off, unsigned inum) {
  struct buf *b = bread(bmap(dp, off / BSIZE, 0));
  ((struct dirent *)(b->data + off % BSIZE))->inum = inum;
  b->dirty = 1;
  brelse(b);
}

static void put_record(struct dirent *e, const char *name, unsigned len, unsigned inum) {
  e->inum = inum; e->namelen = (unsigned char)len; e->zero = 0;
  memcpy(e->name, name, len);
}

/* docs/fs.md, "To add an entry": into a record with room to spare, else into a new block. */
static int dirlink(struct inode *dp, const char *name, unsigned len, unsigned inum) {
  unsigned n = need(len);
  struct dircursor c = { dp, 0, 0, 0, NULL };
  for (struct dirent *e; (e = dirnext(&c)) != NULL;) {
    unsigned own = e->inum ? need(e->namelen) : 0;
    if (e->reclen - own < n) continue;
    if (own) {
      struct dirent *f = (struct dirent *)((char *)e + own);
      f->reclen = (unsigned short)(e->reclen - own);
      e->reclen = (unsigned short)own;
      e = f;
    }
    put_record(e, name, len, inum);
    c.b->dirty = 1;
    dirstop(&c);
    return 0;
  }
  unsigned bn = bmap(dp, dp->d.size / BSIZE, 1);
  if (bn == 0 || bn == BAD) { iupdate(dp); return bn ? -EIO : -ENOSPC; }
  struct buf *b = bread(bn);
  struct dirent *e = (struct dirent *)b->data;
  e->reclen = BSIZE;
  put_record(e, name, len, inum);
  b->dirty = 1;
  brelse(b);
  dp->d.size += BSIZE;
  iupdate(dp);
  return 0;
}

/* docs/fs.md, "To remove an entry": merge into the previous record, or mark the first unused. */
static void dirunlink(struct inode *dp, struct walk *w) {
  if (w->prev == ~0u) { dirset(dp, w->off, 0); return; }
  struct buf *b = bread(bmap(dp, w->off / BSIZE, 0));
  struct dirent *p = (struct dirent *)(b->data + w->prev % BSIZE), *e = (struct dirent *)(b->data + w->off % BSIZE);
  p->reclen = (unsigned short)(p->reclen + e->reclen);
  b->dirty = 1;
  brelse(b);
}

static int dir_empty(struct inode *dp) {
  struct dircursor c = { dp, 0, 0, 0, NULL };
  for (struct dirent *e; (e = dirnext(&c)) != NULL;) if (e->inum && !dot_record(e)) { dirstop(&c); return 0; }
  return 1;
}

/* ---- paths ---- */

/*
 * Resolves path[0..len) from dir (whose reference it consumes). With `parent`, stops before the
 * last component and copies it to `name` (NUL-terminated; "" when the path has none, as "/").
 * Symbolic links are followed on the way, and at the end when `follow`; *depth counts them.
 * *slash says the path ended in '/'.
 */
static struct inode *walk(struct inode *ip, const char *path, unsigned len, int follow, char *name, int *depth, int *slash, int *err) {
  unsigned i = 0;
  if (len && path[0] == '/') { iput_locked(ip); ip = root; ip->ref++; }
  if (name) name[0] = 0;
  for (;;) {
    while (i < len && path[i] == '/') i++;
    if (i == len) return ip;
    unsigned s = i;
    while (i < len && path[i] != '/') i++;
    unsigned n = i - s, j = i;
    while (j < len && path[j] == '/') j++;
    int last = j == len;
    if (last && slash) *slash = i < len;
    if (n > 255) { *err = -ENAMETOOLONG; break; }
    if (!S_ISDIR(ip->d.mode)) { *err = -ENOTDIR; break; }
    if (last && name) { memcpy(name, path + s, n); name[n] = 0; return ip; }
    struct inode *next = iget(dirlookup(ip, path + s, n, NULL));
    if (next == NULL) { *err = -ENOENT; break; }
    if ((next->d.mode & S_IFMT) == S_IFLNK && (!last || follow || i < len)) {
      unsigned bn = bmap(next, 0, 0);
      if (++*depth > MAXSYMLINKS || bn == 0 || bn == BAD || next->d.size >= BSIZE) { *err = *depth > MAXSYMLINKS ? -ELOOP : -EIO; iput_locked(next); break; }
      struct buf *b = bread(bn);
      unsigned tlen = next->d.size;
      iput_locked(next);
      ip->ref++;
      next = walk(ip, (const char *)b->data, tlen, 1, NULL, depth, NULL, err);
      brelse(b);
      if (next == NULL) break;
    }
    iput_locked(ip);
    ip = next;
    if (last && i < len && !S_ISDIR(ip->d.mode)) { *err = -ENOTDIR; break; }
  }
  iput_locked(ip);
  return NULL;
}

static struct inode *start(struct proc *p, struct inode *base) {
  struct inode *ip = base ? base : p && p->fs && p->fs->cwd ? p->fs->cwd : root;
  ip->ref++;
  return ip;
}

/* Sets the working directory of fs to ip (the caller's reference; NULL: none), under the lock, so
 * that threads sharing fs (CLONE_FS) never start a walk at a directory already dropped. */
void fs_setcwd(struct fsinfo *fs, struct inode *ip) {
  lock();
  struct inode *old = fs->cwd;
  fs->cwd = ip;
  if (old) iput_locked(old);
  unlock();
}

struct inode *fs_cwd(struct fsinfo *fs) {
  lock();
  struct inode *ip = fs->cwd;
  if (ip) ip->ref++;
  unlock();
  return ip;
}

/* The inode at path (referenced), or NULL with *err. */
static struct inode *lookup(struct proc *p, struct inode *base, const char *path, int follow, int *err) {
  int depth = 0;
  if (root == NULL || path[0] == 0) { *err = -ENOENT; return NULL; }
  return walk(start(p, base), path, strlen(path), follow, NULL, &depth, NULL, err);
}

/* The directory holding path's last component (referenced), that name in `name`. */
static struct inode *lookup_parent(struct proc *p, struct inode *base, const char *path, char *name, int *slash, int *err) {
  int depth = 0;
  *slash = 0;
  if (root == NULL || path[0] == 0) { *err = -ENOENT; return NULL; }
  return walk(start(p, base), path, strlen(path), 0, name, &depth, slash, err);
}

static int dot(const char *name) { return name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)); }

struct inode *namei(struct proc *p, const char *path, int *err) {
  lock(); struct inode *ip = lookup(p, NULL, path, 1, err); unlock(); return ip;
}
struct inode *fs_lookup(struct proc *p, struct inode *base, const char *path, int follow, int *err) {
  lock(); struct inode *ip = lookup(p, base, path, follow, err); unlock(); return ip;
}

/* A new inode named `name` in dp (both locked in): a directory gets its . and .. block. */
static struct inode *create(struct inode *dp, const char *name, unsigned mode, int *err) {
  if (dp->d.nlink == 0) { *err = -ENOENT; return NULL; }          /* a removed directory */
  if (S_ISDIR(mode) && dp->d.nlink == 0xffff) { *err = -EMLINK; return NULL; }
  struct inode *ip = ialloc(mode, err);
  if (ip == NULL) return NULL;
  ip->d.nlink = 1;
  if (S_ISDIR(mode)) {
    ip->d.nlink = 2;
    if ((*err = dirlink(ip, ".", 1, ip->inum)) < 0 || (*err = dirlink(ip, "..", 2, dp->inum)) < 0) goto undo;
    /* one block: ".." takes the rest of it */
  }
  iupdate(ip);
  if ((*err = dirlink(dp, name, strlen(name), ip->inum)) < 0) goto undo;
  if (S_ISDIR(mode)) { dp->d.nlink++; iupdate(dp); }
  return ip;
undo:
  ip->d.nlink = 0;
  iput_locked(ip);
  return NULL;
}

struct inode *fs_open(struct proc *p, struct inode *base, const char *path, unsigned flags, unsigned mode, int *err) {
  char name[256];
  int slash;
  lock();
  struct inode *ip = NULL, *dp = lookup_parent(p, base, path, name, &slash, err);
  if (dp == NULL) goto out;
  if (name[0] == 0) { ip = dp; dp = NULL; }                        /* "/" */
  else {
    int depth = 0;
    unsigned inum = dirlookup(dp, name, strlen(name), NULL);
    if (inum == 0 && (flags & O_CREAT)) {
      if (slash) { *err = -EISDIR; goto out; }
      ip = create(dp, name, S_IFREG | (mode & 07777 & ~(p ? fs_of(p)->umask : 022)), err);
      goto out;
    }
    if (inum && (flags & O_CREAT) && (flags & O_EXCL)) { *err = -EEXIST; goto out; }
    dp->ref++;
    if ((ip = walk(dp, name, strlen(name), !(flags & O_NOFOLLOW), NULL, &depth, NULL, err)) == NULL) goto out;
    if ((ip->d.mode & S_IFMT) == S_IFLNK) { *err = -ELOOP; goto bad; }
    if (slash && !S_ISDIR(ip->d.mode)) { *err = -ENOTDIR; goto bad; }
  }
  if ((flags & O_DIRECTORY) && !S_ISDIR(ip->d.mode)) { *err = -ENOTDIR; goto bad; }
  if (S_ISDIR(ip->d.mode) && ((flags & O_ACCMODE) || (flags & O_CREAT))) { *err = -EISDIR; goto bad; }
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) && (ip->d.mode & S_IFMT) == S_IFREG) itrunc(ip, 0);
  goto out;
bad:
  iput_locked(ip);
  ip = NULL;
out:
  if (dp) iput_locked(dp);
  unlock();
  return ip;
}

int fs_mkdir(struct proc *p, struct inode *base, const char *path, unsigned mode) {
  char name[256];
  int err = 0, slash;
  lock();
  struct inode *dp = lookup_parent(p, base, path, name, &slash, &err), *ip;
  if (dp == NULL) goto out;
  if (name[0] == 0 || dot(name) || dirlookup(dp, name, strlen(name), NULL)) err = -EEXIST;
  else if ((ip = create(dp, name, S_IFDIR | (mode & 07777 & ~fs_of(p)->umask), &err)) != NULL) iput_locked(ip);
  iput_locked(dp);
out:
  unlock();
  return err;
}

int fs_unlink(struct proc *p, struct inode *base, const char *path, int dir) {
  char name[256];
  int err = 0, slash;
  struct walk w;
  lock();
  struct inode *ip = NULL, *dp = lookup_parent(p, base, path, name, &slash, &err);
  if (dp == NULL) goto out;
  if (name[0] == 0) { err = dir ? -EBUSY : -EISDIR; goto out; }
  if (dot(name)) { err = !dir ? -EISDIR : name[1] ? -ENOTEMPTY : -EINVAL; goto out; }
  if ((ip = iget(dirlookup(dp, name, strlen(name), &w))) == NULL) { err = -ENOENT; goto out; }
  if (dir && !S_ISDIR(ip->d.mode)) err = -ENOTDIR;
  else if (!dir && S_ISDIR(ip->d.mode)) err = -EISDIR;
  else if (!dir && slash) err = -ENOTDIR;
  else if (dir && !dir_empty(ip)) err = -ENOTEMPTY;
  if (err) goto out;
  dirunlink(dp, &w);
  if (dir) { ip->d.nlink = 0; dp->d.nlink--; iupdate(dp); }
  else ip->d.nlink--;
  ip->d.mtime = fs_now();
  iupdate(ip);
out:
  if (ip) iput_locked(ip);
  if (dp) iput_locked(dp);
  unlock();
  return err;
}

int fs_link(struct proc *p, struct inode *obase, const char *old, struct inode *nbase, const char *new, int follow) {
  char name[256];
  int err = 0, slash;
  lock();
  struct inode *dp = NULL, *ip = lookup(p, obase, old, follow, &err);
  if (ip == NULL) goto out;
  if (S_ISDIR(ip->d.mode)) { err = -EPERM; goto out; }
  if ((dp = lookup_parent(p, nbase, new, name, &slash, &err)) == NULL) goto out;
  if (name[0] == 0 || dot(name) || dirlookup(dp, name, strlen(name), NULL)) err = -EEXIST;
  else if (ip->d.nlink == 0xffff) err = -EMLINK;
  else if (dp->d.nlink == 0) err = -ENOENT;
  else if ((err = dirlink(dp, name, strlen(name), ip->inum)) == 0) { ip->d.nlink++; iupdate(ip); }
out:
  if (ip) iput_locked(ip);
  if (dp) iput_locked(dp);
  unlock();
  return err;
}

int fs_symlink(struct proc *p, const char *target, struct inode *base, const char *path) {
  char name[256];
  int err = 0, slash;
  unsigned n = strlen(target);
  if (n == 0) return -ENOENT;
  if (n >= BSIZE) return -ENAMETOOLONG;
  lock();
  struct inode *ip, *dp = lookup_parent(p, base, path, name, &slash, &err);
  if (dp == NULL) goto out;
  if (name[0] == 0 || dot(name) || dirlookup(dp, name, strlen(name), NULL)) err = -EEXIST;
  else if ((ip = create(dp, name, S_IFLNK | 0777, &err)) != NULL) {
    int r = iwrite(ip, target, 0, n);
    if (r < 0) {                                 /* no block for the target: take the name back */
      struct walk w;
      dirlookup(dp, name, strlen(name), &w);
      dirunlink(dp, &w);
      ip->d.nlink = 0;
      err = r;
    }
    iput_locked(ip);
  }
  iput_locked(dp);
out:
  unlock();
  return err;
}

int fs_readlink(struct proc *p, struct inode *base, const char *path, char *buf, unsigned size) {
  int err = 0;
  lock();
  struct inode *ip = lookup(p, base, path, 0, &err);
  if (ip) {
    err = (ip->d.mode & S_IFMT) != S_IFLNK ? -EINVAL : iread(ip, buf, 0, size);
    iput_locked(ip);
  }
  unlock();
  return err;
}

/* Is dir `a` the same as, or an ancestor of, directory b? (walks b's ".." records up to the root) */
static int ancestor(struct inode *a, struct inode *b) {
  b->ref++;
  for (unsigned hops = 0;; hops++) {
    if (b == a || hops == sb.inodes) { iput_locked(b); return 1; }   /* a corrupt ".." cycle: refuse */
    if (b == root) { iput_locked(b); return 0; }
    struct inode *up = iget(dirlookup(b, "..", 2, NULL));
    iput_locked(b);
    if (up == NULL) return 0;
    b = up;
  }
}

int fs_rename(struct proc *p, struct inode *obase, const char *old, struct inode *nbase, const char *new, unsigned flags) {
  char oname[256], nname[256];
  int err = 0, slash1, slash2;
  struct walk ow, nw;
  if (flags & ~1u) return -EINVAL;                     /* RENAME_NOREPLACE only */
  lock();
  struct inode *ip = NULL, *tp = NULL, *ndp = NULL, *odp = lookup_parent(p, obase, old, oname, &slash1, &err);
  if (odp == NULL || (ndp = lookup_parent(p, nbase, new, nname, &slash2, &err)) == NULL) goto out;
  if (oname[0] == 0 || nname[0] == 0 || dot(oname) || dot(nname)) { err = -EBUSY; goto out; }
  if ((ip = iget(dirlookup(odp, oname, strlen(oname), &ow))) == NULL) { err = -ENOENT; goto out; }
  int isdir = S_ISDIR(ip->d.mode);
  if ((slash1 || slash2) && !isdir) { err = -ENOTDIR; goto out; }
  tp = iget(dirlookup(ndp, nname, strlen(nname), &nw));
  if (tp == ip) goto out;                              /* two names of one inode: nothing to do */
  if (tp && (flags & 1)) { err = -EEXIST; goto out; }
  if (isdir && ancestor(ip, ndp)) { err = -EINVAL; goto out; }
  if (tp && isdir && !S_ISDIR(tp->d.mode)) { err = -ENOTDIR; goto out; }
  if (tp && !isdir && S_ISDIR(tp->d.mode)) { err = -EISDIR; goto out; }
  if (tp && isdir && !dir_empty(tp)) { err = -ENOTEMPTY; goto out; }
  if (ndp->d.nlink == 0) { err = -ENOENT; goto out; }
  if (tp) {
    dirset(ndp, nw.off, ip->inum);                     /* the target's record now names ip */
    if (isdir) { tp->d.nlink = 0; ndp->d.nlink--; } else tp->d.nlink--;
    iupdate(tp);
  } else if ((err = dirlink(ndp, nname, strlen(nname), ip->inum)) < 0) goto out;
  dirlookup(odp, oname, strlen(oname), &ow);           /* the record may have moved if odp is ndp */
  dirunlink(odp, &ow);
  if (isdir && odp != ndp) {
    struct walk dw;
    dirlookup(ip, "..", 2, &dw);
    dirset(ip, dw.off, ndp->inum);
    odp->d.nlink--;
    ndp->d.nlink++;
  }
  iupdate(odp);
  iupdate(ndp);
out:
  if (tp) iput_locked(tp);
  if (ip) iput_locked(ip);
  if (ndp) iput_locked(ndp);
  if (odp) iput_locked(odp);
  unlock();
  return err;
}

/* The cwd's absolute path: each directory's name found in its parent, walking ".." up. */
int fs_getcwd(struct proc *p, char *buf, unsigned size) {
  int err = 0;
  unsigned pos = size;
  if (size == 0) return -ERANGE;
  if (root == NULL) return -ENOENT;
  lock();
  struct inode *ip = start(p, NULL);
  buf[--pos] = 0;
  if (ip->d.nlink == 0) err = -ENOENT;
  for (unsigned hops = 0; !err && ip != root; hops++) {
    if (hops == sb.inodes) { err = -ENOENT; break; }             /* a corrupt ".." cycle */
    struct inode *up = iget(dirlookup(ip, "..", 2, NULL));
    if (up == NULL) { err = -ENOENT; break; }
    int found = 0;
    struct dircursor c = { up, 0, 0, 0, NULL };
    for (struct dirent *e; !found && (e = dirnext(&c)) != NULL;) {
      if (e->inum != ip->inum || dot_record(e)) continue;
      if (pos < e->namelen + 1u) err = -ERANGE;
      else { pos -= e->namelen; memcpy(buf + pos, e->name, e->namelen); buf[--pos] = '/'; }
      found = 1;
      dirstop(&c);
    }
    iput_locked(ip);
    ip = up;
    if (!found && !err) err = -ENOENT;
  }
  iput_locked(ip);
  unlock();
  if (err) return err;
  if (pos == size - 1) { if (pos == 0) return -ERANGE; buf[--pos] = '/'; }
  memcpy(buf, buf + pos, size - pos);
  return (int)(size - pos);
}

static void put_be(char *d, unsigned v, int n) { while (n--) d[n] = (char)v, v >>= 8; }   /* any alignment */

static unsigned char dtype(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 4;
    case S_IFREG: return 8;
    case S_IFLNK: return 10;
    case S_IFCHR: return 2;
    default: return 0;
  }
}

int fs_getdents(struct inode *dp, unsigned *offp, char *buf, unsigned size, int wide) {
  unsigned used = 0, off = *offp;
  int full = 0;
  lock();
  while (!full && off < dp->d.size) {
    unsigned k = off / BSIZE, bn = bmap(dp, k, 0);
    if (bn == 0 || bn == BAD) { off = (k + 1) * BSIZE; continue; }
    struct buf *b = bread(bn);
    unsigned o = 0;
    for (; o < BSIZE; o += ((struct dirent *)(b->data + o))->reclen) {
      struct dirent *e = (struct dirent *)(b->data + o);
      if (!ok_record(e, o)) { o = BSIZE; break; }
      if (k * BSIZE + o < off || e->inum == 0) continue;
      unsigned next = k * BSIZE + o + e->reclen;
      unsigned rl = wide ? (19 + e->namelen + 1 + 7) & ~7u : (10 + e->namelen + 2 + 3) & ~3u;
      if (used + rl > size) { full = 1; break; }
      struct inode *ip = iget(e->inum);
      unsigned char t = ip ? dtype(ip->d.mode) : 0;
      if (ip) iput_locked(ip);
      char *r = buf + used;
      memset(r, 0, rl);
      if (wide) {                                  /* linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name */
        put_be(r + 4, e->inum, 4); put_be(r + 12, next, 4); put_be(r + 16, rl, 2);
        r[18] = (char)t;
        memcpy(r + 19, e->name, e->namelen);
      } else {                                     /* linux_dirent: u32 ino, u32 off, u16 reclen, name, NUL, type last */
        put_be(r, e->inum, 4); put_be(r + 4, next, 4); put_be(r + 8, rl, 2);
        memcpy(r + 10, e->name, e->namelen);
        r[rl - 1] = (char)t;
      }
      used += rl;
      off = next;
    }
    brelse(b);
    if (!full) off = (k + 1) * BSIZE;
  }
  unlock();
  *offp = off;
  return used == 0 && full ? -EINVAL : (int)used;
}

/* ---- mounting ---- */

void fs_init(void) {
  unsigned sectors = hal_disk_sectors();
  if (sectors == 0) return;
  for (int i = 0; i < NBUF; i++) {
    unsigned pa = page_alloc(0);
    if (pa == 0) panic("fs: no memory for buffers");
    bufs[i].pa = pa;
    bufs[i].data = hal_phys_to_kva(pa);
  }
  struct buf *b = bread(0);
  memcpy(&sb, b->data, sizeof sb);
  brelse(b);
  unsigned bm = (sb.blocks + 32767) / 32768, im = (sb.inodes + 32767) / 32768, it = (sb.inodes + 31) / 32;
  if (sb.magic != FS_MAGIC || sb.version != 1 || sb.bsize != BSIZE || sb.bmap != 1 || sb.bmap_n != bm ||
      sb.imap != 1 + bm || sb.imap_n != im || sb.itable != sb.imap + im || sb.itable_n != it ||
      sb.data != sb.itable + it || sb.data >= sb.blocks || sb.root != 1 || sb.inodes < 2 ||
      sb.blocks > sectors / 8) {
    kprintf("fs: the disk (%u sectors) holds no disco file system: no root file system\n", sectors);
    return;
  }
  struct inode *ip = iget(1);
  if (ip == NULL || !S_ISDIR(ip->d.mode)) { kprintf("fs: the root inode is not a directory: no root file system\n"); return; }
  root = ip;
  bprintf("fs: %u blocks, %u inodes, data from block %u\n", sb.blocks, sb.inodes, sb.data);
}
