/* Dense double-precision linear algebra: matrix multiply (naive and blocked),
 * transpose, LU decomposition with partial pivoting, solve, determinant. */
#include <stdio.h>
#include <math.h>
#include <string.h>

#define N 64
static double A[N][N], B[N][N], C[N][N], D[N][N], LU[N][N];

int main(void) {
  unsigned s = 7;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      s = s * 1103515245u + 12345u;
      A[i][j] = ((int)(s >> 16) % 2001 - 1000) / 250.0;
      s = s * 1103515245u + 12345u;
      B[i][j] = ((int)(s >> 16) % 2001 - 1000) / 333.0 + (i == j ? 4.0 : 0.0);
    }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double acc = 0;
      for (int k = 0; k < N; k++) acc += A[i][k] * B[k][j];
      C[i][j] = acc;
    }
  memset(D, 0, sizeof D);
  for (int ii = 0; ii < N; ii += 16)
    for (int kk = 0; kk < N; kk += 16)
      for (int jj = 0; jj < N; jj += 16)
        for (int i = ii; i < ii + 16; i++)
          for (int k = kk; k < kk + 16; k++) {
            double a = A[i][k];
            for (int j = jj; j < jj + 16; j++) D[i][j] += a * B[k][j];
          }
  double tr = 0, maxdiff = 0, fro = 0;
  for (int i = 0; i < N; i++) {
    tr += C[i][i];
    for (int j = 0; j < N; j++) {
      double d = fabs(C[i][j] - D[i][j]);
      if (d > maxdiff) maxdiff = d;
      fro += C[i][j] * C[i][j];
    }
  }
  printf("trace %.17g frobenius %.17g blocked-maxdiff-small %d\n", tr, sqrt(fro), maxdiff < 1e-9);
  printf("C[0][0] %.17g C[31][17] %.17g C[63][63] %a\n", C[0][0], C[31][17], C[63][63]);

  /* LU decomposition of B with partial pivoting */
  memcpy(LU, B, sizeof LU);
  int perm[N], swaps = 0;
  for (int i = 0; i < N; i++) perm[i] = i;
  for (int k = 0; k < N; k++) {
    int p = k;
    for (int i = k + 1; i < N; i++) if (fabs(LU[i][k]) > fabs(LU[p][k])) p = i;
    if (p != k) {
      double tmp[N];
      memcpy(tmp, LU[k], sizeof tmp); memcpy(LU[k], LU[p], sizeof tmp); memcpy(LU[p], tmp, sizeof tmp);
      int t = perm[k]; perm[k] = perm[p]; perm[p] = t;
      swaps++;
    }
    for (int i = k + 1; i < N; i++) {
      LU[i][k] /= LU[k][k];
      for (int j = k + 1; j < N; j++) LU[i][j] -= LU[i][k] * LU[k][j];
    }
  }
  double logdet = 0;
  int sign = swaps % 2 ? -1 : 1;
  for (int i = 0; i < N; i++) { logdet += log(fabs(LU[i][i])); if (LU[i][i] < 0) sign = -sign; }
  printf("swaps %d det sign %d log|det| %.17g\n", swaps, sign, logdet);
  /* solve B x = b where b = B * ones */
  double b[N], x[N], y[N];
  for (int i = 0; i < N; i++) { b[i] = 0; for (int j = 0; j < N; j++) b[i] += B[i][j]; }
  for (int i = 0; i < N; i++) {
    y[i] = b[perm[i]];
    for (int j = 0; j < i; j++) y[i] -= LU[i][j] * y[j];
  }
  for (int i = N - 1; i >= 0; i--) {
    x[i] = y[i];
    for (int j = i + 1; j < N; j++) x[i] -= LU[i][j] * x[j];
    x[i] /= LU[i][i];
  }
  double err = 0;
  for (int i = 0; i < N; i++) err = fmax(err, fabs(x[i] - 1.0));
  printf("solve max error small %d x0 %.17g x63 %.17g\n", err < 1e-9, x[0], x[N - 1]);
  /* power iteration for dominant eigenvalue of A^T A */
  double v[N], w[N];
  for (int i = 0; i < N; i++) v[i] = 1.0;
  double lambda = 0;
  for (int it = 0; it < 50; it++) {
    for (int i = 0; i < N; i++) { w[i] = 0; for (int j = 0; j < N; j++) w[i] += A[i][j] * v[j]; }
    for (int i = 0; i < N; i++) { v[i] = 0; for (int j = 0; j < N; j++) v[i] += A[j][i] * w[j]; }
    double norm = 0;
    for (int i = 0; i < N; i++) norm += v[i] * v[i];
    norm = sqrt(norm);
    lambda = norm;
    for (int i = 0; i < N; i++) v[i] /= norm;
  }
  printf("power iteration lambda %.10g\n", lambda);
  return 0;
}
