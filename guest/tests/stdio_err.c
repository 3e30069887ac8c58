/* Writes to both stdout and stderr through stdio and raw write(2);
 * exits with status 3. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

int main(void) {
  for (int i = 0; i < 5; i++) {
    printf("out line %d\n", i);
    fprintf(stderr, "err line %d\n", i);
  }
  fflush(stdout);
  write(1, "raw stdout\n", 11);
  write(2, "raw stderr\n", 11);
  puts("puts line");
  putchar('c');
  putchar('\n');
  fputs("fputs to stderr\n", stderr);
  errno = ENOENT;
  perror("perror");
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("unbuffered ");
  printf("stdout\n");
  char big[10000];
  memset(big, 'z', sizeof big - 2);
  big[sizeof big - 2] = '\n';
  big[sizeof big - 1] = 0;
  fputs(big, stdout);
  fputs(big, stderr);
  return 3;
}
