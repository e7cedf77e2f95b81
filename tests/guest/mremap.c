#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <errno.h>
int main(void){
  char *p = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  memset(p, 'a', 8192);
  /* block growth in place */
  char *q = mmap(p + 8192, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0);
  char *r = mremap(p, 8192, 65536, 0);
  printf("grow in place blocked: %s\n", r == MAP_FAILED && errno == ENOMEM ? "ENOMEM ok" : "bad");
  r = mremap(p, 8192, 65536, MREMAP_MAYMOVE);
  printf("moved: %s, data %s\n", r != MAP_FAILED && r != p ? "yes" : "no", r[0]=='a' && r[8191]=='a' && r[8192]==0 ? "kept" : "lost");
  r[65535] = 'z';
  char *s = mremap(r, 65536, 4096, 0);
  printf("shrink: %s\n", s == r ? "ok" : "bad");
  printf("old gone: %s\n", msync(p, 4096, MS_SYNC) == -1 && errno == ENOMEM ? "ok" : "bad");
  printf("bad flags: %s\n", mremap(s, 4096, 8192, 8) == MAP_FAILED && errno == EINVAL ? "ok" : "bad");
  (void)q; return 0;
}
