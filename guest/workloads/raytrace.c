/* raytrace: the multithreaded ray tracer of the Disco paper's Raytrace workload (SPLASH-2's,
 * README.md). `raytrace [-t THREADS] [-w WIDTH] [-h HEIGHT] [-d DEPTH] [-g GRID]` renders one
 * shared scene (a GRID x GRID array of reflective spheres over a checkered floor, two point
 * lights with shadows, DEPTH reflection bounces, 2 x 2 supersampling) with THREADS threads (the
 * main thread and THREADS - 1 pthreads) that take rows from a shared counter under a mutex.
 * Each pixel is computed alone by the same floating-point operations whoever renders it, stored
 * as 8-bit RGB, and the image's FNV-1a checksum is printed after every thread has joined:
 * `raytrace checksum 0x........`. */
#include <math.h>
#include <pthread.h>
#include "common.h"

typedef struct { double x, y, z; } vec;
static vec add(vec a, vec b) { return (vec){ a.x + b.x, a.y + b.y, a.z + b.z }; }
static vec sub(vec a, vec b) { return (vec){ a.x - b.x, a.y - b.y, a.z - b.z }; }
static vec scale(vec a, double s) { return (vec){ a.x * s, a.y * s, a.z * s }; }
static double dot(vec a, vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static vec norm(vec a) { return scale(a, 1.0 / sqrt(dot(a, a))); }

struct sphere { vec c; double r, refl; vec colour; };

/* The scene, built before the threads start and only read by them. */
static struct sphere *spheres;
static int nspheres, width = 48, height = 32, depth = 3;
static const vec lights[2] = { { -8.0, 12.0, -6.0 }, { 10.0, 8.0, -10.0 } };
static unsigned char *image;

/* Rows are handed out from next_row under the mutex. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int next_row;

/* The nearest hit along o + t d (d unit) with t > 1e-6: the sphere's index, nspheres for the
 * floor y = 0, -1 for none. */
static int hit(vec o, vec d, double *tmin) {
  int best = -1;
  *tmin = 1e30;
  for (int i = 0; i < nspheres; i++) {
    vec oc = sub(o, spheres[i].c);
    double b = dot(oc, d), c = dot(oc, oc) - spheres[i].r * spheres[i].r, disc = b * b - c;
    if (disc < 0) continue;
    double s = sqrt(disc), t = -b - s;
    if (t <= 1e-6) t = -b + s;
    if (t > 1e-6 && t < *tmin) { *tmin = t; best = i; }
  }
  if (d.y < -1e-9) {
    double t = -o.y / d.y;
    if (t > 1e-6 && t < *tmin) { *tmin = t; best = nspheres; }
  }
  return best;
}

static vec trace(vec o, vec d, int bounce) {
  double t;
  int i = hit(o, d, &t);
  if (i < 0) return (vec){ 0.5 + 0.3 * d.y, 0.6 + 0.3 * d.y, 0.9 };   /* sky */
  vec p = add(o, scale(d, t)), n, colour;
  double refl;
  if (i == nspheres) {
    n = (vec){ 0, 1, 0 };
    colour = (((long)floor(p.x) + (long)floor(p.z)) & 1) ? (vec){ 0.9, 0.9, 0.9 } : (vec){ 0.2, 0.2, 0.25 };
    refl = 0.2;
  } else {
    n = norm(sub(p, spheres[i].c));
    colour = spheres[i].colour;
    refl = spheres[i].refl;
  }
  vec out = scale(colour, 0.1);   /* ambient */
  for (int l = 0; l < 2; l++) {
    vec tol = sub(lights[l], p);
    double dist = sqrt(dot(tol, tol)), ts;
    vec ldir = scale(tol, 1.0 / dist);
    double diff = dot(n, ldir);
    if (diff <= 0 || (hit(p, ldir, &ts) >= 0 && ts < dist)) continue;   /* facing away, or shadowed */
    vec h = norm(sub(ldir, d));
    double spec = dot(n, h);
    spec = spec > 0 ? spec * spec * spec * spec : 0;
    spec *= spec * spec * spec;   /* (n.h)^16 */
    out = add(out, add(scale(colour, 0.45 * diff), scale((vec){ 1, 1, 1 }, 0.3 * spec)));
  }
  if (bounce < depth && refl > 0) {
    vec r = sub(d, scale(n, 2.0 * dot(d, n)));
    out = add(scale(out, 1.0 - refl), scale(trace(p, r, bounce + 1), refl));
  }
  return out;
}

static unsigned char channel(double v) { return v <= 0 ? 0 : v >= 1 ? 255 : (unsigned char)(v * 255.0 + 0.5); }

static void render_row(int y) {
  const vec eye = { 0.0, 3.0, -12.0 };
  for (int x = 0; x < width; x++) {
    vec sum = { 0, 0, 0 };
    for (int s = 0; s < 4; s++) {   /* 2 x 2 samples in the pixel */
      double u = ((x + 0.25 + 0.5 * (s & 1)) / width - 0.5) * 2.0 * width / height;
      double v = 0.5 - (y + 0.25 + 0.5 * (s >> 1)) / height;
      sum = add(sum, trace(eye, norm((vec){ u, v * 2.0 - 0.35, 2.0 }), 0));
    }
    unsigned char *px = image + 3 * ((size_t)y * width + x);
    px[0] = channel(sum.x / 4); px[1] = channel(sum.y / 4); px[2] = channel(sum.z / 4);
  }
}

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    int y = next_row < height ? next_row++ : -1;
    pthread_mutex_unlock(&lock);
    if (y < 0) return NULL;
    render_row(y);
  }
}

int main(int argc, char **argv) {
  long threads = 4, grid = 3;
  for (int o; (o = getopt(argc, argv, "t:w:h:d:g:")) != -1;) {
    switch (o) {
      case 't': threads = num_arg("raytrace", o, optarg, 1, 64); break;
      case 'w': width = (int)num_arg("raytrace", o, optarg, 1, 8192); break;
      case 'h': height = (int)num_arg("raytrace", o, optarg, 1, 8192); break;
      case 'd': depth = (int)num_arg("raytrace", o, optarg, 0, 16); break;
      case 'g': grid = num_arg("raytrace", o, optarg, 1, 16); break;
      default: fprintf(stderr, "usage: raytrace [-t THREADS] [-w WIDTH] [-h HEIGHT] [-d DEPTH] [-g GRID]\n"); return 2;
    }
  }
  if (optind != argc) { fprintf(stderr, "usage: raytrace [-t THREADS] [-w WIDTH] [-h HEIGHT] [-d DEPTH] [-g GRID]\n"); return 2; }

  nspheres = (int)(grid * grid);
  spheres = malloc((size_t)nspheres * sizeof *spheres);
  image = malloc((size_t)width * height * 3);
  if (!spheres || !image) { fprintf(stderr, "raytrace: out of memory\n"); return 1; }
  uint32_t rng = rng_seed(7);
  for (int i = 0; i < nspheres; i++) {
    double r = 0.5 + (rng_next(&rng) % 100) / 200.0;
    spheres[i] = (struct sphere){
      .c = { (i % grid - (grid - 1) / 2.0) * 2.6, r + (rng_next(&rng) % 100) / 100.0, (i / grid) * 2.6 },
      .r = r, .refl = (rng_next(&rng) % 5) / 8.0,
      .colour = { 0.2 + (rng_next(&rng) % 80) / 100.0, 0.2 + (rng_next(&rng) % 80) / 100.0, 0.2 + (rng_next(&rng) % 80) / 100.0 },
    };
  }

  pthread_t tid[64];
  for (long i = 1; i < threads; i++) {   /* the main thread is the first worker */
    int e = pthread_create(&tid[i], NULL, worker, NULL);
    if (e) { errno = e; fail("raytrace", "pthread_create"); }
  }
  worker(NULL);
  for (long i = 1; i < threads; i++) pthread_join(tid[i], NULL);

  printf("raytrace: %dx%d, %d spheres, depth %d\n", width, height, nspheres, depth);
  printf("raytrace checksum 0x%08x\n", fnv1a(FNV_INIT, image, (size_t)width * height * 3));
  return 0;
}
