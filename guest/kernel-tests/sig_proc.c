/*
 * Signals between processes and interrupted system calls, differential (qemu-mips and the guest
 * kernel print the same lines): SIGCHLD with its siginfo, SIGPIPE (caught, ignored: EPIPE),
 * EINTR without SA_RESTART and restarted reads with it, alarm with pause and sigsuspend.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int chld_code, chld_status, chld_pid, pipes, alarms, usr1_mask_ok;

static void on_chld(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)uc;
  chld_code = si->si_code;
  chld_status = si->si_status;
  chld_pid = si->si_pid;
}
static void on_pipe(int sig) { (void)sig; pipes++; }
static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_usr1(int sig) {
  sigset_t now;
  (void)sig;
  sigprocmask(SIG_BLOCK, NULL, &now);
  usr1_mask_ok = !sigismember(&now, SIGUSR2);
}

static void catch(int sig, void (*h)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigaction(sig, &sa, NULL);
}

static void tick(int ms) {
  struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
  setitimer(ITIMER_REAL, &it, NULL);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGCHLD, &sa, NULL);
  pid_t pid = fork();
  if (pid == 0) _exit(42);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) { }
  printf("SIGCHLD: code CLD_EXITED %d status %d pid ok %d\n", chld_code == CLD_EXITED, chld_status, chld_pid == pid);
  pid = fork();
  if (pid == 0) { for (;;) pause(); }
  kill(pid, SIGKILL);
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) { }
  printf("SIGCHLD: code CLD_KILLED %d status %d; wait: signaled by %d\n", chld_code == CLD_KILLED, chld_status, WTERMSIG(st));
  signal(SIGCHLD, SIG_DFL);

  int fds[2];
  pipe(fds);
  close(fds[0]);
  catch(SIGPIPE, on_pipe, 0);
  ssize_t n = write(fds[1], "x", 1);
  printf("SIGPIPE caught: %d, write %d EPIPE %d\n", pipes, (int)n, n < 0 && errno == EPIPE);
  signal(SIGPIPE, SIG_IGN);
  n = write(fds[1], "x", 1);
  printf("SIGPIPE ignored: %d, write %d EPIPE %d\n", pipes, (int)n, n < 0 && errno == EPIPE);
  close(fds[1]);
  pipe(fds);
  pid = fork();
  if (pid == 0) { close(fds[0]); signal(SIGPIPE, SIG_DFL); usleep(100000); write(fds[1], "x", 1); _exit(0); }
  close(fds[0]);
  close(fds[1]);
  waitpid(pid, &st, 0);
  printf("SIGPIPE default: child signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

  char buf[16];
  pipe(fds);
  catch(SIGALRM, on_alarm, 0);
  tick(50);
  n = read(fds[0], buf, sizeof buf);
  printf("read interrupted: %d EINTR %d alarms %d\n", (int)n, n < 0 && errno == EINTR, alarms);
  pid = fork();
  if (pid == 0) { usleep(300000); write(fds[1], "hello", 5); _exit(0); }
  catch(SIGALRM, on_alarm, SA_RESTART);
  tick(50);
  n = read(fds[0], buf, sizeof buf);
  printf("read restarted: %d alarms %d\n", (int)n, alarms);
  waitpid(pid, &st, 0);
  pid = fork();
  if (pid == 0) { usleep(300000); _exit(5); }
  tick(50);
  pid_t w = waitpid(pid, &st, 0);
  printf("waitpid restarted: ok %d status %d alarms %d\n", w == pid, WEXITSTATUS(st), alarms);

  catch(SIGALRM, on_alarm, 0);
  printf("alarm: %u\n", alarm(1));
  printf("alarm again: %u\n", alarm(1));
  int r = pause();
  printf("pause: %d EINTR %d alarms %d\n", r, r < 0 && errno == EINTR, alarms);

  sigset_t block, wait_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, NULL);
  catch(SIGUSR1, on_usr1, 0);
  catch(SIGUSR2, on_usr1, 0);
  pid = fork();
  if (pid == 0) { usleep(100000); kill(getppid(), SIGUSR1); _exit(0); }
  sigfillset(&wait_mask);
  sigdelset(&wait_mask, SIGUSR1);
  sigdelset(&wait_mask, SIGUSR2);
  r = sigsuspend(&wait_mask);
  sigset_t after;
  sigprocmask(SIG_BLOCK, NULL, &after);
  printf("sigsuspend: %d EINTR %d handler saw its mask %d, old mask back %d %d\n", r, r < 0 && errno == EINTR,
         usr1_mask_ok, sigismember(&after, SIGUSR1), sigismember(&after, SIGALRM));
  waitpid(pid, &st, 0);
  printf("done\n");
  return 0;
}
