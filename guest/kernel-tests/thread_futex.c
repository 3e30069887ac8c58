/*
 * futex(2) directly (kernel test, compared with qemu-mips): EAGAIN on a changed value, ETIMEDOUT
 * (relative WAIT, absolute WAIT_BITSET), EFAULT, bitset matching, REQUEUE/CMP_REQUEUE moving
 * waiters between words, WAKE_OP's store-and-compare, and wake counts.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static int fx(volatile int *a, int op, int val, const struct timespec *ts, volatile int *a2, int val3) {
  int r = (int)syscall(SYS_futex, a, op, val, ts, a2, val3);
  return r < 0 ? -errno : r;
}

static volatile int w1, w2, woken, ready;

static void *waiter(void *arg) {
  __sync_fetch_and_add(&ready, 1);
  int r = fx(&w1, FUTEX_WAIT_BITSET, 0, NULL, NULL, (int)(long)arg);
  __sync_fetch_and_add(&woken, 1);
  return (void *)(long)r;
}

/* Starts n waiters on w1 with the given bitset and waits until they are asleep. */
static void start(pthread_t *t, int n, int bits) {
  ready = 0;
  for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, waiter, (void *)(long)bits);
  while (ready < n) usleep(1000);
  usleep(30000);
}

int main(void) {
  volatile int v = 1;
  printf("wait on a changed value: %d\n", fx(&v, FUTEX_WAIT, 0, NULL, NULL, 0));
  struct timespec rel = { 0, 20000000 };
  printf("relative timeout: %d\n", fx(&v, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0));
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  now.tv_nsec += 20000000;
  if (now.tv_nsec >= 1000000000) { now.tv_sec++; now.tv_nsec -= 1000000000; }
  printf("absolute timeout: %d\n", fx(&v, FUTEX_WAIT_BITSET, 1, &now, NULL, -1));
  printf("bad address: %d\n", fx((volatile int *)16, FUTEX_WAIT, 0, NULL, NULL, 0));
  printf("zero bitset: %d\n", fx(&v, FUTEX_WAIT_BITSET, 1, NULL, NULL, 0));
  printf("wake nobody: %d\n", fx(&v, FUTEX_WAKE, 5, NULL, NULL, 0));

  pthread_t t[4];
  start(t, 2, 1);
  printf("wake bitset 2 (no match): %d\n", fx(&w1, FUTEX_WAKE_BITSET, 10, NULL, NULL, 2));
  printf("wake bitset 3: %d\n", fx(&w1, FUTEX_WAKE_BITSET, 10, NULL, NULL, 3));
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);

  start(t, 3, -1);
  printf("cmp_requeue with a wrong value: %d\n", fx(&w1, FUTEX_CMP_REQUEUE, 1, (struct timespec *)2L, &w2, 7));
  printf("cmp_requeue 1 woken + 2 moved: %d\n", fx(&w1, FUTEX_CMP_REQUEUE, 1, (struct timespec *)2L, &w2, 0));
  usleep(30000);
  printf("woken so far %d; wake on the old word: %d\n", woken, fx(&w1, FUTEX_WAKE, 10, NULL, NULL, 0));
  printf("wake on the new word: %d\n", fx(&w2, FUTEX_WAKE, 10, NULL, NULL, 0));
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);

  start(t, 2, -1);
  printf("requeue 0 woken + 1 moved: %d\n", fx(&w1, FUTEX_REQUEUE, 0, (struct timespec *)1L, &w2, 0));
  /* WAKE_OP: w2 = 5 (SET), then wake one on w1 and, as old w2 (0) == 0, one on w2 */
  int op = FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0);
  w2 = 0;
  printf("wake_op: %d, w2 now %d\n", fx(&w1, FUTEX_WAKE_OP, 1, (struct timespec *)1L, &w2, op), w2);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  printf("all %d waiters woken\n", woken);
  return 0;
}
