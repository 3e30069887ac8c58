/*
 * The Linux o32 system calls: number in v0, arguments in a0-a3 then at the user's sp+16; the
 * result in v0 with a3 = 0, or a positive errno in v0 with a3 = 1.
 */
#include "kernel.h"
#include "frame.h"

#define SYS_exit 4001
#define SYS_fork 4002
#define SYS_waitpid 4007
#define SYS_getppid 4064
#define SYS_wait4 4114
#define SYS_execve 4011
#define SYS_clone 4120
#define SYS_sched_yield 4162
#define SYS_read 4003
#define SYS_write 4004
#define SYS_getpid 4020
#define SYS_getuid 4024
#define SYS_brk 4045
#define SYS_getgid 4047
#define SYS_geteuid 4049
#define SYS_getegid 4050
#define SYS_ioctl 4054
#define SYS_munmap 4091
#define SYS_uname 4122
#define SYS_mprotect 4125
#define SYS_writev 4146
#define SYS_sigreturn 4119
#define SYS_rt_sigreturn 4193
#define SYS_mmap2 4210
#define SYS_madvise 4218
#define SYS_mmap 4090
#define SYS_setrlimit 4075
#define SYS_prctl 4192
#define SYS_mremap 4167
#define SYS_msync 4144
#define SYS_mlock 4154
#define SYS_munlock 4155
#define SYS_cacheflush 4147
#define SYS_times 4043
#define SYS_getrusage 4077
#define SYS_sysinfo 4116
#define SYS_getgroups 4080
#define SYS_getresuid 4186
#define SYS_getresgid 4191
#define SYS_personality 4136
#define SYS_sched_setaffinity 4239
#define SYS_sched_getaffinity 4240
#define SYS_getpgrp 4065
#define SYS_getpgid 4132
#define SYS_getsid 4151
#define SYS_setpgid 4057
#define SYS_setsid 4066
#define SYS_getrlimit 4076
#define SYS_prlimit64 4338
#define SYS_gettid 4222
#define SYS_futex 4238
#define SYS_futex_time64 4422
#define SYS_exit_group 4246
#define SYS_set_tid_address 4252
#define SYS_set_thread_area 4283
#define SYS_set_robust_list 4309
#define SYS_clock_gettime 4263
#define SYS_clock_getres 4264
#define SYS_clock_nanosleep 4265
#define SYS_time 4013
#define SYS_gettimeofday 4078
#define SYS_nanosleep 4166
#define SYS_clock_getres64 4406
#define SYS_clock_nanosleep64 4407
#define SYS_getrandom 4353
#define SYS_clock_gettime64 4403



static int sys_brk(struct proc *p, unsigned addr) {
  struct mm *mm = p->mm;
  unsigned want = (addr + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), have = (mm->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if (addr < mm->brk_start || addr >= mm->mmap_top - 0x100000u) return (int)mm->brk;
  if (want > have && vm_alloc_range(p, have, want - have) < 0) return (int)mm->brk;
  if (want < have) vm_free_range(p, want, have - want);
  mm->brk = addr;
  return (int)addr;
}

/*
 * Time: nanoseconds since boot from each CPU's Count (half the 200 MHz clock: 10 ns a count),
 * extended to 64 bits per CPU and kept monotonic across CPUs; the real-time clock starts at a
 * fixed date so that runs are reproducible.
 */
#define REALTIME_BASE 1700000000ull
static unsigned long long count_hi[NCPU_MAX], count_last[NCPU_MAX], last_ns;
static spinlock_t time_lock;
static unsigned long long now_ns(void) {
  unsigned f = spin_lock(&time_lock), cpu = hal_cpu_id(), c = hal_time();
  if (c < (unsigned)count_last[cpu]) count_hi[cpu] += 1ull << 32;  /* Count wraps every 42 s */
  count_last[cpu] = c;
  unsigned long long ns = (count_hi[cpu] + c) * 10;
  if (ns < last_ns) ns = last_ns;
  last_ns = ns;
  spin_unlock(&time_lock, f);
  return ns;
}

unsigned long long clock_ns(unsigned id) {
  int real = id == 0 || id == 5 || id == 8 || id == 11;      /* REALTIME, _COARSE, _ALARM, TAI */
  return now_ns() + (real ? REALTIME_BASE * 1000000000ull : 0);
}

static int put_timespec(struct proc *p, unsigned ts, int wide, unsigned long long ns) {
  if (!user_ok(p, ts, wide ? 16 : 8, 1)) return -EFAULT;
  unsigned long long sec = ns / 1000000000u;
  unsigned nsec = (unsigned)(ns % 1000000000u), *t = (unsigned *)ts;
  if (wide) { t[0] = (unsigned)(sec >> 32); t[1] = (unsigned)sec; t[2] = 0; t[3] = nsec; } else { t[0] = (unsigned)sec; t[1] = nsec; }
  return 0;
}

static int sys_clock_gettime(struct proc *p, unsigned id, unsigned ts, int wide) {
  return put_timespec(p, ts, wide, clock_ns(id));
}

/* Sleeps until the clock passes the deadline; the timer tick on CPU 0 wakes sleepers. */
char tick_chan;
static int sys_nanosleep(struct proc *p, unsigned id, int abs, unsigned req, int wide) {
  if (!user_ok(p, req, wide ? 16 : 8, 0)) return -EFAULT;
  const unsigned *t = (const unsigned *)req;
  unsigned long long sec = wide ? ((unsigned long long)t[0] << 32) | t[1] : t[0];
  unsigned nsec = wide ? t[3] : t[1];
  if (nsec >= 1000000000u) return -EINVAL;
  unsigned long long want = sec * 1000000000ull + nsec, deadline = abs ? want : clock_ns(id) + want;
  while (clock_ns(id) < deadline) {
    if (signal_pending(p)) return -EINTR;
    unsigned f = spin_lock(&ptable_lock);
    sleep_on(&tick_chan);
    spin_unlock(&ptable_lock, f);
  }
  return 0;
}

/* Resource limits (read only): the stack's 8 MB (USTACK_LIMIT), no limit on the rest. */
static int sys_getrlimit(struct proc *p, unsigned res, unsigned out, int wide) {
  if (res >= 16) return -EINVAL;
  if (out == 0) return 0;
  if (!user_ok(p, out, wide ? 16 : 8, 1)) return -EFAULT;
  unsigned lim = res == 3 ? USTACK_TOP - USTACK_LIMIT : wide ? ~0u : 0x7fffffffu, *o = (unsigned *)out;   /* RLIMIT_STACK; RLIM_INFINITY */
  if (wide) { o[0] = o[2] = res == 3 ? 0 : ~0u; o[1] = o[3] = lim; } else o[0] = o[1] = lim;
  return 0;
}

/* Writes n zero words at a user address (getrusage: no per-process accounting is kept). */
static int put_zeros(struct proc *p, unsigned va, unsigned n) {
  if (!user_ok(p, va, 4 * n, 1)) return -EFAULT;
  memset((void *)va, 0, 4 * n);
  return 0;
}

/* struct sysinfo (o32, 64 bytes): uptime, loads, RAM totals in bytes, processes. */
static int sys_sysinfo(struct proc *p, unsigned va) {
  if (!user_ok(p, va, 64, 1)) return -EFAULT;
  unsigned *o = (unsigned *)va, procs_in_use = 0;
  memset(o, 0, 64);
  for (int i = 0; i < NPROC; i++) procs_in_use += procs[i].state != P_UNUSED;
  o[0] = (unsigned)(clock_ns(1) / 1000000000ull);
  o[4] = mm_total_pages() * PAGE_SIZE;
  o[5] = mm_free_pages() * PAGE_SIZE;
  ((unsigned short *)o)[20] = (unsigned short)procs_in_use;   /* procs, after the six RAM and swap words */
  o[13] = 1;                                                 /* mem_unit */
  return 0;
}

/* sched_getaffinity: every CPU (the scheduler places threads itself). */
static int sys_getaffinity(struct proc *p, unsigned size, unsigned va) {
  unsigned bytes = (ncpus + 31) / 32 * 4;
  if (size < bytes || (size & 3)) return -EINVAL;
  if (!user_ok(p, va, bytes, 1)) return -EFAULT;
  for (unsigned i = 0; i < bytes / 4; i++) ((unsigned *)va)[i] = ncpus >= 32 * (i + 1) ? ~0u : (1u << (ncpus - 32 * i)) - 1;
  return (int)bytes;
}

static unsigned rnd = 0x9e3779b9u;
static int sys_getrandom(struct proc *p, unsigned buf, unsigned len) {
  if (len > 256) len = 256;
  if (!user_ok(p, buf, len, 1)) return -EFAULT;
  unsigned char *b = (unsigned char *)buf;
  for (unsigned i = 0; i < len; i++) { rnd ^= rnd << 13; rnd ^= rnd >> 17; rnd ^= rnd << 5; b[i] = (unsigned char)rnd; }
  return (int)len;
}

static void put_field(char *dst, const char *s) { unsigned i = 0; for (; s[i] && i < 64; i++) dst[i] = s[i]; dst[i] = 0; }

void syscall(struct trapframe *tf) {
  struct proc *p = cpus[hal_cpu_id()].proc;
  unsigned *r = tf->regs, nr = r[2], a0 = r[4], a1 = r[5], a2 = r[6];
  int ret;
  tf->epc += 4;
  r[0] = nr; r[26] = r[7];               /* kept for a restart after a signal (signal.c) */
  switch (nr) {
    case SYS_getpid: ret = (int)p->tgid; break;
    case SYS_gettid: ret = (int)p->pid; break;
    case SYS_set_tid_address: p->clear_tid = a0; ret = (int)p->pid; break;
    case SYS_futex: case SYS_futex_time64: {
      unsigned *sp = (unsigned *)r[29];                        /* uaddr2 and val3 are on the user stack */
      if (!user_ok(p, r[29] + 16, 8, 0)) { ret = -EFAULT; break; }
      ret = sys_futex(p, a0, a1, a2, r[7], sp[4], sp[5], nr == SYS_futex_time64);
      break;
    }
    case SYS_getuid: case SYS_geteuid: case SYS_getgid: case SYS_getegid: ret = 0; break;
    case SYS_brk: ret = sys_brk(p, a0); break;
    case SYS_mmap2: case SYS_mmap: {                          /* the file's offset: mmap2's in pages, mmap's in bytes */
      const unsigned *sp = (const unsigned *)r[29];
      if (r[7] & MAP_ANONYMOUS) ret = vm_mmap(p, a0, a1, a2, r[7]);
      else if (!user_ok(p, r[29] + 16, 8, 0)) ret = -EFAULT;
      else if (nr == SYS_mmap && (sp[5] & (PAGE_SIZE - 1))) ret = -EINVAL;
      else ret = file_mmap(p, a0, a1, a2, r[7], (int)sp[4], nr == SYS_mmap ? sp[5] / PAGE_SIZE : sp[5]);
      break;
    }
    case SYS_munmap:
      if ((a0 & (PAGE_SIZE - 1)) || a0 >= 0x80000000u || a1 > 0x80000000u - a0) { ret = -EINVAL; break; }
      vm_free_range(p, a0, a1);
      ret = 0;
      break;
    case SYS_mprotect: ret = vm_mprotect(p, a0, a1, a2); break;
    case SYS_getrlimit: ret = sys_getrlimit(p, a0, a1, 0); break;
    case SYS_prlimit64:                                      /* (pid, resource, new, old): reading only */
      ret = a2 ? -1 /* EPERM */ : a0 && a0 != p->tgid && a0 != p->pid ? -3 /* ESRCH */ : sys_getrlimit(p, a1, r[7], 1);
      break;
    case SYS_madvise: ret = vm_madvise(p, a0, a1, a2); break;
    case SYS_mremap: ret = vm_mremap(p, a0, a1, a2, r[7]); break;
    case SYS_setrlimit:         /* accepted: the only limit this kernel has is the stack's 8 MB */
      ret = a0 >= 16 ? -EINVAL : !user_ok(p, a1, 8, 0) ? -EFAULT : 0;
      break;
    case SYS_prctl: ret = -EINVAL; break;                   /* none of its options is kept (names, capabilities) */
    case SYS_msync: case SYS_mlock: case SYS_munlock: case SYS_cacheflush:
      ret = 0;                  /* no files mapped, nothing paged out, the translator checks code against memory */
      break;
    case SYS_times: {           /* clock ticks since boot; no per-process times are kept */
      if (a0 && put_zeros(p, a0, 4) < 0) { ret = -EFAULT; break; }
      ret = (int)(clock_ns(1) / (1000000000ull / HZ));
      break;
    }
    case SYS_getrusage: ret = a0 == 0 || a0 == (unsigned)-1 || a0 == 1 ? put_zeros(p, a1, 18) : -EINVAL; break;
    case SYS_sysinfo: ret = sys_sysinfo(p, a0); break;
    case SYS_getgroups: ret = 0; break;
    case SYS_getresuid: case SYS_getresgid: ret = put_zeros(p, a0, 1) | put_zeros(p, a1, 1) | put_zeros(p, a2, 1); break;
    case SYS_personality: ret = a0 == 0 || a0 == ~0u ? 0 : -EINVAL; break;     /* PER_LINUX only */
    case SYS_sched_getaffinity: ret = a0 && a0 != p->pid && a0 != p->tgid ? -3 : sys_getaffinity(p, a1, a2); break;
    case SYS_sched_setaffinity: ret = 0; break;            /* a hint the scheduler does without */
    case SYS_getpgrp: ret = (int)p->pgid; break;
    case SYS_getpgid: case SYS_getsid: ret = proc_getpgid(p, (int)a0, nr == SYS_getsid); break;
    case SYS_setpgid: ret = proc_setpgid(p, (int)a0, (int)a1); break;
    case SYS_setsid: ret = proc_setsid(p); break;
    case SYS_set_robust_list: ret = 0; break;
    case SYS_sigreturn: case SYS_rt_sigreturn: signal_return(tf, nr == SYS_rt_sigreturn); return;   /* the saved context */
    case SYS_set_thread_area: p->tls = a0; hal_set_tls(a0); ret = 0; break;
    case SYS_clock_gettime: ret = sys_clock_gettime(p, a0, a1, 0); break;
    case SYS_clock_gettime64: ret = sys_clock_gettime(p, a0, a1, 1); break;
    case SYS_clock_getres: ret = a1 ? put_timespec(p, a1, 0, 10) : 0; break;
    case SYS_clock_getres64: ret = a1 ? put_timespec(p, a1, 1, 10) : 0; break;
    case SYS_gettimeofday: {
      if (a0 == 0) { ret = 0; break; }
      if (!user_ok(p, a0, 8, 1)) { ret = -EFAULT; break; }
      unsigned long long us = clock_ns(0) / 1000;
      ((unsigned *)a0)[0] = (unsigned)(us / 1000000);
      ((unsigned *)a0)[1] = (unsigned)(us % 1000000);
      ret = 0;
      break;
    }
    case SYS_time: {
      unsigned t = (unsigned)(clock_ns(0) / 1000000000ull);
      if (a0 && !user_ok(p, a0, 4, 1)) { ret = -EFAULT; break; }
      if (a0) *(unsigned *)a0 = t;
      ret = (int)t;
      break;
    }
    case SYS_nanosleep: ret = sys_nanosleep(p, 1, 0, a0, 0); break;
    case SYS_clock_nanosleep: ret = -sys_nanosleep(p, a0, a1 & 1, a2, 0); break;    /* returns the error */
    case SYS_clock_nanosleep64: ret = -sys_nanosleep(p, a0, a1 & 1, a2, 1); break;
    case SYS_getrandom: ret = sys_getrandom(p, a0, a1); break;
    case SYS_uname: {
      if (!user_ok(p, a0, 6 * 65, 1)) { ret = -EFAULT; break; }
      char *u = (char *)a0;
      put_field(u, "Linux"); put_field(u + 65, "disco"); put_field(u + 130, "6.1.0");
      put_field(u + 195, "#1 SMP"); put_field(u + 260, "mips"); put_field(u + 325, "(none)");
      ret = 0;
      break;
    }
    case SYS_exit: thread_leave(p, (int)(a0 & 0xff));
    case SYS_exit_group: proc_exit(p, (int)(a0 & 0xff), 0);
    case SYS_fork: ret = sys_fork(tf, 0, 0, 0, 0, 0); break;
    case SYS_clone: {
      unsigned ctid = 0;
      /* clone(flags, newsp, ptid, tls, ctid): ctid on the stack for CLONE_CHILD_SETTID or _CLEARTID */
      if ((a0 & 0x01200000u) && (!user_ok(p, r[29] + 16, 4, 0) || (ctid = ((unsigned *)r[29])[4], !user_ok(p, ctid, 4, 1)))) { ret = -EFAULT; break; }
      if ((a0 & 0x00100000u) && !user_ok(p, a2, 4, 1)) { ret = -EFAULT; break; }
      ret = sys_fork(tf, a0, a1, a2, r[7], ctid);
      break;
    }
    case SYS_execve: ret = sys_execve(p, a0, a1, a2); break;
    case SYS_wait4: ret = sys_wait4(p, (int)a0, a1, a2); break;
    case SYS_waitpid: ret = sys_wait4(p, (int)a0, a1, a2); break;
    case SYS_getppid: ret = p->parent ? (int)p->parent->tgid : 0; break;
    case SYS_sched_yield: yield(); ret = 0; break;
    default:
      if (sys_file(p, tf, nr, &ret)) break;
      if (sys_signal(p, tf, nr, &ret)) break;
      bprintf("pid %u: unimplemented system call %u\n", p->pid, nr);
      ret = -ENOSYS;
      break;
  }
  if (p->user_fault) { p->user_fault = 0; user_fault_end(); ret = -EFAULT; }
  if (ret < 0 && ret > -4096) { r[2] = (unsigned)-ret; r[7] = 1; }
  else { r[2] = (unsigned)ret; r[7] = 0; }
}
