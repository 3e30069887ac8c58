/*
 * MP smoke test: CPU 0 starts every other CPU; each counts itself in with LL/SC and a shared
 * sum; CPU 0 then sends each an IPI carrying a token, which it answers by adding the token to a
 * second counter. CPU 0 prints the totals and powers off with status 0 if they are right.
 */
#include "bare.h"

static volatile int arrived;
static volatile int sum;
static volatile int answered;

static void secondary(unsigned me) {
  atomic_add(&sum, (int)me);
  atomic_add(&arrived, 1);
  for (;;) {
    if (ipi_pending()) {
      unsigned token = ipi_data();
      ipi_clear();
      atomic_add(&answered, (int)token);
    }
  }
}

int bare_main(unsigned arg) {
  unsigned me = whoami(), n = ncpus();
  if (me != 0) { secondary(me); return 0; }
  (void)arg;
  for (unsigned c = 1; c < n; c++) start_cpu(c, c);
  atomic_add(&arrived, 1);
  while (arrived != (int)n) { }
  for (unsigned c = 1; c < n; c++) send_ipi(c, 100 + c);
  int want = 0;
  for (unsigned c = 1; c < n; c++) want += (int)(100 + c);
  while (answered != want) { }
  printf_("hello from %u cpus on %u nodes\n", n, nnodes());
  printf_("sum of cpu ids %d, ipi tokens %d\n", sum, answered);
  return sum == (int)(n * (n - 1) / 2) ? 0 : 1;
}
