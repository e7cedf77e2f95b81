/* munmap and mprotect past the top of user space fail as on Linux and harm nothing. */
#include <stdio.h>
#include <sys/mman.h>
#include <errno.h>
int main(void){
  char *p = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); p[0]=1;
  int r = munmap(p, 0x7fffffffffff - (unsigned long)p);
  printf("munmap past top: %d %d\n", r, r ? errno : 0);
  r = mprotect(p, 0x7fffffffffff - (unsigned long)p, PROT_READ);
  printf("mprotect past top: %d %d\n", r, r ? errno : 0);
  char *q = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); q[0] = 2;
  printf("still alive %d\n", q[0]); return 0; }
