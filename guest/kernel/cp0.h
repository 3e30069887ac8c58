/* CP0 register access for the HAL (R10000 manual, chapter 14). */
#ifndef CP0_H
#define CP0_H
#define MFC0(reg) ({ unsigned _v; __asm__ volatile("mfc0 %0, $" #reg : "=r"(_v)); _v; })
#define MTC0(reg, v) __asm__ volatile("mtc0 %0, $" #reg :: "r"(v) : "memory")
#endif
