/*
 * Faults as signals, differential (qemu-mips and the guest kernel print the same lines): a
 * handler catches SIGSEGV (unmapped, read-only), SIGBUS (misaligned), SIGFPE (integer division
 * by zero), SIGILL (a privileged instruction) and SIGTRAP (break), with si_code and si_addr, and
 * leaves through siglongjmp; then a fault with the signal blocked, and one not caught, kill a child.
 * (Division by zero is `teq divisor, zero, 7`: Linux raises SIGFPE/FPE_INTDIV, qemu-mips SIGTRAP.)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static sigjmp_buf back;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  got_sig = sig;
  got_code = si->si_code;
  got_addr = si->si_addr;
  siglongjmp(back, 1);
}

static const char text[8] = "ro";
static volatile int zero;

static void try(const char *what, void (*f)(void), void *addr) {
  got_sig = got_code = 0;
  got_addr = NULL;
  if (sigsetjmp(back, 1) == 0) { f(); printf("%s: no fault\n", what); return; }
  printf("%s: sig %d code %d addr ok %d\n", what, got_sig, got_code, addr == NULL || got_addr == addr);
}

static void segv_unmapped(void) { __asm__ volatile("sw $0, 16($0)" ::: "memory"); }
static void segv_readonly(void) { *(volatile char *)text = 1; }
static int words[2];
static void bus_misaligned(void) { int v; __asm__ volatile("lw %0, 2(%1)" : "=r"(v) : "r"(words)); }
static void fpe_divide(void) { volatile int x = 7 / zero; (void)x; }
static void ill_privileged(void) { unsigned v; __asm__ volatile("mfc0 %0, $12" : "=r"(v)); }
static void trap_break(void) { __asm__ volatile("break 5"); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
  for (int i = 0; i < 5; i++) sigaction(sigs[i], &sa, NULL);
  try("store to an unmapped page", segv_unmapped, (void *)16);
  try("store to read-only data", segv_readonly, (void *)text);
  try("misaligned load", bus_misaligned, (char *)words + 2);
  try("integer division by zero", fpe_divide, NULL);
  try("privileged instruction", ill_privileged, NULL);
  try("break", trap_break, NULL);
  sigset_t set;
  sigprocmask(SIG_BLOCK, NULL, &set);
  printf("mask restored by siglongjmp: SIGSEGV blocked %d\n", sigismember(&set, SIGSEGV));

  int st;
  pid_t pid = fork();
  if (pid == 0) {
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    segv_unmapped();
    _exit(0);
  }
  waitpid(pid, &st, 0);
  printf("blocked SIGSEGV: child signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
  pid = fork();
  if (pid == 0) { signal(SIGILL, SIG_DFL); ill_privileged(); _exit(0); }
  waitpid(pid, &st, 0);
  printf("uncaught SIGILL: child signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
  printf("done\n");
  return 0;
}
