/*
 * The program execve'd by exec_main (and booted directly): prints its arguments, environment,
 * the auxiliary vector's checkable entries, and the state execve keeps or resets (signal
 * dispositions and mask, descriptors 3 and 4, the working directory). With "die", SIGTERM kills it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc %d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d] \"%s\"\n", i, argv[i]);
  for (char **e = environ; *e; e++) printf("env \"%s\"\n", *e);
  printf("argv[argc] NULL %d\n", argv[argc] == NULL);
  const Elf32_Phdr *ph = (const Elf32_Phdr *)getauxval(AT_PHDR);
  printf("auxv: pagesz %lu phent %lu phnum ok %d phdr ok %d random %d execfn \"%s\" uid %lu secure %lu\n",
         getauxval(AT_PAGESZ), getauxval(AT_PHENT), getauxval(AT_PHNUM) > 0 && getauxval(AT_PHNUM) < 20,
         ph != NULL && (ph[0].p_type == PT_PHDR || ph[0].p_type == PT_LOAD || ph[0].p_type == PT_MIPS_ABIFLAGS),
         getauxval(AT_RANDOM) != 0, (const char *)getauxval(AT_EXECFN), getauxval(AT_UID), getauxval(AT_SECURE));
  if (argc > 1 && strcmp(argv[1], "die") == 0) { fflush(stdout); raise(SIGTERM); }
  if (argc > 1 && strcmp(argv[1], "state") == 0) {
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("caught SIGUSR1 now default %d\n", sa.sa_handler == SIG_DFL);
    sigaction(SIGUSR2, NULL, &sa);
    printf("ignored SIGUSR2 still ignored %d\n", sa.sa_handler == SIG_IGN);
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("blocked SIGTERM still blocked %d\n", sigismember(&m, SIGTERM));
    printf("fd 3 (inherited) open %d, fd 4 (close-on-exec) open %d\n", fcntl(3, F_GETFD) >= 0, fcntl(4, F_GETFD) >= 0);
    char cwd[256];
    printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
  }
  return argc;
}
