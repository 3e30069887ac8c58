/*
 * Process groups and sessions: setsid, setpgid, getpgid, getsid, kill and wait4 by group, with
 * their errors. Every line prints relations (a group is this pid, that call failed with ...), so
 * the output does not depend on the pids or on the session the program starts in.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int usr1;
static void on_usr1(int s) { (void)s; usr1++; }

static const char *err(int r) { return r == 0 ? "ok" : errno == EPERM ? "EPERM" : errno == ESRCH ? "ESRCH" : errno == EINVAL ? "EINVAL" : errno == ECHILD ? "ECHILD" : "other"; }

static void sleeper(void) { for (;;) pause(); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  pid_t leader = fork();
  if (leader == 0) {
    pid_t me = getpid();
    printf("child inherits the group: %d\n", getpgrp() == getpgid(getppid()));
    printf("setsid: %d, group and session are the pid: %d %d\n", setsid() == me, getpgrp() == me, getsid(0) == me);
    printf("setsid again: %s\n", err(setsid() < 0 ? -1 : 0));
    printf("setpgid of a session leader: %s\n", err(setpgid(0, 0)));
    printf("setpgid to a missing group: %s\n", err(setpgid(0, 0x7ffffff0)));
    printf("setpgid with a negative group: %s\n", err(setpgid(0, -5)));
    printf("getpgid of no process: %s\n", err(getpgid(0x7ffffff0) < 0 ? -1 : 0));
    printf("getsid of no process: %s\n", err(getsid(0x7ffffff0) < 0 ? -1 : 0));
    printf("kill of no group: %s\n", err(kill(-0x7ffffff0, SIGTERM)));

    /* two workers in a new group of their own, led by the first */
    pid_t a = fork();
    if (a == 0) { setpgid(0, 0); sleeper(); }
    setpgid(a, a);                          /* both sides set it: no race */
    pid_t b = fork();
    if (b == 0) { setpgid(0, a); sleeper(); }
    setpgid(b, a);
    printf("workers in group a: %d %d, not ours: %d\n", getpgid(a) == a, getpgid(b) == a, getpgid(a) != getpgrp());
    printf("a worker's session is ours: %d\n", getsid(a) == me);
    printf("setpgid of a non-child: %s\n", err(setpgid(getppid(), 0)));
    printf("wait4 of our own group: %s\n", err(waitpid(0, NULL, WNOHANG) < 0 ? -1 : 0));
    printf("kill group a: %s\n", err(kill(-a, SIGTERM)));
    int st, n = 0, term = 0;
    pid_t w;
    while ((w = waitpid(-a, &st, 0)) > 0) { n++; term += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM; }
    printf("reaped from group a: %d, by SIGTERM: %d, then %s\n", n, term, err(w < 0 ? -1 : 0));

    /* kill(0) reaches every process of our group: us and a child that stayed in it */
    signal(SIGUSR1, on_usr1);
    pid_t c = fork();
    if (c == 0) { for (int i = 0; i < 1000000 && !usr1; i++) usleep(1000); _exit(usr1 ? 7 : 1); }
    usleep(20000);
    printf("kill 0: %s\n", err(kill(0, SIGUSR1)));
    waitpid(c, &st, 0);
    printf("our group's child got it: %d, and so did we: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 7, usr1 == 1);
    _exit(0);
  }
  int st;
  waitpid(leader, &st, 0);
  printf("session leader exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  return 0;
}
