/* Kernel context switch (unprivileged: callee-saved registers and sp only). */
    .set noreorder
    .text
/* swtch(save, sp): pushes s0-s8, gp, ra; *save = sp; sp = the other context's; pops; returns there. */
    .globl swtch
swtch:
    addiu   $sp, $sp, -48
    sw      $s0, 0($sp)
    sw      $s1, 4($sp)
    sw      $s2, 8($sp)
    sw      $s3, 12($sp)
    sw      $s4, 16($sp)
    sw      $s5, 20($sp)
    sw      $s6, 24($sp)
    sw      $s7, 28($sp)
    sw      $fp, 32($sp)
    sw      $gp, 36($sp)
    sw      $ra, 40($sp)
    sw      $sp, 0($a0)
    move    $sp, $a1
    lw      $s0, 0($sp)
    lw      $s1, 4($sp)
    lw      $s2, 8($sp)
    lw      $s3, 12($sp)
    lw      $s4, 16($sp)
    lw      $s5, 20($sp)
    lw      $s6, 24($sp)
    lw      $s7, 28($sp)
    lw      $fp, 32($sp)
    lw      $gp, 36($sp)
    lw      $ra, 40($sp)
    jr      $ra
    addiu   $sp, $sp, 48

/* A new process's first switch lands here: sp is 16 bytes below its trap frame. */
    .globl fork_ret
fork_ret:
    la      $t0, fork_ret_c
    jalr    $t0
    nop
    la      $t0, trap_return
    jr      $t0
    nop

/*
 * fpu_save(fpr, fcsr_out), fpu_restore(fpr, fcsr): the user's FPU state across a switch. In the
 * o32 FR=0 mode the 32 single registers are 16 even/odd pairs, one sdc1/ldc1 each; FCSR is $31.
 */
    .globl fpu_save
fpu_save:
    cfc1    $t0, $31
    sw      $t0, 0($a1)
    sdc1    $f0, 0($a0)
    sdc1    $f2, 8($a0)
    sdc1    $f4, 16($a0)
    sdc1    $f6, 24($a0)
    sdc1    $f8, 32($a0)
    sdc1    $f10, 40($a0)
    sdc1    $f12, 48($a0)
    sdc1    $f14, 56($a0)
    sdc1    $f16, 64($a0)
    sdc1    $f18, 72($a0)
    sdc1    $f20, 80($a0)
    sdc1    $f22, 88($a0)
    sdc1    $f24, 96($a0)
    sdc1    $f26, 104($a0)
    sdc1    $f28, 112($a0)
    jr      $ra
    sdc1    $f30, 120($a0)

    .globl fpu_restore
fpu_restore:
    ldc1    $f0, 0($a0)
    ldc1    $f2, 8($a0)
    ldc1    $f4, 16($a0)
    ldc1    $f6, 24($a0)
    ldc1    $f8, 32($a0)
    ldc1    $f10, 40($a0)
    ldc1    $f12, 48($a0)
    ldc1    $f14, 56($a0)
    ldc1    $f16, 64($a0)
    ldc1    $f18, 72($a0)
    ldc1    $f20, 80($a0)
    ldc1    $f22, 88($a0)
    ldc1    $f24, 96($a0)
    ldc1    $f26, 104($a0)
    ldc1    $f28, 112($a0)
    ldc1    $f30, 120($a0)
    jr      $ra
    ctc1    $a1, $31
