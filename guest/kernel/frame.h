/* The saved state of an exception (head.S writes it; struct trapframe reads it). */
#ifndef FRAME_H
#define FRAME_H

#define F_REG(i)   ((i) * 4)
#define F_HI       128
#define F_LO       132
#define F_EPC      136
#define F_STATUS   140
#define F_CAUSE    144
#define F_BADVADDR 148
#define FRAME_BYTES 152
/* The frame sits 16 bytes above sp (the o32 argument area of the C handler); 8-byte aligned. */
#define FRAME_STACK 176

/* CP0 registers and fields used by the kernel. */
#define CP0_INDEX    $0
#define CP0_ENTRYLO0 $2
#define CP0_ENTRYLO1 $3
#define CP0_CONTEXT  $4
#define CP0_PAGEMASK $5
#define CP0_WIRED    $6
#define CP0_BADVADDR $8
#define CP0_COUNT    $9
#define CP0_ENTRYHI  $10
#define CP0_COMPARE  $11
#define CP0_STATUS   $12
#define CP0_CAUSE    $13
#define CP0_EPC      $14

#define ST_IE   0x1
#define ST_EXL  0x2
#define ST_KSU  0x18
#define ST_USER 0x10
#define ST_CU1  0x20000000
#define ST_IM(n) (1u << (8 + (n)))
#define CAUSE_IP(n) (1u << (8 + (n)))
#define CAUSE_EXC(c) (((c) >> 2) & 31)

/* Context.PTEBase (bits 31:23) holds the CPU number, so handlers find per-CPU data. */
#define CONTEXT_CPU_SHIFT 23

#ifndef __ASSEMBLER__
struct trapframe {
  unsigned regs[32];
  unsigned hi, lo, epc, status, cause, badvaddr;
};
#endif
#endif
