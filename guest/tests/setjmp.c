/* setjmp/longjmp: simple, nested, from deep recursion, value 0 -> 1,
 * volatile locals preserved, sigsetjmp/siglongjmp with signal mask save. */
#include <stdio.h>
#include <setjmp.h>
#include <signal.h>

static jmp_buf env_a, env_b;
static sigjmp_buf senv;
static int depth_reached;

static void recurse(int n) {
  volatile char pad[64];
  pad[0] = (char)n;
  depth_reached = n + pad[0] - (char)n;
  if (n == 500) longjmp(env_a, n);
  if (n < 100000) recurse(n + 1);
}

static void thrower(int v) { longjmp(env_b, v); }

static int try_div(int a, int b, int *out) {
  jmp_buf e;
  int r = setjmp(e);
  if (r) return -r;
  if (b == 0) longjmp(e, 99);
  *out = a / b;
  return 0;
}

int main(void) {
  volatile int counter = 0;
  int r = setjmp(env_a);
  printf("setjmp returned %d counter %d\n", r, counter);
  if (r == 0) {
    counter = 10;
    recurse(0);
  }
  printf("after recursion depth %d counter %d\n", depth_reached, counter);

  for (int v = 0; v < 4; v++) {
    volatile int local = v * 100;
    int rv = setjmp(env_b);
    if (rv == 0) {
      local += 1;
      thrower(v);
    }
    printf("thrower(%d) -> setjmp %d local %d\n", v, rv, local);
  }

  /* nested: inner jump buffer used, then outer */
  jmp_buf outer;
  volatile int stage = 0;
  if (setjmp(outer) == 0) {
    jmp_buf inner;
    stage = 1;
    if (setjmp(inner) == 0) {
      stage = 2;
      longjmp(inner, 5);
    }
    stage = 3;
    longjmp(outer, 7);
  }
  printf("nested stage %d\n", stage);

  int out = 0;
  int rc = try_div(17, 5, &out);
  printf("try_div 17/5 -> %d out %d\n", rc, out);
  printf("try_div 1/0 -> %d\n", try_div(1, 0, &out));

  /* sigsetjmp saving the mask */
  sigset_t set, cur;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  volatile int pass = 0;
  if (sigsetjmp(senv, 1) == 0) {
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("blocked inside: %d\n", sigismember(&cur, SIGUSR1));
    pass = 1;
    siglongjmp(senv, 1);
  }
  sigprocmask(SIG_SETMASK, NULL, &cur);
  printf("after siglongjmp pass %d blocked %d\n", pass, sigismember(&cur, SIGUSR1));
  return 0;
}
