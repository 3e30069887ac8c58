/*
 * mmap of files: private mappings are snapshots of the file that the process may write without
 * changing the file; offsets in pages; the bytes past the end of the file in its last page read
 * as zero; read-only shared mappings; the errors for descriptors that cannot be mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE 10000

static const char *err(void *m) {
  if (m != MAP_FAILED) return "mapped";
  return errno == EBADF ? "EBADF" : errno == EACCES ? "EACCES" : errno == ENODEV ? "ENODEV" : errno == EINVAL ? "EINVAL" : "other";
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/tmp/mmap_file.dat";
  static char data[SIZE];
  for (int i = 0; i < SIZE; i++) data[i] = (char)('a' + (i * 7 + i / 13) % 26);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, data, SIZE) != SIZE) { perror(path); return 1; }

  char *m = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
  printf("private read-only: %s, same bytes %d\n", err(m), m != MAP_FAILED && memcmp(m, data, SIZE) == 0);
  int zeros = 1;
  for (int i = SIZE; i < 12288; i++) zeros &= m[i] == 0;
  printf("past the end of the file in its last page: zero %d\n", zeros);
  printf("munmap %d\n", munmap(m, SIZE));

  char *o = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 8192);
  printf("at page 2: %s, same bytes %d\n", err(o), o != MAP_FAILED && memcmp(o, data + 8192, SIZE - 8192) == 0);

  char *w = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  memset(w + 100, '#', 50);
  char back[200];
  pread(fd, back, sizeof back, 0);
  printf("private write: seen in the mapping %d, file unchanged %d\n", w[120] == '#', memcmp(back, data, sizeof back) == 0);

  char *s = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
  printf("shared read-only: %s, same bytes %d\n", err(s), s != MAP_FAILED && memcmp(s, data, SIZE) == 0);

  printf("unaligned offset: %s\n", err(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100)));
  printf("bad descriptor: %s\n", err(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0)));
  int wo = open(path, O_WRONLY);
  printf("write-only descriptor: %s\n", err(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0)));
  int pfd[2];
  pipe(pfd);
  printf("pipe: %s\n", err(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pfd[0], 0)));
  unlink(path);
  printf("after unlink the mapping still reads %d\n", w[0] == data[0] && w[9999] == data[9999]);
  return 0;
}
