/*
 * Futexes (futex(2)): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE, WAKE_OP, with
 * timeouts. A waiter is a sleeping process with futex_key set and futex_bits its mask; the
 * value check and the queueing happen under ptable_lock, as the wakers' scans do, so no wake-up
 * is lost. The key is (mm, va) for private memory and (0, physical address) for MAP_SHARED
 * pages, the same for FUTEX_PRIVATE_FLAG callers and others (Linux keys private mappings by
 * mm too, so a CLONE_CHILD_CLEARTID wake reaches a "shared" pthread_join wait).
 */
#include "kernel.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256


static char futex_chan;                          /* waiters without a deadline sleep here */

/* The key of the aligned word at uaddr (present: user_ok made it so); 0 or -EFAULT/-EINVAL. */
static int key_of(struct proc *p, unsigned uaddr, unsigned key[2]) {
  if (uaddr & 3) return -EINVAL;
  if (!user_ok(p, uaddr, 4, 0)) return -EFAULT;
  unsigned pte = vm_lookup(p->mm->pgd, uaddr);
  if (pte & PTE_SHARED) { key[0] = 0; key[1] = PTE_PA(pte) | (uaddr & (PAGE_SIZE - 1)); }
  else { key[0] = (unsigned)p->mm; key[1] = uaddr; }
  return 0;
}

/* Wakes up to n waiters on key whose mask meets bits, then moves up to m more to key2; ptable_lock held. */
static int wake_locked(const unsigned key[2], unsigned bits, unsigned n, const unsigned *key2, unsigned m) {
  unsigned done = 0;
  for (int i = 0; i < NPROC && (done < n || (key2 && done < n + m)); i++) {
    struct proc *q = &procs[i];
    if (q->futex_bits == 0 || !(q->futex_bits & bits) || q->futex_key[0] != key[0] || q->futex_key[1] != key[1]) continue;
    if (done < n) {                                  /* queued: asleep, or woken for another reason */
      q->futex_bits = 0;
      if (q->state == P_SLEEPING) make_runnable_locked(q);
    }
    else { q->futex_key[0] = key2[0]; q->futex_key[1] = key2[1]; }
    done++;
  }
  return (int)done;
}

int futex_wake(struct mm *mm, unsigned uaddr, unsigned n) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  unsigned key[2];
  if (p == NULL || p->mm != mm || key_of(p, uaddr, key) < 0) return 0;
  unsigned f = spin_lock(&ptable_lock);
  int r = wake_locked(key, ~0u, n, NULL, 0);
  spin_unlock(&ptable_lock, f);
  return r;
}

/* Sleeps while *uaddr == val until woken, a signal, or the deadline (ns on clock id; 0: none). */
static int futex_wait(struct proc *p, unsigned uaddr, unsigned val, unsigned bits, unsigned clock, unsigned long long deadline) {
  unsigned key[2];
  int err = key_of(p, uaddr, key);
  if (err) return err;
  if (bits == 0) return -EINVAL;
  unsigned f = spin_lock(&ptable_lock);
  if (*(volatile unsigned *)uaddr != val) { spin_unlock(&ptable_lock, f); return -EAGAIN; }
  p->futex_key[0] = key[0];
  p->futex_key[1] = key[1];
  p->futex_bits = bits;
  for (;;) {
    if (p->futex_bits == 0) { err = 0; break; }                   /* woken */
    if (signal_pending(p)) { err = -EINTR; break; }
    if (deadline && clock_ns(clock) >= deadline) { err = -ETIMEDOUT; break; }
    extern char tick_chan;
    sleep_on(deadline ? (void *)&tick_chan : (void *)&futex_chan);
  }
  p->futex_bits = 0;
  spin_unlock(&ptable_lock, f);
  return err;
}

/* WAKE_OP's operation on *uaddr2, atomic against user LL/SC: returns the old value. */
static unsigned user_atomic(volatile unsigned *a, unsigned op, unsigned arg) {
  for (;;) {
    unsigned old, val;
    __asm__ volatile("ll %0, %1" : "=r"(old) : "m"(*a) : "memory");
    switch (op) {
      case 0: val = arg; break;                                 /* SET */
      case 1: val = old + arg; break;                           /* ADD */
      case 2: val = old | arg; break;                           /* OR */
      case 3: val = old & ~arg; break;                          /* ANDN */
      default: val = old ^ arg; break;                          /* XOR */
    }
    __asm__ volatile("sc %0, %1" : "+r"(val), "=m"(*a) :: "memory");
    if (val) return old;
  }
}

static int cmp(unsigned c, int a, int b) {
  switch (c) {
    case 0: return a == b;
    case 1: return a != b;
    case 2: return a < b;
    case 3: return a <= b;
    case 4: return a > b;
    default: return a >= b;
  }
}

static int sext12(unsigned v) { return (int)(v << 20) >> 20; }

int sys_futex(struct proc *p, unsigned uaddr, unsigned op, unsigned val, unsigned ts, unsigned uaddr2, unsigned val3, int wide) {
  unsigned cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME), key[2], key2[2];
  int err;
  switch (cmd) {
    case FUTEX_WAIT: case FUTEX_WAIT_BITSET: {
      unsigned long long deadline = 0;
      unsigned clock = (op & FUTEX_CLOCK_REALTIME) ? 0 : 1;
      if (ts) {
        if (!user_ok(p, ts, wide ? 16 : 8, 0)) return -EFAULT;
        const unsigned *t = (const unsigned *)ts;
        unsigned long long sec = wide ? ((unsigned long long)t[0] << 32) | t[1] : t[0];
        unsigned nsec = wide ? t[3] : t[1];
        if (nsec >= 1000000000u || (long long)sec < 0) return -EINVAL;
        deadline = sec * 1000000000ull + nsec;                   /* WAIT: relative; WAIT_BITSET: absolute */
        if (cmd == FUTEX_WAIT) { clock = 1; deadline += clock_ns(1); }
        if (deadline == 0) deadline = 1;
      }
      return futex_wait(p, uaddr, val, cmd == FUTEX_WAIT ? ~0u : val3, clock, deadline);
    }
    case FUTEX_WAKE: case FUTEX_WAKE_BITSET: {
      if ((err = key_of(p, uaddr, key)) < 0) return err;
      unsigned bits = cmd == FUTEX_WAKE ? ~0u : val3;
      if (bits == 0) return -EINVAL;
      unsigned f = spin_lock(&ptable_lock);
      int r = wake_locked(key, bits, val, NULL, 0);
      spin_unlock(&ptable_lock, f);
      return r;
    }
    case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
      if ((err = key_of(p, uaddr, key)) < 0 || (err = key_of(p, uaddr2, key2)) < 0) return err;
      unsigned f = spin_lock(&ptable_lock);
      int r = cmd == FUTEX_CMP_REQUEUE && *(volatile unsigned *)uaddr != val3 ? -EAGAIN
            : wake_locked(key, ~0u, val, key2, ts);               /* ts is val2, the requeue limit */
      spin_unlock(&ptable_lock, f);
      return r;
    }
    case FUTEX_WAKE_OP: {
      if ((err = key_of(p, uaddr, key)) < 0 || (err = key_of(p, uaddr2, key2)) < 0) return err;
      if (!user_ok(p, uaddr2, 4, 1)) return -EFAULT;
      unsigned o = (val3 >> 28) & 7, arg = (unsigned)sext12(val3 >> 12);
      if (val3 & 0x80000000u) arg = 1u << (arg & 31);             /* FUTEX_OP_OPARG_SHIFT */
      if (o > 4) return -ENOSYS;
      unsigned f = spin_lock(&ptable_lock);
      int old = (int)user_atomic((volatile unsigned *)uaddr2, o, arg);
      int r = wake_locked(key, ~0u, val, NULL, 0);
      if (cmp((val3 >> 24) & 15, old, sext12(val3))) r += wake_locked(key2, ~0u, ts, NULL, 0);
      spin_unlock(&ptable_lock, f);
      return r;
    }
    default:
      return -ENOSYS;
  }
}
