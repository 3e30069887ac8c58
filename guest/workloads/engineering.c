/* engineering: the memory-intensive multi-process simulation of the Disco paper's Engineering
 * workload (README.md). `engineering [-p PROCS] [-n GRID] [-t STEPS]` simulates heat flow on a
 * GRID x GRID plate of varying conductivity by the explicit finite-difference (Jacobi) scheme,
 * u' = u + k (u_N + u_S + u_E + u_W - 4u), edges held fixed. The interior rows are split into
 * PROCS bands, each simulated by a process in its own memory (a forked child each, the parent
 * the last); after every step a process passes its first and last rows to its neighbours
 * through pipes (even ranks send first, odd ranks receive first, so the exchange completes even
 * through unbuffered pipes). Every cell's value is computed by the same operations in the same
 * order whatever the partition, so the sum of the bands' mixed cell bits, gathered by the parent
 * through a pipe, depends only on GRID and STEPS: `engineering checksum 0x........`. */
#include <sys/wait.h>
#include "common.h"

static long n, steps;

static double initial(long i, long j) {   /* a hot spot, a cold bar, a ripple */
  double x = (double)i / (double)(n - 1), y = (double)j / (double)(n - 1);
  double v = 20.0 + (double)((i * 7 + j * 13) % 17);
  if ((x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) < 0.02) v = 400.0;
  if (x > 0.6 && x < 0.7 && y > 0.2) v = -50.0;
  return v;
}

static double conductivity(long i, long j) { return 0.05 + 0.04 * (double)((i * 31 + j * 17) % 5); }

static void send_row(int fd, const double *row) {
  if (fd >= 0 && write_all(fd, row, (size_t)n * sizeof *row) < 0) fail("engineering", "pipe write");
}
static void recv_row(int fd, double *row) {
  if (fd >= 0 && read_all(fd, row, (size_t)n * sizeof *row) < 0) fail("engineering", "pipe read");
}

/* One band: rows [lo, hi) of the plate with one halo row on each side. up_in/up_out talk to the
 * band above, down_in/down_out to the band below (-1 at the plate's edges). Returns the sum. */
static uint32_t simulate(int rank, long lo, long hi, int up_in, int up_out, int down_in, int down_out) {
  long rows = hi - lo + 2;
  double *u = malloc((size_t)(rows * n) * sizeof *u), *v = malloc((size_t)(rows * n) * sizeof *v);
  double *k = malloc((size_t)(rows * n) * sizeof *k);
  if (!u || !v || !k) { fprintf(stderr, "engineering: out of memory\n"); exit(1); }
  for (long r = 0; r < rows; r++)
    for (long j = 0; j < n; j++) {
      u[r * n + j] = v[r * n + j] = initial(lo - 1 + r, j);
      k[r * n + j] = conductivity(lo - 1 + r, j);
    }
  for (long t = 0; t < steps; t++) {
    for (long r = 1; r < rows - 1; r++) {
      const double *c = u + r * n, *kk = k + r * n;
      double *o = v + r * n;
      for (long j = 1; j < n - 1; j++) o[j] = c[j] + kk[j] * (c[j - n] + c[j + n] + c[j - 1] + c[j + 1] - 4.0 * c[j]);
    }
    double *s = u; u = v; v = s;
    double *first = u + n, *last = u + (rows - 2) * n, *above = u, *below = u + (rows - 1) * n;
    if (rank % 2 == 0) {
      send_row(down_out, last); send_row(up_out, first); recv_row(up_in, above); recv_row(down_in, below);
    } else {
      recv_row(up_in, above); recv_row(down_in, below); send_row(up_out, first); send_row(down_out, last);
    }
  }
  uint32_t sum = 0;
  for (long r = 1; r < rows - 1; r++)
    for (long j = 0; j < n; j++) {
      uint64_t bits;
      memcpy(&bits, &u[r * n + j], sizeof bits);
      sum += mix32((uint32_t)(bits >> 32) ^ mix32((uint32_t)bits) ^ (uint32_t)((lo - 1 + r) * n + j) * 0x9e3779b9u);
    }
  return sum;
}

int main(int argc, char **argv) {
  long procs = 2;
  n = 64; steps = 20;
  for (int o; (o = getopt(argc, argv, "p:n:t:")) != -1;) {
    switch (o) {
      case 'p': procs = num_arg("engineering", o, optarg, 1, 64); break;
      case 'n': n = num_arg("engineering", o, optarg, 3, 8192); break;
      case 't': steps = num_arg("engineering", o, optarg, 0, 1000000); break;
      default: fprintf(stderr, "usage: engineering [-p PROCS] [-n GRID] [-t STEPS]\n"); return 2;
    }
  }
  if (optind != argc || procs > n - 2) { fprintf(stderr, "usage: engineering [-p PROCS] [-n GRID] [-t STEPS] (PROCS <= GRID - 2)\n"); return 2; }

  /* Band r gets rows [1 + r (n-2) / P, 1 + (r+1) (n-2) / P). Pipes are made as the bands are
   * forked, so the parent holds at most two links' pipes at a time: link r joins bands r and
   * r + 1, down[r] carrying rows from r to r + 1, up[r] from r + 1 to r. */
  int result[2], down[2][2] = { { -1, -1 }, { -1, -1 } }, up[2][2] = { { -1, -1 }, { -1, -1 } };
  uint32_t total = 0;
  if (pipe(result) < 0) fail("engineering", "pipe");
  for (long r = 0; r < procs; r++) {
    int *adown = down[(r + 1) % 2], *aup = up[(r + 1) % 2];   /* link r - 1, to the band above */
    int *bdown = down[r % 2], *bup = up[r % 2];               /* link r, to the band below */
    if (r < procs - 1 && (pipe(bdown) < 0 || pipe(bup) < 0)) fail("engineering", "pipe");
    pid_t pid = r < procs - 1 ? fork() : 0;   /* the last band is the parent's own */
    if (pid < 0) fail("engineering", "fork");
    if (pid == 0) {
      if (r > 0) { close(adown[1]); close(aup[0]); }
      if (r < procs - 1) { close(result[0]); close(bdown[0]); close(bup[1]); }
      uint32_t sum = simulate((int)r, 1 + r * (n - 2) / procs, 1 + (r + 1) * (n - 2) / procs,
                              r > 0 ? adown[0] : -1, r > 0 ? aup[1] : -1,
                              r < procs - 1 ? bup[0] : -1, r < procs - 1 ? bdown[1] : -1);
      if (r == procs - 1) { total = sum; break; }
      if (write_all(result[1], &sum, sizeof sum) < 0) fail("engineering", "result pipe");
      _exit(0);
    }
    if (r > 0) { close(adown[0]); close(adown[1]); close(aup[0]); close(aup[1]); }
  }
  close(result[1]);
  for (long r = 0; r < procs - 1; r++) {
    uint32_t sum;
    if (read_all(result[0], &sum, sizeof sum) < 0) fail("engineering", "result pipe");
    total += sum;
  }
  for (long r = 0; r < procs - 1; r++) {
    int status;
    if (wait(&status) < 0) fail("engineering", "wait");
    if (!WIFEXITED(status) || WEXITSTATUS(status)) { fprintf(stderr, "engineering: a band failed (status 0x%x)\n", status); return 1; }
  }
  printf("engineering: %ldx%ld plate, %ld steps\n", n, n, steps);
  printf("engineering checksum 0x%08x\n", total);
  return 0;
}
