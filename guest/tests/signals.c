/* Basic signal handling: sigaction handlers invoked by raise/kill,
 * blocking with sigprocmask and pending delivery on unblock, SIG_IGN,
 * handler info argument, alarm-free (no timing dependence). */
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig, info_code_ok;

static void handler(int sig) { hits++; last_sig = sig; }
static void info_handler(int sig, siginfo_t *si, void *ctx) {
  (void)ctx;
  hits++;
  last_sig = sig;
  info_code_ok = si->si_signo == sig;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("after raise: hits %d sig is USR1 %d\n", (int)hits, last_sig == SIGUSR1);
  kill(getpid(), SIGUSR1);
  printf("after kill: hits %d\n", (int)hits);

  sigset_t set, pend;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  raise(SIGUSR1);
  sigpending(&pend);
  printf("while blocked: hits %d pending %d\n", (int)hits, sigismember(&pend, SIGUSR1));
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("after unblock: hits %d\n", (int)hits);

  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  printf("ignored SIGUSR2 survived, hits %d\n", (int)hits);

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = info_handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("siginfo handler: hits %d sig is USR2 %d signo ok %d\n", (int)hits, last_sig == SIGUSR2, (int)info_code_ok);

  struct sigaction old;
  sigaction(SIGUSR1, NULL, &old);
  printf("query old handler matches %d\n", old.sa_handler == handler);
  signal(SIGUSR1, SIG_DFL);
  printf("done\n");
  return 0;
}
