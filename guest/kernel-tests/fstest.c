/*
 * File-system differential test: runs in a fresh directory argv[1] (created) and prints one line
 * per operation: its result and errno name. The transcript must be the same under qemu-mips on
 * a host directory and under the guest kernel on its disk (tests/kernel/fs.test.ts). It leaves
 * behind `keep/` with known contents for the test to read back from the image.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) {
  static const char *names[] = { [0] = "OK", [EPERM] = "EPERM", [ENOENT] = "ENOENT", [EBADF] = "EBADF",
    [EACCES] = "EACCES", [EFAULT] = "EFAULT", [EEXIST] = "EEXIST", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
    [EINVAL] = "EINVAL", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY", [ESPIPE] = "ESPIPE", [EPIPE] = "EPIPE",
    [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [ENAMETOOLONG] = "ENAMETOOLONG", [EBUSY] = "EBUSY", [ENXIO] = "ENXIO", [EAGAIN] = "EAGAIN", [EINTR] = "EINTR" };
  static char other[16];
  if (e >= 0 && e < (int)(sizeof names / sizeof names[0]) && names[e]) return names[e];
  snprintf(other, sizeof other, "errno %d", e);
  return other;
}

/* T(expr): prints the expression, its value and errno (when it is negative). */
#define T(expr) do { errno = 0; long _r = (long)(expr); printf("%s = %ld %s\n", #expr, _r, _r < 0 ? ename(errno) : ""); } while (0)

static char buf[65536];
static volatile long argc_bad = 1;            /* a bad pointer the compiler cannot see through */
static int ioctl_probe(void) { struct termios t; return ioctl(1, TCGETS, &t); }

static void show_stat(const char *path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) { printf("stat %s: %s\n", path, ename(errno)); return; }
  const char *type = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : S_ISCHR(st.st_mode) ? "chr" : S_ISFIFO(st.st_mode) ? "fifo" : "?";
  printf("stat %s: %s %04o", path, type, st.st_mode & 07777);
  if (!S_ISDIR(st.st_mode)) printf(" size %lld nlink %ld", (long long)st.st_size, (long)st.st_nlink);
  printf("\n");
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) { printf("list %s: %s\n", path, ename(errno)); return; }
  char *names[512];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 512) {
    snprintf(buf, sizeof buf, "%s/%c", e->d_name, e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?');
    names[n++] = strdup(buf);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("list %s (%d):", path, n);
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

static void readall(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) { printf("read %s: %s\n", path, ename(errno)); return; }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = 0;
  for (ssize_t i = 0; i < n; i++) if (buf[i] == 0) buf[i] = '@';   /* holes */
  printf("read %s: %zd \"%s\"\n", path, n, buf);
}

static unsigned sum(const unsigned char *p, size_t n) { unsigned s = 0; for (size_t i = 0; i < n; i++) s = s * 31 + p[i]; return s; }

static void files(void) {
  int fd, fd2;
  T(fd = open("f", O_CREAT | O_EXCL | O_WRONLY, 0666));
  T(write(fd, "hello", 5));
  show_stat("f", 1);
  T(open("f", O_CREAT | O_EXCL | O_WRONLY, 0666));
  T(open("missing", O_RDONLY));
  T(open("f/x", O_RDONLY));
  T(open("newdir/", O_CREAT | O_WRONLY, 0666));
  T(read(fd, buf, 5));
  T(close(fd));
  T(close(fd));
  T(fd = open("f", O_WRONLY | O_APPEND));
  T(lseek(fd, 0, SEEK_SET));
  T(write(fd, " world", 6));
  T(close(fd));
  readall("f");
  T(fd = open("f", O_RDWR));
  T(lseek(fd, 10, SEEK_END));
  T(write(fd, "!", 1));
  T(lseek(fd, 0, SEEK_CUR));
  T(lseek(fd, -100, SEEK_CUR));
  T(lseek(fd, 0, 7));
  T(pwrite(fd, "HE", 2, 0));
  T(pread(fd, buf, 3, 1));
  printf("pread: %.3s\n", buf);
  T(lseek(fd, 0, SEEK_CUR));
  readall("f");
  T(ftruncate(fd, 3));
  readall("f");
  T(ftruncate(fd, 6));
  readall("f");
  T(truncate("f", 4));
  show_stat("f", 1);
  struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
  T(lseek(fd, 0, SEEK_SET));
  T(writev(fd, iov, 3));
  char x[2], y[4];
  struct iovec rv[2] = { { x, 2 }, { y, 4 } };
  T(lseek(fd, 1, SEEK_SET));
  T(readv(fd, rv, 2));
  printf("readv: %.2s %.2s\n", x, y);
  T(close(fd));
  T(fd = open("f", O_RDWR | O_TRUNC));
  show_stat("f", 1);
  T(read(fd, (void *)(long)argc_bad, 10));
  T(write(fd, (void *)(argc_bad - 1), 10));
  T(open((char *)1, O_RDONLY));
  T(close(fd));
  T(fd = open("f", O_RDONLY));
  T(write(fd, "x", 1));
  T(fd2 = open("f", O_WRONLY));
  T(read(fd2, buf, 1));
  T(close(fd)); T(close(fd2));
  memset(buf, 'n', 300);
  buf[300] = 0;
  T(open(buf, O_RDONLY));
  T(access("f", F_OK)); T(access("f", R_OK | W_OK)); T(access("f", X_OK)); T(access("missing", F_OK));
  T(chmod("f", 0755)); T(access("f", X_OK)); show_stat("f", 1);
  T(fd = open("f", O_RDONLY)); T(fchmod(fd, 0600)); T(close(fd)); show_stat("f", 1);
  struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1234567, 0 } };
  T(utimensat(AT_FDCWD, "f", ts, 0));
  struct stat st;
  stat("f", &st);
  printf("mtime %ld\n", (long)st.st_mtime);
}

static void big(void) {
  int fd;
  T(fd = open("big", O_CREAT | O_RDWR, 0644));
  for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)(i * 7 + i / 251);
  long total = 0;
  for (int i = 0; i < 80; i++) total += write(fd, buf, sizeof buf);   /* 5 MB: the double indirect block */
  printf("wrote %ld\n", total);
  show_stat("big", 1);
  unsigned s = 0;
  static unsigned char in[65536];
  lseek(fd, 0, SEEK_SET);
  for (int i = 0; i < 80; i++) { if (read(fd, in, sizeof in) != (ssize_t)sizeof in) break; s += sum(in, sizeof in); }
  printf("sum %u (%s)\n", s, s == 80 * sum((unsigned char *)buf, sizeof buf) ? "ok" : "BAD");
  T(pread(fd, in, 10, 4300000));
  printf("at 4300000: %s\n", memcmp(in, buf + 4300000 % 65536, 10) == 0 ? "ok" : "BAD");
  T(ftruncate(fd, 100000));
  T(lseek(fd, 3000000, SEEK_SET));
  T(write(fd, "tail", 4));                       /* a hole from 100000 to 3000000 */
  show_stat("big", 1);
  T(pread(fd, in, 8, 2000000));
  printf("hole: %d\n", in[0] | in[3] | in[7]);
  T(pread(fd, in, 10, 99995));
  printf("edge: %s\n", memcmp(in, buf + 99995 % 65536, 5) == 0 && in[5] == 0 ? "ok" : "BAD");
  T(close(fd));
  T(unlink("big"));
}

static void dirs(void) {
  int fd;
  T(mkdir("a", 0755)); T(mkdir("a", 0755)); T(mkdir("a/b", 0700)); T(mkdir("a/b/c/d", 0755));
  show_stat("a/b", 1);
  T(rmdir("a")); T(rmdir("a/b/.")); T(rmdir("a/b/..")); T(rmdir("missing")); T(rmdir("f"));
  T(unlink("a")); T(unlink("a/b/"));
  T(fd = open("a/b/file", O_CREAT | O_WRONLY, 0644)); T(close(fd));
  T(unlink("a/b/file/")); T(mkdir("a/b/file/x", 0755));
  T(rmdir("a/b")); T(unlink("a/b/file")); T(rmdir("a/b")); T(rmdir("a/b"));
  list("a");
  T(open("a", O_WRONLY)); T(open("a", O_RDONLY | O_DIRECTORY) >= 0); T(open("f", O_RDONLY | O_DIRECTORY));
  T(fd = open("a", O_RDONLY)); T(read(fd, buf, 10)); T(close(fd));
  T(rmdir("a"));
  /* a directory that needs several blocks; then half of it removed */
  T(mkdir("many", 0755));
  for (int i = 0; i < 200; i++) {
    snprintf(buf, sizeof buf, "many/a-rather-long-file-name-to-fill-directory-blocks-quickly-%03d", i);
    if ((fd = open(buf, O_CREAT | O_WRONLY, 0644)) < 0 || close(fd) < 0) printf("create %d: %s\n", i, ename(errno));
  }
  list("many");
  for (int i = 0; i < 200; i += 2) {
    snprintf(buf, sizeof buf, "many/a-rather-long-file-name-to-fill-directory-blocks-quickly-%03d", i);
    if (unlink(buf) < 0) printf("unlink %d: %s\n", i, ename(errno));
  }
  list("many");
  T(rmdir("many"));
  /* cwd */
  char cwd[4096], base[4096];
  getcwd(base, sizeof base);
  T(mkdir("c1", 0755)); T(mkdir("c1/c2", 0755)); T(chdir("c1/c2"));
  getcwd(cwd, sizeof cwd);
  printf("cwd: %s\n", cwd + strlen(base));
  T(chdir("..")); getcwd(cwd, sizeof cwd); printf("cwd: %s\n", cwd + strlen(base));
  T(fd = open("c2", O_RDONLY)); T(fchdir(fd)); T(close(fd)); getcwd(cwd, sizeof cwd); printf("cwd: %s\n", cwd + strlen(base));
  T(chdir("../../f")); T(chdir("nope"));
  T(getcwd(cwd, 2) == NULL);
  T(chdir(base)); T(rmdir("c1/c2")); T(rmdir("c1"));
  /* *at calls */
  int dfd;
  T(mkdir("at", 0755)); T(dfd = open("at", O_RDONLY | O_DIRECTORY));
  T(fd = openat(dfd, "x", O_CREAT | O_WRONLY, 0600)); T(write(fd, "at!", 3)); T(close(fd));
  T(mkdirat(dfd, "sub", 0755)); T(renameat(dfd, "x", dfd, "sub/y"));
  struct stat st;
  T(fstatat(dfd, "sub/y", &st, 0)); printf("size %lld\n", (long long)st.st_size);
  T(fstatat(dfd, "", &st, AT_EMPTY_PATH)); printf("dir %d\n", S_ISDIR(st.st_mode));
  T(stat("", &st)); T(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH)); printf("dir %d\n", S_ISDIR(st.st_mode));
  T(openat(-5, "x", O_RDONLY)); T(fd = open("f", O_RDONLY)); T(openat(fd, "x", O_RDONLY)); T(close(fd));
  T(unlinkat(dfd, "sub", 0)); T(unlinkat(dfd, "sub", AT_REMOVEDIR)); T(unlinkat(dfd, "sub/y", 0)); T(unlinkat(dfd, "sub", AT_REMOVEDIR));
  T(close(dfd)); T(rmdir("at"));
}

static void links(void) {
  int fd;
  char target[64];
  T(fd = open("orig", O_CREAT | O_WRONLY, 0644)); T(write(fd, "linked", 6)); T(close(fd));
  T(link("orig", "hard")); show_stat("orig", 1); T(link("orig", "hard")); T(link("missing", "x"));
  T(mkdir("dd", 0755)); T(link("dd", "dd2"));
  T(unlink("orig")); show_stat("hard", 1); readall("hard");
  T(symlink("hard", "sym")); show_stat("sym", 1); show_stat("sym", 0); readall("sym");
  T(readlink("sym", target, sizeof target)); T(readlink("hard", target, sizeof target)); T(readlink("sym", target, 2));
  T(symlink("nowhere", "dangling")); show_stat("dangling", 1); show_stat("dangling", 0);
  T(symlink("loop1", "loop2")); T(symlink("loop2", "loop1")); T(open("loop1", O_RDONLY)); T(stat("loop1/x", &(struct stat){0}));
  T(symlink("dd", "dsym")); T(fd = open("dsym/inside", O_CREAT | O_WRONLY, 0644)); T(close(fd)); list("dd");
  T(open("sym", O_RDONLY | O_NOFOLLOW)); T(symlink("x", "sym")); T(symlink("", "empty"));
  T(unlink("dsym/")); T(rmdir("dsym")); T(unlink("dsym")); T(unlink("dd/inside")); T(rmdir("dd"));
  T(unlink("sym")); T(unlink("dangling")); T(unlink("loop1")); T(unlink("loop2")); T(unlink("hard"));
}

static void renames(void) {
  int fd;
  T(fd = open("r1", O_CREAT | O_WRONLY, 0644)); T(write(fd, "one", 3)); T(close(fd));
  T(fd = open("r2", O_CREAT | O_WRONLY, 0644)); T(write(fd, "two", 3)); T(close(fd));
  T(rename("r1", "r2")); readall("r2"); show_stat("r1", 1);
  T(rename("r1", "r3")); T(rename("r2", "r2"));
  T(mkdir("m1", 0755)); T(mkdir("m1/in", 0755)); T(mkdir("m2", 0755)); T(mkdir("m3", 0755));
  T(rename("m1", "m1/in/deeper")); T(rename("m1", "m1"));
  T(rename("r2", "m2")); T(rename("m2", "r2")); T(rename("m1", "m3")); T(rename("m2", "m1"));
  T(rename("m3", "m2/m3")); T(rename("m1/in", "m2/in")); list("m1"); list("m2");
  T(rename("m2/in", "renamed")); T(rename("m2/m3", "m2/.")); T(rename(".", "x"));
  T(syscall(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "renamed", 1));
  T(syscall(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "r4", 1)); readall("r4");
  T(rmdir("m1")); T(rmdir("m2/m3")); T(rmdir("m2")); T(rmdir("renamed")); T(unlink("r4"));
}

static volatile int usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }

static void descriptors(void) {
  int fd, fd2, p[2];
  T(fd = open("f", O_RDONLY | O_CLOEXEC)); T(fcntl(fd, F_GETFD)); T(fcntl(fd, F_SETFD, 0)); T(fcntl(fd, F_GETFD));
  T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK)); T(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK)); T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
  T(fd2 = dup(fd)); T(dup2(fd, fd)); T(dup2(fd, 40)); T(dup3(fd, fd, 0)); T(dup3(fd, 41, O_CLOEXEC)); T(fcntl(41, F_GETFD));
  T(fcntl(fd, F_DUPFD, 30)); T(fcntl(fd, F_DUPFD_CLOEXEC, 30)); T(fcntl(31, F_GETFD));
  T(close(40)); T(close(41)); T(close(30)); T(close(31)); T(close(fd2)); T(close(fd));
  T(dup(1000)); T(dup2(1000, 3)); T(fcntl(1000, F_GETFD)); T(read(1000, buf, 1)); T(close(-1)); T(lseek(1000, 0, 0));
  T(isatty(1)); T(ioctl_probe());
  int n = 0, last = 0;
  while ((last = open("/dev/null", O_RDONLY)) >= 0) n++;
  printf("EMFILE after opening more: %s\n", errno == EMFILE && n > 100 ? "yes" : "no");
  for (int i = 3; i < 2000; i++) close(i);
  T(fd = open("/dev/null", O_RDWR)); T(read(fd, buf, 10)); T(write(fd, "xyz", 3)); T(close(fd));
  show_stat("/dev/null", 1);
  /* pipes */
  T(pipe(p)); T(write(p[1], "piped", 5)); T(read(p[0], buf, 100)); T(lseek(p[0], 0, SEEK_SET));
  struct stat st;
  T(fstat(p[0], &st)); printf("fifo %d\n", S_ISFIFO(st.st_mode));
  T(write(p[0], "x", 1)); T(read(p[1], buf, 1));
  T(close(p[1])); T(read(p[0], buf, 100)); T(close(p[0]));
  T(pipe2(p, O_CLOEXEC | O_NONBLOCK)); T(fcntl(p[0], F_GETFD)); T(read(p[0], buf, 1));
  signal(SIGPIPE, SIG_IGN);
  T(close(p[0])); T(write(p[1], "x", 1)); T(close(p[1]));
  T(pipe(p));
  pid_t pid = fork();
  if (pid == 0) {                                  /* 200 KB through a 4 KB pipe: both sides block */
    close(p[0]);
    for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)(i * 13);
    for (int i = 0; i < 3; i++) if (write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf) _exit(1);
    _exit(0);
  }
  close(p[1]);
  unsigned s = 0; long got = 0; ssize_t k;
  static unsigned char in[1000];
  while ((k = read(p[0], in, sizeof in)) > 0) { for (ssize_t i = 0; i < k; i++) s = s * 31 + in[i]; got += k; }
  int status;
  waitpid(pid, &status, 0);
  for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)(i * 13);
  unsigned want = 0;
  for (int j = 0; j < 3; j++) for (int i = 0; i < (int)sizeof buf; i++) want = want * 31 + (unsigned char)buf[i];
  printf("pipe: %ld bytes, %s, child status %d\n", got, s == want ? "ok" : "BAD", status);
  T(close(p[0]));
  /* SIGPIPE kills a writer that does not ignore it */
  T(pipe(p)); T(close(p[0]));
  if ((pid = fork()) == 0) { signal(SIGPIPE, SIG_DFL); write(p[1], "x", 1); _exit(0); }
  T(close(p[1]));
  waitpid(pid, &status, 0);
  printf("writer: signaled %d, signal %d\n", WIFSIGNALED(status), WTERMSIG(status));
  /* a signal ends a blocked pipe read with EINTR, or restarts it under SA_RESTART */
  struct sigaction sa = { .sa_handler = on_usr1 };
  for (int restart = 0; restart < 2; restart++) {
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGUSR1, &sa, NULL);
    T(pipe(p));
    if ((pid = fork()) == 0) { usleep(100000); kill(getppid(), SIGUSR1); usleep(100000); write(p[1], "late", 4); _exit(0); }
    T(read(p[0], buf, 10));
    if (!restart) T(read(p[0], buf, 10));
    waitpid(pid, &status, 0);
    T(close(p[0])); T(close(p[1]));
  }
  printf("SIGUSR1 handled %d times\n", usr1);
  /* an unlinked file lives on while open */
  T(fd = open("gone", O_CREAT | O_RDWR, 0644)); T(unlink("gone")); T(write(fd, "still here", 10));
  T(pread(fd, buf, 10, 0)); printf("%.10s\n", buf); T(fstat(fd, &st)); printf("nlink %ld\n", (long)st.st_nlink); T(close(fd));
}

static void keep(void) {
  int fd;
  T(mkdir("keep", 0750)); T(mkdir("keep/sub", 0755));
  T(fd = open("keep/data", O_CREAT | O_WRONLY, 0640));
  for (int i = 0; i < 1000; i++) dprintf(fd, "line %d\n", i);
  T(close(fd));
  T(symlink("data", "keep/link")); T(link("keep/data", "keep/sub/hardlink"));
  T(fd = open("keep/sub/small", O_CREAT | O_WRONLY, 0600)); T(write(fd, "small\n", 6)); T(close(fd));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  umask(022);
  if (argc < 2 || mkdir(argv[1], 0755) < 0 || chdir(argv[1]) < 0) { printf("usage: fstest NEWDIR\n"); return 2; }
  files(); big(); dirs(); links(); renames(); descriptors(); keep();
  T(unlink("f"));
  list(".");
  return 0;
}
