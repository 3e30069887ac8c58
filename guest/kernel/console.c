/*
 * Console input. The UART's input and its interrupt line reach CPU 0 only: its handler moves
 * the bytes into a ring and wakes readers, which may run on any CPU. When the ring is full, or
 * input has ended (the line then stays up), CPU 0 masks the line; a reader that makes room
 * sends CPU 0 an IPI to take it up again. The ring is guarded by ptable_lock (readers sleep).
 */
#include "kernel.h"

#define RING 4096
static unsigned char ring[RING];
static unsigned head, tail;            /* bytes [head, tail) wait */
static volatile unsigned ended, masked;

/* CPU 0, interrupts off. */
void console_rx_interrupt(void) {
  unsigned f = spin_lock(&ptable_lock), got = 0;
  for (;;) {
    if (tail - head == RING) { masked = 1; hal_irq_line(IRQ_CONSOLE, 0); break; }
    int c = hal_console_getc();
    if (c == -1) break;
    if (c == -2) { ended = 1; masked = 1; hal_irq_line(IRQ_CONSOLE, 0); got = 1; break; }
    ring[tail++ % RING] = (unsigned char)c;
    got = 1;
  }
  if (got) wakeup_locked(ring);
  spin_unlock(&ptable_lock, f);
}

/* CPU 0, on IPI_CONSOLE: take the line up again unless input has ended. */
void console_rx_resume(void) {
  if (masked && !ended) { masked = 0; hal_irq_line(IRQ_CONSOLE, 1); }
}

int console_read(struct proc *p, unsigned buf, unsigned len) {
  if (len == 0) return 0;
  if (!user_ok(p, buf, len, 1)) return -14;
  unsigned char tmp[256];
  if (len > sizeof tmp) len = sizeof tmp;
  unsigned f = spin_lock(&ptable_lock), n = 0;
  while (head == tail && !ended) {
    if (signal_pending(p)) { spin_unlock(&ptable_lock, f); return -ERESTARTSYS; }
    sleep_on(ring);
  }
  while (n < len && head != tail) tmp[n++] = ring[head++ % RING];
  int kick = masked && !ended;
  spin_unlock(&ptable_lock, f);
  if (kick) {
    if (hal_cpu_id() == 0) { unsigned g = hal_irq_save(); console_rx_resume(); hal_irq_restore(g); }
    else { atomic_or(&cpus[0].ipi_pending, IPI_CONSOLE); hal_ipi_send(0); }
  }
  memcpy((void *)buf, tmp, n);           /* after the lock: this may take TLB refills */
  return (int)n;
}
