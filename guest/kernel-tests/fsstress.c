/*
 * Concurrent file-system use: NPROC children at once create, write, rename and remove files in
 * one directory, make and remove their own directories, and append fixed-size records to one
 * shared O_APPEND log. The parent then checks every surviving file's name and contents and the
 * log's records, and prints "fsstress: ok" (or what is wrong; exit status 1). Works in the new
 * directory argv[1] when given.
 */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPROC 6
#define NFILE 40
#define REC 32

static int bad;
static void fail(const char *what, const char *name) { printf("fsstress: %s %s\n", what, name); bad = 1; }

static void content(char *buf, int c, int k) { snprintf(buf, 64, "child %d file %d %s", c, k, "......................"); }

static void child(int c) {
  char name[64], to[64], buf[64];
  int log = open("s/log", O_WRONLY | O_APPEND);
  for (int k = 0; k < NFILE; k++) {
    snprintf(name, sizeof name, "s/c%d-%d", c, k);
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) _exit(10);
    content(buf, c, k);
    for (int i = 0; i < 200; i++) if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) _exit(11);   /* 3 blocks and more */
    close(fd);
    if (k % 2 == 0) { snprintf(to, sizeof to, "s/r%d-%d", c, k); if (rename(name, to) < 0) _exit(12); }
    if (k % 4 == 1 && unlink(name) < 0) _exit(13);
    snprintf(name, sizeof name, "s/d%d-%d", c, k);
    if (mkdir(name, 0755) < 0) _exit(14);
    if (k % 3 && rmdir(name) < 0) _exit(15);
    snprintf(buf, sizeof buf, "%-*d\n", REC - 1, c * 1000 + k);
    if (write(log, buf, REC) != REC) _exit(16);
  }
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc > 1 && (mkdir(argv[1], 0755) < 0 || chdir(argv[1]) < 0)) { printf("fsstress: cannot use %s\n", argv[1]); return 1; }
  if (mkdir("s", 0755) < 0) { printf("fsstress: mkdir s failed\n"); return 1; }
  close(open("s/log", O_CREAT | O_WRONLY, 0644));
  for (int c = 0; c < NPROC; c++) if (fork() == 0) child(c);
  int status;
  for (int c = 0; c < NPROC; c++) { wait(&status); if (status != 0) { printf("fsstress: child status %d\n", status); bad = 1; } }
  char name[64], want[64], buf[8192], expect[8192];
  int files = 0, dirs = 0;
  for (int c = 0; c < NPROC; c++)
    for (int k = 0; k < NFILE; k++) {
      snprintf(name, sizeof name, k % 2 == 0 ? "s/r%d-%d" : "s/c%d-%d", c, k);
      int fd = open(name, O_RDONLY);
      if (k % 4 == 1) { if (fd >= 0) fail("still there:", name); continue; }
      if (fd < 0) { fail("missing:", name); continue; }
      content(want, c, k);
      size_t n = strlen(want);
      expect[0] = 0;
      for (int i = 0; i < 200; i++) memcpy(expect + i * n, want, n);
      ssize_t got = read(fd, buf, sizeof buf);
      if (got != (ssize_t)(200 * n) || memcmp(buf, expect, 200 * n) != 0) fail("wrong contents:", name);
      close(fd);
      files++;
    }
  DIR *d = opendir("s");
  struct dirent *e;
  int entries = 0;
  while ((e = readdir(d))) { entries++; if (e->d_name[0] == 'd') dirs++; }
  closedir(d);
  if (entries != 2 + 1 + files + dirs || dirs != NPROC * ((NFILE + 2) / 3)) { printf("fsstress: %d entries, %d files, %d dirs\n", entries, files, dirs); bad = 1; }
  int log = open("s/log", O_RDONLY), seen[NPROC][NFILE] = { { 0 } };
  ssize_t n = read(log, buf, sizeof buf);
  if (n != NPROC * NFILE * REC) { printf("fsstress: log has %zd bytes\n", n); bad = 1; }
  for (ssize_t i = 0; i + REC <= n; i += REC) {
    int v = -1;
    if (buf[i + REC - 1] != '\n' || sscanf(buf + i, "%d", &v) != 1 || v < 0 || v / 1000 >= NPROC || v % 1000 >= NFILE) { fail("torn log record", ""); break; }
    seen[v / 1000][v % 1000]++;
  }
  for (int c = 0; c < NPROC; c++) for (int k = 0; k < NFILE; k++) if (seen[c][k] != 1 && n == NPROC * NFILE * REC) { fail("log record count", ""); c = NPROC; break; }
  printf(bad ? "fsstress: FAILED\n" : "fsstress: ok (%d files, %d directories)\n", files, dirs);
  return bad;
}
