/*
 * CLONE_FS: threads share the working directory and the umask (a pthread's chdir and umask are
 * the whole process's); a forked child gets copies, so its chdir leaves its parent's alone.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void *worker(void *arg) {
  (void)arg;
  if (chdir("/tmp") != 0) perror("chdir");
  umask(077);
  return NULL;
}

static void show(const char *who) {
  char cwd[256];
  mode_t m = umask(0);
  umask(m);
  printf("%s: cwd %s umask %03o\n", who, getcwd(cwd, sizeof cwd) ? cwd : "?", (unsigned)m);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (chdir("/") != 0) return 1;
  umask(022);
  show("before the thread");
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  show("after the thread's chdir and umask");
  pid_t c = fork();
  if (c == 0) {
    if (chdir("/") != 0) _exit(1);
    umask(0);
    show("child after its own chdir and umask");
    _exit(0);
  }
  waitpid(c, NULL, 0);
  show("parent after the child's");
  return 0;
}
