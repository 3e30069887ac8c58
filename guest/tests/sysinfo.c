/* System information that must be stable: uname sysname, getcwd success,
 * process ids positive, page size sane, rlimits readable. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/utsname.h>
#include <sys/resource.h>

int main(void) {
  struct utsname u;
  if (uname(&u) == 0) printf("sysname %s\n", u.sysname);
  else printf("uname failed\n");
  printf("nodename nonempty %s\n", u.nodename[0] ? "ok" : "FAIL");
  char cwd[PATH_MAX];
  printf("getcwd %s\n", getcwd(cwd, sizeof cwd) && cwd[0] == '/' ? "ok" : "FAIL");
  char tiny[2];
  printf("getcwd tiny buffer fails %s\n", getcwd(tiny, sizeof tiny) == NULL ? "ok" : "FAIL");
  printf("getpid %s\n", getpid() > 0 ? "ok" : "FAIL");
  printf("getppid %s\n", getppid() >= 0 ? "ok" : "FAIL");
  printf("uid consistency %s\n", getuid() == getuid() && getgid() == getgid() ? "ok" : "FAIL");
  long ps = sysconf(_SC_PAGESIZE);
  printf("pagesize %s\n", ps >= 4096 && (ps & (ps - 1)) == 0 && ps == getpagesize() ? "ok" : "FAIL");
  struct rlimit rl;
  printf("getrlimit %s\n", getrlimit(RLIMIT_STACK, &rl) == 0 ? "ok" : "FAIL");
  printf("sizeof int %u long %u ptr %u llong %u\n", (unsigned)sizeof(int), (unsigned)sizeof(long),
         (unsigned)sizeof(void *), (unsigned)sizeof(long long));
  union { unsigned u; unsigned char c[4]; } e = {0x01020304};
  printf("big endian %d\n", e.c[0] == 1);
  return 0;
}
