/* The same workload as a Linux user program, to time qemu-ppc64le (TCG) on identical code. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
uint64_t work(uint64_t iters);
int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], 0, 0) : 1;
	printf("%llu\n", (unsigned long long)work(n));
	return 0;
}
