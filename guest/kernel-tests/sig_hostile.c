/*
 * Hostile uses of the signal calls, differential (qemu-mips and the guest kernel print the same
 * lines): bad pointers give EFAULT, bad sizes and numbers EINVAL; a sigreturn with no frame, a
 * signal whose frame cannot be written (sp pointing nowhere) and a frame that returns to a kernel
 * address kill the child with SIGSEGV, never the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void handler(int sig) { (void)sig; }

static void child_dies(const char *what, void (*f)(void)) {
  pid_t pid = fork();
  if (pid == 0) { f(); _exit(0); }
  int st;
  waitpid(pid, &st, 0);
  printf("%s: signaled %d by %d\n", what, WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static void sigreturn_nowhere(void) {
  __asm__ volatile("li $29, 0x100\n\tli $2, 4193\n\tsyscall" ::: "$2", "memory");
}

static void frame_nowhere(void) {
  signal(SIGUSR1, handler);
  unsigned pid = (unsigned)getpid();
  __asm__ volatile("move $4, %0\n\tli $5, 16\n\tli $29, 0x100\n\tli $2, 4037\n\tsyscall" :: "r"(pid) : "$2", "$4", "$5", "memory");
}

static void on_usr2(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)si;
  ucontext_t *u = uc;
  u->uc_mcontext.pc = 0xc0000000u;             /* sigreturn goes back to a kernel address */
}

static void return_to_kernel(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr2;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
}

#define TRY(what, call) do { errno = 0; long r = (call); printf("%s: %ld errno %d\n", what, r, r < 0 ? errno : 0); } while (0)

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  void *kernel = (void *)0xc0000000u, *unmapped = (void *)0x1000;
  TRY("rt_sigaction kernel act", syscall(SYS_rt_sigaction, SIGUSR1, kernel, NULL, 16));
  TRY("rt_sigaction unmapped oact", syscall(SYS_rt_sigaction, SIGUSR1, NULL, unmapped, 16));
  TRY("rt_sigaction size 8", syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 8));
  TRY("rt_sigaction signal 0", syscall(SYS_rt_sigaction, 0, NULL, NULL, 16));
  TRY("rt_sigaction signal 129", syscall(SYS_rt_sigaction, 129, NULL, NULL, 16));
  TRY("rt_sigprocmask kernel set", syscall(SYS_rt_sigprocmask, SIG_BLOCK, kernel, NULL, 16));
  TRY("rt_sigprocmask bad how", syscall(SYS_rt_sigprocmask, 7, unmapped, NULL, 16));
  TRY("rt_sigpending unmapped", syscall(SYS_rt_sigpending, unmapped, 16));
  TRY("rt_sigsuspend kernel mask", syscall(SYS_rt_sigsuspend, kernel, 16));
  TRY("sigaltstack kernel", syscall(SYS_sigaltstack, kernel, NULL));
  TRY("kill signal -1", kill(getpid(), -1));
  TRY("kill signal 0 to self", kill(getpid(), 0));
  TRY("tgkill wrong group", syscall(SYS_tgkill, getpid() + 1000, getpid(), SIGUSR1));
  TRY("tkill tid 0", syscall(SYS_tkill, 0, SIGUSR1));
  child_dies("rt_sigreturn with no frame", sigreturn_nowhere);
  child_dies("a signal frame that cannot be written", frame_nowhere);
  child_dies("sigreturn to a kernel address", return_to_kernel);
  printf("done\n");
  return 0;
}
