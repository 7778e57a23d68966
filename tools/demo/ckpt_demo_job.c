// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_demo_job: a long computation for the make run demo.
 *
 *   ckpt_demo_job [ROUNDS]
 *
 * Fills 16 MiB with a pseudo-random sequence, then mixes it ROUNDS
 * times, printing progress to stderr and the final digest to stdout.
 * The result depends on every byte of memory and every register of the
 * loop, so a checkpoint/restart that loses anything changes it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS	((16u << 20) / sizeof(uint64_t))

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 40;
	uint64_t *mem = malloc(WORDS * sizeof(uint64_t));
	uint64_t x = 0x9e3779b97f4a7c15ull, digest = 0;
	unsigned long r, i;

	if (!mem)
		return 1;
	for (i = 0; i < WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		mem[i] = x;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < WORDS; i++) {
			mem[i] = (mem[i] ^ (mem[(i * 7 + r) % WORDS] >> 3)) * 0x100000001b3ull;
			digest = (digest ^ mem[i]) * 0x100000001b3ull;
		}
		fprintf(stderr, "job: round %lu/%lu\n", r + 1, rounds);
	}
	printf("result: %016llx\n", (unsigned long long)digest);
	return 0;
}
