/* Time APIs, checked without printing anything time-dependent: clock_gettime
 * (monotonic/realtime), gettimeofday, time, nanosleep, clock, times. */
#include <stdio.h>
#include <time.h>
#include <sys/time.h>
#include <sys/times.h>

static long long ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(void) {
  struct timespec a, b, r;
  int ok = clock_gettime(CLOCK_MONOTONIC, &a) == 0;
  volatile unsigned spin = 0;
  for (int i = 0; i < 100000; i++) spin += (unsigned)i;
  ok = ok && clock_gettime(CLOCK_MONOTONIC, &b) == 0;
  printf("monotonic %s\n", ok && ns(&b) >= ns(&a) && a.tv_nsec >= 0 && a.tv_nsec < 1000000000 ? "ok" : "FAIL");
  ok = clock_gettime(CLOCK_REALTIME, &r) == 0 && r.tv_sec > 1500000000;
  printf("realtime %s\n", ok ? "ok" : "FAIL");
  printf("getres %s\n", clock_getres(CLOCK_MONOTONIC, &r) == 0 && ns(&r) > 0 && ns(&r) <= 10000000 ? "ok" : "FAIL");
  struct timeval tv;
  ok = gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1500000000 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
  printf("gettimeofday %s\n", ok ? "ok" : "FAIL");
  time_t t1 = time(NULL);
  printf("time %s\n", t1 > 1500000000 ? "ok" : "FAIL");
  struct timespec req = {0, 2000000}, m1, m2;
  clock_gettime(CLOCK_MONOTONIC, &m1);
  int rc = nanosleep(&req, NULL);
  clock_gettime(CLOCK_MONOTONIC, &m2);
  printf("nanosleep %s\n", rc == 0 && ns(&m2) - ns(&m1) >= 2000000 ? "ok" : "FAIL");
  clock_t c = clock();
  printf("clock %s\n", c != (clock_t)-1 ? "ok" : "FAIL");
  struct tms tm;
  printf("times %s\n", times(&tm) != (clock_t)-1 ? "ok" : "FAIL");
  struct tm g;
  time_t fixed = 1000000000;
  gmtime_r(&fixed, &g);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %j", &g);
  printf("gmtime(1e9) %s\n", buf);
  printf("mktime-ish timegm %lld\n", (long long)timegm(&g));
  (void)spin;
  return 0;
}
