/*
 * What the open-file layer (file.c) uses: the file system (fs.c), pipes (pipe.c) and /dev/ether
 * (ether.c). Every fs_* function takes the file system's one sleep lock itself; paths are kernel
 * strings; `base` is the directory a relative path starts from (NULL: the process's cwd);
 * results are 0 or -errno.
 */
#ifndef FS_H
#define FS_H


struct dinode {                              /* docs/fs.md, "Inodes": 128 bytes, big-endian */
  unsigned short mode, nlink, uid, gid;
  unsigned size, mtime;
  unsigned short major, minor;
  unsigned addrs[14];                        /* 12 direct, single indirect, double indirect */
  unsigned char reserved[52];
};
struct inode {
  unsigned inum, ref;
  struct dinode d;
};

#define S_IFMT 0170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFLNK 0120000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)

#define O_ACCMODE 3
#define O_WRONLY 1
#define O_RDWR 2
#define O_APPEND 0x8
#define O_NONBLOCK 0x80
#define O_CREAT 0x100
#define O_TRUNC 0x200
#define O_EXCL 0x400
#define O_DIRECTORY 0x10000
#define O_NOFOLLOW 0x20000
#define O_CLOEXEC 0x80000

struct kstat { unsigned ino, mode, nlink, uid, gid, rdev, size, mtime, blocks; };

unsigned fs_now(void);                       /* seconds since 1970 */
struct inode *fs_lookup(struct proc *p, struct inode *base, const char *path, int follow, int *err);
struct inode *fs_open(struct proc *p, struct inode *base, const char *path, unsigned flags, unsigned mode, int *err);
int fs_mkdir(struct proc *p, struct inode *base, const char *path, unsigned mode);
int fs_unlink(struct proc *p, struct inode *base, const char *path, int dir);
int fs_link(struct proc *p, struct inode *obase, const char *old, struct inode *nbase, const char *new, int follow);
int fs_symlink(struct proc *p, const char *target, struct inode *base, const char *path);
int fs_readlink(struct proc *p, struct inode *base, const char *path, char *buf, unsigned size);
int fs_rename(struct proc *p, struct inode *obase, const char *old, struct inode *nbase, const char *new, unsigned flags);
int fs_getcwd(struct proc *p, char *buf, unsigned size);   /* length with the NUL */
void fs_setcwd(struct fsinfo *fs, struct inode *ip);      /* takes ip's reference; drops the old one */
struct inode *fs_cwd(struct fsinfo *fs);                  /* referenced, or NULL */
/* Writes at *off (at the end with append) and advances it: bytes written, or -errno. */
int writei(struct inode *ip, const void *src, unsigned long long *off, unsigned n, int append);
int fs_truncate(struct inode *ip, unsigned long long size);
void fs_stat(struct inode *ip, struct kstat *st);
void fs_chmod(struct inode *ip, unsigned mode);
void fs_chown(struct inode *ip, unsigned uid, unsigned gid);   /* ~0: unchanged */
void fs_set_mtime(struct inode *ip, unsigned t);
/* Directory records from byte *off on as linux_dirent64 (wide) or linux_dirent into buf. */
int fs_getdents(struct inode *ip, unsigned *off, char *buf, unsigned size, int wide);

/* Pipes (pipe.c): user buffers already checked with user_ok. */
struct pipe;
struct pipe *pipe_alloc(void);                         /* one reader and one writer, or NULL */
void pipe_close(struct pipe *pi, int writer);
int pipe_read(struct proc *p, struct pipe *pi, char *dst, unsigned n, int nonblock);
int pipe_write(struct proc *p, struct pipe *pi, const char *src, unsigned n, int nonblock);

/* /dev/ether (ether.c): frames on the port of a node. */
int ether_read(struct proc *p, unsigned port, char *dst, unsigned n);
int ether_write(struct proc *p, unsigned port, const char *src, unsigned n);

#endif
