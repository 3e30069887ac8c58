/*
 * Walks the whole tree from argv[1] (default /): lists every directory, stats every entry, reads
 * every regular file and symbolic link, then creates, writes and removes a file in every
 * directory. Prints the counts. On a damaged image (tests/kernel/fs.test.ts) the calls may fail,
 * but the kernel must answer each with a result, never panic or hang.
 */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long dirs, files, links, bytes, errors, created;
static char buf[65536];

static void walk(const char *path, int depth) {
  DIR *d = opendir(path);
  if (!d) { errors++; return; }
  dirs++;
  struct dirent *e;
  char sub[4096];
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(sub, sizeof sub, "%s/%s", strcmp(path, "/") ? path : "", e->d_name);
    struct stat st;
    if (lstat(sub, &st) < 0) { errors++; continue; }
    if (S_ISDIR(st.st_mode)) { if (depth < 20) walk(sub, depth + 1); continue; }
    if (S_ISLNK(st.st_mode)) { links++; if (readlink(sub, buf, sizeof buf) < 0) errors++; }
    if (!S_ISREG(st.st_mode)) continue;
    files++;
    int fd = open(sub, O_RDONLY);
    if (fd < 0) { errors++; continue; }
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) bytes += n;
    if (n < 0) errors++;
    close(fd);
  }
  closedir(d);
  snprintf(sub, sizeof sub, "%s/.fswalk", strcmp(path, "/") ? path : "");
  int fd = open(sub, O_CREAT | O_RDWR, 0644);
  if (fd >= 0 && write(fd, buf, 5000) == 5000) created++;
  if (fd >= 0) close(fd);
  unlink(sub);
}

int main(int argc, char **argv) {
  walk(argc > 1 ? argv[1] : "/", 0);
  printf("fswalk: %ld directories, %ld files, %ld links, %ld bytes, %ld created, %ld errors\n", dirs, files, links, bytes, created, errors);
  return 0;
}
