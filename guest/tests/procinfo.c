/* Process and system information calls glibc programs make: times, getrusage, sysinfo,
 * getresuid, personality, sched_getaffinity, process groups, mlock, getgroups. Prints what
 * does not depend on the machine. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <unistd.h>

int main(void) {
  struct tms t;
  struct rusage ru;
  struct sysinfo si;
  cpu_set_t cs;
  uid_t r, e, s;
  gid_t gr, ge, gs;
  printf("times %d\n", times(&t) != (clock_t)-1);
  printf("getrusage self %d children %d bad %d\n", getrusage(RUSAGE_SELF, &ru), getrusage(RUSAGE_CHILDREN, &ru), getrusage(42, &ru));
  printf("sysinfo %d procs %d ram %d unit %u\n", sysinfo(&si), si.procs > 0, si.totalram >= si.freeram && si.freeram > 0, si.mem_unit);
  printf("getresuid %d same %d getresgid %d same %d\n", getresuid(&r, &e, &s), r == getuid() && e == geteuid(), getresgid(&gr, &ge, &gs), gr == getgid());
  printf("personality %d\n", personality(0xffffffff) & 0xff);
  printf("affinity %d cpus %d\n", sched_getaffinity(0, sizeof cs, &cs), CPU_COUNT(&cs) > 0);
  /* a container may put the session leader outside our pid namespace: ids can be 0 */
  printf("getpgrp %d getsid %d\n", getpgrp() >= 0, getsid(0) >= 0);
  printf("mlock %d munlock %d\n", mlock(&t, sizeof t), munlock(&t, sizeof t));
  printf("getgroups %d\n", getgroups(0, 0) >= 0);
  return 0;
}
