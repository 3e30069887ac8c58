/* fpbench: floating-point benchmark.
 * Usage: fpbench [SIZE]   (SIZE = work units, default 120)
 * 1. n-body simulation (5 bodies, double precision, sqrt + division);
 * 2. dense matrix multiply (double);
 * 3. a Newton iteration / division / sqrt loop in single and double.
 * Only +, -, *, / and sqrt are used (all correctly rounded in IEEE 754), so
 * the printed checksum is bit-identical on every correct platform. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

struct body { double x, y, z, vx, vy, vz, mass; };

static struct body bodies[5] = {
  {0, 0, 0, 0, 0, 0, SOLAR_MASS},
  {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
   7.69901118419740425e-03 * DAYS_PER_YEAR, -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
  {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS_PER_YEAR,
   4.99852801234917238e-03 * DAYS_PER_YEAR, 2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
  {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
   2.37847173959480950e-03 * DAYS_PER_YEAR, -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
  {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS_PER_YEAR,
   1.62824170038242295e-03 * DAYS_PER_YEAR, -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS}};

static double energy(void) {
  double e = 0;
  for (int i = 0; i < 5; i++) {
    struct body *b = &bodies[i];
    e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    for (int j = i + 1; j < 5; j++) {
      struct body *c = &bodies[j];
      double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
      e -= (b->mass * c->mass) / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(double dt) {
  for (int i = 0; i < 5; i++) {
    struct body *b = &bodies[i];
    for (int j = i + 1; j < 5; j++) {
      struct body *c = &bodies[j];
      double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * sqrt(d2));
      b->vx -= dx * c->mass * mag; b->vy -= dy * c->mass * mag; b->vz -= dz * c->mass * mag;
      c->vx += dx * b->mass * mag; c->vy += dy * b->mass * mag; c->vz += dz * b->mass * mag;
    }
  }
  for (int i = 0; i < 5; i++) {
    struct body *b = &bodies[i];
    b->x += dt * b->vx; b->y += dt * b->vy; b->z += dt * b->vz;
  }
}

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

#define M 96
static double A[M][M], B[M][M], C[M][M];

int main(int argc, char **argv) {
  int size = argc > 1 ? atoi(argv[1]) : 120;
  if (size < 1) size = 1;
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < 5; i++) {
    px += bodies[i].vx * bodies[i].mass; py += bodies[i].vy * bodies[i].mass; pz += bodies[i].vz * bodies[i].mass;
  }
  bodies[0].vx = -px / SOLAR_MASS; bodies[0].vy = -py / SOLAR_MASS; bodies[0].vz = -pz / SOLAR_MASS;
  double e0 = energy();
  for (int s = 0; s < size * 3000; s++) advance(0.01);
  double e1 = energy();
  printf("nbody energy %.9f -> %.9f\n", e0, e1);

  for (int i = 0; i < M; i++)
    for (int j = 0; j < M; j++) {
      A[i][j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
      B[i][j] = (double)((i * 5 + j * 11) % 13) / 6.0 - 1.0;
    }
  double trace = 0;
  for (int rep = 0; rep < 1 + size / 10; rep++) {
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        double acc = 0;
        for (int k = 0; k < M; k++) acc += A[i][k] * B[k][j];
        C[i][j] = acc;
      }
    for (int i = 0; i < M; i++) {
      trace += C[i][i];
      A[i][(i + rep) % M] += 0.001;
    }
  }
  printf("matmul trace %.6f\n", trace);

  double x = 0, y = 1;
  float fx = 0;
  for (int i = 1; i <= size * 10000; i++) {
    double v = (double)i;
    double r = 1.0 / sqrt(v);
    y = y * 0.5 + (v / (y + 1.0)) * 0.5; /* Newton-ish */
    x += r - 1.0 / (v + 0.5);
    fx += sqrtf((float)(i & 1023)) / (float)(1 + (i & 7));
  }
  printf("loop %.12e %.6f %.3f\n", x, y, (double)fx);
  uint64_t h = bits(e1) ^ (bits(trace) * 31) ^ (bits(x) * 961) ^ bits(y) ^ ((uint64_t)bits((double)fx) << 1);
  printf("size %d checksum %016llx\n", size, (unsigned long long)h);
  return 0;
}
