/* Boot: CPU 0 sets up memory and starts the other CPUs through the MP device, then runs init. */
#include "kernel.h"

unsigned boot_flags;
unsigned ncpus, nnodes;
struct cpu cpus[NCPU_MAX];
unsigned kernel_pgd[1024] __attribute__((aligned(4096)));
char boot_stack[8192] __attribute__((aligned(16)));
extern char _end[];

/*
 * The boot command block (kernel.h), copied out of node 0's last 64 KB before the allocator may
 * hand that memory out: argc + envc + 1 strings (argv, env, the working directory). Returns 1
 * when it holds a program to run, 0 when there is none, -1 when it is malformed.
 */
static char bootcmd[BOOTCMD_BYTES];
static unsigned cmd_argc, cmd_envc;

static int bootcmd_copy(void) {
  const unsigned *h = hal_phys_to_kva(hal_mem_per_node() - BOOTCMD_BYTES);
  if (h[0] != BOOTCMD_MAGIC) return 0;
  unsigned n = 0, bytes = h[3];
  if (h[1] == 0 || bytes > BOOTCMD_BYTES - 16) return -1;
  memcpy(bootcmd, h + 4, bytes);
  for (unsigned off = 0; off < bytes; off++) n += bootcmd[off] == 0;
  if (n != h[1] + h[2] + 1 || bootcmd[bytes - 1] != 0) return -1;
  cmd_argc = h[1];
  cmd_envc = h[2];
  return 1;
}

/* The message of an errno, for init's reports. */
const char *strerror(int err) {
  switch (err) {
    case 2: return "No such file or directory";
    case 5: return "Input/output error";
    case 7: return "Argument list too long";
    case 8: return "Exec format error";
    case 12: return "Cannot allocate memory";
    case 13: return "Permission denied";
    case 20: return "Not a directory";
    case 21: return "Is a directory";
    case 36: return "File name too long";
    case 40: return "Too many levels of symbolic links";
    default: return "Unknown error";
  }
}

/* pid 1 runs the command's program, or the machine powers off as a shell would (127, 126). */
static void run_command(void) {
  unsigned n = cmd_argc + cmd_envc + 1, pages = (n * 4 + PAGE_SIZE - 1) / PAGE_SIZE, pa = page_alloc_contig(pages, 0);
  if (pa == 0) panic("init: no memory for the boot command");
  const char **v = hal_phys_to_kva(pa);
  for (unsigned i = 0, off = 0; i < n; i++) { v[i] = bootcmd + off; off += strlen(v[i]) + 1; }
  int err = start_init(v[0], v, cmd_argc, v + cmd_argc, cmd_envc, v[n - 1]);
  if (err) { kprintf("init: %s: %s\n", v[0], strerror(-err)); hal_halt(err == -13 || err == -8 ? 126 : 127); }
  for (unsigned i = 0; i < pages; i++) page_free(pa + i * PAGE_SIZE);
  scheduler();
}

static void utoa(unsigned v, char *buf) {
  char t[12];
  int i = 0;
  do { t[i++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (i) *buf++ = t[--i];
  *buf = 0;
}

void kmain(unsigned flags, unsigned arg1, unsigned arg2) {
  boot_flags = flags;
  ncpus = hal_ncpus();
  nnodes = hal_nnodes();
  unsigned cpn = hal_cpus_per_node();
  if (ncpus > NCPU_MAX) ncpus = NCPU_MAX;
  hal_cpu_init(0);
  if (hal_cpu_id() != 0 || hal_node_id() != 0) panic("booted on cpu %u", hal_cpu_id());
  for (int i = 0; i < 1024; i++) kernel_pgd[i] = (unsigned)empty_pte;
  for (unsigned c = 0; c < NCPU_MAX; c++) { pgd_current[c] = kernel_pgd; cpus[c].node = c / cpn; }
  bprintf("disco-kernel: %u cpus on %u nodes, %u MB per node\n", ncpus, nnodes, hal_mem_per_node() >> 20);
  int have_cmd = bootcmd_copy();                    /* before mm_init hands its pages out */
  mm_init(hal_kva_to_phys(_end));
  bprintf("mm: %u pages, %u free, kernel ends at %p\n", mm_total_pages(), mm_free_pages(), (unsigned)_end);
  fs_init();
  if (boot_flags & BOOT_VERBOSE) {
    unsigned ok = 0;
    for (unsigned n = 0; n < nnodes; n++) {
      unsigned pa = page_alloc(n);
      if (pa != 0 && pa / hal_mem_per_node() == n) ok++;
      if (pa) page_free(pa);
    }
    kprintf("mm: node-local allocation on %u of %u nodes\n", ok, nnodes);
    kprintf("cpu: UserLocal register %s\n", hal_has_userlocal() ? "present" : "absent");
  }
  cpus[0].online = 1;
  for (unsigned c = 1; c < ncpus; c++) {
    unsigned stack = page_alloc(cpus[c].node);
    if (stack == 0) panic("no memory for cpu %u's stack", c);
    kstack_top[c] = (unsigned)hal_phys_to_kva(stack) + PAGE_SIZE;
    hal_cpu_start(c, kstack_top[c] - 16, c);
  }
  for (unsigned c = 1; c < ncpus; c++) while (!cpus[c].online) { }
  hal_timer_start(TICK_COUNTS);
  hal_irq_enable();
  if (boot_flags & BOOT_VERBOSE) {
    for (unsigned c = 0; c < ncpus; c++) kprintf("smp: cpu %u up on node %u\n", c, cpus[c].node);
    for (unsigned c = 1; c < ncpus; c++) { atomic_or(&cpus[c].ipi_pending, IPI_PING); hal_ipi_send(c); }
    for (unsigned c = 1; c < ncpus; c++) while (cpus[c].ipis == 0) { }
    kprintf("smp: %u cpus answered an ipi\n", ncpus - 1);
    for (unsigned c = 0; c < ncpus; c++) while (cpus[c].ticks < 2) { }
    for (unsigned c = 0; c < ncpus; c++) kprintf("timer: cpu %u ticking\n", c);
  }
  if (have_cmd < 0) { kprintf("init: the boot command block is malformed\n"); hal_halt(127); }
  boot_free_pages = mm_free_pages();           /* proc.c reports it against the count at power off */
  if (have_cmd) run_command();
  /* The built-in init's arguments: the boot arguments a1 (its exit status) and a2 (a test to run). */
  static char arg1s[12], arg2s[12];
  const char *argv[3] = { "init", arg1s, arg2s };
  utoa(arg1, arg1s);
  utoa(arg2, arg2s);
  if (start_init(NULL, argv, arg2 ? 3 : arg1 ? 2 : 1, NULL, 0, NULL) < 0) panic("init: cannot start the built-in init");
  scheduler();
}

void secondary_main(unsigned cpu) {
  hal_cpu_init(cpu);
  cpus[cpu].node = hal_node_id();
  hal_timer_start(TICK_COUNTS);
  mb();
  cpus[cpu].online = 1;
  mb();
  scheduler();
}
