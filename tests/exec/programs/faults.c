/* Dies the way argv[1] says: segv, abort, divzero, sigterm, bus, pipe (writes forever); or spins forever. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "";
  printf("dying by %s\n", how);
  fflush(stdout);
  if (!strcmp(how, "segv")) return *(volatile int *)0x10;
  if (!strcmp(how, "abort")) abort();
  if (!strcmp(how, "divzero")) { volatile int z = argc - 2; return 10 / z; }
  if (!strcmp(how, "sigterm")) raise(SIGTERM);
  if (!strcmp(how, "bus")) { char *p = malloc(16); return *(int *volatile)(p + argc - 1); }
  if (!strcmp(how, "pipe")) for (;;) puts("y");
  if (!strcmp(how, "spin")) for (volatile unsigned i = 0;; i++) continue;
  return 0;
}
