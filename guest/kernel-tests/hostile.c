/*
 * A hostile program for the isolation tests: N rounds of a store of random data to a random
 * address it does not own (unmapped user space, its own read-only text, kernel addresses), a
 * privileged instruction (mtc0, tlbwi, eret, cache), or a system call with a random number
 * (past the end of the table, or one that takes pointers and descriptors) and arguments it does
 * not own. Every fault is caught (SIGSEGV, SIGBUS, SIGILL) and counted. Prints the counts and
 * exits 0: whatever it tries, it can only hurt itself.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

static sigjmp_buf jb;
static void on_fault(int sig) { siglongjmp(jb, sig); }

static unsigned x = 0x2545f491u;
static unsigned rnd(void) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; }

/* Addresses it does not own: unmapped user space, or the kernel's. */
static unsigned bad_address(unsigned r, unsigned v) { return (r & 1) ? 0x10000000u + v % 0x5f000000u : 0x80000000u | v; }

/*
 * System calls that take pointers or descriptors (given only bad pointers and descriptors it
 * never opened), and numbers past the end of the table.
 */
static const unsigned wild[] = { 4003, 4004, 4005, 4006, 4010, 4012, 4015, 4033, 4038, 4039, 4040, 4054, 4106, 4108,
  4122, 4183, 4219, 4263, 4353 };
int main(int argc, char **argv) {
  unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 3000, faults = 0, calls = 0;
  struct sigaction sa = { 0 };
  sa.sa_handler = on_fault;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  for (unsigned i = 0; i < rounds; i++) {
    unsigned r = rnd(), v = rnd();
    if (sigsetjmp(jb, 1) != 0) { faults++; continue; }
    switch (r % 4) {
      case 0: { /* a store where it owns nothing */
        unsigned a = (r >> 2) % 3 == 2 ? 0x00400000u + (v & 0xfffc) : bad_address(r >> 2, v);
        *(volatile unsigned *)(a & ~3u) = v;
        break;
      }
      case 1: /* privileged instructions */
        switch ((r >> 2) & 3) {
          case 0: __asm__ volatile("mtc0 %0, $12" :: "r"(v)); break;
          case 1: __asm__ volatile("tlbwi"); break;
          case 2: __asm__ volatile("eret"); break;
          default: __asm__ volatile("cache 0, 0(%0)" :: "r"(v)); break;
        }
        break;
      default: { /* a wild system call */
        unsigned nr = (r >> 2) & 1 ? wild[(r >> 3) % (sizeof wild / sizeof wild[0])] : 4450 + (r >> 3) % 550;
        unsigned a0 = (r >> 8) & 1 ? bad_address(r >> 9, v) : 3 + v % 8;
        syscall(nr, a0, bad_address(r >> 10, rnd()), rnd() & 0xffff, bad_address(r >> 11, rnd()));
        calls++;
      }
    }
  }
  printf("hostile: %u rounds, %u faults caught, %u wild system calls\n", rounds, faults, calls);
  return 0;
}
