/* No C library: set_thread_area, then RDHWR $3, $29 (UserLocal); exits with its top byte (0x12). */
#include <sys/regdef.h>
	.text
	.globl	__start
	.set	noreorder
__start:
	li	a0, 0x12345678
	li	v0, 4283		# set_thread_area
	syscall
	rdhwr	v1, $29
	srl	a0, v1, 24
	li	v0, 4001		# exit
	syscall
