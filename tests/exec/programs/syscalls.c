/* System calls of `disco exec`, with output that must match qemu-mips byte for byte. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile sig_atomic_t caught;
static char *m;
static void on_segv(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  caught = sig;
  if (sig == SIGSEGV) printf("handler: signal %d code %d addr base%+ld\n", sig, si->si_code, (long)((char *)si->si_addr - m));
  else printf("handler: signal %d code %d\n", sig, si->si_code);
  siglongjmp(jb, 1);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  char dir[] = "/tmp/disco-sys-XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  if (chdir(dir) != 0) { perror("chdir"); return 1; }

  /* files: write, lseek, read, pread/pwrite, ftruncate, fstat */
  int fd = open("a.txt", O_CREAT | O_RDWR | O_TRUNC, 0640);
  printf("open %d\n", fd >= 3);
  printf("write %zd\n", write(fd, "hello, world\n", 13));
  printf("lseek end %ld cur %ld set %ld\n", (long)lseek(fd, 0, SEEK_END), (long)lseek(fd, -6, SEEK_CUR), (long)lseek(fd, 0, SEEK_SET));
  char buf[64] = {0};
  printf("read %zd '%.5s'\n", read(fd, buf, 5), buf);
  printf("pwrite %zd pread %zd\n", pwrite(fd, "W", 1, 7), pread(fd, buf, 13, 0));
  printf("content %.13s", buf);
  struct iovec iov[2] = {{"ab", 2}, {"cdef", 4}};
  lseek(fd, 0, SEEK_END);
  printf("writev %zd\n", writev(fd, iov, 2));
  struct stat st;
  fstat(fd, &st);
  printf("fstat size %lld reg %d mode %o\n", (long long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777);
  printf("ftruncate %d\n", ftruncate(fd, 5));
  stat("a.txt", &st);
  printf("stat size %lld\n", (long long)st.st_size);
  printf("read at eof %zd\n", read(fd, buf, 10));

  /* dup, dup2, fcntl */
  int d = dup(fd);
  printf("dup shares offset %ld %ld\n", (long)lseek(fd, 2, SEEK_SET), (long)lseek(d, 0, SEEK_CUR));
  printf("dup2 %d\n", dup2(fd, 10));
  printf("F_GETFD %d F_SETFD %d F_GETFD %d\n", fcntl(10, F_GETFD), fcntl(10, F_SETFD, FD_CLOEXEC), fcntl(10, F_GETFD));
  printf("F_GETFL rdwr %d\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  printf("F_DUPFD %d\n", fcntl(fd, F_DUPFD, 20));
  close(d); close(10); close(20);
  errno = 0;
  printf("close bad %d errno %d\n", close(99), errno);
  close(fd);

  /* errors */
  errno = 0; printf("open missing %d errno %d\n", open("nope/x", O_RDONLY), errno);
  errno = 0; printf("mkdir exists %d errno %d\n", mkdir(".", 0755), errno);
  errno = 0; printf("read dir: ");
  fd = open(".", O_RDONLY | O_DIRECTORY);
  printf("%zd errno %d\n", read(fd, buf, 4), errno);
  close(fd);
  errno = 0; printf("ioctl notty %d errno %d\n", isatty(0) ? 0 : (isatty(5) ? 1 : -1), errno);

  /* directories, links, rename */
  mkdir("sub", 0755);
  symlink("a.txt", "link");
  link("a.txt", "sub/hard");
  rename("a.txt", "b.txt");
  char target[64] = {0};
  printf("readlink %zd %s\n", readlink("link", target, sizeof target), target);
  lstat("link", &st);
  printf("lstat link %d nlink(b) ", S_ISLNK(st.st_mode));
  stat("b.txt", &st);
  printf("%lu\n", (unsigned long)st.st_nlink);
  DIR *dp = opendir(".");
  char *names[16]; int n = 0; struct dirent *e;
  while ((e = readdir(dp)) && n < 16) names[n++] = strdup(e->d_name);
  closedir(dp);
  qsort(names, n, sizeof *names, cmp);
  printf("dir:"); for (int i = 0; i < n; i++) printf(" %s", names[i]); printf("\n");
  errno = 0; printf("rmdir nonempty %d errno %d\n", rmdir("sub"), errno);
  unlink("sub/hard");
  printf("rmdir %d\n", rmdir("sub"));
  printf("access %d %d\n", access("b.txt", R_OK), access("nope", F_OK));
  char cwd[256];
  printf("getcwd matches %d\n", getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0);
  chdir("/");
  printf("chdir / -> %s\n", getcwd(cwd, sizeof cwd));
  chdir(dir);

  /* pipes */
  int p[2];
  printf("pipe %d\n", pipe(p));
  printf("pipe write %zd\n", write(p[1], "through the pipe", 16));
  memset(buf, 0, sizeof buf);
  printf("pipe read %zd %s\n", read(p[0], buf, sizeof buf), buf);
  close(p[1]);
  printf("pipe eof %zd\n", read(p[0], buf, sizeof buf));
  close(p[0]);
  printf("pipe2 %d\n", pipe2(p, O_CLOEXEC));
  printf("pipe2 cloexec %d\n", fcntl(p[0], F_GETFD));
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  errno = 0; printf("write no reader %zd errno %d\n", write(p[1], "x", 1), errno);
  close(p[1]);

  /* memory: mmap anonymous and of a file, mprotect, mremap, munmap, brk */
  m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap zero %d\n", m[0] == 0 && m[3 * 4096 - 1] == 0);
  strcpy(m + 4096, "second page");
  m = mremap(m, 3 * 4096, 64 * 4096, MREMAP_MAYMOVE);
  printf("mremap keeps %s tail zero %d\n", m + 4096, m[64 * 4096 - 1]);
  fd = open("b.txt", O_RDONLY);
  char *f = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  printf("file map '%.5s' %d\n", f, f[5]);
  close(fd);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  mprotect(m, 4096, PROT_READ);
  if (sigsetjmp(jb, 1) == 0) { m[10] = 1; printf("write to read-only page succeeded\n"); }
  printf("after fault: caught %d value %d\n", (int)caught, m[10]);
  munmap(m, 64 * 4096);
  caught = 0;
  if (sigsetjmp(jb, 1) == 0) { volatile char c = m[4096]; (void)c; printf("read unmapped succeeded\n"); }
  printf("after unmapped: caught %d\n", (int)caught);
  /* a floating-point exception with a handler: si_code from the FCSR cause */
  sigaction(SIGFPE, &sa, NULL);
  feenableexcept(FE_DIVBYZERO);
  caught = 0;
  volatile double zero = argc - 1;
  if (sigsetjmp(jb, 1) == 0) { volatile double q = 1.0 / zero; printf("no trap %f\n", q); }
  printf("after fpe: caught %d\n", (int)caught);
  fedisableexcept(FE_DIVBYZERO);
  printf("1/0 untrapped %f\n", 1.0 / zero);

  void *b0 = sbrk(0);
  printf("sbrk grows %d\n", sbrk(65536) == b0 && sbrk(0) == (char *)b0 + 65536);

  /* process, time, limits */
  printf("pid match %d tid %d\n", getpid() == (pid_t)syscall(SYS_gettid), getpid() > 0);
  struct timespec t1, t2, r = {0, 20 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &t1);
  nanosleep(&r, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t2);
  long ms = (t2.tv_sec - t1.tv_sec) * 1000 + (t2.tv_nsec - t1.tv_nsec) / 1000000;
  printf("slept >= 20 ms %d\n", ms >= 20);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  printf("time sane %d\n", tv.tv_sec > 1600000000 && labs((long)time(NULL) - (long)tv.tv_sec) <= 1);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  printf("nofile %d\n", rl.rlim_cur > 0);
  unsigned char rnd[8];
  printf("getrandom %ld\n", (long)syscall(SYS_getrandom, rnd, 8, 0));
  char exe[512] = {0};
  readlink("/proc/self/exe", exe, sizeof exe - 1);
  printf("exe absolute %d ends with argv0 base %d\n", exe[0] == '/', strstr(exe, strrchr(argv[0], '/') ? strrchr(argv[0], '/') : argv[0]) != NULL);
  printf("argc %d\n", argc);

  unlink("b.txt"); unlink("link");
  printf("cleanup %d\n", rmdir(dir));
  fflush(stdout);
  raise(SIGTERM);
  printf("not reached\n");
  return 0;
}
