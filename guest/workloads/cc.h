/* The compiler of the pmake workload as a function: pmake --inline runs it in a forked job. */
#ifndef WORKLOADS_CC_H
#define WORKLOADS_CC_H
int cc_main(int argc, char **argv);
#endif
