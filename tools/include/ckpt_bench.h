/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckpt_bench.h - what the benchmark programs share: a monotonic clock in
 * seconds and the median of a set of timings (which it sorts).
 */
#ifndef _CKPT_BENCH_H
#define _CKPT_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif /* _CKPT_BENCH_H */
