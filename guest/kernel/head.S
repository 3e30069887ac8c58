/*
 * Bare-machine entry code (part of the bare HAL): the exception vectors at offsets 0 (TLB
 * refill) and 0x180 (general), reached through kseg0; the boot entries that wire the ksseg
 * mapping and enter C; the refill handler over the per-process page tables; exception entry
 * and return.
 */
#include "frame.h"

/*
 * Under Disco (built with -DDISCO) the kernel starts in ksseg with its wired map already made
 * (Disco made it as this code would), and reads the privileged registers its handlers need from
 * the special page Disco keeps at 0xDFFFF000 instead of trapping on MFC0 (the paper, 4.2.1).
 */
#ifdef DISCO
#define SPECIAL_LW(reg, word) lui reg, 0xe000; lw reg, -4096 + 4 * (word)(reg)
#define MFC0_CONTEXT(reg) SPECIAL_LW(reg, 4)
#define MFC0_BADVADDR(reg) SPECIAL_LW(reg, 3)
#define MFC0_STATUS(reg) SPECIAL_LW(reg, 0)
#define MFC0_CAUSE(reg) SPECIAL_LW(reg, 1)
#define MFC0_EPC(reg) SPECIAL_LW(reg, 2)
#else
#define MFC0_CONTEXT(reg) mfc0 reg, CP0_CONTEXT
#define MFC0_BADVADDR(reg) mfc0 reg, CP0_BADVADDR
#define MFC0_STATUS(reg) mfc0 reg, CP0_STATUS
#define MFC0_CAUSE(reg) mfc0 reg, CP0_CAUSE
#define MFC0_EPC(reg) mfc0 reg, CP0_EPC
#endif
/* reg = table[this CPU] (the CPU number is Context.PTEBase); uses k0. */
#define PERCPU(reg, table) \
    MFC0_CONTEXT($k0); srl $k0, $k0, CONTEXT_CPU_SHIFT; sll $k0, $k0, 2; \
    lui reg, %hi(table); addu reg, reg, $k0; lw reg, %lo(table)(reg)

    .set noreorder
    .set noat
    .section .text.head, "ax"

/* ---- 0x000: TLB refill vector (kseg0 0x80000000): jump to the handler in ksseg ---- */
    .globl vectors
vectors:
    lui     $k0, %hi(tlb_refill)
    addiu   $k0, $k0, %lo(tlb_refill)
    jr      $k0
    nop

/* ---- 0x180: general exception vector ---- */
    .org    0x180
    lui     $k0, %hi(general_exception)
    addiu   $k0, $k0, %lo(general_exception)
    jr      $k0
    nop

/*
 * ---- 0x200: _start, CPU 0's entry (kseg0 0x80000200, unmapped, kernel mode); a0..a3 are the
 * boot arguments. Runs position-independent until the ksseg mapping is wired. ----
 */
    .org    0x200
    .globl _start
_start:
#ifndef DISCO
    bal     wire_ksseg
    nop
#endif
    /* zero .bss (through ksseg, now mapped) */
    la      $t0, __bss_start
    la      $t1, __bss_end
1:  beq     $t0, $t1, 2f
    nop
    sw      $zero, 0($t0)
    b       1b
    addiu   $t0, $t0, 4
2:  la      $sp, boot_stack + 8192 - 16
    la      $t0, kmain
    jr      $t0                     /* kmain(a0, a1, a2, a3) in ksseg */
    nop

/* Entry of the other CPUs (StartPc = its kseg0 alias); sp and a0 come from StartSp/StartArg. */
    .globl _secondary
_secondary:
#ifndef DISCO
    bal     wire_ksseg
    nop
#endif
    la      $t0, secondary_main
    jr      $t0
    nop

/*
 * Wires TLB entries 0..n-1: ksseg 0xC0000000 + 32 MB*i -> physical 32 MB*i as a pair of 16 MB
 * pages (global, cacheable, writable), covering min(RAM, 512 MB); Wired = n. Uses t0-t9.
 */
wire_ksseg:
    lui     $t0, 0xbf00
    lw      $t1, 0x08($t0)          /* NNodes */
    lw      $t2, 0x14($t0)          /* MemPerNode */
    multu   $t1, $t2
    mflo    $t3
    lui     $t4, 0x01ff
    ori     $t4, $t4, 0xffff
    addu    $t3, $t3, $t4
    srl     $t3, $t3, 25            /* pairs of 16 MB pages */
    sltiu   $t5, $t3, 17
    bnez    $t5, 1f
    nop
    li      $t3, 16
1:  lui     $t4, 0x01ff
    ori     $t4, $t4, 0xe000        /* PageMask 16 MB */
    mtc0    $t4, CP0_PAGEMASK
    move    $t5, $zero              /* entry */
    lui     $t6, 0xc000             /* virtual */
    move    $t7, $zero              /* physical */
2:  mtc0    $t5, CP0_INDEX
    mtc0    $t6, CP0_ENTRYHI
    srl     $t8, $t7, 6
    ori     $t8, $t8, 0x1f          /* C=3, D, V, G */
    mtc0    $t8, CP0_ENTRYLO0
    lui     $t9, 0x0100
    addu    $t9, $t9, $t7
    srl     $t9, $t9, 6
    ori     $t9, $t9, 0x1f
    mtc0    $t9, CP0_ENTRYLO1
    tlbwi
    addiu   $t5, $t5, 1
    lui     $t9, 0x0200
    addu    $t6, $t6, $t9
    bne     $t5, $t3, 2b
    addu    $t7, $t7, $t9
    mtc0    $t3, CP0_WIRED
    mtc0    $zero, CP0_PAGEMASK
    mtc0    $zero, CP0_ENTRYHI
    /* Context.PTEBase = this CPU's number */
    lw      $t1, 0x00($t0)          /* WhoAmI */
    sll     $t1, $t1, CONTEXT_CPU_SHIFT
    mtc0    $t1, CP0_CONTEXT
    jr      $ra
    nop

/*
 * TLB refill (EXL set, k0/k1 only): pgd = pgd_current[cpu]; table = pgd[va >> 22] (never null:
 * empty slots point at an all-invalid table); the even/odd PTE pair of va goes in by TLBWR.
 * PTEs are EntryLo values; bits 31:30 are for software (mtc0 drops them).
 */
    .text
    .globl tlb_refill
tlb_refill:
    PERCPU($k1, pgd_current)
    MFC0_BADVADDR($k0)
    srl     $k0, $k0, 22
    sll     $k0, $k0, 2
    addu    $k1, $k1, $k0
    lw      $k1, 0($k1)
    MFC0_BADVADDR($k0)
    srl     $k0, $k0, 10
    andi    $k0, $k0, 0xff8
    addu    $k1, $k1, $k0
    lw      $k0, 0($k1)
    lw      $k1, 4($k1)
    mtc0    $k0, CP0_ENTRYLO0
    mtc0    $k1, CP0_ENTRYLO1
    tlbwr
    eret

/*
 * General exception: from user mode switch to kstack_top[cpu], else stay on the kernel stack;
 * save the frame, leave EXL with interrupts off, call trap(frame); then trap_return.
 */
    .globl general_exception
general_exception:
    move    $k1, $sp
    MFC0_STATUS($k0)
    andi    $k0, $k0, ST_KSU
    beqz    $k0, 1f
    nop
    PERCPU($sp, kstack_top)
1:  addiu   $sp, $sp, -FRAME_STACK
    sw      $k1, 16+F_REG(29)($sp)
    sw      $1, 16+F_REG(1)($sp)
    sw      $2, 16+F_REG(2)($sp)
    sw      $3, 16+F_REG(3)($sp)
    sw      $4, 16+F_REG(4)($sp)
    sw      $5, 16+F_REG(5)($sp)
    sw      $6, 16+F_REG(6)($sp)
    sw      $7, 16+F_REG(7)($sp)
    sw      $8, 16+F_REG(8)($sp)
    sw      $9, 16+F_REG(9)($sp)
    sw      $10, 16+F_REG(10)($sp)
    sw      $11, 16+F_REG(11)($sp)
    sw      $12, 16+F_REG(12)($sp)
    sw      $13, 16+F_REG(13)($sp)
    sw      $14, 16+F_REG(14)($sp)
    sw      $15, 16+F_REG(15)($sp)
    sw      $16, 16+F_REG(16)($sp)
    sw      $17, 16+F_REG(17)($sp)
    sw      $18, 16+F_REG(18)($sp)
    sw      $19, 16+F_REG(19)($sp)
    sw      $20, 16+F_REG(20)($sp)
    sw      $21, 16+F_REG(21)($sp)
    sw      $22, 16+F_REG(22)($sp)
    sw      $23, 16+F_REG(23)($sp)
    sw      $24, 16+F_REG(24)($sp)
    sw      $25, 16+F_REG(25)($sp)
    sw      $28, 16+F_REG(28)($sp)
    sw      $30, 16+F_REG(30)($sp)
    sw      $31, 16+F_REG(31)($sp)
    mfhi    $t0
    sw      $t0, 16+F_HI($sp)
    mflo    $t0
    sw      $t0, 16+F_LO($sp)
    MFC0_EPC($t0)
    sw      $t0, 16+F_EPC($sp)
    MFC0_STATUS($t0)
    sw      $t0, 16+F_STATUS($sp)
    MFC0_CAUSE($t1)
    sw      $t1, 16+F_CAUSE($sp)
    MFC0_BADVADDR($t1)
    sw      $t1, 16+F_BADVADDR($sp)
    li      $t1, ~(ST_IE | ST_EXL | ST_KSU)
    and     $t0, $t0, $t1
    mtc0    $t0, CP0_STATUS          /* kernel mode, EXL clear, interrupts off */
    la      $t0, trap
    jalr    $t0
    addiu   $a0, $sp, 16

/* Returns to the frame at sp+16 (also the first entry to user mode: user_enter). */
    .globl trap_return
trap_return:
    MFC0_STATUS($t0)
    ori     $t0, $t0, ST_IE
    xori    $t0, $t0, ST_IE
    mtc0    $t0, CP0_STATUS          /* interrupts off while restoring */
    lw      $t0, 16+F_HI($sp)
    mthi    $t0
    lw      $t0, 16+F_LO($sp)
    mtlo    $t0
    lw      $t0, 16+F_EPC($sp)
    mtc0    $t0, CP0_EPC
    MFC0_STATUS($t1)
    andi    $t1, $t1, 0xff00         /* the interrupt mask is the CPU's now, not the frame's */
    lw      $t0, 16+F_STATUS($sp)
    ori     $t0, $t0, 0xff00
    xori    $t0, $t0, 0xff00
    or      $t0, $t0, $t1
    ori     $t0, $t0, ST_EXL
    mtc0    $t0, CP0_STATUS          /* EXL set: still kernel mode until eret */
    lw      $1, 16+F_REG(1)($sp)
    lw      $2, 16+F_REG(2)($sp)
    lw      $3, 16+F_REG(3)($sp)
    lw      $4, 16+F_REG(4)($sp)
    lw      $5, 16+F_REG(5)($sp)
    lw      $6, 16+F_REG(6)($sp)
    lw      $7, 16+F_REG(7)($sp)
    lw      $8, 16+F_REG(8)($sp)
    lw      $9, 16+F_REG(9)($sp)
    lw      $10, 16+F_REG(10)($sp)
    lw      $11, 16+F_REG(11)($sp)
    lw      $12, 16+F_REG(12)($sp)
    lw      $13, 16+F_REG(13)($sp)
    lw      $14, 16+F_REG(14)($sp)
    lw      $15, 16+F_REG(15)($sp)
    lw      $16, 16+F_REG(16)($sp)
    lw      $17, 16+F_REG(17)($sp)
    lw      $18, 16+F_REG(18)($sp)
    lw      $19, 16+F_REG(19)($sp)
    lw      $20, 16+F_REG(20)($sp)
    lw      $21, 16+F_REG(21)($sp)
    lw      $22, 16+F_REG(22)($sp)
    lw      $23, 16+F_REG(23)($sp)
    lw      $24, 16+F_REG(24)($sp)
    lw      $25, 16+F_REG(25)($sp)
    lw      $28, 16+F_REG(28)($sp)
    lw      $30, 16+F_REG(30)($sp)
    lw      $31, 16+F_REG(31)($sp)
    lw      $sp, 16+F_REG(29)($sp)
    eret

/* user_enter(frame): sp = frame - 16, then trap_return (never returns). */
    .globl user_enter
user_enter:
    b       trap_return
    addiu   $sp, $a0, -16

/* probe_read(addr, out): a load that may raise a bus error (a device that is not there).
 * Returns 0, or -1 when hal_fixup moved the faulting load on to probe_fail. */
    .globl probe_read, probe_load, probe_fail
probe_read:
probe_load:
    lw      $t0, 0($a0)
    sw      $t0, 0($a1)
    jr      $ra
    move    $v0, $zero
probe_fail:
    jr      $ra
    li      $v0, -1
