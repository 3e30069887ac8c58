/*
 * Kernel stress (tests/kernel/mm.test.ts): W workers at once, each doing ROUNDS rounds of
 * pipe + fork + a copy-on-write scribble + exit + wait, plus a pair of threads per round that
 * fork too; every child's result travels back through its pipe and its exit status.
 * Usage: stress_fork [ROUNDS] [WORKERS]. Prints one deterministic summary.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static unsigned char buf[64 * 1024];

static int child_work(int fd, int seed) {
  int s = 0;
  for (unsigned i = 0; i < sizeof buf; i += 512) { buf[i] ^= (unsigned char)seed; s += buf[i]; }
  char *heap = malloc(100000);                  /* brk / mmap in the child */
  memset(heap, seed, 100000);
  s += heap[99999];
  free(heap);
  if (write(fd, &s, sizeof s) != sizeof s) return 2;
  return seed & 0x7f;
}

/* One fork through a pipe: 1 if the child's answer and status are right. */
static int one_fork(int seed) {
  int p[2];
  if (pipe(p) < 0) return 0;
  int expect = 0;
  for (unsigned i = 0; i < sizeof buf; i += 512) expect += (unsigned char)(buf[i] ^ seed);
  expect += (char)seed;
  pid_t pid = fork();
  if (pid == 0) { close(p[0]); _exit(child_work(p[1], seed)); }
  close(p[1]);
  int got = -1, st = 0, n = (int)read(p[0], &got, sizeof got);
  close(p[0]);
  if (pid < 0 || waitpid(pid, &st, 0) != pid) return 0;
  return n == sizeof got && got == expect && WIFEXITED(st) && WEXITSTATUS(st) == (seed & 0x7f);
}

static void *thread_fork(void *arg) { return (void *)(long)one_fork((int)(long)arg); }

static int worker(int w, int rounds) {
  int ok = 0;
  for (int r = 0; r < rounds; r++) {
    ok += one_fork(w * 31 + r);
    pthread_t t[2];
    for (int k = 0; k < 2; k++) pthread_create(&t[k], NULL, thread_fork, (void *)(long)(w * 7 + r + k * 100));
    for (int k = 0; k < 2; k++) { void *v; pthread_join(t[k], &v); ok += (int)(long)v; }
  }
  return ok == 3 * rounds ? 0 : 1;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10, workers = argc > 2 ? atoi(argv[2]) : 8;
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 7);
  for (int w = 0; w < workers; w++) if (fork() == 0) _exit(worker(w, rounds));
  int good = 0, st;
  while (wait(&st) > 0) good += WIFEXITED(st) && WEXITSTATUS(st) == 0;
  printf("stress_fork: %d of %d workers passed %d rounds (%d forks, %d threads)\n",
         good, workers, rounds, workers * (1 + 3 * rounds), workers * 2 * rounds);
  return good == workers ? 0 : 1;
}
