/*
 * Threads (kernel test): 16 pthreads on one shared address space: a mutex-protected counter,
 * a condition-variable barrier, per-thread FPU work (the FPU state must survive switches),
 * join (CLONE_CHILD_CLEARTID + futex wake), thread ids, and detached creation churn.
 * Output is deterministic and compared with qemu-mips by tests/kernel/mm.test.ts.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

#define NT 16
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int arrived, generation;
static int rounds = 2000;
static pid_t tids[NT];

static void barrier(void) {
  pthread_mutex_lock(&lock);
  int gen = generation;
  if (++arrived == NT) { arrived = 0; generation++; pthread_cond_broadcast(&cond); }
  else while (gen == generation) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
}

static void *worker(void *arg) {
  long id = (long)arg;
  tids[id] = (pid_t)syscall(SYS_gettid);
  double x = 1.0 + id;                       /* FP registers live across preemption */
  for (int i = 0; i < rounds; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
    x = x * 1.0000001 + 0.5 / (i + 1);
  }
  barrier();
  barrier();
  return (void *)(long)(x * 1000.0);
}

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv) {
  if (argc > 1) rounds = atoi(argv[1]);
  pthread_t t[NT];
  for (long i = 0; i < NT; i++)
    if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) { printf("create failed\n"); return 1; }
  long sum = 0;
  for (int i = 0; i < NT; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
  int distinct = 1;
  for (int i = 0; i < NT; i++) for (int j = 0; j < i; j++) if (tids[i] == tids[j] || tids[i] == getpid()) distinct = 0;
  printf("counter %ld (want %ld)\n", counter, (long)NT * rounds);
  printf("fp checksum %ld\n", sum);
  printf("thread ids distinct from each other and the pid: %s\n", distinct ? "yes" : "no");
  for (int round = 0; round < 50; round++) {
    pthread_t a, b;
    pthread_create(&a, NULL, nothing, (void *)1L);
    pthread_create(&b, NULL, nothing, (void *)2L);
    void *ra, *rb;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    if ((long)ra + (long)rb != 3) { printf("join value wrong\n"); return 1; }
  }
  printf("100 more threads created and joined\n");
  return 0;
}
