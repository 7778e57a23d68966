// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: terminals.  The TTY record (the job's controlling terminal),
 * PTY records (pseudo-terminals), the FILE kinds on them, and their part
 * of the job view.
 */
#include <stdio.h>
#include <string.h>

#include "ckptinfo.h"

/*
 * What a pty master's open flags may hold (x86_64 values): O_ACCMODE and
 * the status flags O_APPEND, O_NONBLOCK, O_DSYNC, O_SYNC (__O_SYNC |
 * O_DSYNC), O_NOATIME, O_DIRECT, O_LARGEFILE and FASYNC.
 */
#define PTY_MASTER_FLAGS (O_ACCMODE_BITS | 00002000 | 00004000 | 00010000 | 04000000 | \
			  01000000 | 00040000 | 00100000 | 00020000)

static const struct flag_name pty_flags[] = {
	{ CKPT_PTY_LOCKED, "locked" },
	{ CKPT_PTY_PACKET, "packet" },
	{ CKPT_PTY_SLAVE_CLOSED, "slave-closed" },
	{ 0, NULL }
};

/* termios bits (asm-generic/termbits.h, as on x86_64) */
static const struct flag_name tty_iflags[] = {
	{ 0x0001, "ignbrk" }, { 0x0002, "brkint" }, { 0x0004, "ignpar" },
	{ 0x0008, "parmrk" }, { 0x0010, "inpck" }, { 0x0020, "istrip" },
	{ 0x0040, "inlcr" }, { 0x0080, "igncr" }, { 0x0100, "icrnl" },
	{ 0x0200, "iuclc" }, { 0x0400, "ixon" }, { 0x0800, "ixany" },
	{ 0x1000, "ixoff" }, { 0x2000, "imaxbel" }, { 0x4000, "iutf8" },
	{ 0, NULL }
};

static const struct flag_name tty_oflags[] = {
	{ 0x0001, "opost" }, { 0x0002, "olcuc" }, { 0x0004, "onlcr" },
	{ 0x0008, "ocrnl" }, { 0x0010, "onocr" }, { 0x0020, "onlret" },
	{ 0, NULL }
};

static const struct flag_name tty_cflags[] = {
	{ 0x0040, "cstopb" }, { 0x0080, "cread" }, { 0x0100, "parenb" },
	{ 0x0200, "parodd" }, { 0x0400, "hupcl" }, { 0x0800, "clocal" },
	{ 0x80000000, "crtscts" },
	{ 0, NULL }
};

static const struct flag_name tty_lflags[] = {
	{ 0x0001, "isig" }, { 0x0002, "icanon" }, { 0x0008, "echo" },
	{ 0x0010, "echoe" }, { 0x0020, "echok" }, { 0x0040, "echonl" },
	{ 0x0080, "noflsh" }, { 0x0100, "tostop" }, { 0x0200, "echoctl" },
	{ 0x0400, "echoprt" }, { 0x0800, "echoke" }, { 0x8000, "iexten" },
	{ 0, NULL }
};

#define TTY_ICANON	0x2
#define TTY_NR_LDISCS	30	/* NR_LDISCS, which is not in the uapi */
#define TTY_ECHO	0x8
#define TTY_ISIG	0x1

/* Control characters shown, by index in c_cc (x86_64) */
static const struct {
	int idx;
	const char *name;
} tty_ccs[] = {
	{ 0, "intr" }, { 1, "quit" }, { 2, "erase" }, { 3, "kill" }, { 4, "eof" },
	{ 10, "susp" }, { 8, "start" }, { 9, "stop" }, { 6, "min" }, { 5, "time" },
};

/* A control character as stty(1) shows it */
static void cc_str(unsigned int c, char *buf, size_t size)
{
	if (c == 0)
		snprintf(buf, size, "undef");
	else if (c < 0x20)
		snprintf(buf, size, "^%c", c + 0x40);
	else if (c == 0x7f)
		snprintf(buf, size, "^?");
	else if (c < 0x7f)
		snprintf(buf, size, "%c", c);
	else
		snprintf(buf, size, "0x%02x", c);
}

/* The main control characters: a "cc" object in JSON, fields in text */
static void print_cc(struct img *im, const __u8 *cc)
{
	char key[32], val[16];
	size_t i;

	if (im->json)
		json_open(im, "cc", '{');
	for (i = 0; i < ARRAY_SIZE(tty_ccs); i++) {
		unsigned int c = cc[tty_ccs[i].idx];

		if (tty_ccs[i].idx == 5 || tty_ccs[i].idx == 6) {
			fu(im, tty_ccs[i].name, c);
			continue;
		}
		cc_str(c, val, sizeof(val));
		if (im->json) {
			fword(im, tty_ccs[i].name, val);
		} else {
			snprintf(key, sizeof(key), "%s", tty_ccs[i].name);
			fstr(im, key, val, strlen(val));
		}
	}
	if (im->json)
		json_close(im);
}

/* The flag words of terminal settings, and the character size */
static void print_termios_flags(struct img *im, const struct ckpt_termios *t)
{
	fflags(im, "iflag", t->iflag, tty_iflags);
	fflags(im, "oflag", t->oflag, tty_oflags);
	fflags(im, "cflag", t->cflag, tty_cflags);
	field_fmt(im, "csize", 0, "%u", 5 + ((t->cflag & TTY_CSIZE) >> 4));
	fflags(im, "lflag", t->lflag, tty_lflags);
}

/*
 * The state the TTY and PTY records share.  A pty is recreated with
 * N_TTY; the restarter's terminal keeps its own line discipline.
 */
static int check_tty_state(struct img *im, const struct ckpt_tty_state *st, int n_tty_only)
{
	if (st->sid < 0 || st->fg_pgrp < 0)
		return bad(im, "sid %d or fg_pgrp %d is negative", st->sid, st->fg_pgrp);
	if (n_tty_only && st->termios.line != 0)
		return bad(im, "termios: line discipline %u is not N_TTY (0)", st->termios.line);
	if (st->termios.line >= TTY_NR_LDISCS)
		return bad(im, "termios: line discipline %u does not exist (the kernel has %d)",
			   st->termios.line, TTY_NR_LDISCS);
	if (st->termios.reserved)
		return bad(im, "termios: reserved field is not zero");
	return 0;
}

/* Session, foreground group and window size */
static void print_tty_ctl(struct img *im, const struct ckpt_tty_state *st)
{
	fs(im, "sid", st->sid);
	fs(im, "fg_pgrp", st->fg_pgrp);
	fu(im, "rows", st->ws.row);
	fu(im, "cols", st->ws.col);
	fu(im, "xpixel", st->ws.xpixel);
	fu(im, "ypixel", st->ws.ypixel);
}

int decode_tty(struct img *im)
{
	struct ckpt_rec_tty *t = (void *)im->buf;

	if (check_len(im, sizeof(*t), "the TTY record"))
		return -1;
	if (check_tty_state(im, &t->tty, 0))
		return -1;
	if (check_cstr(im, "name", t->name, sizeof(t->name)))
		return -1;
	im->tty = *t;
	im->tty_seen = 1;
	im->tty_off = im->rec_off;
	if (im->json) {
		json_open(im, "tty", '{');
		fu(im, "offset", im->rec_off);
		fu(im, "len", im->rec_len);
	} else {
		rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	}
	fstr(im, "name", t->name, strlen(t->name));
	print_tty_ctl(im, &t->tty);
	fu(im, "ispeed", t->tty.termios.ispeed);
	fu(im, "ospeed", t->tty.termios.ospeed);
	print_termios_flags(im, &t->tty.termios);
	fu(im, "line", t->tty.termios.line);
	print_cc(im, t->tty.termios.cc);
	rec_end(im);
	im->st = ST_TASK;
	return 0;
}

static int check_pty_data(struct img *im, const char *side, __u32 in, __u32 raw)
{
	if (in > CKPT_MAX_PTY_IN)
		return bad(im, "%s_in %u exceeds CKPT_MAX_PTY_IN (%d)", side, in, CKPT_MAX_PTY_IN);
	if (raw > CKPT_MAX_PTY_RAW)
		return bad(im, "%s_raw %u exceeds CKPT_MAX_PTY_RAW (%d)", side, raw,
			   CKPT_MAX_PTY_RAW);
	return 0;
}

/* Bytes of one direction's data in the record: in, its line-end bitmap, raw */
static __u64 pty_data_len(__u32 in, __u32 raw)
{
	return (__u64)in + (in + 7ULL) / 8 + raw;
}

/* Canonical lines ended in @in bytes whose line-end bitmap is @eol */
static __u32 pty_lines(const __u8 *eol, __u32 in)
{
	__u32 i, n = 0;

	for (i = 0; i < in; i++)
		n += (eol[i / 8] >> (i % 8)) & 1;
	return n;
}

/* A part of a PTY record: a JSON object @key, or a text line of its own */
static void pty_part_begin(struct img *im, const char *key)
{
	char label[16];

	if (im->json) {
		json_open(im, key, '{');
		return;
	}
	text_break(im);
	snprintf(label, sizeof(label), "%s:", key);
	text_field(im, label, (int)strlen(label));
}

/* The slave's settings (the master has none of its own) */
static void print_pty_termios(struct img *im, const struct ckpt_termios *t)
{
	pty_part_begin(im, "termios");
	fbool(im, "icanon", !!(t->lflag & TTY_ICANON));
	fbool(im, "echo", !!(t->lflag & TTY_ECHO));
	print_termios_flags(im, t);
	fu(im, "ispeed", t->ispeed);
	fu(im, "ospeed", t->ospeed);
	if (im->json) {
		print_cc(im, t->cc);
		json_close(im);
	}
}

/* The data one side's readers have not read: processed (in), then not (raw) */
static void print_pty_data(struct img *im, const char *side, const __u8 *data, __u32 in,
			   __u32 lines, __u32 raw)
{
	pty_part_begin(im, side);
	fu(im, "in", in);
	fu(im, "lines", lines);
	fu(im, "raw", raw);
	if (in)
		fstr(im, "in_data", (const char *)data,
		     in < PIPE_DATA_SHOWN ? in : PIPE_DATA_SHOWN);
	if (raw)
		fstr(im, "raw_data", (const char *)data + in + (in + 7) / 8,
		     raw < PIPE_DATA_SHOWN ? raw : PIPE_DATA_SHOWN);
	if (im->json)
		json_close(im);
}

int decode_pty(struct img *im)
{
	struct ckpt_rec_pty *p = (void *)im->buf;
	const __u8 *slave = (const __u8 *)(p + 1), *master;
	struct pty_ent *e;

	if (check_min(im, sizeof(*p)))
		return -1;
	if (p->flags & ~CKPT_PTY_FLAGS_ALL)
		return bad(im, "unknown pty flags 0x%x", p->flags);
	if (p->master_flags & ~PTY_MASTER_FLAGS)
		return bad(im, "master_flags 0%o: bits other than access mode and status flags",
			   p->master_flags);
	if ((p->master_flags & O_ACCMODE_BITS) == O_ACCMODE_BITS)
		return bad(im, "master_flags 0%o: access mode 3 is not a valid one",
			   p->master_flags);
	if (check_tty_state(im, &p->slave, 1))
		return -1;
	if (check_pty_data(im, "slave", p->slave_in, p->slave_raw) ||
	    check_pty_data(im, "master", p->master_in, p->master_raw))
		return -1;
	if (check_len(im, sizeof(*p) + pty_data_len(p->slave_in, p->slave_raw) +
		      pty_data_len(p->master_in, p->master_raw),
		      "slave_in, slave_raw, master_in, master_raw and their line-end bitmaps"))
		return -1;
	if (claim_objid(im, p->objid))
		return -1;
	e = new_entry((void **)&im->ptys, &im->nr_pty_ents, &im->ptys_size, sizeof(*im->ptys),
		      &im->objidx[CKPT_REC_PTY], p->objid);
	if (!e)
		return nomem(im);
	master = slave + pty_data_len(p->slave_in, p->slave_raw);
	e->off = im->rec_off;
	e->objid = p->objid;
	e->index = p->index;
	e->flags = p->flags;
	e->master_flags = p->master_flags;
	e->st = p->slave;
	e->slave_in = p->slave_in;
	e->slave_lines = pty_lines(slave + p->slave_in, p->slave_in);
	e->slave_raw = p->slave_raw;
	e->master_in = p->master_in;
	e->master_lines = pty_lines(master + p->master_in, p->master_in);
	e->master_raw = p->master_raw;
	e->master_file = 0;

	rec_begin(im, im->rec_off, im->rec_type, im->rec_len);
	fu(im, "objid", p->objid);
	fu(im, "index", p->index);
	field_fmt(im, "name", 1, "pts/%u", p->index);
	fflags(im, "flags", p->flags, pty_flags);
	fflags(im, "master_flags", p->master_flags, open_flags);
	fword(im, "master_mode", acc_mode_name(p->master_flags));
	print_tty_ctl(im, &p->slave);
	print_pty_termios(im, &p->slave.termios);
	print_pty_data(im, "slave", slave, p->slave_in, e->slave_lines, p->slave_raw);
	print_pty_data(im, "master", master, p->master_in, e->master_lines, p->master_raw);
	rec_end(im);
	return 0;
}

/* ---- FILE records on a pty or on the terminal ---- */

/* A pty has one master file, whose access mode is the one saved with the pty */
int pty_master_link(struct img *im, const struct ckpt_rec_file *f, __u32 ref)
{
	const struct pty_ent *pty = &im->ptys[ref];

	if (pty->master_file)
		return bad(im, "pty %u has two master files: objids %u and %u", f->ref_id,
			   pty->master_file, f->objid);
	if (acc_mode(f->mode) != (pty->master_flags & O_ACCMODE_BITS))
		return bad(im, "mode %s does not match the access mode %s in pty %u's master_flags",
			   mode_name(f->mode), acc_mode_name(pty->master_flags), f->ref_id);
	return 0;
}

int pty_master_commit(struct img *im, const struct ckpt_rec_file *f, __u32 ref,
		      struct file_ent *e)
{
	im->ptys[ref].master_file = f->objid;
	return 0;
}

int ctty_link(struct img *im, const struct ckpt_rec_file *f, __u32 ref)
{
	if (!im->tty_seen)
		return bad(im, "a file on the job's terminal, but the image has no TTY record");
	return 0;
}

/* ---- the job view: ptys and the terminal ---- */

static int in_job_pgrp(struct img *im, __s32 pgrp)
{
	__u32 i;

	for (i = 0; pgrp > 0 && i < im->nr_task_ents; i++)
		if (im->tasks[i].pgid == pgrp)
			return 1;
	return 0;
}

static int in_job_session(struct img *im, __s32 sid)
{
	__u32 i;

	for (i = 0; sid > 0 && i < im->nr_task_ents; i++)
		if (im->tasks[i].sid == sid)
			return 1;
	return 0;
}

/* Sort key of the descriptors on the master (or slave) of ptys[@i] */
static __u64 pty_key(struct img *im, size_t i, int slave)
{
	return (__u64)im->nr_pipe_ents * 4 + (__u64)i * 2 + !!slave;
}

/* Sort keys of the descriptors on a pty's master, its slave, the terminal */
static __u64 pty_hold_key(struct img *im, const struct file_ent *f, int slave)
{
	__u32 idx;

	if (!idset_get(&im->objidx[CKPT_REC_PTY], f->ref_id, &idx))
		return ~0ULL;
	return pty_key(im, idx, slave);
}

__u64 pty_master_hold_key(struct img *im, const struct file_ent *f)
{
	return pty_hold_key(im, f, 0);
}

__u64 pty_slave_hold_key(struct img *im, const struct file_ent *f)
{
	return pty_hold_key(im, f, 1);
}

__u64 ctty_hold_key(struct img *im, const struct file_ent *f)
{
	return ~0ULL;
}

/* stty(1)-like summary of a terminal's modes */
static void termios_words(__u32 iflag, __u32 oflag, __u32 cflag, __u32 lflag,
			  char words[][12], int *nr)
{
	static const struct {
		int which;		/* 0 iflag, 1 oflag, 3 lflag */
		__u32 bit;
		const char *name;
	} shown[] = {
		{ 3, 0x0002, "icanon" }, { 3, 0x0008, "echo" }, { 3, 0x0001, "isig" },
		{ 3, 0x8000, "iexten" }, { 0, 0x0100, "icrnl" }, { 0, 0x0400, "ixon" },
		{ 1, 0x0001, "opost" }, { 1, 0x0004, "onlcr" },
	};
	__u32 flags[4] = { iflag, oflag, cflag, lflag };
	size_t i;

	*nr = 0;
	for (i = 0; i < ARRAY_SIZE(shown); i++)
		snprintf(words[(*nr)++], 12, "%s%s",
			 flags[shown[i].which] & shown[i].bit ? "" : "-", shown[i].name);
	snprintf(words[(*nr)++], 12, "cs%u", 5 + ((cflag & TTY_CSIZE) >> 4));
}

/* Text: "8 bytes unread (1 line), 3 unprocessed", or "empty" */
static void print_pty_unread(const char *label, __u32 in, __u32 lines, __u32 raw)
{
	printf("    %-11s ", label);
	if (!in && !raw) {
		printf("empty\n");
		return;
	}
	printf("%u byte%s unread", in, in == 1 ? "" : "s");
	if (lines)
		printf(" (%u line%s)", lines, lines == 1 ? "" : "s");
	if (raw)
		printf(", %u unprocessed", raw);
	putchar('\n');
}

static void print_pty(struct img *im, size_t i)
{
	const struct pty_ent *p = &im->ptys[i];
	const struct ckpt_tty_state *st = &p->st;
	const struct ckpt_termios *t = &st->termios;
	int sid_in = in_job_session(im, st->sid), fg_in = in_job_pgrp(im, st->fg_pgrp);
	char words[16][12], name[32];
	int nr, k;

	termios_words(t->iflag, t->oflag, t->cflag, t->lflag, words, &nr);
	snprintf(name, sizeof(name), "pts/%u", p->index);
	if (im->json) {
		sub_begin(im, NULL);
		fu(im, "id", p->objid);
		fword(im, "name", name);
		fs(im, "sid", st->sid);
		fbool(im, "sid_in_job", sid_in);
		fs(im, "fg_pgrp", st->fg_pgrp);
		fbool(im, "fg_pgrp_in_job", fg_in);
		fu(im, "rows", st->ws.row);
		fu(im, "cols", st->ws.col);
		fbool(im, "locked", !!(p->flags & CKPT_PTY_LOCKED));
		fbool(im, "packet", !!(p->flags & CKPT_PTY_PACKET));
		fbool(im, "slave_closed", !!(p->flags & CKPT_PTY_SLAVE_CLOSED));
		json_open(im, "termios", '[');
		for (k = 0; k < nr; k++)
			fword(im, NULL, words[k]);
		json_close(im);
		print_holders(im, "master", pty_key(im, i, 0), "");
		print_holders(im, "slave", pty_key(im, i, 1), "");
		fu(im, "slave_in", p->slave_in);
		fu(im, "slave_lines", p->slave_lines);
		fu(im, "slave_raw", p->slave_raw);
		fu(im, "master_in", p->master_in);
		fu(im, "master_lines", p->master_lines);
		fu(im, "master_raw", p->master_raw);
		sub_end(im);
		return;
	}
	printf("  pty %u (%s): ", p->objid, name);
	if (st->sid)
		printf("session %d (%s the job)", st->sid, sid_in ? "in" : "not in");
	else
		printf("no session");
	if (st->fg_pgrp)
		printf(", foreground group %d (%s the job)", st->fg_pgrp, fg_in ? "in" : "not in");
	printf(", %ux%u", st->ws.row, st->ws.col);
	if (p->flags & CKPT_PTY_LOCKED)
		printf(", locked");
	if (p->flags & CKPT_PTY_PACKET)
		printf(", packet mode");
	if (p->flags & CKPT_PTY_SLAVE_CLOSED)
		printf(", slave closed");
	putchar('\n');
	printf("    termios:   ");
	for (k = 0; k < nr; k++)
		printf(" %s", words[k]);
	putchar('\n');
	print_holders(im, "master:", pty_key(im, i, 0), "none (closed after restart)");
	print_holders(im, "slave:", pty_key(im, i, 1), "none");
	print_pty_unread("to slave:", p->slave_in, p->slave_lines, p->slave_raw);
	print_pty_unread("to master:", p->master_in, p->master_lines, p->master_raw);
}

void print_ptys(struct img *im)
{
	size_t i;

	if (im->json)
		json_open(im, "ptys", '[');
	else
		printf("ptys:%s\n", im->nr_pty_ents ? "" : " none");
	for (i = 0; i < im->nr_pty_ents; i++)
		print_pty(im, i);
	if (im->json)
		json_close(im);
}

void print_tty(struct img *im)
{
	const struct ckpt_rec_tty *t = &im->tty;
	const struct ckpt_tty_state *st = &t->tty;
	char words[16][12], name[4 * sizeof(t->name) + 1];
	int nr, i, fg_in = in_job_pgrp(im, st->fg_pgrp);

	if (!im->tty_seen) {
		if (im->json)
			field_fmt(im, "tty", 0, "null");
		else
			printf("terminal: none\n");
		return;
	}
	termios_words(st->termios.iflag, st->termios.oflag, st->termios.cflag,
		      st->termios.lflag, words, &nr);
	if (im->json) {
		json_open(im, "tty", '{');
		fstr(im, "name", t->name, strlen(t->name));
		fs(im, "sid", st->sid);
		fs(im, "fg_pgrp", st->fg_pgrp);
		fbool(im, "fg_pgrp_in_job", fg_in);
		fu(im, "rows", st->ws.row);
		fu(im, "cols", st->ws.col);
		fu(im, "ispeed", st->termios.ispeed);
		fu(im, "ospeed", st->termios.ospeed);
		json_open(im, "termios", '[');
		for (i = 0; i < nr; i++)
			fword(im, NULL, words[i]);
		json_close(im);
		print_holders(im, "fds", ~0ULL, "");
		json_close(im);
		return;
	}
	text_esc(name, sizeof(name), t->name, strlen(t->name));
	printf("terminal: %s, session %d, ", name[0] ? name : "(no name)", st->sid);
	if (st->fg_pgrp)
		printf("foreground group %d (%s the job)", st->fg_pgrp, fg_in ? "in" : "not in");
	else
		printf("no foreground group");
	printf(", %ux%u, %u baud\n", st->ws.row, st->ws.col, st->termios.ospeed);
	printf("    termios:   ");
	for (i = 0; i < nr; i++)
		printf(" %s", words[i]);
	putchar('\n');
	print_holders(im, "held by:", ~0ULL, "no descriptor");
}
