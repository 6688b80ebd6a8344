#!/bin/sh
# Build an x86_64-pc-cygwin cross toolchain on Debian: binutils, GCC (C and
# C++), the w32api headers and import libraries, and Cygwin itself
# (cygwin1.dll, libcygwin.a, crt0.o, headers, utilities), with static libgcc,
# libstdc++ and libatomic, so that C and C++ programs for Cygwin are compiled
# and linked here.
#
# usage: scripts/cygwin-toolchain.sh [--check]   (or: make cygwin-toolchain)
#   --check   build nothing: print PREFIX/bin if the toolchain is complete,
#             else say so on stderr and exit with status 2 (1: an error,
#             such as a missing pin file)
#   CYGWIN_TOOLCHAIN_DIR  install prefix (default:
#             $QP_CACHE/cygwin-toolchain-KEY, KEY being a short hash of
#             pins/cygwin-toolchain-sources and of the build recipe below)
#   DISTDIR   directory searched first for source files (may be read-only);
#             cygwin-3.6.10-src.tar.xz must be there or in $QP_CACHE/distfiles
#   QP_CACHE  cache root (default ~/.cache/qemu-ports); missing Debian source
#             files are downloaded into $QP_CACHE/distfiles, build directories
#             go to $QP_CACHE/scratch/cygwin-toolchain-KEY (about 5 GB at
#             the peak, deleted after success; the toolchain is ~400 MB)
#   JOBS      parallel build jobs (default 2)
#
# Sources, pinned by version and sha256 in pins/cygwin-toolchain-sources:
# the upstream trees inside Debian's binutils (2.44, trixie), gcc-12 (12.2.0,
# bookworm; plus Debian's gcc-gfdl-build.diff, which its doc-stripped tarball
# needs) and mingw-w64 (10.0.0, bookworm) source packages, fetched with
# `apt-get source PACKAGE=VERSION`; and Cygwin's cygwin-3.6.10-src.tar.xz.
#
# What goes where (PREFIX is the install prefix):
#   PREFIX/bin                 x86_64-pc-cygwin-gcc, -g++, -ld, -objdump, ...
#   PREFIX/x86_64-pc-cygwin    the compiler's sysroot: include/ (Cygwin and,
#                              in include/w32api, Windows headers), lib/
#                              (libcygwin.a, crt0.o, ..., lib/w32api)
#   PREFIX/cygwin-root         what Cygwin installs for the Windows side:
#                              bin/cygwin1.dll, bin/*.exe utilities, etc/,
#                              share/; a Cygwin program run with this
#                              cygwin1.dll sees cygwin-root as /
# GCC is configured as Cygwin's own GCC (posix threads, emulated TLS,
# __cxa_atexit, the gcc4-compatible libstdc++ ABI, no libssp), except that
# its runtime libraries are static only: there are no cyggcc_s/cygstdc++ DLLs.
#
# Steps, in order: binutils; w32api-headers; gcc (the compilers only);
# cygwin-headers (configures a bootstrap Cygwin build, builds and installs
# newlib and the headers); libgcc; w32api-libs; cygwin-bootstrap (cygwin1.dll
# and libcygwin.a, built with a stand-in <new>); libstdc++ (and libatomic);
# cygwin (a clean rebuild with the finished toolchain, utilities included);
# selftest.  Each step leaves a stamp in PREFIX/.stamps: a new run resumes
# at the first step without one, and a finished toolchain is a no-op.  A
# failed step is reported with the tail of its log,
# $QP_CACHE/scratch/.../logs/STEP.log; after success the logs are kept
# gzipped in PREFIX/.logs.
# The last stdout line is PREFIX/bin, for PATH=$(scripts/cygwin-toolchain.sh):$PATH
set -eu
. "$(dirname "$0")/lib.sh"

# Debian's tools first; nothing from the caller's environment may leak into
# the cross builds (the host compiler flags would be used for the target).
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH
export LC_ALL=C
unset CC CXX CPP CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS CONFIG_SITE \
    CC_FOR_TARGET CXX_FOR_TARGET CFLAGS_FOR_TARGET CXXFLAGS_FOR_TARGET \
    GCC_EXEC_PREFIX COMPILER_PATH LIBRARY_PATH CPATH C_INCLUDE_PATH \
    CPLUS_INCLUDE_PATH PKG_CONFIG_PATH PKG_CONFIG_LIBDIR \
    MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS 2>/dev/null || true

check_only=
case $#:${1:-} in
    0:) ;;
    1:--check) check_only=yes ;;
    *) die "usage: $0 [--check] (see the header for the environment)" ;;
esac
jobs=${JOBS:-2}
case $jobs in ''|*[!0-9]*) die "JOBS must be a number, not '$jobs'" ;; esac

script=$TOP/scripts/$(basename "$0")
pins=$TOP/pins/cygwin-toolchain-sources
[ -f "$pins" ] || die "pin file $pins not found"

# What the builds run.  The mingw-w64 compilers and zlib are for Cygwin's
# Windows-native utilities (cygcheck, strace, ...).
build_packages="gcc g++ make patch perl xz-utils bzip2 gawk bison flex
    libgmp-dev libmpfr-dev libmpc-dev autoconf automake autoconf2.69
    g++-mingw-w64-x86-64-posix libz-mingw-w64-dev"

# --- pinned sources --------------------------------------------------------
# Pin file rows: package version sha256 file

pin_version() { awk -v p="$1" '!/^#/ && $1 == p { print $2; exit }' "$pins"; }
pin_files()   { awk -v p="$1" '!/^#/ && $1 == p { print $4 }' "$pins"; }
pin_sha256()  { awk -v f="$1" '!/^#/ && $4 == f { print $3; exit }' "$pins"; }
pin_packages() { awk '!/^#/ && NF == 4 && !seen[$1]++ { print $1 }' "$pins"; }

# Print the cached path of pinned file $1 after checking its sha256.
verified_distfile() {
    path=$(distfile_find "$1") || die "$1: not found in ${DISTDIR:+$DISTDIR or }$QP_CACHE/distfiles"
    sha256_verify "$path" "$(pin_sha256 "$1")"
    printf '%s\n' "$path"
}

# Download the pinned version of Debian source package $1 with apt-get
# (which checks the files against the signed Sources index), then check
# each file against the pin before it enters the cache.
apt_download() {
    version=$(pin_version "$1")
    distfiles=$(distfile_download_dir)
    download_dir=$(mktemp -d "$distfiles/.apt-source.XXXXXX")
    say "downloading Debian source package $1=$version"
    if ! (cd "$download_dir" && apt-get source -q --download-only "$1=$version") >&2; then
        rm -rf "$download_dir"
        die "apt-get source $1=$version failed: apt needs deb-src lines for" \
            "bookworm and trixie (scripts/install-deps.sh adds them), or put" \
            "the files of $1 $version into \$DISTDIR"
    fi
    for file in $(pin_files "$1"); do
        [ -f "$download_dir/$file" ] || die "apt-get source $1=$version gave no $file"
        sha256_verify "$download_dir/$file" "$(pin_sha256 "$file")"
        mv "$download_dir/$file" "$distfiles/$file"
    done
    rm -rf "$download_dir"
}

# Make sure every pinned file is cached and matches its pin.
fetch_sources() {
    for package in $(pin_packages); do
        for file in $(pin_files "$package"); do
            distfile_find "$file" >/dev/null && continue
            [ "$package" != cygwin ] ||
                die "$file not found: put it into \$DISTDIR or $QP_CACHE/distfiles" \
                    "(the newlib-cygwin sources at tag cygwin-$(pin_version cygwin))"
            apt_download "$package"
            break
        done
        for file in $(pin_files "$package"); do
            verified_distfile "$file" >/dev/null
        done
    done
}

# --- where things go -------------------------------------------------------

# The toolchain directory is named after the pins and the build recipe (the
# part of this script between the two "build recipe" marker lines), so that
# changing either builds a new toolchain beside the old one.
recipe_text() { sed -n '/^# >>> build recipe/,/^# <<< build recipe/p' "$script"; }
key=$( { cat "$pins"; recipe_text; } | sha256sum | cut -c1-12)
prefix=${CYGWIN_TOOLCHAIN_DIR:-$QP_CACHE/cygwin-toolchain-$key}
case $prefix in /*) ;; *) prefix=$PWD/$prefix ;; esac
stamps=$prefix/.stamps
scratch=$QP_CACHE/scratch/cygwin-toolchain-$key
logs=$scratch/logs

# >>> build recipe ----------------------------------------------------------

target=x86_64-pc-cygwin
sysroot=$prefix/$target
cygwin_root=$prefix/cygwin-root
src=$scratch/src

steps="binutils w32api-headers gcc cygwin-headers libgcc w32api-libs
    cygwin-bootstrap libstdc++ cygwin selftest"

# Unpack tarball $1 into the new directory $2 and print the path of the one
# directory it holds.
unpack() {
    rm -rf "$2"
    mkdir -p "$2"
    tar -xf "$1" -C "$2"
    set -- "$2"/*
    [ $# -eq 1 ] && [ -d "$1" ] || die "unexpected layout in the tarball unpacked into ${1%/*}"
    printf '%s\n' "$1"
}

# Prepared source trees are shared between steps: each is made once (its
# .ready file says it is complete), and use_*_source sets $tree to it.
use_binutils_source() {
    if [ ! -f "$src/binutils.ready" ]; then
        orig=$(verified_distfile "$(pin_files binutils | grep '\.orig\.tar\.[a-z0-9]*$')")
        unpack "$orig" "$src/binutils" > "$src/binutils.path"
        touch "$src/binutils.ready"
    fi
    tree=$(cat "$src/binutils.path")
}

# Debian's gcc orig holds the upstream tarball with the GFDL manuals
# stubbed out (gcc-12.2.0-dfsg.tar.xz); building from it needs Debian's
# gcc-gfdl-build.diff, or genhooks fails on the stub doc/tm.texi.in.
use_gcc_source() {
    if [ ! -f "$src/gcc.ready" ]; then
        orig=$(verified_distfile "$(pin_files gcc-12 | grep '\.orig\.tar\.[a-z0-9]*$')")
        debian=$(verified_distfile "$(pin_files gcc-12 | grep '\.debian\.tar\.[a-z0-9]*$')")
        member=$(tar -tf "$orig" | grep '/gcc-[0-9.]*-dfsg\.tar\.xz$') ||
            die "$orig holds no gcc-*-dfsg.tar.xz"
        rm -rf "$src/gcc"
        mkdir -p "$src/gcc"
        tar -xOf "$orig" "$member" | tar -xJf - -C "$src/gcc"
        tree=$src/gcc/$(basename "$member" -dfsg.tar.xz)
        [ -d "$tree/gcc" ] || die "no GCC tree in $tree"
        tar -xOf "$debian" debian/patches/gcc-gfdl-build.diff |
            (cd "$tree" && patch -p2)
        printf '%s\n' "$tree" > "$src/gcc.path"
        touch "$src/gcc.ready"
    fi
    tree=$(cat "$src/gcc.path")
}

use_mingw_w64_source() {
    if [ ! -f "$src/mingw-w64.ready" ]; then
        orig=$(verified_distfile "$(pin_files mingw-w64 | grep '\.orig\.tar\.[a-z0-9]*$')")
        unpack "$orig" "$src/mingw-w64" > "$src/mingw-w64.path"
        touch "$src/mingw-w64.ready"
    fi
    tree=$(cat "$src/mingw-w64.path")
}

# The Cygwin tarball lacks newlib/Makefile.in and winsup's configure.
# newlib's build system wants autoconf 2.69 exactly; Debian's automake
# (1.16.5) then names the objects of libc.a and libm.a a-*.o, while
# newlib/Makefile.am refers to libm_a-*.o by name, so the short names are
# declared before automake runs.  aclocal.m4 and configure are made again
# with the same tools so that all three agree (autoreconf -i would also
# replace the top directory's config.sub and friends).  winsup is set up
# with its own autogen.sh, as Cygwin's CI does.
use_cygwin_source() {
    if [ ! -f "$src/cygwin.ready" ]; then
        tarball=$(verified_distfile "cygwin-$(pin_version cygwin)-src.tar.xz")
        tree=$(unpack "$tarball" "$src/cygwin")
        newlib_am=$tree/newlib/Makefile.am
        grep -q '^libc_a_SOURCES =$' "$newlib_am" &&
            grep -q '^libm_a_SOURCES =$' "$newlib_am" ||
            die "$newlib_am: no libc_a_SOURCES/libm_a_SOURCES lines to add short names to"
        awk '{ print }
             /^libc_a_SOURCES =$/ { print "libc_a_SHORTNAME = libc_a" }
             /^libm_a_SOURCES =$/ { print "libm_a_SHORTNAME = libm_a" }' \
            "$newlib_am" > "$newlib_am.new"
        mv "$newlib_am.new" "$newlib_am"
        (
            cd "$tree/newlib"
            export AUTOCONF=autoconf2.69 AUTOM4TE=autom4te2.69
            aclocal -I . -I .. -I ../config
            autoconf2.69
            automake
            rm -rf autom4te.cache
        )
        grep -q 'libm_a-s_fpclassify\.\$(OBJEXT)' "$tree/newlib/Makefile.in" ||
            die "newlib/Makefile.in was generated without libm_a- object names"
        (cd "$tree/winsup" && ./autogen.sh)
        printf '%s\n' "$tree" > "$src/cygwin.path"
        touch "$src/cygwin.ready"
    fi
    tree=$(cat "$src/cygwin.path")
}

# Configure, make and install in a fresh build directory $1 ($2... are the
# configure command and its arguments).
configure_in() {
    builddir=$1
    shift
    rm -rf "$builddir"
    mkdir -p "$builddir"
    (cd "$builddir" && "$@")
}

step_binutils() {
    use_binutils_source
    # Without a sysroot-aware ld, GCC's --sysroot would be refused.
    configure_in "$scratch/binutils-build" "$tree/configure" \
        --target=$target --prefix="$prefix" --with-sysroot="$sysroot" \
        --disable-nls --disable-werror --disable-gdb --disable-gdbserver \
        --disable-sim --disable-readline --disable-libdecnumber \
        --disable-gprofng --without-zstd --enable-deterministic-archives \
        MAKEINFO=true
    make -C "$scratch/binutils-build" -j"$jobs" MAKEINFO=true
    make -C "$scratch/binutils-build" install-strip MAKEINFO=true
}

step_w32api_headers() {
    use_mingw_w64_source
    configure_in "$scratch/w32api-headers-build" \
        "$tree/mingw-w64-headers/configure" \
        --host=$target --prefix="$sysroot" --enable-w32api
    make -C "$scratch/w32api-headers-build" install
}

# GCC with its sysroot at PREFIX/x86_64-pc-cygwin, where Cygwin's own
# `make install` puts headers and libraries (tooldir/include, tooldir/lib),
# and where ld looks for w32api import libraries (tooldir/lib/w32api).
# Options as in Cygwin's GCC where they matter to programs; the runtime
# libraries are static only (a second GCC stage would make the DLLs).
# libgcc and libstdc++ are built later from this build directory.  The
# compiler's programs are installed stripped (cc1plus alone is ~250 MB with
# debug information); the target libraries keep theirs.
step_gcc() {
    use_gcc_source
    configure_in "$scratch/gcc-build" "$tree/configure" \
        --target=$target --prefix="$prefix" \
        --with-sysroot="$sysroot" --with-native-system-header-dir=/include \
        --enable-languages=c,c++ --disable-shared --enable-static \
        --enable-threads=posix --enable-__cxa_atexit --disable-libssp \
        --disable-symvers --with-dwarf2 --with-tune=generic \
        --with-gnu-as --with-gnu-ld --enable-linker-build-id \
        --with-default-libstdcxx-abi=gcc4-compatible \
        --enable-libstdcxx-filesystem-ts --disable-libstdcxx-pch \
        --with-gcc-major-version-only --disable-multilib --disable-nls \
        --disable-bootstrap --disable-libgomp --disable-libquadmath \
        --disable-libvtv --disable-libitm --disable-libsanitizer \
        --disable-libcc1 --without-isl --without-zstd \
        MAKEINFO=true
    make -C "$scratch/gcc-build" -j"$jobs" all-gcc
    make -C "$scratch/gcc-build" install-strip-gcc
}

# Configure Cygwin (newlib and winsup) $1 in build directory $2, installing
# the Windows-side files into cygwin_root under their own names (cygpath.exe,
# not x86_64-pc-cygwin-cygpath.exe: s,y,y, is Cygwin's "no transformation");
# $3... are extra arguments.
configure_cygwin() {
    tree=$1
    builddir=$2
    shift 2
    configure_in "$builddir" "$tree/configure" \
        --target=$target --prefix="$prefix" \
        --bindir="$cygwin_root/bin" --sbindir="$cygwin_root/sbin" \
        --libexecdir="$cygwin_root/libexec" --sysconfdir="$cygwin_root/etc" \
        --localstatedir="$cygwin_root/var" --datarootdir="$cygwin_root/share" \
        --program-transform-name=s,y,y, --disable-doc --disable-dumper "$@"
}

# winsup's configure checks libraries for its 'dumper' even when dumper is
# disabled; a bootstrap configure cannot link, so the answers are given.
export ac_cv_lib_sframe_sframe_decode=no ac_cv_lib_zstd_ZSTD_isError=no

# A stand-in for libstdc++'s <new> with what Cygwin's C++ sources use, for
# building Cygwin once before libstdc++ exists (libstdc++ itself is
# configured against that Cygwin).  A system header, as the real one is.
write_bootstrap_new_header() {
    mkdir -p "$1"
    cat > "$1/new" <<'EOF'
// <new> for bootstrapping Cygwin before libstdc++ exists; written by
// qemu-ports' cygwin-toolchain.sh.  Declares what libstdc++'s <new> declares
// that Cygwin's sources use, with the same exception specifications.
#ifndef QEMU_PORTS_BOOTSTRAP_NEW
#define QEMU_PORTS_BOOTSTRAP_NEW
#pragma GCC system_header
namespace std
{
    typedef __SIZE_TYPE__ size_t;
    struct nothrow_t { explicit nothrow_t() = default; };
    extern const nothrow_t nothrow;
}
void *operator new(std::size_t);
void *operator new[](std::size_t);
void operator delete(void *) noexcept;
void operator delete[](void *) noexcept;
#if __cpp_sized_deallocation
void operator delete(void *, std::size_t) noexcept;
void operator delete[](void *, std::size_t) noexcept;
#endif
void *operator new(std::size_t, const std::nothrow_t &) noexcept;
void *operator new[](std::size_t, const std::nothrow_t &) noexcept;
void operator delete(void *, const std::nothrow_t &) noexcept;
void operator delete[](void *, const std::nothrow_t &) noexcept;
inline void *operator new(std::size_t, void *p) noexcept { return p; }
inline void *operator new[](std::size_t, void *p) noexcept { return p; }
inline void operator delete(void *, void *) noexcept { }
inline void operator delete[](void *, void *) noexcept { }
#endif
EOF
}

# Cygwin's headers, before libgcc: configure the bootstrap Cygwin build
# (no MinGW utilities, the stand-in <new>), build and install newlib
# (headers, libc.a, libm.a), then install winsup's headers over them.  The
# subdirectory make needs tooldir: without it, it installs into /include.
step_cygwin_headers() {
    use_cygwin_source
    write_bootstrap_new_header "$scratch/bootstrap-include"
    configure_cygwin "$tree" "$scratch/cygwin-bootstrap-build" \
        --with-cross-bootstrap \
        CXXFLAGS_FOR_TARGET="-g -O2 -isystem $scratch/bootstrap-include"
    make -C "$scratch/cygwin-bootstrap-build" -j"$jobs" all-target-newlib
    make -C "$scratch/cygwin-bootstrap-build" install-target-newlib
    make -C "$scratch/cygwin-bootstrap-build" configure-target-winsup
    make -C "$scratch/cygwin-bootstrap-build/$target/winsup/cygwin" \
        install-headers tooldir="$sysroot"
}

step_libgcc() {
    make -C "$scratch/gcc-build" -j"$jobs" all-target-libgcc
    make -C "$scratch/gcc-build" install-target-libgcc
}

# The w32api import libraries (libkernel32.a, ...) into tooldir/lib/w32api,
# where ld's default linker script looks.  Cygwin links cygwin1.dll with its
# own linker script, which looks in the sysroot's /usr/lib/w32api (the
# native Cygwin place), so that points to the same directory.
# Without --without-sysroot the crt's configure adds the build machine's
# /usr/include.
step_w32api_libs() {
    use_mingw_w64_source
    configure_in "$scratch/w32api-libs-build" \
        "$tree/mingw-w64-crt/configure" \
        --host=$target --prefix="$sysroot" --enable-w32api \
        --without-sysroot --disable-lib32 --enable-lib64
    make -C "$scratch/w32api-libs-build" -j"$jobs"
    make -C "$scratch/w32api-libs-build" install
    mkdir -p "$sysroot/usr/lib"
    ln -sfn ../../lib/w32api "$sysroot/usr/lib/w32api"
}

# cygserver and the utilities are C++ programs that need libstdc++ and an
# installed crt0.o: the bootstrap builds and installs winsup/cygwin only
# (cygwin1.dll, libcygwin.a, crt0.o, ...), by limiting winsup's SUBDIRS.
# The top directory's make does not pass such overrides down, so this runs
# in winsup, with the tooldir the top directory would have given it.
step_cygwin_bootstrap() {
    winsup_build=$scratch/cygwin-bootstrap-build/$target/winsup
    make -C "$winsup_build" -j"$jobs" SUBDIRS=cygwin tooldir="$sysroot"
    make -C "$winsup_build" install SUBDIRS=cygwin tooldir="$sysroot"
}

step_libstdc__() {
    make -C "$scratch/gcc-build" -j"$jobs" \
        all-target-libstdc++-v3 all-target-libatomic
    make -C "$scratch/gcc-build" \
        install-target-libstdc++-v3 install-target-libatomic
}

# Cygwin again, from a clean build directory, with the finished toolchain:
# the real <new>, and the Windows-native utilities built with the MinGW
# compilers.  This install replaces the bootstrap one.
step_cygwin() {
    use_cygwin_source
    configure_cygwin "$tree" "$scratch/cygwin-build"
    make -C "$scratch/cygwin-build" -j"$jobs"
    make -C "$scratch/cygwin-build" install
}

# C and C++ (std::thread) programs link, to PE32+ programs that import
# cygwin1.dll; <limits.h> reaches Cygwin's (PATH_MAX); __thread variables
# use emulated TLS, as with Cygwin's GCC; cygwin1.dll is the pinned version.
step_selftest() {
    dir=$scratch/selftest
    rm -rf "$dir"
    mkdir -p "$dir"
    cat > "$dir/hello.c" <<'EOF'
#include <limits.h>
#include <stdio.h>
#include <sys/utsname.h>
static __thread int calls;
int main(void)
{
    struct utsname name;
    calls++;
    if (uname(&name) != 0)
        return 1;
    printf("hello from %s %s, PATH_MAX %d, calls %d\n",
           name.sysname, name.release, PATH_MAX, calls);
    return 0;
}
EOF
    cat > "$dir/thread.cc" <<'EOF'
#include <iostream>
#include <thread>
int main()
{
    int answer = 0;
    std::thread worker([&answer] { answer = 42; });
    worker.join();
    std::cout << "thread says " << answer << std::endl;
    return answer != 42;
}
EOF
    $target-gcc -O2 -c -o "$dir/hello.o" "$dir/hello.c"
    $target-nm "$dir/hello.o" | grep -q '__emutls_v\.calls' ||
        die "__thread does not use emulated TLS"
    $target-gcc -o "$dir/hello.exe" "$dir/hello.o"
    $target-g++ -O2 -o "$dir/thread.exe" "$dir/thread.cc"
    for exe in "$dir/hello.exe" "$dir/thread.exe"; do
        $target-objdump -f "$exe" | grep -q 'file format pei-x86-64' ||
            die "$exe is not a PE32+ x86-64 program"
        $target-objdump -p "$exe" | grep -q 'DLL Name: cygwin1.dll' ||
            die "$exe does not import cygwin1.dll"
    done
    # The DLL is the pinned version: 3.6.10 is "dll major: 3006, minor: 10".
    dll=$cygwin_root/bin/cygwin1.dll
    [ -f "$dll" ] || die "no $dll"
    set -- $(pin_version cygwin | tr . ' ')
    grep -a -q "%%% Cygwin dll major: $(($1 * 1000 + $2))\$" "$dll" &&
        grep -a -q "%%% Cygwin dll minor: $3\$" "$dll" ||
        die "$dll is not Cygwin $(pin_version cygwin)"
}

# <<< build recipe ----------------------------------------------------------

# --- main ------------------------------------------------------------------

export PATH="$prefix/bin:$PATH"

steps_pending() {
    for step in $steps; do
        [ -f "$stamps/$step" ] || return 0
    done
    return 1
}

format_seconds() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

if [ -d "$stamps" ]; then
    made_for=$(cat "$stamps/key" 2>/dev/null || true)
    [ "$made_for" = "$key" ] ||
        die "$prefix holds a toolchain of other pins or another recipe" \
            "(key '$made_for', this script's is $key): delete it or set" \
            "CYGWIN_TOOLCHAIN_DIR to another directory"
    if ! steps_pending; then
        say "toolchain up to date: $prefix"
        echo "$prefix/bin"
        exit 0
    fi
fi
if [ -n "$check_only" ]; then
    say "no complete toolchain in $prefix (make cygwin-toolchain builds it)"
    exit 2
fi
if [ ! -d "$stamps" ] && [ -d "$prefix" ] && [ -n "$(ls -A "$prefix")" ]; then
    die "$prefix exists, is not empty and was not made by this script"
fi

install_missing_packages $build_packages

mkdir -p "$stamps" "$logs" "$src"
echo "$key" > "$stamps/key"

# One run at a time per toolchain directory.
lock_dir=
if ! mkdir "$prefix/.lock" 2>/dev/null; then
    holder=$(cat "$prefix/.lock/pid" 2>/dev/null || true)
    if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
        die "another run (pid $holder) is building $prefix"
    fi
    rm -rf "$prefix/.lock"
    mkdir "$prefix/.lock"
fi
lock_dir=$prefix/.lock
echo $$ > "$lock_dir/pid"

current_step=
current_log=
on_exit() {
    status=$?
    if [ -n "$current_step" ]; then
        [ ! -f "$current_log" ] || tail -n 30 "$current_log" | sed 's/^/    /' >&2
        printf '%s: error: step %s failed (status %s); full log: %s\n' \
            "$prog" "$current_step" "$status" "$current_log" >&2
        printf '%s: run again to resume at step %s\n' "$prog" "$current_step" >&2
    fi
    [ -z "$lock_dir" ] || rm -rf "$lock_dir"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' HUP TERM

fetch_sources

# Steps that continue in another step's build directory need it: if it is
# gone (scratch deleted, disk cleaned), that step runs again.
redo_if_missing() {
    for step in $3; do
        [ -f "$stamps/$step" ] || {
            [ -f "$stamps/$1" ] && [ ! -f "$2" ] && {
                say "build directory of step $1 is gone; running it again"
                rm -f "$stamps/$1"
            }
            return 0
        }
    done
}
redo_if_missing gcc "$scratch/gcc-build/Makefile" "libgcc libstdc++"
redo_if_missing cygwin-headers "$scratch/cygwin-bootstrap-build/Makefile" cygwin-bootstrap

for step in $steps; do
    [ ! -f "$stamps/$step" ] || continue
    current_step=$step
    current_log=$logs/$step.log
    say "step $step: started $(date '+%H:%M:%S'), log: $current_log"
    started=$(date +%s)
    step_function=step_$(printf '%s' "$step" | tr -- '-+' '__')
    (set -x; "$step_function") > "$current_log" 2>&1 < /dev/null
    elapsed=$(($(date +%s) - started))
    echo "$elapsed" > "$stamps/$step"
    current_step=
    say "step $step: done in $(format_seconds "$elapsed")"
done

# Keep the logs, small, and free the disk.
mkdir -p "$prefix/.logs"
for log in "$logs"/*.log; do
    [ -f "$log" ] || continue
    gzip -9c "$log" > "$prefix/.logs/$(basename "$log").gz"
done
rm -rf "$scratch"

total=0
for step in $steps; do
    seconds=$(cat "$stamps/$step")
    total=$((total + seconds))
    say "    $(printf '%-17s' "$step") $(format_seconds "$seconds")"
done
say "toolchain built in $(format_seconds "$total") (step times above): $prefix"
echo "$prefix/bin"
