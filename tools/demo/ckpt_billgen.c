// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_billgen: set up the "Exhibit 1" job of the checkpoint/restart
 * tests, demo and benchmark:
 *
 *   grep name billrecords/\* | sort -n -k 3 | awk -f process_script | awk -f pr3
 *
 * which is the seed paper's  grep name billrecords/\* | sort +2n |
 * awk -f process_script | pr -3  with busybox applets: busybox sort has
 * no obsolete "+2n" key syntax (-n -k 3 is the same key), and busybox
 * has no pr, so pr3 is a small awk stand-in for pr -3.
 *
 *   ckpt_billgen [-b BILLS] [-f FILES] [-s SEED] DIR
 *
 * writes into DIR (created if needed):
 *   billrecords/bills.NNN  BILLS bills (default 24000) spread over FILES
 *                          files (default 16), deterministic for a seed
 *   process_script         the billing report (awk): a listing line per
 *                          bill, then per-customer statements sorted by a
 *                          child sort(1) it writes to through a pipe, then
 *                          per-customer totals
 *   pr3                    pr -3 in awk: 66-line pages, 3 columns
 *
 * A bill is a few lines; only its "name" line, and a few "note" lines
 * that happen to contain the word, match the grep:
 *   bill 0000042 2031-07-19
 *   name CUSTOMER CENTS DATE ACCOUNT
 *   addr NUMBER STREET, TOWN
 *   item COUNT x WHAT @ PRICE       (one or more)
 *   note ...                        (sometimes)
 *
 * Exit status: 0 done, 1 I/O error, 2 usage error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const customers[] = {
	"abbott", "ashworth", "baines", "barlow", "beckett", "bramley",
	"carver", "chadwick", "dawson", "denholm", "eccles", "fairley",
	"fenwick", "garside", "hartley", "haworth", "ibbotson", "jagger",
	"kershaw", "lumb", "marsden", "mellor", "naylor", "oldroyd",
	"pickles", "priestley", "ramsden", "rhodes", "shackleton", "sugden",
	"sutcliffe", "thornton", "townend", "uttley", "wadsworth", "whiteley",
	"wilkinson", "woodhead", "yeadon", "zouch",
};

static const char *const streets[] = {
	"Mill Lane", "Quarry Road", "Chapel Street", "Moor View", "Beck Side",
	"Station Road", "Church Walk", "Fold Court", "Ing Row", "Clough Bank",
};

static const char *const towns[] = {
	"Hebden", "Todmorden", "Heptonstall", "Mytholm", "Cragg Vale",
	"Luddenden", "Sowerby", "Ripponden",
};

static const char *const goods[] = {
	"bobbin", "shuttle", "heald", "reed", "warp beam", "creel", "picker",
	"temple", "spindle", "loom strap", "card clothing", "oil can",
};

static const char *const notes[] = {
	"paid by cheque", "deliver after noon", "account on hold",
	"name changed on marriage", "second reminder sent", "discount agreed",
	"spelling of name to be checked", "collect from depot",
};

/* awk: one listing line per bill, statements through a child sort, totals */
static const char process_script[] =
"# process_script: the billing report of the Exhibit 1 job.\n"
"# Input: grep output \"FILE:name CUSTOMER CENTS DATE ACCOUNT\", sorted by CENTS.\n"
"# Output: a listing line per bill; then the customers' statements, which a\n"
"# child sort(1) orders by customer and date and writes straight to our\n"
"# standard output; then the totals per customer.\n"
"BEGIN { stmt = \"sort -k 1,1 -k 3,3 -k 2,2n\"; ncust = 0 }\n"
"$1 !~ /:name$/ || $3 !~ /^[0-9]+$/ { skipped++; next }\n"
"{\n"
"\tn++\n"
"\tcents = $3 + 0\n"
"\ttotal += cents\n"
"\tif (!($2 in cnt))\n"
"\t\torder[++ncust] = $2\n"
"\tcnt[$2]++\n"
"\tsum[$2] += cents\n"
"\tif (cents > big[$2])\n"
"\t\tbig[$2] = cents\n"
"\tprintf \"%6d %-12.12s %9.2f %s\\n\", n, $2, cents / 100, $4\n"
"\tprintf \"%-12.12s %9.2f %s %s\\n\", $2, cents / 100, $4, $5 | stmt\n"
"}\n"
"END {\n"
"\tprintf \"statements: %d bills of %d customers\\n\", n, ncust\n"
"\tfflush()\n"
"\tclose(stmt)\n"
"\tprintf \"%-12s %5s %11s %9s\\n\", \"customer\", \"bills\", \"total\", \"largest\"\n"
"\tfor (i = 1; i <= ncust; i++) {\n"
"\t\tc = order[i]\n"
"\t\tprintf \"%-12.12s %5d %11.2f %9.2f\\n\", c, cnt[c], sum[c] / 100, big[c] / 100\n"
"\t}\n"
"\tprintf \"bills %d total %.2f skipped %d\\n\", n, total / 100, skipped\n"
"}\n";

/* awk: pr -3 stand-in, columns filled down, last page balanced */
static const char pr3[] =
"# pr3: a stand-in for pr -3 (busybox has no pr).  Pages of 66 lines: a\n"
"# 5-line header, 56 lines of text in 3 columns filled down (the last page\n"
"# balanced), a 5-line trailer.  Lines are cut to the column width.\n"
"function page_out(   rows, r, c, i, line) {\n"
"\tpage++\n"
"\tprintf \"\\n\\n%-56s Page %d\\n\\n\\n\", \"Exhibit 1 billing report\", page\n"
"\trows = L\n"
"\tif (nb < 3 * L)\n"
"\t\trows = int((nb + 2) / 3)\n"
"\tfor (r = 0; r < rows; r++) {\n"
"\t\tline = \"\"\n"
"\t\tfor (c = 0; c < 3; c++) {\n"
"\t\t\ti = c * rows + r\n"
"\t\t\tif (i < nb)\n"
"\t\t\t\tline = line sprintf(\"%-\" W \".\" W \"s \", buf[i])\n"
"\t\t}\n"
"\t\tsub(/ +$/, \"\", line)\n"
"\t\tprint line\n"
"\t}\n"
"\tfor (r = rows; r < L; r++)\n"
"\t\tprint \"\"\n"
"\tprintf \"\\n\\n\\n\\n\\n\"\n"
"\tnb = 0\n"
"}\n"
"BEGIN { W = 42; L = 56; nb = 0; page = 0 }\n"
"{ buf[nb++] = $0; if (nb == 3 * L) page_out() }\n"
"END { if (nb) page_out() }\n";

/* splitmix64: the same numbers on every machine */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f)) {
		fprintf(stderr, "ckpt_billgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_bill(FILE *f, unsigned long no)
{
	unsigned int nitems = 1 + below(4), i, cents = 0, price[4], count[4], what[4];
	const char *cust = customers[below(ARRAY_SIZE(customers))];
	unsigned int year = 2030 + below(3), month = 1 + below(12), day = 1 + below(28);
	unsigned int account = below(100000);

	for (i = 0; i < nitems; i++) {
		count[i] = 1 + below(9);
		price[i] = 5 + below(2495);
		what[i] = below(ARRAY_SIZE(goods));
		cents += count[i] * price[i];
	}
	fprintf(f, "bill %07lu %04u-%02u-%02u\n", no, year, month, day);
	fprintf(f, "name %s %u %04u-%02u-%02u AC%05u\n", cust, cents, year, month, day, account);
	fprintf(f, "addr %u %s, %s\n", 1 + below(240), streets[below(ARRAY_SIZE(streets))],
		towns[below(ARRAY_SIZE(towns))]);
	for (i = 0; i < nitems; i++)
		fprintf(f, "item %u x %s @ %u.%02u\n", count[i], goods[what[i]], price[i] / 100,
			price[i] % 100);
	if (!below(6))
		fprintf(f, "note %s\n", notes[below(ARRAY_SIZE(notes))]);
	return ferror(f) ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckpt_billgen [-b BILLS] [-f FILES] [-s SEED] DIR\n"
		"Write the Exhibit 1 job's input (DIR/billrecords/*) and awk scripts\n"
		"(DIR/process_script, DIR/pr3).  The job is:\n"
		"  grep name billrecords/* | sort -n -k 3 | awk -f process_script | awk -f pr3\n");
}

int main(int argc, char **argv)
{
	unsigned long bills = 24000, files = 16, seed = 1990, b, fno;
	unsigned long long bytes = 0;
	char path[4096];
	const char *dir;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "b:f:s:h")) != -1) {
		switch (c) {
		case 'b':
		case 'f':
		case 's':
			errno = 0;
			b = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				usage(stderr);
				return 2;
			}
			if (c == 'b')
				bills = b;
			else if (c == 'f')
				files = b;
			else
				seed = b;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || !bills || !files || files > 1000) {
		usage(stderr);
		return 2;
	}
	dir = argv[optind];
	rng_state = seed;

	snprintf(path, sizeof(path), "%s/billrecords", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		fprintf(stderr, "ckpt_billgen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (fno = 0, b = 0; fno < files; fno++) {
		unsigned long last = bills * (fno + 1) / files;
		FILE *f;

		snprintf(path, sizeof(path), "%s/billrecords/bills.%03lu", dir, fno);
		f = fopen(path, "w");
		if (!f)
			goto io_error;
		for (; b < last; b++)
			if (write_bill(f, b + 1))
				break;
		fflush(f);
		bytes += ftell(f);
		if (ferror(f) || fclose(f))
			goto io_error;
	}
	if (write_text(dir, "process_script", process_script) || write_text(dir, "pr3", pr3))
		return 1;
	printf("ckpt_billgen: %lu bills in %lu files, %llu bytes\n", bills, files, bytes);
	return 0;

io_error:
	fprintf(stderr, "ckpt_billgen: %s: %s\n", path, strerror(errno));
	return 1;
}
