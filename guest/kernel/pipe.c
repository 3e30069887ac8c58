/*
 * Pipes: a one-page ring per pipe, guarded by ptable_lock so that readers and writers can sleep
 * on it (sleep_on/wakeup_locked). Reads return what is there (waiting for at least one byte,
 * EOF once every writer has closed); writes of at most PIPE_BUF bytes go in whole (POSIX
 * atomicity); a write with no reader left raises SIGPIPE and fails with EPIPE. A pending signal
 * ends a blocked call with -ERESTARTSYS (EINTR, or a restart under SA_RESTART), or the count so far.
 */
#include "kernel.h"
#include "fs.h"

#define PIPE_SIZE 4096u                       /* also PIPE_BUF */
#define NPIPE 128
#define SIGPIPE 13

struct pipe { unsigned char *buf; unsigned nread, nwrite, readers, writers; };
static struct pipe pipes[NPIPE];

struct pipe *pipe_alloc(void) {
  unsigned f = spin_lock(&ptable_lock);
  struct pipe *pi = NULL;
  for (int i = 0; i < NPIPE && pi == NULL; i++) if (pipes[i].readers + pipes[i].writers == 0) pi = &pipes[i];
  if (pi) { pi->readers = pi->writers = 1; pi->nread = pi->nwrite = 0; }
  spin_unlock(&ptable_lock, f);
  if (pi && pi->buf == NULL) {
    unsigned pa = page_alloc(cpus[hal_cpu_id()].node);
    if (pa == 0) { pipe_close(pi, 0); pipe_close(pi, 1); return NULL; }
    pi->buf = hal_phys_to_kva(pa);
  }
  return pi;
}

void pipe_close(struct pipe *pi, int writer) {
  unsigned f = spin_lock(&ptable_lock);
  if (writer) pi->writers--; else pi->readers--;
  wakeup_locked(writer ? &pi->nread : &pi->nwrite);
  unsigned char *buf = pi->readers + pi->writers ? NULL : pi->buf;   /* the last end frees the page (mm leak check) */
  if (buf) pi->buf = NULL;
  spin_unlock(&ptable_lock, f);
  if (buf) page_free(hal_kva_to_phys(buf));
}

int pipe_read(struct proc *p, struct pipe *pi, char *dst, unsigned n, int nonblock) {
  int ret = 0;
  if (n == 0) return 0;
  unsigned f = spin_lock(&ptable_lock);
  while (pi->nread == pi->nwrite && pi->writers) {
    if (nonblock || signal_pending(p)) { ret = nonblock ? -EAGAIN : -ERESTARTSYS; break; }
    sleep_on(&pi->nread);
  }
  while (ret >= 0 && (unsigned)ret < n && pi->nread != pi->nwrite) dst[ret++] = (char)pi->buf[pi->nread++ % PIPE_SIZE];
  if (ret > 0) wakeup_locked(&pi->nwrite);
  spin_unlock(&ptable_lock, f);
  return ret;
}

int pipe_write(struct proc *p, struct pipe *pi, const char *src, unsigned n, int nonblock) {
  unsigned done = 0, f = spin_lock(&ptable_lock);
  int err = 0;
  while (done < n) {
    if (pi->readers == 0) { err = -EPIPE; break; }
    unsigned room = PIPE_SIZE - (pi->nwrite - pi->nread);
    if (room == 0 || (n <= PIPE_SIZE && room < n)) {
      if (nonblock || signal_pending(p)) { err = nonblock ? -EAGAIN : -ERESTARTSYS; break; }
      sleep_on(&pi->nwrite);
      continue;
    }
    while (room-- && done < n) pi->buf[pi->nwrite++ % PIPE_SIZE] = (unsigned char)src[done++];
    wakeup_locked(&pi->nread);
  }
  spin_unlock(&ptable_lock, f);
  if (err == -EPIPE) signal_send(p, SIGPIPE);
  return done ? (int)done : err;
}
