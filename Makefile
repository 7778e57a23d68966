# Checkpoint/restart for Linux 6.12: build, boot and test entry point.
#
#   make run       build, boot the kernel in QEMU, show the demo
#   make check     host tests + selftests in QEMU on the debug kernel
#   make bench     benchmarks in QEMU on the normal kernel
#   make bench-peer  the same beside CRIU (peer kernel flavour, host's criu)
#   make shell     interactive busybox shell in the VM
#   make fuzz      the fuzz selftest at length (FUZZ=50000 mutants)
#   make patchset  the series as git format-patch output, checkpatch-checked
#   make deps      install the Debian packages needed (idempotent)
#   make kernel    build the normal kernel only (kernel-debug: debug one)

SHELL := /bin/sh
TOP := $(CURDIR)
CHECK_TIMEOUT ?= 2400
RUN_TIMEOUT ?= 900
BENCH_TIMEOUT ?= 1800
export CCACHE_DIR ?= $(HOME)/.cache/ckpt-ccache

.PHONY: all deps tree kernel kernel-debug guest guest-debug run shell check fuzz \
	host-check guest-check bench bench-peer patchset clean distclean

all: guest

deps:
	@scripts/deps

tree: deps
	@scripts/prepare-tree

kernel: deps
	@scripts/build-kernel normal

kernel-debug: deps
	@scripts/build-kernel debug

guest: deps
	@scripts/build-guest normal

guest-debug: deps
	@scripts/build-guest debug

run: guest
	@qemu/run-vm normal run $(RUN_TIMEOUT)

shell: guest
	@qemu/run-vm normal shell

bench: guest
	@QEMU_MEM=4G qemu/run-vm normal bench $(BENCH_TIMEOUT)

# CRIU side by side: a kernel flavour with what CRIU needs (qemu/peer.config)
# booted on the host's root over 9p, running the host's criu.  Not part of
# make check.
bench-peer:
	@scripts/deps peer
	@scripts/build-guest peer
	@QEMU_MEM=6G qemu/run-vm peer peer $(BENCH_TIMEOUT)

host-check:
	@mkdir -p build/logs
	@scripts/host-tests build/logs/host.counts || true

guest-check: guest-debug
	@qemu/run-vm debug check $(CHECK_TIMEOUT) || true
	@scripts/check-results build/logs/check-debug.results \
		build/logs/check-debug.console build/logs/guest.counts || true

# Both halves always run; the verdict is the sum of their counts.
check: deps
	@rm -f build/logs/host.counts build/logs/guest.counts
	@$(MAKE) --no-print-directory host-check
	@$(MAKE) --no-print-directory guest-check || echo "0 1 0" > build/logs/guest.counts
	@set -- $$(cat build/logs/host.counts 2>/dev/null || echo 0 1 0) \
		$$(cat build/logs/guest.counts 2>/dev/null || echo 0 1 0); \
	p=$$(($$1 + $$4)); f=$$(($$2 + $$5)); s=$$(($$3 + $$6)); \
	echo "$$p passed, $$f failed, $$s skipped"; [ $$f = 0 ]

# The fuzz test at length (50,000 + 10,000 mutants, about two hours):
# not part of make check, which makes 4,000 + 1,000.
FUZZ ?= 50000
fuzz: kernel-debug
	@CKPT_FUZZ=$(FUZZ) CHECK_TIMEOUT=$$(($(FUZZ) / 5 * 2 + 1800)) \
		scripts/guest-test -t fuzz ckpt_fuzz_test

patchset: deps
	@scripts/patchset

clean:
	rm -rf build/obj-* build/guest-* build/logs build/*.cpio build/patchset

distclean:
	rm -rf build
