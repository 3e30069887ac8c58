/*
 * Signals and threads, differential (qemu-mips and the guest kernel print the same lines): a
 * signal sent to the process is taken by a thread that does not block it, tgkill reaches the
 * named thread, the handler table is shared, and a fatal signal ends every thread of the group.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile pid_t handled_by;
static volatile int done;
static volatile pid_t worker_tid;

static void handler(int sig) { (void)sig; handled_by = (pid_t)syscall(SYS_gettid); }

static void *worker(void *arg) {
  (void)arg;
  worker_tid = (pid_t)syscall(SYS_gettid);
  while (!done) sched_yield();
  return NULL;
}

static void wait_for(volatile pid_t *v) { for (int i = 0; i < 2000000 && *v == 0; i++) sched_yield(); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  signal(SIGUSR1, handler);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  while (worker_tid == 0) sched_yield();
  pthread_sigmask(SIG_BLOCK, &usr1, NULL);
  kill(getpid(), SIGUSR1);
  wait_for(&handled_by);
  printf("process-directed signal taken by the thread that does not block it: %d\n", handled_by == worker_tid);
  pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
  handled_by = 0;
  syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
  wait_for(&handled_by);
  printf("tgkill reached the worker: %d\n", handled_by == worker_tid);
  handled_by = 0;
  syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
  printf("tgkill reached the main thread: %d\n", handled_by == getpid());
  done = 1;
  pthread_join(t, NULL);

  pid_t pid = fork();
  if (pid == 0) {
    done = 0;
    pthread_create(&t, NULL, worker, NULL);
    pthread_create(&t, NULL, worker, NULL);
    for (;;) pause();
  }
  usleep(100000);
  kill(pid, SIGTERM);
  int st;
  waitpid(pid, &st, 0);
  printf("a fatal signal ends the threaded child: signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
  printf("done\n");
  return 0;
}
