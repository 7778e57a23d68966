#!/bin/sh
# Host test: ckptinfo decodes and verifies synthetic checkpoint images
# (written by tests/host/mkimage.c), and rejects broken ones with exit
# status 1 and a precise reason, without ever crashing.  Also builds the
# ckpt and restart tools and checks their command-line handling (the
# system calls themselves need the patched kernel: see selftests/).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-gcc}
FUZZ_RUNS=${FUZZ_RUNS:-2000}
cflags="-O2 -g -Wall -Wextra -Wno-unused-parameter -I$top/include/uapi -I$top/tools/include"
# ckptinfo.c leaves out format attributes (checkpatch wants __printf()): add them
cflags="$cflags -D__printf(a,b)=__attribute__((format(printf,a,b)))"
n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

# not_ok NAME [DIAGNOSTIC-FILE]
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n $1"
	if [ $# -gt 1 ] && [ -s "$2" ]; then
		head -n 30 "$2" | sed 's/^/#   /'
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# build NAME SOURCE [EXTRA-CFLAGS]: compile without a single warning
build() {
	# shellcheck disable=SC2086
	if $CC $cflags ${3:-} -o "$tmp/$1" "$2" > "$tmp/$1.log" 2>&1 && [ ! -s "$tmp/$1.log" ]; then
		ok "build_$1_without_warnings"
	else
		not_ok "build_$1_without_warnings" "$tmp/$1.log"
	fi
}

# info NAME WANT-STATUS WANT-GREP-PATTERN ARGS... (stdout+stderr checked)
info() {
	name=$1 want=$2 pat=$3
	shift 3
	"$tmp/ckptinfo" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
	st=$?
	if [ "$st" = "$want" ] && cat "$tmp/stderr" "$tmp/stdout" | grep -Eq -- "$pat"; then
		ok "$name"
	else
		echo "status $st, want $want; want output matching: $pat" > "$tmp/why"
		cat "$tmp/stderr" >> "$tmp/why"
		tail -n 12 "$tmp/stdout" >> "$tmp/why"
		not_ok "$name" "$tmp/why"
	fi
}

echo "TAP version 13"

build ckptinfo "$top/tools/ckptinfo.c"
build mkimage "$top/tests/host/mkimage.c"
build ckpt "$top/tools/ckpt.c"
build restart "$top/tools/restart.c"

# SHA-256 against the FIPS 180-2 vectors, fed in blocks of many sizes
if "$tmp/mkimage" --sha256-selftest > "$tmp/sha" 2>&1; then
	ok sha256_known_vectors
else
	not_ok sha256_known_vectors "$tmp/sha"
fi

img=$tmp/valid.img
"$tmp/mkimage" > "$img"
size=$(wc -c < "$img")
prefix=$("$tmp/mkimage" --prefix-len)

# The hash ckptinfo computes is the one sha256sum(1) computes
if command -v sha256sum > /dev/null 2>&1; then
	want=$(head -c "$prefix" "$img" | sha256sum | cut -d' ' -f1)
	"$tmp/ckptinfo" "$img" > "$tmp/out" 2>&1
	if grep -q "^sha256: $want ok\$" "$tmp/out"; then
		ok sha256_matches_sha256sum
	else
		echo "sha256sum says $want" > "$tmp/why"
		cat "$tmp/out" >> "$tmp/why"
		not_ok sha256_matches_sha256sum "$tmp/why"
	fi
else
	skip sha256_matches_sha256sum "no sha256sum"
fi

info valid_image_verifies 0 '^result: ok$' "$img"
info valid_image_shows_task 0 'TASK .* pid=4242 comm="sleeper" tgid=4242 ppid=1 pgid=4242' "$img"
info valid_image_shows_vma_and_pages 0 \
	'VMA .* 000000400000-000000402000 r-x file_private pages=1 bytes=4096$' \
	"$img"
info valid_image_shows_stack_vma 0 \
	'VMA .* 00007ffd0000-00007ffd4000 rw- anon pages=2 bytes=8192 size=16384' "$img"
info valid_image_shows_regs 0 'tid=4242 ip=0x401234 sp=0x7ffd3f00' "$img"
info valid_image_summary 0 '^summary: 23 records, 1 task, 3 pages \(12288 bytes\)' "$img"
info strings_are_escaped 0 'path="/tmp/log \\"odd\\\\name\\"\\x0a\\xc3\\xa9.txt"' "$img"

"$tmp/mkimage" --two-tasks > "$tmp/two.img"
info two_tasks_decode 0 '^summary: 44 records, 2 tasks, 6 pages' "$tmp/two.img"
info two_tasks_second_pid 0 'TASK_END .* pid=4243 pages=3' "$tmp/two.img"

# Standard input, as a pipe (not a file: cat is on purpose)
# shellcheck disable=SC2002
cat "$img" | "$tmp/ckptinfo" > "$tmp/out" 2>&1
st=$?
if [ $st = 0 ] && grep -q '^result: ok$' "$tmp/out" && grep -q 'comm="sleeper"' "$tmp/out"; then
	ok stdin_pipe_works
else
	not_ok stdin_pipe_works "$tmp/out"
fi
# shellcheck disable=SC2002
cat "$img" | "$tmp/ckptinfo" - > "$tmp/out" 2>&1
st=$?
if [ $st = 0 ] && grep -q '^result: ok$' "$tmp/out"; then
	ok dash_means_stdin
else
	not_ok dash_means_stdin "$tmp/out"
fi

# JSON: valid, with the decoded fields where they belong
if command -v python3 > /dev/null 2>&1; then
	"$tmp/ckptinfo" --json "$img" > "$tmp/json" 2> "$tmp/err"
	st=$?
	if [ $st = 0 ] && python3 -m json.tool "$tmp/json" > /dev/null 2>> "$tmp/err"; then
		ok json_is_valid
	else
		not_ok json_is_valid "$tmp/err"
	fi
	if python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True and j["checksum_ok"] is True and j["error"] is None
assert j["header"]["version"] == 1 and j["header"]["nr_tasks"] == 1
t = j["tasks"][0]
assert t["pid"] == 4242 and t["comm"] == "sleeper" and t["pages"] == 3
recs = t["records"]
vmas = [r for r in recs if r["type"] == "VMA"]
assert [(v["start"], v["end"], v["pages"]) for v in vmas] == \
    [("0x400000", "0x402000", 1), ("0x7ffd0000", "0x7ffd4000", 2)], vmas
f = [r for r in recs if r["type"] == "FILE"][1]
assert f["path"] == '/tmp/log "odd\\name"\n\u00e9.txt', f["path"]
h = [r for r in recs if r["type"] == "SIGHAND"][0]["handlers"]
assert [x["signal"] for x in h] == ["SIGINT", "SIGPIPE"], h
assert j["summary"]["records"] == 23
EOF
	then
		ok json_has_decoded_fields
	else
		not_ok json_has_decoded_fields "$tmp/err"
	fi
	"$tmp/ckptinfo" --json "$tmp/two.img" > "$tmp/json" 2> "$tmp/err"
	if python3 - "$tmp/json" >> "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is True
assert [t["pid"] for t in j["tasks"]] == [4242, 4243]
assert [len(t["records"]) for t in j["tasks"]] == [21, 21]
EOF
	then
		ok json_two_tasks
	else
		not_ok json_two_tasks "$tmp/err"
	fi
	head -c 5000 "$img" | "$tmp/ckptinfo" --json > "$tmp/json" 2> /dev/null
	st=$?
	if [ $st = 1 ] && python3 - "$tmp/json" > "$tmp/err" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ok"] is False and "truncated" in j["error"]["message"], j["error"]
assert j["error"]["record"] == "PAGES" and j["checksum_ok"] is None
EOF
	then
		ok json_of_truncated_image_is_valid
	else
		not_ok json_of_truncated_image_is_valid "$tmp/err"
	fi
else
	skip json_is_valid "no python3"
	skip json_has_decoded_fields "no python3"
	skip json_two_tasks "no python3"
	skip json_of_truncated_image_is_valid "no python3"
fi

# One byte of page contents changed: well-formed, but the checksum fails
off=$(( $("$tmp/mkimage" --offset-of PAGES) + 100 ))
cp "$img" "$tmp/flip.img"
printf '\377' | dd of="$tmp/flip.img" bs=1 seek=$off conv=notrunc 2> /dev/null
info corrupted_byte_checksum_mismatch 1 'TRAILER record: checksum mismatch' "$tmp/flip.img"
info corrupted_byte_result 1 '^result: checksum mismatch$' "$tmp/flip.img"
info no_verify_skips_checksum 0 '^sha256: not verified \(--no-verify\)$' --no-verify "$tmp/flip.img"

# Truncated at record boundaries, inside headers, records and padding
xstate=$("$tmp/mkimage" --offset-of XSTATE)
for cut in 0 5 8 100 232 236 680 709 1400 5000 $xstate $((xstate + 12)) \
	   $prefix $((prefix + 8)) $((size - 1)); do
	head -c "$cut" "$img" > "$tmp/cut.img"
	info "truncated_at_$cut" 1 'truncated' "$tmp/cut.img"
done

# Structural defects (the trailer's SHA-256 is recomputed, so only the
# defect itself can be reported)
while read -r kind pat; do
	"$tmp/mkimage" --corrupt "$kind" > "$tmp/bad.img"
	info "rejects_$kind" 1 "$pat" "$tmp/bad.img"
done <<'EOF'
bad-magic HEADER record: bad magic
bad-version unsupported format version 99
bad-arch arch 0x40000028 is not x86_64
len-max offset 232 .*TASK record: length 4294967295 exceeds CKPT_MAX_RECORD
len-small offset 232 .*TASK record: length 4 is smaller than the record header
len-short VMA record: length 16 is less than the 56 bytes
no-nul FS record: cwd: string of 11 bytes is not NUL-terminated
bad-type unknown record type 99
wrong-order TASK_END record: unexpected here: SIGNAL record expected
vma-overlap overlaps or precedes the VMA before
pages-outside page at 0x500000 is not inside any VMA
fd-objid refers to objid 9, which no earlier FILE record has
dup-objid objid 2 is used twice
trailing data after the trailer
bad-padding padding after the record is not zero
total-len TRAILER record: total_len [0-9]* does not match the [0-9]* bytes before it
nr-vmas PAGES record: unexpected here: VMA 3 of 3
nsig nr 32 differs from the header's nsig 64
nr-tasks TRAILER record: unexpected here: TASK \(1 more announced by the header\)
pages-span PAGES record: pages 0x7ffd3000-0x7ffd5000 run past the end of their VMA
reserved TASK record: reserved field is not zero
inherit-fd FD record: fd 3 refers to an inherited file
caps CRED record: cap_effective 0x1 is not within cap_permitted 0x0
EOF

# Usage errors
info usage_unknown_option 2 'Usage: ckptinfo' --bogus
info usage_two_files 2 'Usage: ckptinfo' "$img" "$img"
info missing_file 2 'No such file' "$tmp/nonexistent"
info help 0 'Usage: ckptinfo' --help

# ckpt and restart: argument handling only (no syscalls on this kernel)
tool() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" > "$tmp/out" 2>&1 < /dev/null
	st=$?
	if [ "$st" = "$want" ] && grep -Eq -- "$pat" "$tmp/out"; then
		ok "$name"
	else
		echo "status $st, want $want; want output matching: $pat" > "$tmp/why"
		cat "$tmp/out" >> "$tmp/why"
		not_ok "$name" "$tmp/why"
	fi
}
tool ckpt_help 0 'Usage: ckpt ' "$tmp/ckpt" --help
tool ckpt_needs_pid 2 'Usage: ckpt ' "$tmp/ckpt"
tool ckpt_bad_pid 2 'ckpt: 12x: not a valid PID' "$tmp/ckpt" -o "$tmp/x" 12x
tool ckpt_one_action 2 "choose one" "$tmp/ckpt" --stop --kill -o "$tmp/x" 1
tool restart_help 0 'Usage: restart ' "$tmp/restart" --help
tool restart_extra_arg 2 'Usage: restart ' "$tmp/restart" foo
tool restart_missing_file 1 "restart: $tmp/nonexistent: No such file" \
	"$tmp/restart" -f "$tmp/nonexistent"

# Fuzz: random single-byte mutations (odd seeds with a recomputed
# SHA-256, so that decoding goes on past the mutation) must give exit
# status 0 or 1, never a crash.  Built with ASan/UBSan when the compiler
# can, so that any out-of-bounds read aborts.
fuzz=$tmp/ckptinfo
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
# shellcheck disable=SC2086
if $CC $cflags -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$tmp/ckptinfo-asan" "$top/tools/ckptinfo.c" > /dev/null 2>&1 &&
	"$tmp/ckptinfo-asan" "$img" > /dev/null 2>&1; then
	fuzz=$tmp/ckptinfo-asan
fi
i=0 zero=0 one=0 bad=0
: > "$tmp/fuzz"
while [ $i -lt "$FUZZ_RUNS" ]; do
	"$tmp/mkimage" --mutate $i | "$fuzz" > /dev/null 2> "$tmp/err"
	st=$?
	case $st in
	0) zero=$((zero + 1)) ;;
	1) one=$((one + 1)) ;;
	*)
		bad=$((bad + 1))
		{ echo "seed $i: exit status $st"; tail -n 5 "$tmp/err"; } >> "$tmp/fuzz"
		;;
	esac
	i=$((i + 1))
done
echo "# fuzz ($(basename "$fuzz")): $FUZZ_RUNS mutations, $zero accepted, $one rejected, $bad crashed"
if [ $bad = 0 ] && [ $one -gt 0 ]; then
	ok fuzz_single_byte_mutations_never_crash
else
	not_ok fuzz_single_byte_mutations_never_crash "$tmp/fuzz"
fi

echo "1..$n"
[ $fails = 0 ]
