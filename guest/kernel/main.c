/* Boot: CPU 0 sets up memory and starts the other CPUs through the MP device, then runs init. */
#include "kernel.h"

unsigned boot_flags;
unsigned ncpus, nnodes;
struct cpu cpus[NCPU_MAX];
unsigned kernel_pgd[1024] __attribute__((aligned(4096)));
char boot_stack[8192] __attribute__((aligned(16)));
extern char _end[];
extern const unsigned char init_elf[], init_elf_end[];

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
  mm_init(hal_kva_to_phys(_end));
  bprintf("mm: %u pages, %u free, kernel ends at %p\n", mm_total_pages(), mm_free_pages(), (unsigned)_end);
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
  /* init's arguments: the boot arguments a1 (its exit status) and a2 (a fault to provoke). */
  static char arg1s[12], arg2s[12];
  const char *argv[3] = { "init", arg1s, arg2s };
  utoa(arg1, arg1s);
  utoa(arg2, arg2s);
  int argc = arg2 ? 3 : arg1 ? 2 : 1;
  /* A disk that starts with an ELF executable holds the program to run instead (until the file system). */
  unsigned sectors = hal_disk_sectors();
  if (sectors > 0 && sectors <= (64u << 20) / 512) {
    unsigned pages = (sectors * 512 + PAGE_SIZE - 1) / PAGE_SIZE, pa = page_alloc_contig(pages, 0);
    if (pa == 0) panic("no memory for the disk's program (%u sectors)", sectors);
    const unsigned char *img = hal_phys_to_kva(pa);
    if (hal_disk_read(0, pa, sectors) == 0 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F') {
      bprintf("init: running the executable on the disk (%u sectors)\n", sectors);
      argv[0] = "prog";
      start_init(img, sectors * 512, argc, argv);
      scheduler();
    }
    for (unsigned i = 0; i < pages; i++) page_free(pa + i * PAGE_SIZE);
  }
  start_init(init_elf, (unsigned)(init_elf_end - init_elf), argc, argv);
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
