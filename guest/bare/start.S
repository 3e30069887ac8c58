/* Entry of every CPU: the machine sets sp (and a0 for started CPUs); main's return halts. */
    .set noreorder
    .section .text.start, "ax"
    .globl _start
_start:
    la      $gp, _gp
    jal     bare_main
    nop
    lui     $t0, 0xbf00          /* system device: Halt register */
    sw      $v0, 0x34($t0)
1:  b       1b
    nop
