/*
 * execve on the guest kernel: the errors (ENOENT, ENOTDIR, EACCES, ENOEXEC, EFAULT, E2BIG) leave
 * the caller running with its memory intact; then a child execs exec_args with chosen argv and
 * envp and a parent-prepared state (caught and ignored signals, a blocked one, an inherited and a
 * close-on-exec descriptor, a working directory), and the parent reports its exit status; last,
 * a process with two more threads (spinning, blocked in read) execs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pthread.h>

static const char *ename(int e) {
  switch (e) {
    case ENOENT: return "ENOENT"; case ENOTDIR: return "ENOTDIR"; case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC"; case EFAULT: return "EFAULT"; case E2BIG: return "E2BIG";
    default: return "E?";
  }
}

static void on_usr1(int sig) { (void)sig; }
static int canary = 12345;
static int never[2];
static void *spin(void *a) { for (;;) (*(volatile int *)a)++; return NULL; }
static void *block(void *a) { char c; (void)a; read(never[0], &c, 1); return NULL; }

static void fails(const char *what, const char *path, char *const *argv, char *const *envp) {
  errno = 0;
  int r = execve(path, argv, envp);
  printf("%s: %d %s, still here, canary %d\n", what, r, ename(errno), canary);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char path[256];
  char *args[] = { "x", NULL }, *env[] = { NULL };
  fails("missing file", "/no/such/file", args, env);
  fails("through a file", "/bin/exec_args/x", args, env);
  snprintf(path, sizeof path, "%s/plain", dir);
  unlink(path);                                /* the image may hold it from an earlier run */
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, "plain text\n", 11);
  close(fd);
  fails("not executable", path, args, env);
  chmod(path, 0755);
  fails("not an ELF file", path, args, env);
  fails("bad path pointer", (const char *)8, args, env);
  char *badargs[] = { "x", (char *)8, NULL };
  fails("bad argument pointer", "/bin/exec_args", badargs, env);
  fails("bad argv array", "/bin/exec_args", (char *const *)8, env);
  size_t big = 200000;
  char *huge = malloc(big + 1);
  memset(huge, 'a', big);
  huge[big] = 0;
  char *bigargs[] = { "x", huge, NULL };
  fails("one argument over 128 KB", "/bin/exec_args", bigargs, env);

  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_BLOCK, &m, NULL);
    dup2(open("/bin", O_RDONLY), 3);
    dup2(open("/bin", O_RDONLY | O_CLOEXEC), 4);
    fcntl(4, F_SETFD, FD_CLOEXEC);
    chdir(dir);
    char *cargs[] = { "exec_args", "state", "two words", "", NULL };
    char *cenv[] = { "HOME=/root", "EMPTY=", "X=1", NULL };
    execve("/bin/exec_args", cargs, cenv);
    _exit(100);
  }
  int st;
  waitpid(pid, &st, 0);
  printf("child exited %d with %d\n", WIFEXITED(st), WEXITSTATUS(st));
  char *nargs[] = { NULL };
  pid = fork();
  if (pid == 0) { execve("/bin/exec_args", nargs, nargs); _exit(100); }
  waitpid(pid, &st, 0);
  printf("empty argv: exited with %d\n", WEXITSTATUS(st));
  pid = fork();
  if (pid == 0) {                              /* execve from a thread group: the others go first */
    static int counter;
    pthread_t t1, t2;
    pipe(never);
    pthread_create(&t1, NULL, spin, &counter);
    pthread_create(&t2, NULL, block, NULL);
    while (counter == 0) sched_yield();
    char *targs[] = { "exec_args", "threads", NULL };
    execve("/bin/exec_args", targs, nargs);
    _exit(100);
  }
  waitpid(pid, &st, 0);
  printf("threaded child: exited %d with %d\n", WIFEXITED(st), WEXITSTATUS(st));
  return 0;
}
