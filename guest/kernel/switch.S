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
