/*
 * The HAL functions the bare and the Disco builds share: plain CP0 code (per-CPU set-up, the
 * timer, TLB entries, the thread pointer), which Disco runs by emulating each instruction.
 */
#include "kernel.h"
#include "frame.h"
#include "cp0.h"

unsigned *pgd_current[NCPU_MAX];
unsigned kstack_top[NCPU_MAX];

void hal_cpu_init(unsigned cpu) {
  MTC0(4, cpu << CONTEXT_CPU_SHIFT);
  unsigned st = MFC0(12);
  st &= ~(0xff00u | ST_IE | ST_EXL | ST_KSU);
  st |= ST_IM(IRQ_IPI) | ST_IM(IRQ_TIMER) | (cpu == 0 ? ST_IM(IRQ_CONSOLE) : 0) | ST_CU1;   /* signal frames hold the FPU */
  MTC0(12, st);
}

void hal_idle(void) {
  hal_irq_enable();
  __asm__ volatile(".word 0x42000020" ::: "memory"); /* WAIT */
}

void hal_timer_start(unsigned interval) { MTC0(11, MFC0(9) + interval); }

void hal_timer_ack(unsigned interval) {
  unsigned next = MFC0(11) + interval;
  if ((int)(next - MFC0(9)) <= 0) next = MFC0(9) + interval; /* ticks were missed */
  MTC0(11, next);
}

unsigned hal_time(void) { return MFC0(9); }

void hal_set_asid(unsigned asid) { MTC0(10, asid & 0xff); }

void hal_tlb_invalidate(unsigned va, unsigned asid) {
  unsigned flags = hal_irq_save(), hi = MFC0(10);
  MTC0(10, (va & ~0x1fffu) | (asid & 0xff));
  __asm__ volatile("tlbp" ::: "memory");
  int idx = (int)MFC0(0);
  if (idx >= 0) {
    MTC0(2, 0); MTC0(3, 0); MTC0(5, 0);
    MTC0(10, 0x80000000u + (unsigned)idx * 0x2000u);
    __asm__ volatile("tlbwi" ::: "memory");
  }
  MTC0(10, hi);
  hal_irq_restore(flags);
}

void hal_set_tls(unsigned tp) {
  __asm__ volatile(".set push\n.set mips32r2\nmtc0 %0, $4, 2\n.set pop" :: "r"(tp) : "memory");
}

int hal_has_userlocal(void) {
  unsigned v;
  hal_set_tls(0x5a5a1234u);
  __asm__ volatile(".set push\n.set mips32r2\nmfc0 %0, $4, 2\n.set pop" : "=r"(v));
  hal_set_tls(0);
  return v == 0x5a5a1234u;
}

void hal_tlb_update(unsigned va, unsigned asid, unsigned lo0, unsigned lo1) {
  unsigned flags = hal_irq_save(), hi = MFC0(10);
  MTC0(10, (va & ~0x1fffu) | (asid & 0xff));
  __asm__ volatile("tlbp" ::: "memory");
  int idx = (int)MFC0(0);
  MTC0(2, lo0); MTC0(3, lo1); MTC0(5, 0);
  if (idx >= 0) __asm__ volatile("tlbwi" ::: "memory");
  else __asm__ volatile("tlbwr" ::: "memory");
  MTC0(10, hi);
  hal_irq_restore(flags);
}

unsigned hal_user_status(void) {
  return (MFC0(12) & 0xff00u) | ST_CU1 | ST_USER | ST_IE | ST_EXL;
}

void hal_irq_line(unsigned line, int on) {
  unsigned st = MFC0(12);
  MTC0(12, on ? st | ST_IM(line) : st & ~ST_IM(line));
}
