/* String functions: strlen over all alignments, strcmp/strncmp/strcasecmp,
 * strcpy/strcat/strncpy, strchr/strrchr/strstr/strpbrk/strspn/strcspn,
 * strtok/strtok_r, memchr/memcmp/memset, strdup/strndup, snprintf, ctype. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <ctype.h>
#include <stdint.h>

static int sgn(int x) { return (x > 0) - (x < 0); }

int main(void) {
  char buf[512];
  uint32_t h = 0;
  for (int off = 0; off < 8; off++) {
    for (int n = 0; n < 100; n++) {
      memset(buf, 'x', sizeof buf);
      buf[off + n] = 0;
      size_t l = strlen(buf + off);
      if (l != (size_t)n) printf("strlen wrong off %d n %d got %zu\n", off, n, l);
      h = h * 31 + (uint32_t)l;
    }
  }
  printf("strlen hash %08x\n", h);
  const char *pairs[][2] = {{"abc", "abd"}, {"abc", "abc"}, {"abc", "ab"}, {"", "a"}, {"\xff", "a"},
                            {"Hello", "hello"}, {"zeta", "alpha"}, {"same prefix long", "same prefix"}};
  for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    const char *a = pairs[i][0], *b = pairs[i][1];
    printf("cmp [%s] [%s]: strcmp %d strncmp3 %d strcasecmp %d memcmp %d\n", a, b, sgn(strcmp(a, b)),
           sgn(strncmp(a, b, 3)), sgn(strcasecmp(a, b)), sgn(memcmp(a, b, strlen(a) < strlen(b) ? strlen(a) + 1 : strlen(b) + 1)));
  }
  char s[128];
  strcpy(s, "The quick brown fox");
  strcat(s, " jumps over");
  strncat(s, " the lazy dog!!!!", 13);
  printf("[%s] len %zu\n", s, strlen(s));
  printf("strchr %s | strrchr %s | strstr %s | strpbrk %s\n", strchr(s, 'q'), strrchr(s, 'o'), strstr(s, "fox"),
         strpbrk(s, "xyz"));
  printf("strstr missing %d, empty needle %d\n", strstr(s, "cat") == NULL, strstr(s, "") == s);
  printf("strspn %zu strcspn %zu\n", strspn(s, "ehT kciuq"), strcspn(s, "xyz"));
  char n8[8];
  memset(n8, '#', 8);
  strncpy(n8, "ab", 6);
  printf("strncpy:");
  for (int i = 0; i < 8; i++) printf(" %02x", (unsigned char)n8[i]);
  printf("\n");

  char text[] = "alpha, beta;gamma  delta,,epsilon;";
  printf("tokens:");
  for (char *t = strtok(text, ",; "); t; t = strtok(NULL, ",; ")) printf(" [%s]", t);
  printf("\n");
  char kv[] = "a=1&bb=22&ccc=333";
  char *save1, *save2;
  for (char *pair = strtok_r(kv, "&", &save1); pair; pair = strtok_r(NULL, "&", &save1)) {
    char *k = strtok_r(pair, "=", &save2);
    char *v = strtok_r(NULL, "=", &save2);
    printf("kv %s -> %s\n", k, v);
  }
  char mem[64];
  for (int i = 0; i < 64; i++) mem[i] = (char)i;
  char *p = memchr(mem, 40, 64);
  printf("memchr %d %d\n", p ? (int)(p - mem) : -1, memchr(mem, 100, 64) == NULL);
  memset(mem + 5, 0xab, 30);
  unsigned ms = 0;
  for (int i = 0; i < 64; i++) ms = ms * 7 + (unsigned char)mem[i];
  printf("memset sum %u\n", ms);
  char *d = strdup("duplicate me");
  char *nd = strndup("truncate this", 8);
  printf("strdup [%s] strndup [%s]\n", d, nd);
  free(d);
  free(nd);
  char up[64];
  const char *mixed = "MiXeD CaSe 123 _!?";
  size_t k;
  for (k = 0; mixed[k]; k++) up[k] = (char)toupper((unsigned char)mixed[k]);
  up[k] = 0;
  printf("upper [%s]", up);
  for (k = 0; mixed[k]; k++) up[k] = (char)tolower((unsigned char)mixed[k]);
  printf(" lower [%s]\n", up);
  int cls[6] = {0};
  for (int c = 0; c < 128; c++) {
    cls[0] += isalpha(c) != 0; cls[1] += isdigit(c) != 0; cls[2] += isspace(c) != 0;
    cls[3] += ispunct(c) != 0; cls[4] += isxdigit(c) != 0; cls[5] += iscntrl(c) != 0;
  }
  printf("ctype %d %d %d %d %d %d\n", cls[0], cls[1], cls[2], cls[3], cls[4], cls[5]);
  char out[32];
  int r = snprintf(out, sizeof out, "%s:%d:%s", "file", 1234, "a very long trailing component");
  printf("snprintf %d [%s]\n", r, out);
  /* build and reverse a string, palindromes */
  char pal[] = "A man, a plan, a canal: Panama";
  int i = 0, j = (int)strlen(pal) - 1, ok = 1;
  while (i < j) {
    while (i < j && !isalnum((unsigned char)pal[i])) i++;
    while (i < j && !isalnum((unsigned char)pal[j])) j--;
    if (tolower((unsigned char)pal[i]) != tolower((unsigned char)pal[j])) ok = 0;
    i++; j--;
  }
  printf("palindrome %d\n", ok);
  char big[4096];
  big[0] = 0;
  for (int q = 0; q < 300; q++) {
    char piece[16];
    snprintf(piece, sizeof piece, "%d,", q * q);
    strcat(big, piece);
  }
  printf("big len %zu tail %s\n", strlen(big), big + strlen(big) - 20);
  printf("strerror %s | %s\n", strerror(2), strerror(22));
  return 0;
}
