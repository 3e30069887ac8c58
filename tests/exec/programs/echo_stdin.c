/* Copies stdin to stdout in upper case, counting lines; reports the count on stderr. */
#include <ctype.h>
#include <stdio.h>
int main(void) {
  int c, lines = 0;
  while ((c = getchar()) != EOF) { if (c == '\n') lines++; putchar(toupper(c)); }
  fprintf(stderr, "%d lines\n", lines);
  return 0;
}
