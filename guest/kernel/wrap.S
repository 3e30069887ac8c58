/* The kernel's flat image (kernel.bin, linked at 0xC0000000) as the kseg0 load segment. */
    .section .kimage, "ax"
    .incbin "kernel.bin"
