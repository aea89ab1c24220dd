/* Integer workload for bench/cpu.ts: xorshift fill, shell sort, bitwise CRC-32, divides.
 * Freestanding, no global data (no TOC needed): the same function runs bare-metal on
 * pseries-wasm (start.S) and as a Linux user program under qemu-ppc64le (main.c). */
#include <stdint.h>

#define N 512

uint64_t work(uint64_t iters)
{
	uint32_t a[N];
	uint64_t sum = 0;
	uint32_t x = 2463534242u;
	for (uint64_t it = 0; it < iters; it++) {
		for (int i = 0; i < N; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			a[i] = x;
		}
		for (int gap = N / 2; gap > 0; gap /= 2)
			for (int i = gap; i < N; i++) {
				uint32_t t = a[i];
				int j = i;
				for (; j >= gap && a[j - gap] > t; j -= gap) a[j] = a[j - gap];
				a[j] = t;
			}
		uint32_t crc = 0xffffffffu;
		for (int i = 0; i < N; i++) {
			uint32_t v = a[i];
			for (int b = 0; b < 32; b++) {
				uint32_t m = -((crc ^ v) & 1u);
				crc = (crc >> 1) ^ (0xedb88320u & m);
				v >>= 1;
			}
		}
		sum += ~crc;
		sum += (uint64_t)a[N / 2] / ((uint64_t)(it & 0xff) + 3) + (uint64_t)(a[7] % 1000003u);
	}
	return sum;
}
