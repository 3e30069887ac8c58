/*
 * /dev/ether on a one-node machine: frames sent to port 0 come back to port 0. Prints each
 * step; tests/kernel/fs.test.ts compares the transcript.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define T(expr) do { errno = 0; long _r = (long)(expr); printf("%s = %ld%s%s\n", #expr, _r, _r < 0 ? " " : "", _r < 0 ? strerror(errno) : ""); } while (0)

int main(void) {
  char buf[10000], frame[10000];
  int fd;
  T(fd = open("/dev/ether", O_RDWR));
  struct stat st;
  T(fstat(fd, &st));
  printf("chr %d, %u:%u\n", S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
  T(write(fd, "\0\0\0", 3));
  T(write(fd, "\0\0\0\0", 4));
  T(write(fd, "\0\0\0\x63xx", 6));                  /* port 99: none */
  memcpy(frame, "\0\0\0\0hello, ether", 17);
  T(write(fd, frame, 17));
  T(read(fd, buf, 3));
  T(read(fd, buf, sizeof buf));
  printf("from port %d: %.13s\n", buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3], buf + 4);
  for (int i = 0; i < 9216; i++) frame[4 + i] = (char)(i * 7);
  T(write(fd, frame, 4 + 9216));
  T(write(fd, frame, 4 + 9217));
  T(read(fd, buf, 100));
  printf("cut: %s\n", memcmp(buf + 4, frame + 4, 96) == 0 ? "ok" : "BAD");
  T(write(fd, frame, 4 + 9216));
  T(read(fd, buf, sizeof buf));
  printf("full: %s\n", memcmp(buf + 4, frame + 4, 9216) == 0 ? "ok" : "BAD");
  T(lseek(fd, 0, SEEK_SET));
  T(close(fd));
  return 0;
}
