// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint/restart: registers (x86_64).
 *
 * Busy loops written in assembly keep known values in every general
 * purpose register, in ymm0-ymm15, in xmm0-xmm15 and the x87 stack
 * while they run, and are checkpointed while running (not sleeping in
 * a system call), so that the whole user register state comes from an
 * interrupt frame.  After the restart they keep looping for a while;
 * SIGUSR2 (its handler sets ckpt_woken, which the loops poll) ends the
 * loop, which then stores its registers for the C code to compare
 * against the loop invariants.  Counters kept both in a register and
 * in memory check that the two were saved at the same instant.
 *
 * Also: MXCSR and the x87 control word (rounding really applied after
 * restart), fs_base/gs_base with TLS variables, and PKRU with the
 * protection key it uses still allocated.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cpuid.h>
#include <stddef.h>
#include <sys/rseq.h>
#include <asm/prctl.h>

#include "ckpt_test.h"

/* Everything is slow under TCG with a debug kernel. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 90

/*
 * Run the image cycle on a child that loops, counting in *@iter, once
 * for each of the @cycles entries of @flags: wait until it counts,
 * checkpoint it with those flags, kill it, restart it, check that it
 * counts on from where it was.  Finally wake it with SIGUSR2 and return
 * its verdict (or a CKPT_CYCLE_* error).
 */
static int busy_cycle(pid_t child, const uint64_t *iter,
		      const unsigned int *flags, int cycles)
{
	uint64_t before, after, last = 0;
	int c, fd, ret;

	for (c = 0; c < cycles; c++) {
		before = ckpt_wait_counter_past(child, (const uint64_t *)iter, last + 1000, 20000);
		if (before == (uint64_t)-1 || before <= last + 1000) {
			ckpt_msg("cycle %d: child %d does not loop (%llu)", c,
				 (int)child, (unsigned long long)before);
			ckpt_kill_reap(child);
			return CKPT_CYCLE_EWAIT;
		}
		fd = ckpt_image_open();
		if (fd < 0) {
			ckpt_kill_reap(child);
			return CKPT_CYCLE_EIMAGE;
		}
		if (ckpt_checkpoint(child, fd, flags[c])) {
			ckpt_kill_reap(child);
			close(fd);
			return CKPT_CYCLE_ECHECKPOINT;
		}
		ret = ckpt_kill_reap(child);
		if (ret != 128 + SIGKILL) {
			ckpt_msg("original: status %d", ret);
			close(fd);
			return CKPT_CYCLE_EKILL;
		}
		ret = ckpt_restart_as(fd, child, 0);
		close(fd);
		if (ret < 0)
			return ret;
		after = ckpt_peek_u64(child, (const uint64_t *)iter);
		if (after == (uint64_t)-1 || after < before) {
			ckpt_msg("cycle %d: restored counter %llu < %llu", c,
				 (unsigned long long)after,
				 (unsigned long long)before);
			ckpt_kill_reap(child);
			return CKPT_CYCLE_EWAIT;
		}
		last = ckpt_wait_counter_past(child, (const uint64_t *)iter, after, 20000);
		if (last == (uint64_t)-1 || last <= after) {
			ckpt_msg("cycle %d: restored child does not loop",
				 c);
			ckpt_kill_reap(child);
			return CKPT_CYCLE_EWAIT;
		}
	}
	return ckpt_wake_reap(child);
}

/* --------------------------------------------------------------------
 * General purpose registers
 */

#define K_RAX	0x0123456789abcdef
#define K_RBX	0xfedcba9876543210
#define K_RCX	0x1122334455667788
#define K_RDX	0x0000000100000000
#define K_RSI	0x7fffffff00000000
#define K_RDI	0x8899aabbccddeeff
#define K_RBP	0xdeadbeefcafef00d
#define K_R8	0x0808080808080808
#define K_R9	0x0909090909090909
#define K_R10	0x1010101010101010
#define K_R11	0x1111111111111111
#define K_R12	0x1212121212121212
#define K_R13	0x1313131313131313
#define K_R15	0xffffffffffffffff

struct gpr_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rsp;
};

/* Not static: the assembly below uses them by name. */
struct gpr_regs gpr_out;
uint64_t gpr_iter;
uint64_t gpr_rsp_in;

/*
 * Counters: r14 and gpr_iter count iterations, r15 counts down from
 * K_R15, rdx up by 3 and rsi down by 3.  rcx and r11 are included on
 * purpose: a return through SYSRET would clobber them.
 */
static void __attribute__((naked)) gpr_loop(void)
{
	asm("\tpush %rbx\n"
	    "\tpush %rbp\n"
	    "\tpush %r12\n"
	    "\tpush %r13\n"
	    "\tpush %r14\n"
	    "\tpush %r15\n"
	    "\tmov %rsp, gpr_rsp_in(%rip)\n"
	    "\tmovabs $0x0123456789abcdef, %rax\n"
	    "\tmovabs $0xfedcba9876543210, %rbx\n"
	    "\tmovabs $0x1122334455667788, %rcx\n"
	    "\tmovabs $0x0000000100000000, %rdx\n"
	    "\tmovabs $0x7fffffff00000000, %rsi\n"
	    "\tmovabs $0x8899aabbccddeeff, %rdi\n"
	    "\tmovabs $0xdeadbeefcafef00d, %rbp\n"
	    "\tmovabs $0x0808080808080808, %r8\n"
	    "\tmovabs $0x0909090909090909, %r9\n"
	    "\tmovabs $0x1010101010101010, %r10\n"
	    "\tmovabs $0x1111111111111111, %r11\n"
	    "\tmovabs $0x1212121212121212, %r12\n"
	    "\tmovabs $0x1313131313131313, %r13\n"
	    "\txor %r14d, %r14d\n"
	    "\tmovabs $0xffffffffffffffff, %r15\n"
	    "1:\tadd $1, %r14\n"
	    "\tsub $1, %r15\n"
	    "\tadd $3, %rdx\n"
	    "\tsub $3, %rsi\n"
	    "\taddq $1, gpr_iter(%rip)\n"
	    "\tcmpl $0, ckpt_woken(%rip)\n"
	    "\tje 1b\n"
	    "\tmov %rax, gpr_out+0(%rip)\n"
	    "\tmov %rbx, gpr_out+8(%rip)\n"
	    "\tmov %rcx, gpr_out+16(%rip)\n"
	    "\tmov %rdx, gpr_out+24(%rip)\n"
	    "\tmov %rsi, gpr_out+32(%rip)\n"
	    "\tmov %rdi, gpr_out+40(%rip)\n"
	    "\tmov %rbp, gpr_out+48(%rip)\n"
	    "\tmov %r8, gpr_out+56(%rip)\n"
	    "\tmov %r9, gpr_out+64(%rip)\n"
	    "\tmov %r10, gpr_out+72(%rip)\n"
	    "\tmov %r11, gpr_out+80(%rip)\n"
	    "\tmov %r12, gpr_out+88(%rip)\n"
	    "\tmov %r13, gpr_out+96(%rip)\n"
	    "\tmov %r14, gpr_out+104(%rip)\n"
	    "\tmov %r15, gpr_out+112(%rip)\n"
	    "\tmov %rsp, gpr_out+120(%rip)\n"
	    "\tpop %r15\n"
	    "\tpop %r14\n"
	    "\tpop %r13\n"
	    "\tpop %r12\n"
	    "\tpop %rbp\n"
	    "\tpop %rbx\n"
	    "\tret\n");
}

static void check_reg(int code, const char *name, uint64_t got,
		      uint64_t want, uint64_t n)
{
	CHILD_CHECK(code, got == want, "%s = %#llx, expected %#llx (%llu iterations)",
		    name, (unsigned long long)got, (unsigned long long)want,
		    (unsigned long long)n);
}

static int gpr_main(void)
{
	uint64_t n;

	ckpt_child_unblock_wake();
	ckpt_child_ready();
	gpr_loop();
	n = gpr_iter;
	CHILD_CHECK(1, n > 0, "the loop never ran");
	check_reg(2, "rax", gpr_out.rax, K_RAX, n);
	check_reg(3, "rbx", gpr_out.rbx, K_RBX, n);
	check_reg(4, "rcx", gpr_out.rcx, K_RCX, n);
	check_reg(5, "rdx", gpr_out.rdx, K_RDX + 3 * n, n);
	check_reg(6, "rsi", gpr_out.rsi, K_RSI - 3 * n, n);
	check_reg(7, "rdi", gpr_out.rdi, K_RDI, n);
	check_reg(8, "rbp", gpr_out.rbp, K_RBP, n);
	check_reg(9, "r8", gpr_out.r8, K_R8, n);
	check_reg(10, "r9", gpr_out.r9, K_R9, n);
	check_reg(11, "r10", gpr_out.r10, K_R10, n);
	check_reg(12, "r11", gpr_out.r11, K_R11, n);
	check_reg(13, "r12", gpr_out.r12, K_R12, n);
	check_reg(14, "r13", gpr_out.r13, K_R13, n);
	check_reg(15, "r14", gpr_out.r14, n, n);
	check_reg(16, "r15", gpr_out.r15, K_R15 - n, n);
	check_reg(17, "rsp", gpr_out.rsp, gpr_rsp_in, n);
	return 0;
}

static const unsigned int once[] = { CKPT_CONTINUE };

TEST(general_registers_survive_checkpoint_while_running)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(gpr_main);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, busy_cycle(child, &gpr_iter, once, 1));
}

TEST(general_registers_survive_continue_stop_and_kill_cycles)
{
	static const unsigned int modes[] = {
		CKPT_CONTINUE, CKPT_STOP, CKPT_KILL,
	};
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(gpr_main);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, busy_cycle(child, &gpr_iter, modes, 3));
}

/* --------------------------------------------------------------------
 * AVX: ymm0-ymm15
 */

struct ymm {
	union {
		uint8_t b[32];
		double d[4];
	};
};

/* Not static: the assembly below uses them by name. */
struct ymm avx_in[16];
struct ymm avx_out[16];
uint64_t avx_iter;

/* ymm0 += ymm1 and ymm2 -= ymm1 each iteration; the rest stay put. */
static void __attribute__((naked)) avx_loop(void)
{
	asm("\tvmovdqu avx_in+0(%rip), %ymm0\n"
	    "\tvmovdqu avx_in+32(%rip), %ymm1\n"
	    "\tvmovdqu avx_in+64(%rip), %ymm2\n"
	    "\tvmovdqu avx_in+96(%rip), %ymm3\n"
	    "\tvmovdqu avx_in+128(%rip), %ymm4\n"
	    "\tvmovdqu avx_in+160(%rip), %ymm5\n"
	    "\tvmovdqu avx_in+192(%rip), %ymm6\n"
	    "\tvmovdqu avx_in+224(%rip), %ymm7\n"
	    "\tvmovdqu avx_in+256(%rip), %ymm8\n"
	    "\tvmovdqu avx_in+288(%rip), %ymm9\n"
	    "\tvmovdqu avx_in+320(%rip), %ymm10\n"
	    "\tvmovdqu avx_in+352(%rip), %ymm11\n"
	    "\tvmovdqu avx_in+384(%rip), %ymm12\n"
	    "\tvmovdqu avx_in+416(%rip), %ymm13\n"
	    "\tvmovdqu avx_in+448(%rip), %ymm14\n"
	    "\tvmovdqu avx_in+480(%rip), %ymm15\n"
	    "1:\tvaddpd %ymm1, %ymm0, %ymm0\n"
	    "\tvsubpd %ymm1, %ymm2, %ymm2\n"
	    "\taddq $1, avx_iter(%rip)\n"
	    "\tcmpl $0, ckpt_woken(%rip)\n"
	    "\tje 1b\n"
	    "\tvmovdqu %ymm0, avx_out+0(%rip)\n"
	    "\tvmovdqu %ymm1, avx_out+32(%rip)\n"
	    "\tvmovdqu %ymm2, avx_out+64(%rip)\n"
	    "\tvmovdqu %ymm3, avx_out+96(%rip)\n"
	    "\tvmovdqu %ymm4, avx_out+128(%rip)\n"
	    "\tvmovdqu %ymm5, avx_out+160(%rip)\n"
	    "\tvmovdqu %ymm6, avx_out+192(%rip)\n"
	    "\tvmovdqu %ymm7, avx_out+224(%rip)\n"
	    "\tvmovdqu %ymm8, avx_out+256(%rip)\n"
	    "\tvmovdqu %ymm9, avx_out+288(%rip)\n"
	    "\tvmovdqu %ymm10, avx_out+320(%rip)\n"
	    "\tvmovdqu %ymm11, avx_out+352(%rip)\n"
	    "\tvmovdqu %ymm12, avx_out+384(%rip)\n"
	    "\tvmovdqu %ymm13, avx_out+416(%rip)\n"
	    "\tvmovdqu %ymm14, avx_out+448(%rip)\n"
	    "\tvmovdqu %ymm15, avx_out+480(%rip)\n"
	    "\tvzeroupper\n"
	    "\tret\n");
}

static const double avx_base0[4] = { 1000.0, -2000.0, 0.0, 12345.0 };
static const double avx_step[4] = { 1.0, 2.0, 0.5, 4.0 };
static const double avx_base2[4] = { 1e12, 2e12, 3e12, 4e12 };

static void avx_init(void)
{
	int r, k;

	for (r = 0; r < 16; r++)
		for (k = 0; k < 32; k++)
			avx_in[r].b[k] = (uint8_t)(r * 37 + k * 11 + 1);
	memcpy(avx_in[0].d, avx_base0, sizeof(avx_base0));
	memcpy(avx_in[1].d, avx_step, sizeof(avx_step));
	memcpy(avx_in[2].d, avx_base2, sizeof(avx_base2));
}

static int avx_main(void)
{
	uint64_t n;
	int r, k;

	avx_init();
	ckpt_child_unblock_wake();
	ckpt_child_ready();
	avx_loop();
	n = avx_iter;
	CHILD_CHECK(1, n > 0, "the loop never ran");
	for (r = 1; r < 16; r++) {
		if (r == 2)
			continue;
		for (k = 0; k < 32; k++)
			CHILD_CHECK(2 + r, avx_out[r].b[k] == avx_in[r].b[k],
				    "ymm%d byte %d: %#x, expected %#x", r, k,
				    avx_out[r].b[k], avx_in[r].b[k]);
	}
	for (k = 0; k < 4; k++) {
		double want0 = avx_base0[k] + (double)n * avx_step[k];
		double want2 = avx_base2[k] - (double)n * avx_step[k];

		CHILD_CHECK(18, avx_out[0].d[k] == want0,
			    "ymm0 lane %d: %.1f, expected %.1f after %llu", k,
			    avx_out[0].d[k], want0, (unsigned long long)n);
		CHILD_CHECK(19, avx_out[2].d[k] == want2,
			    "ymm2 lane %d: %.1f, expected %.1f after %llu", k,
			    avx_out[2].d[k], want2, (unsigned long long)n);
	}
	return 0;
}

TEST(avx_ymm_registers_survive_checkpoint_while_running)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		SKIP(return, "no AVX");
	child = ckpt_spawn_main(avx_main);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, busy_cycle(child, &avx_iter, once, 1));
}

/* --------------------------------------------------------------------
 * SSE and x87
 */

#define MXCSR_TEST	0xff80	/* all masked, round toward zero, FTZ */
#define FCW_TEST	0x0e7f	/* all masked, double precision, chop */

struct xmm {
	union {
		uint8_t b[16];
		double d[2];
	};
};

/* Not static: the assembly below uses them by name. */
struct xmm sse_in[16];
struct xmm sse_out[16];
double x87_in[8];
double x87_out[8];
uint32_t mxcsr_in = MXCSR_TEST;
uint32_t mxcsr_out;
uint32_t mxcsr_default = 0x1f80;
uint16_t fcw_in = FCW_TEST;
uint16_t fcw_out;
uint16_t fcw_default = 0x037f;
double fp_five = 5.0;
double fp_three = 3.0;
/* 5/3 in SSE and in x87, before the loop and after it */
double sse_div[2];
double x87_div[2];
uint64_t sse_iter;

/*
 * Sets MXCSR and the x87 control word, divides 5 by 3 both ways, loads
 * the x87 stack and xmm0-xmm15, loops (xmm0 += xmm1), then stores it all
 * and divides again.
 */
static void __attribute__((naked)) sse_loop(void)
{
	asm("\tfninit\n"
	    "\tldmxcsr mxcsr_in(%rip)\n"
	    "\tfldcw fcw_in(%rip)\n"
	    "\tmovsd fp_five(%rip), %xmm0\n"
	    "\tdivsd fp_three(%rip), %xmm0\n"
	    "\tmovsd %xmm0, sse_div+0(%rip)\n"
	    "\tfldl fp_five(%rip)\n"
	    "\tfdivl fp_three(%rip)\n"
	    "\tfstpl x87_div+0(%rip)\n"
	    "\tfldl x87_in+0(%rip)\n"
	    "\tfldl x87_in+8(%rip)\n"
	    "\tfldl x87_in+16(%rip)\n"
	    "\tfldl x87_in+24(%rip)\n"
	    "\tfldl x87_in+32(%rip)\n"
	    "\tfldl x87_in+40(%rip)\n"
	    "\tfldl x87_in+48(%rip)\n"
	    "\tfldl x87_in+56(%rip)\n"
	    "\tmovdqu sse_in+0(%rip), %xmm0\n"
	    "\tmovdqu sse_in+16(%rip), %xmm1\n"
	    "\tmovdqu sse_in+32(%rip), %xmm2\n"
	    "\tmovdqu sse_in+48(%rip), %xmm3\n"
	    "\tmovdqu sse_in+64(%rip), %xmm4\n"
	    "\tmovdqu sse_in+80(%rip), %xmm5\n"
	    "\tmovdqu sse_in+96(%rip), %xmm6\n"
	    "\tmovdqu sse_in+112(%rip), %xmm7\n"
	    "\tmovdqu sse_in+128(%rip), %xmm8\n"
	    "\tmovdqu sse_in+144(%rip), %xmm9\n"
	    "\tmovdqu sse_in+160(%rip), %xmm10\n"
	    "\tmovdqu sse_in+176(%rip), %xmm11\n"
	    "\tmovdqu sse_in+192(%rip), %xmm12\n"
	    "\tmovdqu sse_in+208(%rip), %xmm13\n"
	    "\tmovdqu sse_in+224(%rip), %xmm14\n"
	    "\tmovdqu sse_in+240(%rip), %xmm15\n"
	    "1:\taddpd %xmm1, %xmm0\n"
	    "\taddq $1, sse_iter(%rip)\n"
	    "\tcmpl $0, ckpt_woken(%rip)\n"
	    "\tje 1b\n"
	    "\tmovdqu %xmm0, sse_out+0(%rip)\n"
	    "\tmovdqu %xmm1, sse_out+16(%rip)\n"
	    "\tmovdqu %xmm2, sse_out+32(%rip)\n"
	    "\tmovdqu %xmm3, sse_out+48(%rip)\n"
	    "\tmovdqu %xmm4, sse_out+64(%rip)\n"
	    "\tmovdqu %xmm5, sse_out+80(%rip)\n"
	    "\tmovdqu %xmm6, sse_out+96(%rip)\n"
	    "\tmovdqu %xmm7, sse_out+112(%rip)\n"
	    "\tmovdqu %xmm8, sse_out+128(%rip)\n"
	    "\tmovdqu %xmm9, sse_out+144(%rip)\n"
	    "\tmovdqu %xmm10, sse_out+160(%rip)\n"
	    "\tmovdqu %xmm11, sse_out+176(%rip)\n"
	    "\tmovdqu %xmm12, sse_out+192(%rip)\n"
	    "\tmovdqu %xmm13, sse_out+208(%rip)\n"
	    "\tmovdqu %xmm14, sse_out+224(%rip)\n"
	    "\tmovdqu %xmm15, sse_out+240(%rip)\n"
	    "\tfstpl x87_out+0(%rip)\n"
	    "\tfstpl x87_out+8(%rip)\n"
	    "\tfstpl x87_out+16(%rip)\n"
	    "\tfstpl x87_out+24(%rip)\n"
	    "\tfstpl x87_out+32(%rip)\n"
	    "\tfstpl x87_out+40(%rip)\n"
	    "\tfstpl x87_out+48(%rip)\n"
	    "\tfstpl x87_out+56(%rip)\n"
	    "\tstmxcsr mxcsr_out(%rip)\n"
	    "\tfnstcw fcw_out(%rip)\n"
	    "\tmovsd fp_five(%rip), %xmm0\n"
	    "\tdivsd fp_three(%rip), %xmm0\n"
	    "\tmovsd %xmm0, sse_div+8(%rip)\n"
	    "\tfldl fp_five(%rip)\n"
	    "\tfdivl fp_three(%rip)\n"
	    "\tfstpl x87_div+8(%rip)\n"
	    "\tldmxcsr mxcsr_default(%rip)\n"
	    "\tfldcw fcw_default(%rip)\n"
	    "\tret\n");
}

static const double x87_values[8] = {
	1.5, -2.25, 3.125, 1e100, -0.0009765625, 42.0, 0.1, 7.0,
};

static uint64_t dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static int sse_main(void)
{
	/* 5/3 rounded toward zero; to nearest it would end in ...ab. */
	const uint64_t chopped = 0x3ffaaaaaaaaaaaaaULL;
	uint64_t n;
	int r, k;

	for (r = 0; r < 16; r++)
		for (k = 0; k < 16; k++)
			sse_in[r].b[k] = (uint8_t)(r * 29 + k * 7 + 3);
	sse_in[0].d[0] = 100.0;
	sse_in[0].d[1] = -100.0;
	sse_in[1].d[0] = 1.0;
	sse_in[1].d[1] = 3.0;
	memcpy(x87_in, x87_values, sizeof(x87_in));

	ckpt_child_unblock_wake();
	ckpt_child_ready();
	sse_loop();
	n = sse_iter;
	CHILD_CHECK(1, n > 0, "the loop never ran");
	/* The inexact 5/3 before the loop set the sticky PE flag (0x20). */
	CHILD_CHECK(2, mxcsr_out == (MXCSR_TEST | 0x20),
		    "MXCSR %#x, expected %#x", mxcsr_out, MXCSR_TEST | 0x20);
	CHILD_CHECK(3, (fcw_out & 0x1f3f) == (FCW_TEST & 0x1f3f),
		    "x87 control word %#x, expected %#x", fcw_out, FCW_TEST);
	CHILD_CHECK(4, dbits(sse_div[0]) == chopped,
		    "SSE 5/3 before: %#llx (rounding not set up?)",
		    (unsigned long long)dbits(sse_div[0]));
	CHILD_CHECK(5, dbits(sse_div[1]) == chopped,
		    "SSE 5/3 after restart: %#llx: MXCSR rounding lost",
		    (unsigned long long)dbits(sse_div[1]));
	CHILD_CHECK(6, dbits(x87_div[0]) == chopped,
		    "x87 5/3 before: %#llx", (unsigned long long)dbits(x87_div[0]));
	CHILD_CHECK(7, dbits(x87_div[1]) == chopped,
		    "x87 5/3 after restart: %#llx: control word lost",
		    (unsigned long long)dbits(x87_div[1]));
	for (r = 1; r < 16; r++)
		for (k = 0; k < 16; k++)
			CHILD_CHECK(8, sse_out[r].b[k] == sse_in[r].b[k],
				    "xmm%d byte %d: %#x, expected %#x", r, k,
				    sse_out[r].b[k], sse_in[r].b[k]);
	CHILD_CHECK(9, sse_out[0].d[0] == 100.0 + (double)n &&
		    sse_out[0].d[1] == -100.0 + 3.0 * (double)n,
		    "xmm0 = {%f, %f} after %llu iterations", sse_out[0].d[0],
		    sse_out[0].d[1], (unsigned long long)n);
	/* fstp pops st0 first: the last value loaded. */
	for (r = 0; r < 8; r++)
		CHILD_CHECK(10, dbits(x87_out[r]) == dbits(x87_values[7 - r]),
			    "st(%d) = %g, expected %g", r, x87_out[r],
			    x87_values[7 - r]);
	return 0;
}

TEST(sse_x87_registers_and_rounding_modes_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn_main(sse_main);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, busy_cycle(child, &sse_iter, once, 1));
}

/* --------------------------------------------------------------------
 * fs_base, gs_base, TLS
 */

#define TLS_MAGIC	0xfeedface12345678ULL
#define GS_MAGIC	0x6a5b4c3d2e1f0011ULL

static __thread uint64_t tls_word = 1;
static __thread char tls_buf[256];
static unsigned long fs_before, gs_before;
static void *tls_addr_before;
static uint64_t gs_area[8];

static unsigned long arch_get(int code)
{
	unsigned long val = 0;

	if (syscall(SYS_arch_prctl, code, &val))
		return 0;
	return val;
}

static int tls_setup(void)
{
	int i;

	tls_word = TLS_MAGIC;
	for (i = 0; i < (int)sizeof(tls_buf); i++)
		tls_buf[i] = (char)(i * 3 + 1);
	tls_addr_before = (void *)&tls_word;
	fs_before = arch_get(ARCH_GET_FS);
	CHILD_CHECK(1, fs_before, "ARCH_GET_FS");
	gs_area[0] = GS_MAGIC;
	CHILD_CHECK(1, !syscall(SYS_arch_prctl, ARCH_SET_GS,
				(unsigned long)gs_area), "ARCH_SET_GS: %s",
		    strerror(errno));
	gs_before = arch_get(ARCH_GET_GS);
	CHILD_CHECK(1, gs_before == (unsigned long)gs_area, "ARCH_GET_GS");
	return 0;
}

static int tls_verify(void)
{
	unsigned long fs_self, gs_word;
	int i;

	CHILD_CHECK(2, arch_get(ARCH_GET_FS) == fs_before,
		    "fs_base %#lx, was %#lx", arch_get(ARCH_GET_FS), fs_before);
	CHILD_CHECK(3, (void *)&tls_word == tls_addr_before,
		    "TLS variable moved from %p to %p", tls_addr_before,
		    (void *)&tls_word);
	CHILD_CHECK(4, tls_word == TLS_MAGIC, "TLS word %#llx",
		    (unsigned long long)tls_word);
	for (i = 0; i < (int)sizeof(tls_buf); i++)
		CHILD_CHECK(5, tls_buf[i] == (char)(i * 3 + 1), "TLS byte %d", i);
	/* The C library's thread pointer points to itself at %fs:0. */
	asm volatile("mov %%fs:0, %0" : "=r"(fs_self));
	CHILD_CHECK(6, fs_self == fs_before, "%%fs:0 = %#lx", fs_self);
	CHILD_CHECK(7, arch_get(ARCH_GET_GS) == gs_before,
		    "gs_base %#lx, was %#lx", arch_get(ARCH_GET_GS), gs_before);
	asm volatile("mov %%gs:0, %0" : "=r"(gs_word));
	CHILD_CHECK(8, gs_word == GS_MAGIC, "%%gs:0 = %#lx", gs_word);
	return 0;
}

TEST(fs_gs_base_and_tls_variables_survive)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	child = ckpt_spawn(tls_setup, tls_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * PKRU
 */

static bool cpu_has_ospke(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (c & (1u << 3)) && (c & (1u << 4));	/* PKU, OSPKE */
}

static inline uint32_t rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static inline void wrpkru(uint32_t val)
{
	asm volatile(".byte 0x0f, 0x01, 0xef" : : "a"(val), "c"(0), "d"(0)
		     : "memory");
}

static uint32_t pkru_want;
static int pkey;

static int pkru_setup(void)
{
	pkey = pkey_alloc(0, 0);
	CHILD_CHECK(1, pkey > 0, "pkey_alloc: %s", strerror(errno));
	/* Write-disable the new key: a value no new process starts with. */
	pkru_want = rdpkru() | (2u << (2 * pkey));
	wrpkru(pkru_want);
	CHILD_CHECK(1, rdpkru() == pkru_want, "wrpkru");
	return 0;
}

static int pkru_verify(void)
{
	int again;

	CHILD_CHECK(2, rdpkru() == pkru_want, "PKRU %#x, expected %#x",
		    rdpkru(), pkru_want);
	/* The key is still allocated: a new one is another, and it frees. */
	again = pkey_alloc(0, 0);
	CHILD_CHECK(3, again > 0 && again != pkey, "pkey_alloc gave %d again (%s)", again,
		    strerror(errno));
	CHILD_CHECK(4, !pkey_free(again) && !pkey_free(pkey), "pkey_free: %s", strerror(errno));
	return 0;
}

TEST(pkru_survives)
{
	pid_t child;
	int key;

	if (!ckpt_preamble(_metadata))
		return;
	if (!cpu_has_ospke())
		SKIP(return, "no protection keys (PKU/OSPKE)");
	key = pkey_alloc(0, 0);
	if (key < 0)
		SKIP(return, "pkey_alloc: %s", strerror(errno));
	pkey_free(key);
	child = ckpt_spawn(pkru_setup, pkru_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

/* --------------------------------------------------------------------
 * rseq registration: the C library registers its rseq area at startup.
 * The restored process must have its own registration back, and no
 * other (a restored task starts as a copy of the restarter, which has
 * its own).  rseq(2) tells: registering the same area again gives EBUSY
 * when it is registered, and succeeds when nothing is.
 */

#define CKPT_RSEQ_UNREGISTER	1

static void *rseq_area(void)
{
	unsigned long tp;

	asm volatile("mov %%fs:0, %0" : "=r"(tp));
	return (void *)(tp + __rseq_offset);
}

static unsigned int rseq_len(void)
{
	return __rseq_size < 32 ? 32 : __rseq_size;
}

static int rseq_registered_setup(void)
{
	CHILD_CHECK(1, __rseq_size > 0, "the C library did not register rseq");
	CHILD_CHECK(1, syscall(SYS_rseq, rseq_area(), rseq_len(), 0, RSEQ_SIG) < 0 &&
		    errno == EBUSY, "rseq area not registered before checkpoint");
	return 0;
}

static int rseq_registered_verify(void)
{
	long r = syscall(SYS_rseq, rseq_area(), rseq_len(), 0, RSEQ_SIG);

	CHILD_CHECK(2, r < 0 && errno == EBUSY,
		    "own rseq area not registered after restart (rseq: %ld, %s)",
		    r, strerror(errno));
	return 0;
}

static int rseq_unregistered_setup(void)
{
	CHILD_CHECK(1, __rseq_size > 0, "the C library did not register rseq");
	CHILD_CHECK(1, !syscall(SYS_rseq, rseq_area(), rseq_len(),
				CKPT_RSEQ_UNREGISTER, RSEQ_SIG),
		    "rseq unregister: %s", strerror(errno));
	return 0;
}

static int rseq_unregistered_verify(void)
{
	long r = syscall(SYS_rseq, rseq_area(), rseq_len(), 0, RSEQ_SIG);

	CHILD_CHECK(2, r == 0,
		    "a registration came back that the process did not have (rseq: %s)",
		    strerror(errno));
	return 0;
}

TEST(rseq_registration_survives)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	if (!__rseq_size)
		SKIP(return, "the C library does not use rseq");
	child = ckpt_spawn(rseq_registered_setup, rseq_registered_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

TEST(unregistered_rseq_is_not_inherited_from_the_restarter)
{
	pid_t child;

	if (!ckpt_preamble(_metadata))
		return;
	if (!__rseq_size)
		SKIP(return, "the C library does not use rseq");
	child = ckpt_spawn(rseq_unregistered_setup, rseq_unregistered_verify);
	ASSERT_GT(child, 0);
	EXPECT_EQ(0, ckpt_cycle(child, CKPT_CONTINUE));
}

TEST_HARNESS_MAIN
