/* The first user program (built from user/), embedded in the kernel image. */
    .section .rodata
    .balign 16
    .globl init_elf, init_elf_end
init_elf:
    .incbin "init.elf"
init_elf_end:
