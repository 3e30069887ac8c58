/* User entry: sp -> argc, argv[]; main's return value goes to exit_group. */
    .set noreorder
    .section .text.start, "ax"
    .globl _start
_start:
    lw      $a0, 0($sp)
    addiu   $a1, $sp, 4
    addiu   $sp, $sp, -16
    jal     main
    nop
    move    $a0, $v0
    li      $v0, 4246               /* exit_group */
    syscall
1:  b       1b
    nop
