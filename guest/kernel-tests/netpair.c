/*
 * Two machines on one network through /dev/ether: `netpair send PORT` sends a greeting to port
 * PORT and prints the reply; `netpair echo` prints the first frame it gets and answers its sender.
 * Under Disco the ports are VMs on its virtual subnet.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int port_of(const unsigned char *b) { return (int)((unsigned)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]); }

int main(int argc, char **argv) {
  unsigned char buf[256];
  int fd = open("/dev/ether", O_RDWR), n;
  if (fd < 0 || argc < 2) { perror("netpair"); return 2; }
  if (strcmp(argv[1], "send") == 0 && argc == 3) {
    int to = atoi(argv[2]);
    buf[0] = (unsigned char)(to >> 24); buf[1] = (unsigned char)(to >> 16); buf[2] = (unsigned char)(to >> 8); buf[3] = (unsigned char)to;
    n = sprintf((char *)buf + 4, "hello, port %d", to);
    if (write(fd, buf, 4 + n) != 4 + n) { perror("write"); return 1; }
    if ((n = read(fd, buf, sizeof buf - 1)) < 4) { perror("read"); return 1; }
    buf[n] = 0;
    printf("reply from port %d: %s\n", port_of(buf), buf + 4);
    return 0;
  }
  if ((n = read(fd, buf, sizeof buf - 1)) < 4) { perror("read"); return 1; }
  buf[n] = 0;
  printf("from port %d: %s\n", port_of(buf), buf + 4);
  n = sprintf((char *)buf + 4, "got %d bytes", n - 4);
  if (write(fd, buf, 4 + n) != 4 + n) { perror("write"); return 1; }
  return 0;
}
