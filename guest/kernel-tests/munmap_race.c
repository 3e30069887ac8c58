/*
 * A thread's write() keeps copying from a buffer that another thread unmaps while the write is
 * blocked on a full pipe: the kernel must not crash; the write fails with EFAULT (or, on Linux,
 * returns the bytes it wrote before the unmapped part), and the process runs on.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LEN (1u << 20)
static int fds[2];
static char *buf;
static long result;
static int err;

static void *writer(void *arg) {
  (void)arg;
  result = write(fds[1], buf, LEN);
  err = result < 0 ? errno : 0;
  close(fds[1]);
  return NULL;
}

int main(void) {
  buf = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED || pipe(fds) != 0) return 1;
  memset(buf, 'x', LEN);
  pthread_t t;
  pthread_create(&t, NULL, writer, NULL);
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  nanosleep(&ts, NULL);                   /* the writer fills the pipe and blocks */
  if (munmap(buf, LEN) != 0) return 2;
  char chunk[4096];
  long got = 0, xs = 0, n;
  int intact = 1;                         /* the buffer's bytes, then nothing or zeros (never garbage) */
  while ((n = read(fds[0], chunk, sizeof chunk)) > 0) {
    for (long i = 0; i < n; i++) {
      if (chunk[i] == 'x') intact &= xs++ == got + i;
      else intact &= chunk[i] == 0;
    }
    got += n;
  }
  pthread_join(t, NULL);
  int partial = result > 0 && result < (long)LEN;
  printf("munmap_race: write %s, read %s, data intact %d\n",
         err == EFAULT ? "EFAULT" : partial ? "partial" : result == (long)LEN ? "whole" : "other",
         got > 0 ? "some" : "none", intact && xs > 0);
  return err == EFAULT || partial ? 0 : 3;
}
