/* An unknown system call returns -1 with errno ENOSYS (89 on MIPS); asked twice, warned once. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  for (int i = 0; i < 2; i++) {
    errno = 0;
    long r = syscall(4999);
    printf("syscall(4999) = %ld errno %d\n", r, errno);
  }
  return 0;
}
