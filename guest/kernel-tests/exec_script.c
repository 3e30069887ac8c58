/*
 * execve of #! scripts on the guest kernel, as Linux's binfmt_script: the interpreter runs with
 * argv INTERPRETER [ARG] SCRIPT ARGS... (the rest of the #! line is one argument; the caller's
 * argv[0] goes), and AT_EXECFN is the script. `exec_script DIR BIN` writes its scripts to DIR
 * (their interpreter: BIN/exec_args), runs each in a child and prints what the interpreter
 * printed and how it ended; the tests compare it with a native build run by the host's Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0) { perror(path); _exit(1); }
  chmod(path, mode);
}

static void run(const char *what, const char *path, char *const argv[]) {
  printf("== %s\n", what);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    char *env[] = { "S=1", NULL };
    execve(path, argv, env);
    printf("execve: -1 %s\n", errno == ENOEXEC ? "ENOEXEC" : errno == ENOENT ? "ENOENT" : errno == EACCES ? "EACCES" : "other");
    fflush(stdout);
    _exit(100);
  }
  int st;
  waitpid(c, &st, 0);
  printf("exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
  char p[5][256], line[5][300];
  const char *dir = argc > 1 ? argv[1] : "/tmp", *bin = argc > 2 ? argv[2] : "/bin";
  for (int i = 0; i < 5; i++) snprintf(p[i], sizeof p[i], "%s/script%d", dir, i);
  snprintf(line[0], sizeof line[0], "#! %s/exec_args  one argument  \necho the rest is not read\n", bin);
  snprintf(line[1], sizeof line[1], "#!%s/exec_args\n", bin);
  snprintf(line[3], sizeof line[3], "#!%s/missing\n", bin);
  put(p[0], line[0], 0755);
  put(p[1], line[1], 0755);
  put(p[2], "#!\n", 0755);
  put(p[3], line[3], 0755);
  put(p[4], line[1], 0644);
  char *args[] = { "ignored", "a", "b c", NULL };
  run("interpreter with an argument", p[0], args);
  run("interpreter alone", p[1], args);
  char *none[] = { NULL };
  run("empty argv", p[1], none);
  run("no interpreter", p[2], args);
  run("missing interpreter", p[3], args);
  run("not executable", p[4], args);
  return 0;
}
