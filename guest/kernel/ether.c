/*
 * /dev/ether (character device 10, 200; docs/fs.md): the Ethernet port of a node
 * (docs/machine.md). A write sends one frame: a 4-byte big-endian destination port (-1: every
 * other port) and then the payload. A read waits for one frame and returns its 4-byte source
 * port and then the payload, cut to the read's size. The port is polled (its line stays masked):
 * a reader waiting for a frame checks on every timer tick. Each port has one transmit and one
 * receive buffer in its node's memory; a port's users take turns under its lock.
 */
#include "kernel.h"
#include "fs.h"

#define PAGES ((HAL_ETHER_MTU + PAGE_SIZE - 1) / PAGE_SIZE)

static struct port { spinlock_t lock; volatile unsigned busy; unsigned tx, rx; } ports[NCPU_MAX];
extern char tick_chan;                       /* trap.c wakes it on every tick */

static void sleep_tick(void) { unsigned f = spin_lock(&ptable_lock); sleep_on(&tick_chan); spin_unlock(&ptable_lock, f); }

/* Takes the port (its buffers allocated on first use); -errno if that fails or a signal waits. */
static int take(struct proc *p, unsigned port) {
  struct port *e = &ports[port];
  for (;;) {
    unsigned f = spin_lock(&e->lock), got = !e->busy;
    e->busy = 1;
    spin_unlock(&e->lock, f);
    if (got) break;
    if (signal_pending(p)) return -ERESTARTSYS;
    sleep_tick();
  }
  if (e->tx == 0) {
    e->tx = page_alloc_contig(PAGES, port);
    e->rx = e->tx ? page_alloc_contig(PAGES, port) : 0;
    if (e->rx == 0) {
      if (e->tx) for (unsigned i = 0; i < PAGES; i++) page_free(e->tx + i * PAGE_SIZE);
      e->tx = 0;
      e->busy = 0;
      return -ENOMEM;
    }
  }
  return 0;
}
static void give(unsigned port) { mb(); ports[port].busy = 0; }

int ether_write(struct proc *p, unsigned port, const char *src, unsigned n) {
  if (n <= 4) return -EINVAL;
  if (n - 4 > HAL_ETHER_MTU) return -EMSGSIZE;
  int err = take(p, port), dst = (int)((unsigned char)src[0] << 24 | (unsigned char)src[1] << 16 | (unsigned char)src[2] << 8 | (unsigned char)src[3]);
  if (err) return err;
  memcpy(hal_phys_to_kva(ports[port].tx), src + 4, n - 4);
  while ((err = hal_ether_send(port, dst, ports[port].tx, n - 4)) == 1) {   /* every frame buffer in flight */
    if (signal_pending(p)) { err = -ERESTARTSYS; break; }
    sleep_tick();
  }
  give(port);
  return err < 0 ? (err == -1 ? -EINVAL : err) : (int)n;
}

int ether_read(struct proc *p, unsigned port, char *dst, unsigned n) {
  if (n < 4) return -EINVAL;
  int err = take(p, port), len;
  if (err) return err;
  unsigned src = 0;
  hal_ether_arm(port, ports[port].rx, HAL_ETHER_MTU);
  while ((len = hal_ether_poll(port, &src)) < 0) {
    if (signal_pending(p)) {      /* leave the buffer armed: a frame landing later is read next time */
      give(port);
      return -ERESTARTSYS;
    }
    sleep_tick();
  }
  unsigned m = (unsigned)len < n - 4 ? (unsigned)len : n - 4;
  dst[0] = (char)(src >> 24); dst[1] = (char)(src >> 16); dst[2] = (char)(src >> 8); dst[3] = (char)src;
  memcpy(dst + 4, hal_phys_to_kva(ports[port].rx), m);
  give(port);
  return (int)(m + 4);
}
