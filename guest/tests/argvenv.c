/* argc/argv and environment: prints arguments (not argv[0], whose path
 * differs between hosts), a specific variable, and all variables sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  printf("argc %d\n", argc);
  printf("argv[0] nonempty %d\n", argv[0] != NULL && argv[0][0] != 0);
  for (int i = 1; i < argc; i++) printf("argv[%d] len %zu [%s]\n", i, strlen(argv[i]), argv[i]);
  printf("argv[argc] null %d\n", argv[argc] == NULL);
  const char *v = getenv("DISCO_TEST_VAR");
  printf("DISCO_TEST_VAR=%s\n", v ? v : "(unset)");
  const char *h = getenv("HOME");
  printf("HOME %s\n", h ? "set" : "unset");
  int n = 0;
  while (environ[n]) n++;
  char **copy = malloc(sizeof(char *) * (size_t)(n + 1));
  memcpy(copy, environ, sizeof(char *) * (size_t)n);
  qsort(copy, (size_t)n, sizeof(char *), cmp);
  printf("environ count %d\n", n);
  for (int i = 0; i < n; i++) printf("env %s\n", copy[i]);
  if (setenv("NEW_VAR", "added", 1) == 0) printf("setenv NEW_VAR=%s\n", getenv("NEW_VAR"));
  unsetenv("DISCO_TEST_VAR");
  printf("after unset %s\n", getenv("DISCO_TEST_VAR") ? "still set" : "gone");
  free(copy);
  return 0;
}
