/*
 * The first user program, run in user mode by the kernel: Linux o32 write, brk, mmap2, munmap
 * fork, wait4 and exit_group. argv[1] is its exit status; argv[2], when given, names a test:
 * a fault to provoke (1 privileged instruction, 2 load from a kernel address, 3 store to its
 * text, 4 touch an unmapped page), which the kernel must answer by killing it, or 5: fork
 * children that compute in parallel and collect their exit statuses, or 6: read the console
 * input to its end and count it.
 */
static int sys(int nr, int a, int b, int c, int d) {
  register int v0 __asm__("$2") = nr;
  register int a0 __asm__("$4") = a, a1 __asm__("$5") = b, a2 __asm__("$6") = c, a3 __asm__("$7") = d;
  __asm__ volatile("syscall" : "+r"(v0), "+r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "memory");
  return a3 ? -v0 : v0;
}

static unsigned len(const char *s) { unsigned n = 0; while (s[n]) n++; return n; }
static void say(const char *s) { sys(4004, 1, (int)s, (int)len(s), 0); }

static void say_uint(unsigned v) {
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  say(buf + i);
}

static int atoi_(const char *p) { int v = 0; for (; *p; p++) v = v * 10 + (*p - '0'); return v; }

static unsigned squares[1000];           /* bss: touches fresh pages */
static const char *greeting = "hello from user mode\n";

static int check_heap(void) {
  unsigned start = (unsigned)sys(4045, 0, 0, 0, 0);               /* brk(0) */
  unsigned end = (unsigned)sys(4045, (int)(start + 3 * 4096 + 100), 0, 0, 0);
  if (end != start + 3 * 4096 + 100) return 0;
  volatile unsigned *h = (unsigned *)start;
  for (unsigned i = 0; i < (3 * 4096 + 100) / 4; i++) if (h[i] != 0) return 0; else h[i] = i;
  for (unsigned i = 0; i < (3 * 4096 + 100) / 4; i++) if (h[i] != i) return 0;
  return sys(4045, (int)start, 0, 0, 0) == (int)start;
}

static unsigned mapped;
static int check_mmap(void) {
  int a = sys(4210, 0, 5 * 4096, 3, 0x802);                        /* mmap2 anonymous private */
  if (a < 0 || (a & 4095)) return 0;
  volatile unsigned *m = (unsigned *)a;
  for (unsigned i = 0; i < 5 * 1024; i++) m[i] = i * 3;
  unsigned s = 0;
  for (unsigned i = 0; i < 5 * 1024; i++) s += m[i];
  mapped = (unsigned)a;
  return s == 3u * (5 * 1024) * (5 * 1024 - 1) / 2 && sys(4091, a + 4096, 4096, 0, 0) == 0;
}

static volatile unsigned global = 1;

static void fork_test(void) {
  int pids[6];
  for (int k = 0; k < 6; k++) {
    pids[k] = sys(4002, 0, 0, 0, 0);
    if (pids[k] == 0) {
      global = 100 + (unsigned)k;                /* the parent's copy must not change */
      unsigned s = 0;
      for (unsigned i = 0; i < 200000; i++) s += i * (unsigned)(k + 1);
      sys(4246, (int)((global + s % 7) & 0xff), 0, 0, 0);
    }
  }
  for (int k = 0; k < 6; k++) {
    int st = -1, got = sys(4114, pids[k], (int)&st, 0, 0);
    say("init: child ");
    say_uint((unsigned)k);
    say(got == pids[k] && (st & 0x7f) == 0 ? " exited with status " : " FAILED ");
    say_uint(((unsigned)st >> 8) & 0xff);
    say("\n");
  }
  say(global == 1 ? "init: fork ok, parent's memory untouched\n" : "init: fork FAILED\n");
  say("init: wait without children: ");
  say_uint((unsigned)-sys(4114, -1, 0, 0, 0));
  say("\n");
}

static void read_test(void) {
  static char buf[1000];
  unsigned bytes = 0, lines = 0, sum = 0;
  int n;
  while ((n = sys(4003, 0, (int)buf, sizeof buf, 0)) > 0)
    for (int i = 0; i < n; i++) { bytes++; sum += (unsigned char)buf[i]; if (buf[i] == '\n') lines++; }
  say("init: read ");
  say_uint(bytes);
  say(" bytes, ");
  say_uint(lines);
  say(" lines, sum ");
  say_uint(sum);
  say(n == 0 ? ", then end of input\n" : ", then an error\n");
}

int main(int argc, char **argv) {
  say(greeting);
  unsigned sum = 0;
  for (unsigned i = 0; i < 1000; i++) squares[i] = i * i;
  for (unsigned i = 0; i < 1000; i++) sum += squares[i];
  say("init: argc ");
  say_uint((unsigned)argc);
  say(", sum of squares ");
  say_uint(sum);
  say("\n");
  int bad = sys(4004, 1, 0x7ff00000, 4, 0);  /* unmapped buffer: EFAULT */
  int badfd = sys(4004, 9, (int)greeting, 1, 0);
  say("init: bad write ");
  say_uint((unsigned)-bad);
  say(", bad fd ");
  say_uint((unsigned)-badfd);
  say("\n");
  say(check_heap() ? "init: brk ok" : "init: brk FAILED");
  say(check_mmap() ? ", mmap ok\n" : ", mmap FAILED\n");
  if (argc > 2 && atoi_(argv[2]) == 5) fork_test();
  else if (argc > 2 && atoi_(argv[2]) == 6) read_test();
  else if (argc > 2) {
    say("init: provoking fault ");
    say(argv[2]);
    say("\n");
    switch (atoi_(argv[2])) {
      case 1: { unsigned v; __asm__ volatile("mfc0 %0, $12" : "=r"(v)); say_uint(v); break; }
      case 2: say_uint(*(volatile unsigned *)0xC0000000u); break;
      case 3: *(volatile unsigned *)(unsigned)&main = 0; break;
      case 4: say_uint(*(volatile unsigned *)(mapped + 4096)); break;
    }
    say("init: survived the fault\n");
  }
  return argc > 1 ? atoi_(argv[1]) : 0;
}
