/*
 * Signal delivery differential test: one line per check, the same under qemu-mips and under the
 * guest kernel (tests/kernel/exec.test.ts). Handlers and siginfo (signo, code, pid), the
 * sigreturn path restoring every register (set in assembly around a raw kill system call),
 * masks (sigprocmask, sa_mask, SA_NODEFER, SA_RESETHAND, the mask inside the handler),
 * pending signals, ignoring, sigaltstack, rt_sigtimedwait, and an uncaught signal's wait status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile int hits, depth, max_depth, raised, got_sig, got_code, got_pid_ok, in_mask_usr2, on_alt;
static char altstack[65536];

static void handler(int sig) { hits++; got_sig = sig; }

static void info_handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  hits++;
  got_sig = sig;
  got_code = si->si_code;
  got_pid_ok = si->si_pid == getpid();
}

static void mask_handler(int sig) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  in_mask_usr2 = sigismember(&now, SIGUSR2) * 10 + sigismember(&now, sig);
  hits++;
}

static void nested_handler(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  if (raised++ < 2) raise(sig);                /* at once only with SA_NODEFER, else after return */
  depth--;
}

static void alt_handler(int sig) {
  char here;
  (void)sig;
  on_alt = &here >= altstack && &here < altstack + sizeof altstack;
  stack_t cur;
  sigaltstack(NULL, &cur);
  on_alt += (cur.ss_flags & SS_ONSTACK) ? 10 : 0;
}

/* The clobbering handler: changes every caller-saved and callee-saved register it can. */
static void clobber_handler(int sig) {
  (void)sig;
  __asm__ volatile("li $8, 0x11111111\n\tli $9, 0x22222222\n\tli $16, 0x33333333\n\tli $17, 0x44444444\n\t"
                   "li $23, 0x55555555\n\tli $30, 0x66666666\n\tmthi $8\n\tmtlo $9"
                   ::: "$8", "$9", "$16", "$17", "$23", "$30", "hi", "lo", "memory");
  hits++;
}

/* kill(getpid(), SIGUSR1) from assembly with known values in registers; 1 if they all survived. */
static int registers_survive(void) {
  unsigned pid = (unsigned)getpid(), bad;
  __asm__ volatile(
    ".set push\n\t.set noreorder\n\t"
    "li $16, 0x01020304\n\tli $17, 0x05060708\n\tli $23, 0x090a0b0c\n\tli $30, 0x0d0e0f10\n\t"
    "li $8, 0x7f7f7f7f\n\tmthi $8\n\tli $8, 0x17171717\n\tmtlo $8\n\t"
    "move $4, %1\n\tli $5, 16\n\tli $2, 4037\n\tsyscall\n\t"
    "li %0, 0\n\t"
    "li $8, 0x01020304\n\tbeq $16, $8, 1f\n\tnop\n\tori %0, %0, 1\n"
    "1:\tli $8, 0x05060708\n\tbeq $17, $8, 2f\n\tnop\n\tori %0, %0, 2\n"
    "2:\tli $8, 0x090a0b0c\n\tbeq $23, $8, 3f\n\tnop\n\tori %0, %0, 4\n"
    "3:\tli $8, 0x0d0e0f10\n\tbeq $30, $8, 4f\n\tnop\n\tori %0, %0, 8\n"
    "4:\tmfhi $9\n\tli $8, 0x7f7f7f7f\n\tbeq $9, $8, 5f\n\tnop\n\tori %0, %0, 16\n"
    "5:\tmflo $9\n\tli $8, 0x17171717\n\tbeq $9, $8, 6f\n\tnop\n\tori %0, %0, 32\n"
    "6:\n\t.set pop"
    : "=&r"(bad) : "r"(pid)
    : "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
      "$16", "$17", "$23", "$24", "$25", "$30", "$31", "hi", "lo", "memory");
  return bad == 0 ? 1 : -(int)bad;
}

static void set(int sig, void (*h)(int), int flags, int masked) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (masked) sigaddset(&sa.sa_mask, masked);
  sigaction(sig, &sa, NULL);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  set(SIGUSR1, handler, 0, 0);
  kill(getpid(), SIGUSR1);
  printf("kill self: hits %d sig %d\n", hits, got_sig);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = info_handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, NULL);
  kill(getpid(), SIGUSR2);
  printf("siginfo kill: sig %d code %d pid ok %d\n", got_sig, got_code, got_pid_ok);
  raise(SIGUSR2);
  printf("siginfo raise: sig %d code %d pid ok %d\n", got_sig, got_code, got_pid_ok);
  syscall(SYS_tkill, (int)syscall(SYS_gettid), SIGUSR2);
  printf("siginfo tkill: sig %d code %d pid ok %d\n", got_sig, got_code, got_pid_ok);

  set(SIGUSR1, clobber_handler, 0, 0);
  hits = 0;
  printf("registers after handler: %d, handler ran %d\n", registers_survive(), hits);

  sigset_t set1, old, pend;
  sigemptyset(&set1);
  sigaddset(&set1, SIGUSR1);
  set(SIGUSR1, handler, 0, 0);
  hits = 0;
  sigprocmask(SIG_BLOCK, &set1, &old);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  sigpending(&pend);
  printf("blocked: hits %d pending %d was blocked %d\n", hits, sigismember(&pend, SIGUSR1), sigismember(&old, SIGUSR1));
  sigprocmask(SIG_UNBLOCK, &set1, NULL);
  sigpending(&pend);
  printf("unblocked: hits %d (standard signals do not queue) pending %d\n", hits, sigismember(&pend, SIGUSR1));

  set(SIGUSR1, mask_handler, 0, SIGUSR2);
  raise(SIGUSR1);
  printf("mask in handler: usr2 %d self %d\n", in_mask_usr2 / 10, in_mask_usr2 % 10);
  set(SIGUSR1, mask_handler, SA_NODEFER, 0);
  raise(SIGUSR1);
  printf("mask in SA_NODEFER handler: usr2 %d self %d\n", in_mask_usr2 / 10, in_mask_usr2 % 10);
  sigprocmask(SIG_BLOCK, NULL, &old);
  printf("mask restored after handlers: usr1 %d usr2 %d\n", sigismember(&old, SIGUSR1), sigismember(&old, SIGUSR2));

  set(SIGUSR1, nested_handler, 0, 0);
  raise(SIGUSR1);
  printf("nesting without SA_NODEFER: %d\n", max_depth);
  max_depth = raised = 0;
  set(SIGUSR1, nested_handler, SA_NODEFER, 0);
  raise(SIGUSR1);
  printf("nesting with SA_NODEFER: %d\n", max_depth);

  set(SIGUSR1, handler, SA_RESETHAND, 0);
  hits = 0;
  raise(SIGUSR1);
  sigaction(SIGUSR1, NULL, &sa);
  printf("SA_RESETHAND: hits %d now default %d\n", hits, sa.sa_handler == SIG_DFL);

  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  printf("ignored SIGUSR2: still here\n");
  signal(SIGCHLD, SIG_DFL);
  raise(SIGCHLD);
  printf("default-ignored SIGCHLD: still here\n");

  stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
  printf("sigaltstack: %d\n", sigaltstack(&ss, NULL));
  set(SIGUSR1, alt_handler, SA_ONSTACK, 0);
  raise(SIGUSR1);
  printf("handler on the alternate stack %d, SS_ONSTACK %d\n", on_alt % 10, on_alt / 10);
  set(SIGUSR1, alt_handler, 0, 0);
  raise(SIGUSR1);
  printf("handler without SA_ONSTACK on it %d\n", on_alt % 10);
  stack_t small = { .ss_sp = altstack, .ss_size = 100, .ss_flags = 0 };
  int r = sigaltstack(&small, NULL);
  printf("too small an alternate stack: %d errno ENOMEM %d\n", r, r < 0 && errno == ENOMEM);

  sigemptyset(&set1);
  sigaddset(&set1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set1, NULL);
  kill(getpid(), SIGUSR1);
  siginfo_t si;
  struct timespec ts = { 0, 50000000 };
  int s = sigtimedwait(&set1, &si, &ts);
  printf("sigtimedwait: %d code %d\n", s, si.si_code);
  s = sigtimedwait(&set1, &si, &ts);
  printf("sigtimedwait with none pending: %d EAGAIN %d\n", s, s < 0 && errno == EAGAIN);
  sigprocmask(SIG_UNBLOCK, &set1, NULL);

  printf("kill bad signal: %d EINVAL %d\n", kill(getpid(), 200), errno == EINVAL);
  printf("kill no such process: %d ESRCH %d\n", kill(30000, SIGUSR1), errno == ESRCH);
  printf("sigaction SIGKILL: %d EINVAL %d\n", sigaction(SIGKILL, &sa, NULL), errno == EINVAL);

  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGTERM, SIG_DFL);
    for (;;) pause();
  }
  kill(pid, SIGTERM);
  int st;
  waitpid(pid, &st, 0);
  printf("child killed: signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
  pid = fork();
  if (pid == 0) { raise(SIGABRT); _exit(3); }
  waitpid(pid, &st, 0);
  printf("child raised SIGABRT: signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
  printf("done\n");
  return 0;
}
