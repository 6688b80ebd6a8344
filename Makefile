# qemu-ports: QEMU 10.0.13 + our patch series, built with QEMU's own
# configure and make.  `make` builds (installing what is missing), `make check`
# tests.  See README.rst.

# Profiles built by `make`; each is a file in profiles/.
PROFILES ?= linux-x86_64 linux-i386 mips64el-n32 mips64el-n64 \
	linux-x86_64-static
PROFILE ?= linux-x86_64
# Profiles `make dist` makes release tarballs of: those with DIST_ARCH,
# as scripts/make-dist.sh lists them.
DIST_PROFILES ?= $(shell $(SCRIPTS)/make-dist.sh --list)

# Debian packages the tests use besides the profiles' build dependencies.
# gcc-i686-linux-gnu only recommends the i386 libc headers that its
# programs need: libc6-dev-i386-cross is named.
TEST_DEBIAN_PACKAGES = gcc-i686-linux-gnu libc6-dev-i386-cross file rpm \
	cpio qemu-user \
	qemu-system-mips gcc-12-mips64el-linux-gnuabi64 \
	gcc-12-multilib-mips64el-linux-gnuabi64

# Debian packages `make bench` uses: Debian's own QEMU to compare with,
# callgrind, gnuplot for the plot, and the i686 compiler for its programs.
BENCH_DEBIAN_PACKAGES = qemu-user qemu-system-arm valgrind gnuplot-nox \
	gcc-i686-linux-gnu libc6-dev-i386-cross

SCRIPTS = scripts

# The steps depend on each other's results (packages, then qemu/, then
# the builds, each of which runs QEMU's make -j$(nproc) itself): `make -j`
# must not start them at once.
.NOTPARALLEL:

# check-SUITE is a pattern rule, which make skips for a phony target.
.PHONY: all deps tree export build check check-series-builds \
	dist build-cygwin cygwin-toolchain bench bench-deps bench-build clean distclean help

all: deps tree build

# `make tree` refuses a qemu/ that holds work not in patches/.  The targets
# that build it in the edit loop take a qemu/ ahead of patches/ (every
# patch, then commits not exported or uncommitted changes) as it is, with
# one line saying so (scripts/make-tree.sh decides); `make dist` does not.
all check bench-build: TREE_AHEAD = build
TREE_AHEAD = refuse

help:
	@echo 'make              install missing dependencies, make qemu/, build $(PROFILES);'
	@echo '                  a qemu/ ahead of patches/ is built as it is'
	@echo 'make check        everything above, then all tests'
	@echo 'make check-SUITE  one test suite (nothing built first), SUITE one of'
	@tests/run.sh --list | xargs | fold -s -w 58 | \
		sed -e 's/ *$$//' -e 's/^/                  /'
	@echo 'make check-series-builds  build every commit of qemu/ (slow)'
	@echo 'make deps         install missing dependencies (as root) or print the command'
	@echo 'make tree         create/update qemu/ from the pinned tarball + patches/;'
	@echo '                  refuses a qemu/ holding work not in patches/'
	@echo "make export       write qemu/ commits after v$$(. ./upstream/qemu.pin && echo "$$QEMU_VERSION") back to patches/"
	@echo 'make build        build $$(PROFILES) in build/PROFILE/'
	@echo 'make build-NAME   build one profile, e.g. make build-linux-i386'
	@echo 'make dist         release tarballs of $$(DIST_PROFILES) (the static'
	@echo '                  qemu-i386 builds) and their SHA256SUMS in build/dist/;'
	@echo '                  qemu/ must be patches/'
	@echo 'make build-cygwin cross-build the Cygwin profile into build/cygwin-root'
	@echo 'make bench        build upstream QEMU, then compare it'
	@echo '                  with the fork, Debian and native (bench/run.py)'
	@echo '                  and count MIPS host instructions of the MIPS builds'
	@echo 'make bench-deps   install what make bench needs (as root) or print it'
	@echo 'make bench-build  build what make bench measures, measure nothing'
	@echo 'make cygwin-toolchain  build the x86_64-pc-cygwin cross toolchain (cached)'
	@echo 'make clean        remove build/ (the builds, the tests and bench work)'
	@echo 'make distclean    the same; qemu/ is kept (it may hold your work)'
	@echo 'Variables: DISTDIR=dir (distfiles searched first), FORCE=1 (make tree'
	@echo '  over uncommitted work, it is stashed; make export over patch files'
	@echo '  qemu/ does not hold), QEMU_SOURCE=upstream|debian'

deps:
	EXTRA_DEBIAN_PACKAGES="$(TEST_DEBIAN_PACKAGES)" \
		$(SCRIPTS)/install-deps.sh $(PROFILES)

tree:
	$(SCRIPTS)/make-tree.sh --ahead=$(TREE_AHEAD)

export:
	$(SCRIPTS)/export-patches.sh

build: $(addprefix build-,$(PROFILES))

build-%:
	$(SCRIPTS)/build-profile.sh $*

# Release tarballs: one per profile with DIST_ARCH (scripts/make-dist.sh).
# They ship patches/ as their source, so qemu/ must be exactly patches/:
# `make tree` first refuses a qemu/ ahead of it, and so does make-dist.sh.
dist: tree $(addprefix build-,$(DIST_PROFILES))
	$(SCRIPTS)/make-dist.sh $(DIST_PROFILES)

# The Cygwin profile is cross-built with the toolchain of `make
# cygwin-toolchain` (built first if it is not cached) against DLLs built
# with it, then laid out as a Cygwin installation in build/cygwin-root.
build-cygwin:
	$(SCRIPTS)/build-profile.sh cygwin
	$(SCRIPTS)/cygwin-root.sh

# Everything is built first; tests/run.sh runs each suite, counts its TAP
# results, then prints a summary and one closing "N passed, M failed,
# K skipped" line.
check: all
	tests/run.sh

# One suite, e.g. make check-mm; tests/run.sh holds the list of suites
# (tests/run.sh --list) and names them if SUITE is none of them.
check-%:
	tests/run.sh $*

# Every commit of qemu/ builds on its own for linux-x86_64 and
# mips64el-n32 (from the patch its host needs on, SERIES_BUILDS_FROM in
# the profile; an explicit rule, so not the suite pattern above).  Slow:
# not part of `make check`; run it before sending a series.
check-series-builds:
	$(SCRIPTS)/check-series-builds.sh

# An x86_64-pc-cygwin cross toolchain with cygwin1.dll built from source,
# cached under ~/.cache/qemu-ports; prints its bin directory last.
cygwin-toolchain:
	$(SCRIPTS)/cygwin-toolchain.sh

# The benchmarks compare the default profile (linux-x86_64) with unpatched
# upstream, Debian's QEMU (bookworm's and sid's) and native i386, and the
# MIPS64 profiles with upstream cross-built alike, in MIPS instructions;
# ioctl rows also use linux-i386 when it is built.
# BENCH_ARGS go to bench/run.py.
bench: bench-build
	bench/run.py $(BENCH_ARGS)

bench-deps:
	EXTRA_DEBIAN_PACKAGES="$(BENCH_DEBIAN_PACKAGES)" \
		$(SCRIPTS)/install-deps.sh linux-x86_64

bench-build: bench-deps tree build-linux-x86_64 build-mips64el-n32 \
		build-mips64el-n64
	bench/build.sh

clean:
	rm -rf build

distclean: clean
	@echo 'qemu/ is left alone: it may hold your work. Remove it by hand.'
