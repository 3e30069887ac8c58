/*
 * Copy-on-write fork, demand-zero memory, MAP_SHARED across fork, mprotect, vfork (kernel
 * test; output compared with qemu-mips by tests/kernel/mm.test.ts).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define N (256 * 1024)
static unsigned char big[N];                     /* bss: demand-zero */
static sigjmp_buf jb;
static void on_segv(int sig) { siglongjmp(jb, sig); }

static int sum(const unsigned char *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }

int main(void) {
  printf("bss zero: %d\n", sum(big, N));
  for (int i = 0; i < N; i++) big[i] = (unsigned char)i;
  int before = sum(big, N);
  /* private copies: the child scribbles, the parent's pages stay */
  for (int k = 0; k < 4; k++) {
    pid_t pid = fork();
    if (pid == 0) {
      int ok = sum(big, N) == before;
      memset(big + k * 4096, 0xff, N / 2);
      _exit(ok && big[k * 4096] == 0xff ? 10 + k : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child %d: exit %d, parent's copy %s\n", k, WEXITSTATUS(st), sum(big, N) == before ? "intact" : "CHANGED");
  }
  /* the parent writes after fork: the child keeps the old contents */
  int p[2];
  pipe(p);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    read(p[0], &c, 1);
    _exit(sum(big, N) == before ? 0 : 1);
  }
  memset(big, 0, N);
  write(p[1], "x", 1);
  int st;
  waitpid(pid, &st, 0);
  printf("child saw its own copy after the parent wrote: %s\n", WEXITSTATUS(st) == 0 ? "yes" : "no");
  /* MAP_SHARED|MAP_ANONYMOUS: one table for all, with a process-shared mutex in it */
  struct shared { pthread_mutex_t m; long count; long slots[8]; } *sh =
    mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&sh->m, &a);
  for (int k = 0; k < 6; k++) {
    if (fork() == 0) {
      for (int i = 0; i < 500; i++) { pthread_mutex_lock(&sh->m); sh->count++; pthread_mutex_unlock(&sh->m); }
      sh->slots[k] = 100 + k;
      _exit(0);
    }
  }
  while (wait(NULL) > 0) { }
  long s = 0;
  for (int k = 0; k < 8; k++) s += sh->slots[k];
  printf("shared counter %ld, slots %ld\n", sh->count, s);
  munmap(sh, sizeof *sh);
  /* mprotect: a read-only page faults on a write, PROT_NONE on a read */
  unsigned char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  m[0] = 1; m[4096] = 2;
  signal(SIGSEGV, on_segv);
  mprotect(m, 4096, PROT_READ);
  int sig = sigsetjmp(jb, 1);
  if (sig == 0) { m[0] = 3; printf("write to a read-only page went through\n"); }
  else printf("write to a read-only page: signal %d, value %d\n", sig, m[0]);
  mprotect(m + 4096, 4096, PROT_NONE);
  sig = sigsetjmp(jb, 1);
  if (sig == 0) printf("read of PROT_NONE: %d\n", m[4096]);
  else printf("read of a PROT_NONE page: signal %d\n", sig);
  mprotect(m, 2 * 4096, PROT_READ | PROT_WRITE);
  m[0] = 5;
  printf("after mprotect back: %d %d %d\n", m[0], m[4096], m[8192]);
  printf("munmap: %d, again: %d\n", munmap(m, 3 * 4096), munmap(m, 3 * 4096));
  /* vfork: the parent waits for the child's _exit */
  volatile int shared_var = 1;
  pid = vfork();
  if (pid == 0) { shared_var = 2; _exit(7); }
  waitpid(pid, &st, 0);
  printf("vfork child exit %d, wrote through the shared mm: %s\n", WEXITSTATUS(st), shared_var == 2 ? "yes" : "no");
  return 0;
}
