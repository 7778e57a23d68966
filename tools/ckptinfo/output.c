// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo: output.  Every field goes through here, as "key=value" text
 * wrapped at TEXT_WIDTH, or as JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptinfo.h"

static const char *const rec_names[CKPT_REC_MAX] = { CKPT_REC_NAMES };

static const char *const sig_names[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
	"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS",
};

/* The name of record type @type, or NULL for a type the format does not have */
const char *rec_name(__u32 type)
{
	if (type > 0 && type < CKPT_REC_MAX)
		return rec_names[type];
	return NULL;
}

/* The name of signal @sig: "SIGINT", "SIGRTMIN+3"; @buf holds it if need be */
const char *sig_name(__u32 sig, char *buf, size_t size)
{
	if (sig > 0 && sig < 32)
		return sig_names[sig];
	if (sig >= 32 && sig <= MAX_NSIG)
		snprintf(buf, size, "SIGRTMIN+%u", sig - 32);
	else
		snprintf(buf, size, "SIG%u", sig);
	return buf;
}

/* ---- JSON ---- */

static void json_str(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, seq;
	__u32 cp;

	putchar('"');
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
			i++;
			continue;
		}
		if (c < 0x80) {
			putchar(c);
			i++;
			continue;
		}
		/* pass valid UTF-8 through, escape other bytes as \u00XX */
		if (c >= 0xc2 && c <= 0xdf) {
			seq = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			seq = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			seq = 4;
			cp = c & 0x07;
		} else {
			seq = 0;
			cp = 0;
		}
		for (k = 1; seq && k < seq; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				seq = 0;
			else
				cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (seq && ((seq == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
			    (seq == 4 && (cp < 0x10000 || cp > 0x10ffff))))
			seq = 0;
		if (!seq) {
			printf("\\u%04x", c);
			i++;
			continue;
		}
		fwrite(p + i, 1, seq, stdout);
		i += seq;
	}
	putchar('"');
}

static void json_sep(struct img *im, const char *key)
{
	int i;

	if (im->depth > 0) {
		if (!im->jfirst[im->depth])
			putchar(',');
		putchar('\n');
		for (i = 0; i < im->depth; i++)
			fputs("  ", stdout);
	}
	im->jfirst[im->depth] = 0;
	if (key && im->depth > 0 && im->jtype[im->depth] == '{') {
		json_str(key, strlen(key));
		fputs(": ", stdout);
	}
}

void json_open(struct img *im, const char *key, char type)
{
	json_sep(im, key);
	putchar(type);
	if (im->depth + 1 < JSON_DEPTH) {
		im->depth++;
		im->jtype[im->depth] = type;
		im->jfirst[im->depth] = 1;
	}
}

void json_close(struct img *im)
{
	int i, empty = im->jfirst[im->depth];
	char type = im->jtype[im->depth];

	im->depth--;
	if (!empty) {
		putchar('\n');
		for (i = 0; i < im->depth; i++)
			fputs("  ", stdout);
	}
	putchar(type == '{' ? '}' : ']');
}

/* ---- text ---- */

/* Text: emit one "key=value" field, wrapping at TEXT_WIDTH */
void text_field(struct img *im, const char *s, int len)
{
	if (im->col > TEXT_INDENT && im->col + 1 + len > TEXT_WIDTH) {
		printf("\n%*s", TEXT_INDENT, "");
		im->col = TEXT_INDENT;
	} else if (im->col > TEXT_INDENT) {
		putchar(' ');
		im->col++;
	}
	fputs(s, stdout);
	im->col += len;
}

void text_break(struct img *im)
{
	if (im->col > TEXT_INDENT) {
		printf("\n%*s", TEXT_INDENT, "");
		im->col = TEXT_INDENT;
	}
}

static void text_end(struct img *im)
{
	if (im->col) {
		putchar('\n');
		im->col = 0;
	}
}

/* ---- fields and records, in either ---- */

/* A field whose text and JSON forms are the same number or word */
void field_fmt(struct img *im, const char *key, int json_quote, const char *fmt, ...)
{
	char val[128], txt[192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (im->json) {
		json_sep(im, key);
		if (json_quote)
			json_str(val, strlen(val));
		else
			fputs(val, stdout);
		return;
	}
	if (key)
		n = snprintf(txt, sizeof(txt), "%s=%s", key, val);
	else
		n = snprintf(txt, sizeof(txt), "%s", val);
	text_field(im, txt, n < (int)sizeof(txt) ? n : (int)sizeof(txt) - 1);
}

void fu(struct img *im, const char *key, __u64 v)
{
	field_fmt(im, key, 0, "%llu", v);
}

void fs(struct img *im, const char *key, __s64 v)
{
	field_fmt(im, key, 0, "%lld", v);
}

/* Nanoseconds as seconds with 9 decimals */
void fns(struct img *im, const char *key, __u64 ns)
{
	field_fmt(im, key, 0, "%llu.%09llu", ns / 1000000000ULL, ns % 1000000000ULL);
}

void fx(struct img *im, const char *key, __u64 v)
{
	field_fmt(im, key, 1, "0x%llx", v);
}

void fword(struct img *im, const char *key, const char *word)
{
	field_fmt(im, key, 1, "%s", word);
}

/* A user or group id: CKPT_ID_UNMAPPED is one the checkpointer could not name. */
void fid(struct img *im, const char *key, __u32 v)
{
	if (v == CKPT_ID_UNMAPPED)
		fword(im, key, "unmapped");
	else
		fu(im, key, v);
}

void fbool(struct img *im, const char *key, int v)
{
	field_fmt(im, key, 0, "%s", v ? "true" : "false");
}

/* A string from the image: escaped, never printed raw to a terminal */
void fstr(struct img *im, const char *key, const char *s, size_t n)
{
	char *txt, *q;
	size_t i;

	if (im->json) {
		json_sep(im, key);
		json_str(s, n);
		return;
	}
	txt = malloc(strlen(key) + 4 * n + 4);
	if (!txt) {
		text_field(im, "?", 1);
		return;
	}
	q = txt + sprintf(txt, "%s=\"", key);
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			q += sprintf(q, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			q += sprintf(q, "\\x%02x", c);
		else
			*q++ = c;
	}
	*q++ = '"';
	*q = 0;
	text_field(im, txt, (int)(q - txt));
	free(txt);
}

/* Flags: hex, and the names of the bits we know */
void fflags(struct img *im, const char *key, __u64 v, const struct flag_name *names)
{
	char txt[512], jkey[64];
	int n, i, first = 1;

	if (im->json) {
		fx(im, key, v);
		snprintf(jkey, sizeof(jkey), "%s_names", key);
		json_open(im, jkey, '[');
		for (i = 0; names[i].name; i++)
			if ((v & names[i].bit) == names[i].bit)
				fword(im, NULL, names[i].name);
		json_close(im);
		return;
	}
	n = snprintf(txt, sizeof(txt), "%s=0x%llx", key, v);
	for (i = 0; names[i].name && n < (int)sizeof(txt) - 40; i++) {
		if ((v & names[i].bit) != names[i].bit)
			continue;
		n += snprintf(txt + n, sizeof(txt) - n, "%s%s", first ? "(" : "|", names[i].name);
		first = 0;
	}
	if (!first)
		n += snprintf(txt + n, sizeof(txt) - n, ")");
	text_field(im, txt, n);
}

void fsigset(struct img *im, const char *key, __u64 mask)
{
	char txt[1024], name[32], jkey[64];
	int n, sig, first = 1;

	if (im->json) {
		fx(im, key, mask);
		snprintf(jkey, sizeof(jkey), "%s_signals", key);
		json_open(im, jkey, '[');
		for (sig = 1; sig <= 64; sig++)
			if (mask & (1ULL << (sig - 1)))
				fword(im, NULL, sig_name(sig, name, sizeof(name)));
		json_close(im);
		return;
	}
	n = snprintf(txt, sizeof(txt), "%s=0x%llx", key, mask);
	for (sig = 1; sig <= 64; sig++) {
		if (!(mask & (1ULL << (sig - 1))))
			continue;
		n += snprintf(txt + n, sizeof(txt) - n, "%s%s", first ? "(" : ",",
			      sig_name(sig, name, sizeof(name)) + 3);
		first = 0;
	}
	if (!first)
		n += snprintf(txt + n, sizeof(txt) - n, ")");
	text_field(im, txt, n);
}

/* A list of numbers; text shows the first 32 */
void fulist(struct img *im, const char *key, const __u32 *v, __u32 nr)
{
	char txt[512];
	__u32 i;
	int n;

	if (im->json) {
		json_open(im, key, '[');
		for (i = 0; i < nr; i++)
			fu(im, NULL, v[i]);
		json_close(im);
		return;
	}
	n = snprintf(txt, sizeof(txt), "%s=", key);
	for (i = 0; i < nr && i < 32; i++)
		n += snprintf(txt + n, sizeof(txt) - n, "%s%u", i ? "," : "", v[i]);
	if (nr > 32)
		n += snprintf(txt + n, sizeof(txt) - n, ",...(%u)", nr);
	if (!nr)
		n += snprintf(txt + n, sizeof(txt) - n, "none");
	text_field(im, txt, n);
}

/* Start a nested object: JSON object in an array, text line of its own */
void sub_begin(struct img *im, const char *label)
{
	if (im->json) {
		json_open(im, NULL, '{');
		return;
	}
	text_break(im);
	if (label)
		text_field(im, label, (int)strlen(label));
}

void sub_end(struct img *im)
{
	if (im->json)
		json_close(im);
}

void list_begin(struct img *im, const char *key)
{
	if (im->json)
		json_open(im, key, '[');
}

void list_end(struct img *im)
{
	if (im->json)
		json_close(im);
}

/* Start the output of one record */
void rec_begin(struct img *im, __u64 off, __u32 type, __u32 len)
{
	int n;

	if (im->json) {
		json_open(im, NULL, '{');
		fu(im, "offset", off);
		fword(im, "type", rec_name(type));
		fu(im, "len", len);
		return;
	}
	/* a name longer than its column (POSIX_TIMERS) takes from the length's */
	n = (int)strlen(rec_name(type));
	im->col = printf("%10llu  %-9s %*u", off, rec_name(type), n > 9 ? 17 - n : 8, len);
	while (im->col < TEXT_INDENT) {
		putchar(' ');
		im->col++;
	}
}

void rec_end(struct img *im)
{
	if (im->json)
		json_close(im);
	else
		text_end(im);
}

/* ---- the job view's tables ---- */

/* @s (@n bytes) with backslashes and unprintable bytes escaped, for tables */
void text_esc(char *out, size_t size, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && s[i] && o + 5 < size; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			o += snprintf(out + o, size - o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	out[o] = 0;
}

/* The @n bytes at @d in hex: @out has room for 2 * @n + 1 */
void hexstr(const __u8 *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[2 * n] = 0;
}
