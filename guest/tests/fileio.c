/* File I/O inside the directory given as argv[1]: open/write/read/lseek,
 * pread/pwrite, fstat/stat/lstat, ftruncate, rename, link, symlink/readlink,
 * unlink, mkdir/rmdir, opendir/readdir (names sorted), dup/dup2, stdio files,
 * errno values. Only relative names are printed.
 * Built with 64-bit file offsets: the 32-bit readdir() of glibc fails with
 * EOVERFLOW when the host file system hands out 64-bit directory cookies
 * (ext4 hashed directories seen through qemu-user). */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

static void err(const char *what) { printf("%s: errno %d (%s)\n", what, errno, strerror(errno)); }

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) { err("opendir"); return; }
  char *names[64];
  int n = 0;
  struct dirent *e;
  errno = 0;
  while (n < 64 && (e = readdir(d)) != NULL) names[n++] = strdup(e->d_name);
  if (errno) err("readdir");
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmpstr);
  printf("dir %s:", path);
  for (int i = 0; i < n; i++) {
    struct stat st;
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", path, names[i]);
    const char *kind = "?";
    if (lstat(full, &st) == 0) kind = S_ISDIR(st.st_mode) ? "d" : S_ISLNK(st.st_mode) ? "l" : S_ISREG(st.st_mode) ? "f" : "o";
    printf(" %s(%s)", names[i], kind);
    free(names[i]);
  }
  printf("\n");
}

static void show_stat(const char *label, const struct stat *st) {
  printf("%s: size %lld reg %d dir %d mode %03o nlink %lu\n", label, (long long)st->st_size, S_ISREG(st->st_mode) != 0,
         S_ISDIR(st->st_mode) != 0, (unsigned)(st->st_mode & 0777), (unsigned long)st->st_nlink);
}

int main(int argc, char **argv) {
  if (argc < 2) { printf("usage: fileio DIR\n"); return 2; }
  umask(022);
  char real[PATH_MAX], cwd[PATH_MAX];
  if (chdir(argv[1]) != 0) { err("chdir"); return 1; }
  if (!getcwd(cwd, sizeof cwd)) { err("getcwd"); return 1; }
  if (!realpath(argv[1], real)) { err("realpath"); return 1; }
  printf("cwd matches realpath: %d\n", strcmp(cwd, real) == 0);

  if (mkdir("sub", 0755) != 0) err("mkdir sub");
  if (mkdir("sub", 0755) != 0) err("mkdir sub again");
  int fd = open("sub/a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) { err("open a.txt"); return 1; }
  const char *msg = "Hello, file system!\n";
  ssize_t w = write(fd, msg, strlen(msg));
  printf("write %zd\n", w);
  struct stat st;
  fstat(fd, &st);
  show_stat("fstat a.txt", &st);
  close(fd);

  fd = open("sub/a.txt", O_RDWR);
  off_t end = lseek(fd, 0, SEEK_END);
  off_t cur = lseek(fd, -6, SEEK_CUR);
  char rb[64] = {0};
  ssize_t r = read(fd, rb, sizeof rb - 1);
  rb[r > 0 ? r - 1 : 0] = 0;
  printf("lseek end %lld cur %lld read %zd [%s]\n", (long long)end, (long long)cur, r, rb);
  ssize_t pw = pwrite(fd, "XYZ", 3, 7);
  memset(rb, 0, sizeof rb);
  ssize_t pr = pread(fd, rb, 12, 2);
  printf("pwrite %zd pread %zd [%s] pos-after %lld\n", pw, pr, rb, (long long)lseek(fd, 0, SEEK_CUR));
  if (ftruncate(fd, 5) != 0) err("ftruncate");
  fstat(fd, &st);
  show_stat("after ftruncate", &st);
  if (ftruncate(fd, 10000) != 0) err("ftruncate grow");
  memset(rb, 1, sizeof rb);
  pr = pread(fd, rb, 8, 4);
  printf("extended read %zd: %d %d %d\n", pr, rb[0], rb[1], rb[7]);
  lseek(fd, 0, SEEK_SET);
  int fd2 = dup(fd);
  write(fd2, "DUP", 3);
  printf("shared offset after dup write %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  int fd3 = open("sub/dup2.txt", O_CREAT | O_WRONLY, 0600);
  if (dup2(fd3, fd2) != fd2) err("dup2");
  write(fd2, "via dup2\n", 9);
  printf("fcntl accmode rdwr %d wronly %d\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
         (fcntl(fd2, F_GETFL) & O_ACCMODE) == O_WRONLY);
  close(fd); close(fd2); close(fd3);
  if (chmod("sub/dup2.txt", 0640) != 0) err("chmod");
  stat("sub/dup2.txt", &st);
  show_stat("dup2.txt", &st);

  if (rename("sub/a.txt", "sub/b.txt") != 0) err("rename");
  if (stat("sub/a.txt", &st) != 0) err("stat a.txt after rename");
  if (stat("sub/b.txt", &st) == 0) show_stat("stat b.txt", &st);
  if (link("sub/b.txt", "sub/hard.txt") != 0) err("link");
  stat("sub/b.txt", &st);
  show_stat("b.txt after link", &st);
  if (symlink("b.txt", "sub/sym") != 0) err("symlink");
  char lb[64] = {0};
  ssize_t ll = readlink("sub/sym", lb, sizeof lb - 1);
  printf("readlink %zd [%s]\n", ll, lb);
  struct stat lst;
  lstat("sub/sym", &lst);
  stat("sub/sym", &st);
  printf("lstat islnk %d stat isreg %d size %lld\n", S_ISLNK(lst.st_mode) != 0, S_ISREG(st.st_mode) != 0,
         (long long)st.st_size);
  printf("access exists %d missing %d\n", access("sub/b.txt", R_OK | W_OK), access("sub/none", F_OK));
  if (open("sub/none", O_RDONLY) < 0) err("open missing");
  if (open("sub/b.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) < 0) err("open excl");

  /* stdio */
  FILE *f = fopen("data.txt", "w+");
  for (int i = 0; i < 2000; i++) fprintf(f, "line %d value %d\n", i, i * i);
  long pos = ftell(f);
  fseek(f, 0, SEEK_SET);
  char line[128];
  int lines = 0;
  long long total = 0;
  while (fgets(line, sizeof line, f)) {
    int a, b;
    if (sscanf(line, "line %d value %d", &a, &b) == 2) { total += b; lines++; }
  }
  printf("stdio size %ld lines %d total %lld\n", pos, lines, total);
  fseek(f, -14, SEEK_END);
  fgets(line, sizeof line, f);
  printf("last [%s", line);
  fclose(f);
  unsigned char blob[65536];
  for (unsigned i = 0; i < sizeof blob; i++) blob[i] = (unsigned char)(i * 131 + (i >> 8));
  f = fopen("blob.bin", "wb");
  size_t wr = fwrite(blob, 1, sizeof blob, f);
  wr += fwrite(blob, 1, 1000, f);
  fclose(f);
  f = fopen("blob.bin", "rb");
  unsigned long sum = 0;
  size_t got, tot = 0;
  while ((got = fread(blob, 1, 4000, f)) > 0) {
    for (size_t i = 0; i < got; i++) sum = sum * 31 + blob[i];
    tot += got;
  }
  fclose(f);
  printf("blob wrote %zu read %zu sum %lu\n", wr, tot, sum);

  list_dir(".");
  list_dir("sub");
  if (rmdir("sub") != 0) err("rmdir non-empty");
  if (unlink("sub/b.txt") != 0) err("unlink b");
  if (unlink("sub/hard.txt") != 0) err("unlink hard");
  if (unlink("sub/sym") != 0) err("unlink sym");
  if (unlink("sub/dup2.txt") != 0) err("unlink dup2");
  if (unlink("sub/b.txt") != 0) err("unlink b again");
  list_dir("sub");
  if (rmdir("sub") != 0) err("rmdir");
  unlink("data.txt");
  unlink("blob.bin");
  list_dir(".");
  if (stat("sub", &st) != 0) err("stat removed dir");
  return 0;
}
