/* cc: the compiler that pmake's jobs exec (README.md). `cc [-O PASSES] -o OBJ SRC` reads a C-like
 * source, tokenises it, interns its identifiers in a hash table, folds constant expressions,
 * colours the identifiers' interference graph with 16 registers (greedy, first-appearance
 * order, the rest spilled), runs PASSES integer sweeps over the token codes standing in for
 * optimisation, and writes an object file to OBJ.tmp, renamed to OBJ when complete.
 * Built with -DCC_LIBRARY (inside pmake) it has no main: pmake --inline calls cc_main. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include "cc.h"
#include "common.h"

enum { T_IDENT = 1, T_NUM = 2, T_PUNCT = 3 };
enum { REGS = 16, WINDOW = 8, SPILLED = 0xff };

struct tok { unsigned char kind; uint32_t val; };   /* IDENT: symbol; NUM: value; PUNCT: char */
struct sym { const char *name; uint32_t len, hash; };

struct unit {
  struct tok *tok; uint32_t ntok;
  struct sym *sym; uint32_t nsym, symcap;
  uint32_t *slot, slotmask;                          /* open addressing: symbol + 1, 0 = empty */
};

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) { fprintf(stderr, "cc: out of memory\n"); exit(1); }
  return p;
}

static void rehash(struct unit *u) {
  uint32_t cap = (u->slotmask + 1) * 2;
  free(u->slot);
  u->slot = calloc(cap, sizeof *u->slot);
  if (!u->slot) { fprintf(stderr, "cc: out of memory\n"); exit(1); }
  u->slotmask = cap - 1;
  for (uint32_t s = 0; s < u->nsym; s++) {
    uint32_t i = u->sym[s].hash & u->slotmask;
    while (u->slot[i]) i = (i + 1) & u->slotmask;
    u->slot[i] = s + 1;
  }
}

static uint32_t intern(struct unit *u, const char *name, uint32_t len) {
  uint32_t h = fnv1a(FNV_INIT, name, len), i = h & u->slotmask;
  for (; u->slot[i]; i = (i + 1) & u->slotmask) {
    struct sym *s = &u->sym[u->slot[i] - 1];
    if (s->hash == h && s->len == len && !memcmp(s->name, name, len)) return u->slot[i] - 1;
  }
  if (u->nsym == u->symcap) {
    u->symcap *= 2;
    u->sym = realloc(u->sym, u->symcap * sizeof *u->sym);
    if (!u->sym) { fprintf(stderr, "cc: out of memory\n"); exit(1); }
  }
  u->sym[u->nsym] = (struct sym){ name, len, h };
  u->slot[i] = ++u->nsym;
  if (u->nsym * 2 > u->slotmask) rehash(u);
  return u->nsym - 1;
}

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Tokens of src[0..n): identifiers, decimal numbers, single-character punctuation; white space
 * and comments skipped. */
static void tokenise(struct unit *u, const char *src, size_t n) {
  u->tok = xmalloc((n + 1) * sizeof *u->tok);
  for (size_t i = 0; i < n;) {
    char c = src[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { i++; continue; }
    if (c == '/' && i + 1 < n && src[i + 1] == '*') {
      for (i += 2; i + 1 < n && !(src[i] == '*' && src[i + 1] == '/'); i++) continue;
      i += 2;
      continue;
    }
    struct tok *t = &u->tok[u->ntok++];
    if (is_alpha(c)) {
      size_t j = i;
      while (j < n && (is_alpha(src[j]) || is_digit(src[j]))) j++;
      *t = (struct tok){ T_IDENT, intern(u, src + i, (uint32_t)(j - i)) };
      i = j;
    } else if (is_digit(c)) {
      uint32_t v = 0;
      while (i < n && is_digit(src[i])) v = v * 10 + (uint32_t)(src[i++] - '0');
      *t = (struct tok){ T_NUM, v };
    } else {
      *t = (struct tok){ T_PUNCT, (unsigned char)c };
      i++;
    }
  }
}

static int punct(const struct tok *t, const char *set) { return t->kind == T_PUNCT && strchr(set, (int)t->val); }

/* Folds NUM op NUM standing alone between delimiters ("= 3 * 7 ;") into one number, repeatedly
 * from the left ("(1 + 2 + 3)" is folded no further, the second + is not between delimiters). */
static void fold_constants(struct unit *u) {
  uint32_t o = 0;
  for (uint32_t i = 0; i < u->ntok; i++) {
    struct tok *t = u->tok;
    if (o > 0 && i + 3 < u->ntok && punct(&t[o - 1], "=(,") && t[i].kind == T_NUM && punct(&t[i + 1], "+-*") &&
        t[i + 2].kind == T_NUM && punct(&t[i + 3], ";),")) {
      uint32_t a = t[i].val, b = t[i + 2].val;
      t[o++] = (struct tok){ T_NUM, t[i + 1].val == '+' ? a + b : t[i + 1].val == '-' ? a - b : a * b };
      i += 2;
    } else {
      t[o++] = t[i];
    }
  }
  u->ntok = o;
}

/* The interference graph: identifiers within WINDOW tokens of each other. Without adj, counts
 * each symbol's degree into deg; with it, appends each neighbour at adj[deg[s]++]. Returns the
 * number of adjacency entries. */
static uint32_t edges(const struct unit *u, uint32_t *deg, uint32_t *adj) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < u->ntok; i++) {
    if (u->tok[i].kind != T_IDENT) continue;
    for (uint32_t j = i + 1; j < u->ntok && j <= i + WINDOW; j++) {
      uint32_t a = u->tok[i].val, b = u->tok[j].val;
      if (u->tok[j].kind != T_IDENT || a == b) continue;
      if (adj) { adj[deg[a]++] = b; adj[deg[b]++] = a; }
      else { deg[a]++; deg[b]++; }
      n += 2;
    }
  }
  return n;
}

/* Register allocation: each symbol, in order of first appearance, takes the lowest of REGS
 * registers that no interfering symbol coloured before it holds, or is spilled. Returns the
 * number spilled; colour[s] is the register or SPILLED. */
static uint32_t allocate(const struct unit *u, unsigned char *colour) {
  uint32_t *deg = calloc(u->nsym + 1, sizeof *deg);
  if (!deg) { fprintf(stderr, "cc: out of memory\n"); exit(1); }
  uint32_t *adj = xmalloc(edges(u, deg, NULL) * sizeof *adj);
  for (uint32_t s = 0, sum = 0; s < u->nsym; s++) { uint32_t d = deg[s]; deg[s] = sum; sum += d; }
  edges(u, deg, adj);   /* now deg[s] is the end of s's list and the start of s + 1's */
  uint32_t spilled = 0;
  for (uint32_t s = 0; s < u->nsym; s++) {
    uint32_t used = 0, r = 0;
    for (uint32_t e = s ? deg[s - 1] : 0; e < deg[s]; e++)
      if (adj[e] < s && colour[adj[e]] != SPILLED) used |= 1u << colour[adj[e]];
    while (r < REGS && (used >> r & 1)) r++;
    colour[s] = r < REGS ? (unsigned char)r : SPILLED;
    spilled += r == REGS;
  }
  free(adj);
  free(deg);
  return spilled;
}

/* The "optimiser": passes sweeps of a data-dependent integer recurrence over the token codes. */
static void optimise(uint32_t *code, uint32_t n, long passes) {
  for (long p = 0; p < passes; p++) {
    uint32_t carry = (uint32_t)p * 0x9e3779b9u;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t x = code[i] ^ carry, next = i + 1 < n ? code[i + 1] : 0;
      x = (x << 7 | x >> 25) + next * 0x01000193u;
      if (x & 1) x ^= x >> 11; else x += carry >> 3;
      code[i] = x;
      carry = mix32(carry + x);
    }
  }
}

static void put32(unsigned char **p, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) *(*p)++ = (unsigned char)(v >> s);
}

int cc_main(int argc, char **argv) {
  long passes = 4;
  const char *out = NULL, *in = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-O") && i + 1 < argc) passes = num_arg("cc", 'O', argv[++i], 0, 1000000);
    else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (argv[i][0] != '-' && !in) in = argv[i];
    else { in = NULL; break; }
  }
  if (!in || !out) { fprintf(stderr, "usage: cc [-O PASSES] -o OBJ SRC\n"); return 2; }

  int fd = open(in, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) fail("cc", in);
  char *src = xmalloc((size_t)st.st_size);
  if (read_all(fd, src, (size_t)st.st_size) < 0) fail("cc", in);
  close(fd);

  struct unit u = { .symcap = 64, .slotmask = 63 };
  u.sym = xmalloc(u.symcap * sizeof *u.sym);
  u.slot = calloc(u.slotmask + 1, sizeof *u.slot);
  if (!u.slot) { fprintf(stderr, "cc: out of memory\n"); exit(1); }
  tokenise(&u, src, (size_t)st.st_size);
  fold_constants(&u);
  unsigned char *colour = xmalloc(u.nsym);
  uint32_t spilled = allocate(&u, colour);
  uint32_t *code = xmalloc(u.ntok * sizeof *code);
  for (uint32_t i = 0; i < u.ntok; i++)
    code[i] = (uint32_t)u.tok[i].kind << 28 ^ (u.tok[i].kind == T_IDENT ? (uint32_t)colour[u.tok[i].val] << 16 : 0) ^ u.tok[i].val;
  optimise(code, u.ntok, passes);

  /* The object: "DOBJ", token, symbol and spill counts, the symbols (register, 16-bit length, name),
   * the code words, and an FNV-1a checksum of everything before it; big-endian. */
  size_t size = 16 + 4 * (size_t)u.ntok + 4;
  for (uint32_t s = 0; s < u.nsym; s++) size += 3 + u.sym[s].len;
  unsigned char *obj = xmalloc(size), *p = obj;
  memcpy(p, "DOBJ", 4); p += 4;
  put32(&p, u.ntok); put32(&p, u.nsym); put32(&p, spilled);
  for (uint32_t s = 0; s < u.nsym; s++) {
    *p++ = colour[s];
    *p++ = (unsigned char)(u.sym[s].len >> 8);
    *p++ = (unsigned char)u.sym[s].len;
    memcpy(p, u.sym[s].name, u.sym[s].len); p += u.sym[s].len;
  }
  for (uint32_t i = 0; i < u.ntok; i++) put32(&p, code[i]);
  put32(&p, fnv1a(FNV_INIT, obj, (size_t)(p - obj)));

  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp) { fprintf(stderr, "cc: %s: name too long\n", out); return 1; }
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write_all(fd, obj, size) < 0 || close(fd) < 0) fail("cc", tmp);
  if (rename(tmp, out) < 0) fail("cc", out);
  free(obj); free(code); free(colour); free(u.slot); free(u.sym); free(u.tok); free(src);
  return 0;
}

#ifndef CC_LIBRARY
int main(int argc, char **argv) { return cc_main(argc, argv); }
#endif
