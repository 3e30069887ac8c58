/* A small bytecode interpreter (stack VM with switch dispatch) running a few
 * programs, plus a Brainfuck interpreter printing a message. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

enum { PUSH, POP, ADD, SUB, MUL, DIV, MOD, DUP, SWAP, OVER, JMP, JZ, JNZ, LT, LOAD, STORE, PRINT, HALT, INC, DEC, ROT };

static int32_t mem[16];
static int run(const int32_t *code, int trace_limit) {
  int32_t stack[256];
  int sp = 0, pc = 0;
  long steps = 0;
  for (;;) {
    int32_t op = code[pc++];
    steps++;
    switch (op) {
      case PUSH: stack[sp++] = code[pc++]; break;
      case POP: sp--; break;
      case ADD: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] + (uint32_t)stack[sp]); break;
      case SUB: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] - (uint32_t)stack[sp]); break;
      case MUL: sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] * (uint32_t)stack[sp]); break;
      case DIV: sp--; stack[sp - 1] /= stack[sp]; break;
      case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
      case DUP: stack[sp] = stack[sp - 1]; sp++; break;
      case SWAP: { int32_t t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } break;
      case OVER: stack[sp] = stack[sp - 2]; sp++; break;
      case ROT: { int32_t t = stack[sp - 3]; stack[sp - 3] = stack[sp - 2]; stack[sp - 2] = stack[sp - 1]; stack[sp - 1] = t; } break;
      case JMP: pc = code[pc]; break;
      case JZ: sp--; pc = stack[sp] == 0 ? code[pc] : pc + 1; break;
      case JNZ: sp--; pc = stack[sp] != 0 ? code[pc] : pc + 1; break;
      case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case LOAD: stack[sp++] = mem[code[pc++]]; break;
      case STORE: mem[code[pc++]] = stack[--sp]; break;
      case INC: stack[sp - 1]++; break;
      case DEC: stack[sp - 1]--; break;
      case PRINT: sp--; if (trace_limit-- > 0) printf("vm: %d\n", stack[sp]); break;
      case HALT: printf("halt after %ld steps, sp %d\n", steps, sp); return sp ? stack[sp - 1] : 0;
      default: printf("bad opcode %d\n", op); return -1;
    }
  }
}

int main(void) {
  /* fib: mem0=a mem1=b mem2=n; loop n times, print every value */
  const int32_t fib[] = {PUSH, 0, STORE, 0, PUSH, 1, STORE, 1, PUSH, 40, STORE, 2,
                         /*12*/ LOAD, 2, JZ, 36, LOAD, 0, DUP, PRINT, LOAD, 1, DUP, STORE, 0, ADD, STORE, 1,
                         LOAD, 2, DEC, STORE, 2, JMP, 12, HALT,
                         /*36*/ LOAD, 0, HALT};
  printf("fib result %d\n", run(fib, 45));
  /* sum of i*i mod 7 for i < 20000 */
  const int32_t sq2[] = {PUSH, 0, STORE, 0, PUSH, 0, STORE, 1,
                         /*8*/ LOAD, 1, PUSH, 20000, LT, JZ, 34, LOAD, 1, DUP, MUL, PUSH, 7, MOD, LOAD, 0, ADD,
                         STORE, 0, LOAD, 1, INC, STORE, 1, JMP, 8,
                         /*34*/ LOAD, 0, HALT};
  printf("sq result %d\n", run(sq2, 0));
  /* gcd(1071*97, 462*97) via Euclid with ROT/OVER */
  const int32_t gcd[] = {PUSH, 103887, PUSH, 44814,
                         /*4*/ DUP, JZ, 13, SWAP, OVER, MOD, JMP, 4, HALT,
                         /*13*/ POP, HALT};
  printf("gcd result %d\n", run(gcd, 0));
  const int32_t rot[] = {PUSH, 1, PUSH, 2, PUSH, 3, ROT, PRINT, PRINT, PRINT, PUSH, -7, PUSH, 2, DIV, PUSH, -7,
                         PUSH, 2, MOD, HALT};
  printf("rot result %d\n", run(rot, 5));

  const char *bf = "++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>---.+++++++..+++.>>.<-.<.+++.------.--------.>>+.>++.";
  unsigned char tape[30000];
  memset(tape, 0, sizeof tape);
  int ptr = 0;
  char out[128];
  int on = 0;
  long bsteps = 0;
  for (int ip = 0; bf[ip]; ip++) {
    bsteps++;
    switch (bf[ip]) {
      case '>': ptr++; break;
      case '<': ptr--; break;
      case '+': tape[ptr]++; break;
      case '-': tape[ptr]--; break;
      case '.': if (on < 127) out[on++] = (char)tape[ptr]; break;
      case '[':
        if (!tape[ptr]) { int d = 1; while (d) { ip++; d += (bf[ip] == '[') - (bf[ip] == ']'); } }
        break;
      case ']':
        if (tape[ptr]) { int d = 1; while (d) { ip--; d += (bf[ip] == ']') - (bf[ip] == '['); } }
        break;
    }
  }
  out[on] = 0;
  printf("bf output: %s", out);
  printf("bf steps %ld\n", bsteps);
  return 0;
}
