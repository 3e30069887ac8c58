/*
 * execve from a multithreaded process (kernel test): the other threads, one blocked in a pipe
 * read and one spinning in user mode, must be gone before the new image runs; then the new
 * image forks and waits once to show the process is whole. Usage: thread_exec (runs itself again).
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

static int p[2];
static void *blocker(void *a) { char c; read(p[0], &c, 1); printf("blocker returned\n"); return a; }
static void *spinner(void *a) { for (volatile int i = 0;; i++) { } return a; }

int main(int argc, char **argv) {
  if (argc > 1) {
    pid_t pid = fork();
    if (pid == 0) _exit(3);
    int st;
    waitpid(pid, &st, 0);
    printf("new image: %s, pid %d, child status %d\n", argv[1], getpid(), WEXITSTATUS(st));
    return 0;
  }
  pipe(p);
  pthread_t a, b;
  pthread_create(&a, NULL, blocker, NULL);
  pthread_create(&b, NULL, spinner, NULL);
  usleep(20000);
  printf("exec from pid %d with 2 more threads\n", getpid());
  fflush(stdout);
  char *args[] = { argv[0], "again", NULL };
  execve(argv[0], args, NULL);
  printf("exec failed\n");
  return 1;
}
