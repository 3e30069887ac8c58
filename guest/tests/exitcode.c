/* Exit status: exits with the status given in argv[1], via the mechanism in
 * argv[2]: "return" (default), "exit" (runs atexit handlers, flushes stdio),
 * or "_exit" (no flushing of buffered stdout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void bye(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  const char *how = argc > 2 ? argv[2] : "return";
  atexit(bye);
  printf("exiting with %d via %s\n", code, how);
  if (strcmp(how, "_exit") == 0) {
    fflush(stdout);
    printf("this buffered line is lost\n");
    _exit(code);
  }
  if (strcmp(how, "exit") == 0) exit(code);
  return code;
}
