#!/bin/sh
# MIPS64 acceptance harness: the private-driver ioctl of the motivating case
# on a real Debian MIPS64 kernel (loongson-3 flavour) under
# qemu-system-mips64el -M loongson3-virt.
#
#   tests/mips64/run.sh [QEMU_I386_N64 [QEMU_I386_N32]]
#
# QEMU_I386_N64 / QEMU_I386_N32: static mips64el builds of qemu-i386 (n64 and
# n32 programs).  A build that is not given (or given as "") makes its rows
# SKIP; the baseline rows (MIPS o32/n32/n64 programs issuing the ioctls
# directly) always run.
#
# One boot runs everything: an initramfs with Debian's static busybox, the
# qpdrv.ko test module (qpdrv.c, built here against Debian's headers), the
# test program (qpdrv-test.c) for i386, o32, n32 and n64, the qemu-i386
# builds, and ./init, which runs the rows and powers off.  The host checks the
# console transcript: one TAP result per row (tests/testlib.sh); the exit
# status is non-zero on failure.
#
# Daily use (with QEMU_I386_N32): the N32 release tarball, made from that
# build by scripts/make-dist.sh (or given as MIPS64_DIST_N32), is installed
# in /usr/local of the initramfs as its INSTALL says, Debian's i386
# coreutils and libraries are unpacked in /usr/i386-linux-gnu, and ./init
# registers the tarball's binfmt_misc file: i386 programs then run by
# their names, from a shell and from scripts, with the ioctl passthrough
# taken from the environment.  tests/mm/page-granular.c runs natively
# here and under both builds in the guest (16 KiB pages); its outcomes
# are checked against page-granular-16k.expect and printed as a table.
#
# Inputs: the Debian packages pinned in pins/mips64-inputs (kernel,
# busybox) and pins/acceptance-inputs (the i386 packages), fetched and
# verified by tests/acceptance/fetch.sh ($DISTDIR, then the cache, then
# apt-get download; foreign packages are only unpacked).  Work files
# (module build, initramfs, console.log) go to
# ${QP_CACHE:-$HOME/.cache/qemu-ports}/mips64/work, replaced on each run.
# Environment: MIPS64_TIMEOUT (seconds for the whole boot, default 600),
# MIPS64_ROW_TIMEOUT (seconds per row inside the guest, default 120),
# MIPS64_DIST_N32 (the N32 release tarball to install instead of making
# one from QEMU_I386_N32).
#
# SPDX-License-Identifier: GPL-2.0-only
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/testlib.sh"

[ $# -le 2 ] || { echo "usage: $0 [QEMU_I386_N64 [QEMU_I386_N32]]" >&2; exit 2; }
q64=${1:-}
q32=${2:-}
unset QEMU_IOCTL_PASSTHROUGH QEMU_STRACE QEMU_LOG

cache=${QP_CACHE:-$HOME/.cache/qemu-ports}/mips64
work=$cache/work
flavour=6.1.0-50-loongson-3
cross=mips64el-linux-gnuabi64-
cc_mips=${cross}gcc-12
cc_i386=i686-linux-gnu-gcc
# fetch.sh searches both pin files: the kernel and busybox are pinned in
# mips64-inputs, coreutils:i386 and its libraries in acceptance-inputs
export ACCEPTANCE_INPUTS="$top/pins/mips64-inputs $top/pins/acceptance-inputs"
# the i386 root: coreutils:i386 and the libraries it needs
i386_pkgs="libc6:i386 libacl1:i386 libattr1:i386 libselinux1:i386 libpcre2-8-0:i386
    libgmp10:i386 coreutils:i386"
expect_file=$here/page-granular-16k.expect

# die REASON: the suite cannot go on; one failed result says why.
die() { fail "setup" "$*"; finish; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- host tools --------------------------------------------------------------
missing=
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-mips64el || missing="$missing qemu-system-mips"
have "$cc_mips" || missing="$missing gcc-12-mips64el-linux-gnuabi64"
# o32 and n32 need the multilib libgcc of the cross compiler
for abi in 32 n32; do
    [ -f "$("$cc_mips" -mabi=$abi -print-libgcc-file-name 2>/dev/null)" ] ||
        missing="$missing gcc-12-multilib-mips64el-linux-gnuabi64"
done
have "$cc_i386" || missing="$missing gcc-i686-linux-gnu"
# the cross compiler's libc (only recommended by gcc-i686-linux-gnu)
[ -f "$("$cc_i386" -print-file-name=libc.a 2>/dev/null)" ] ||
    missing="$missing libc6-dev-i386-cross"
have cpio || missing="$missing cpio"
have xz || missing="$missing xz-utils"
have file || missing="$missing file"
have make || missing="$missing make"
if [ -n "$missing" ]; then
    fail "host packages" "missing; install them with:
    apt-get install --no-install-recommends$(printf '%s\n' $missing | sort -u | tr '\n' ' ' | sed 's/^/ /;s/ $//')"
    finish
    exit 1
fi

t_start=$(now)
rm -rf "$work"
mkdir -p "$work/root/bin" "$work/root/qemu" "$work/root/proc" "$work/root/sys" \
    "$work/root/dev" "$work/mod" || die "cannot create $work"

# --- pinned inputs -----------------------------------------------------------
kdir=$cache/kernel
"$here/../acceptance/fetch.sh" unpack "$kdir" \
    "linux-image-$flavour:mips64el" "linux-headers-$flavour:mips64el" \
    "linux-headers-${flavour%-loongson-3}-common:all" linux-kbuild-6.1:amd64 \
    busybox-static:mips64el || die "cannot fetch the pinned inputs"
kernel=$kdir/boot/vmlinuz-$flavour
kconfig=$kdir/boot/config-$flavour
hdr=$kdir/usr/src/linux-headers-$flavour
common=$kdir/usr/src/linux-headers-${flavour%-loongson-3}-common
[ -f "$kernel" ] || die "kernel not found: $kernel"
i386root=$cache/i386-root
# shellcheck disable=SC2086
"$here/../acceptance/fetch.sh" unpack "$i386root" $i386_pkgs ||
    die "cannot fetch the pinned i386 packages"
[ -f "$i386root/lib/i386-linux-gnu/ld-linux.so.2" ] ||
    die "not found: $i386root/lib/i386-linux-gnu/ld-linux.so.2"

# the kernel must run o32 and n32 programs (the compat path)
for opt in CONFIG_64BIT CONFIG_MIPS32_COMPAT CONFIG_MIPS32_O32 CONFIG_MIPS32_N32 CONFIG_DEVTMPFS; do
    if grep -qx "$opt=y" "$kconfig"; then
        pass "kernel config: $opt=y"
    else
        fail "kernel config: $opt=y" "not set in $kconfig"
    fi
done
# binfmt_misc (a module in Debian's kernel); the page size the expectations
# of page-granular are for
if grep -Eqx 'CONFIG_BINFMT_MISC=[ym]' "$kconfig"; then
    pass "kernel config: $(grep -E '^CONFIG_BINFMT_MISC=' "$kconfig")"
else
    fail "kernel config: CONFIG_BINFMT_MISC=y or m" "not set in $kconfig"
fi
binfmt_ko=$(find "$kdir/lib/modules" -name binfmt_misc.ko | head -n 1)
if grep -qx 'CONFIG_PAGE_SIZE_16KB=y' "$kconfig"; then
    pass "kernel config: CONFIG_PAGE_SIZE_16KB=y"
else
    fail "kernel config: CONFIG_PAGE_SIZE_16KB=y" "not set in $kconfig"
fi

# --- module and test programs --------------------------------------------------
t_build=$(now)
cp "$here/Kbuild" "$here/qpdrv.c" "$here/qpdrv.h" "$work/mod/"
# Debian's headers Makefile includes the common tree by its /usr/src path;
# giving the common Makefile with -f is the same without that path.  The
# kbuild tools (fixdep, modpost) are the amd64 linux-kbuild-6.1 of the same
# version; .kernelvariables makes CC $(CROSS_COMPILE)gcc-12, as Debian built it.
if make -C "$hdr" -f "$common/Makefile" M="$work/mod" ARCH=mips \
    CROSS_COMPILE="$cross" modules >"$work/mod/build.log" 2>&1 &&
    [ -f "$work/mod/qpdrv.ko" ]; then
    pass "module: qpdrv.ko built against linux-headers-$flavour"
else
    sed 's/^/    | /' "$work/mod/build.log" | tail -n 30
    die "module build failed (log: $work/mod/build.log)"
fi
vermagic=$(${cross}strings -a "$work/mod/qpdrv.ko" | sed -n 's/^vermagic=//p')
case $vermagic in
"$flavour "*) ;;
*) die "qpdrv.ko has vermagic '$vermagic', not $flavour" ;;
esac
cp "$work/mod/qpdrv.ko" "$work/root/qpdrv.ko"

cflags="-static -O2 -Wall -Wextra -Werror"
build_prog() {  # build_prog ABI COMPILER FLAGS...
    b_abi=$1 b_cc=$2
    shift 2
    "$b_cc" "$@" $cflags -o "$work/root/bin/qpdrv-test-$b_abi" "$here/qpdrv-test.c" \
        2>"$work/cc-$b_abi.log" || { cat "$work/cc-$b_abi.log" >&2; die "cannot build qpdrv-test for $b_abi"; }
}
build_prog i386 "$cc_i386"
build_prog o32 "$cc_mips" -mabi=32
build_prog n32 "$cc_mips" -mabi=n32
build_prog n64 "$cc_mips" -mabi=64
# guest_base probes: the smoke test's i386 program, static (non-PIE) and as
# a dynamically linked PIE with the cross toolchain's i386 loader and libc
hello=$top/tests/smoke/guest-hello.c
"$cc_i386" -static -O2 -o "$work/root/bin/hello-i386" "$hello" ||
    die "cannot build hello-i386"
"$cc_i386" -O2 -fPIE -pie -o "$work/root/bin/hello-i386-pie" "$hello" ||
    die "cannot build hello-i386-pie"
# tests/mm: guest memory maps on 16 KiB host pages
for prog in mmap-exhaust fixed-noreplace mremap-fail qemu-pages; do
    "$cc_i386" -static -O2 -Wall -o "$work/root/bin/$prog" \
        "$top/tests/mm/$prog.c" || die "cannot build $prog"
done
# page-granular, flags as in tests/mm/run.sh
"$cc_i386" -static -O2 -Wall -Wextra -Werror -o "$work/root/bin/page-granular" \
    "$top/tests/mm/page-granular.c" || die "cannot build page-granular"
# the test program once more, dynamically linked: a vendor's program that
# needs the i386 root's libc
mkdir -p "$work/root/opt/vendor/bin"
"$cc_i386" -O2 -Wall -Wextra -Werror -o "$work/root/opt/vendor/bin/qpdrv-test" \
    "$here/qpdrv-test.c" || die "cannot build the dynamic qpdrv-test"
mkdir -p "$work/root/i386/lib"
for lib in ld-linux.so.2 libc.so.6; do
    cp "$("$cc_i386" -print-file-name=$lib)" "$work/root/i386/lib/$lib" ||
        die "cannot copy the i386 $lib"
done
t_built=$(now)

# page-granular natively, the "native" column: the same i386 program as
# a 32-bit task of this x86_64 kernel (4 KiB pages).  A kernel booted
# with ia32 emulation off runs no i386 program (ENOEXEC; or, with an i386
# binfmt_misc registration, runs it under an emulator, which hello-i386's
# machine=i686 tells): then the program built for x86_64 stands in, the
# same kernel memory management at 4 KiB pages, and the ia32 run is a SKIP.
pg_native=$work/page-granular.native
native_how=
hello_native=$("$work/root/bin/hello-i386" 2>/dev/null) || hello_native=
case $(uname -m):$hello_native in
x86_64:*machine=x86_64*)
    native_how="ia32 on x86_64"
    pg_native_prog=$work/root/bin/page-granular ;;
x86_64:*)
    skip "page-granular natively as ia32" "this kernel runs no i386 program itself (ia32 emulation off?); the x86_64 build of the same source stands in"
    if cc -static -O2 -Wall -Wextra -Werror -o "$work/page-granular-x86_64" \
        "$top/tests/mm/page-granular.c" 2>"$work/cc-page-granular.log"; then
        native_how="x86_64 build, ia32 not available"
        pg_native_prog=$work/page-granular-x86_64
    else
        fail "page-granular natively" "cannot build it for x86_64: $(tail -n 1 "$work/cc-page-granular.log")"
    fi ;;
*)
    skip "page-granular natively" "not an x86_64 host" ;;
esac
: >"$pg_native"
if [ -n "$native_how" ]; then
    if timeout 300 "$pg_native_prog" >"$pg_native" 2>&1 </dev/null &&
        grep -q '^RESULT page-granular cases=' "$pg_native"; then
        pass "page-granular natively ($native_how, AT_PAGESZ $(sed -n 's/^PAGESIZE //p' "$pg_native")): $(grep '^RESULT' "$pg_native")"
    else
        fail "page-granular natively ($native_how)" "it did not finish; output:
$(sed 's/^/    | /' "$pg_native" | tail -n 25)"
    fi
fi

# --- qemu-i386 builds ----------------------------------------------------------
# check_qemu FILE WANT: FILE must be a static mips64el ELF of ABI WANT (n64|n32)
check_qemu() {
    [ -f "$1" ] || { echo "not found: $1"; return 1; }
    h=$(${cross}readelf -h "$1" 2>/dev/null) || { echo "not an ELF file: $1"; return 1; }
    class=$(echo "$h" | sed -n 's/^ *Class: *//p')
    machine=$(echo "$h" | sed -n 's/^ *Machine: *//p')
    flags=$(echo "$h" | sed -n 's/^ *Flags: *//p')
    case $2:$class:$flags in
    n64:ELF64:*) ;;
    n32:ELF32:*abi2*) ;;
    *) echo "$1 is not a $2 program ($class, flags $flags)"; return 1 ;;
    esac
    case $machine in *MIPS*) ;; *) echo "$1 is not a MIPS program ($machine)"; return 1 ;; esac
    echo "$h" | grep -q 'little endian' || { echo "$1 is not little endian"; return 1; }
    if ${cross}readelf -l "$1" | grep -q INTERP; then
        echo "$1 is not static (it has an ELF interpreter)"
        return 1
    fi
}
have_n64=no have_n32=no
if [ -n "$q64" ]; then
    if why=$(check_qemu "$q64" n64); then
        cp "$q64" "$work/root/qemu/n64" && have_n64=yes
    else
        fail "QEMU_I386_N64" "$why"
    fi
fi
if [ -n "$q32" ]; then
    if why=$(check_qemu "$q32" n32); then
        cp "$q32" "$work/root/qemu/n32" && have_n32=yes
    else
        fail "QEMU_I386_N32" "$why"
    fi
fi

# --- the N32 release tarball, installed as a user installs it ------------------
# make-dist.sh writes into $TOP/build/dist: a top of symlinks to this
# checkout (QP_TOP) with the build given here makes it write into $work
# instead, leaving build/dist and its SHA256SUMS as they are.  Same script,
# same inputs, SOURCE_DATE_EPOCH as make-dist.sh takes it: the same bytes.
have_dist=no
dist_tar=${MIPS64_DIST_N32:-}
if [ $have_n32 = yes ] && [ -z "$dist_tar" ]; then
    disttop=$work/disttop
    mkdir -p "$disttop/build/mips64el-n32"
    for entry in "$top"/* "$top"/.[!.]*; do
        [ -e "$entry" ] || continue
        [ "${entry##*/}" = build ] || ln -s "$entry" "$disttop/${entry##*/}"
    done
    cp "$q32" "$disttop/build/mips64el-n32/qemu-i386"
    if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
        SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null) || SOURCE_DATE_EPOCH=0
    fi
    if SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH QP_TOP=$disttop \
        "$top/scripts/make-dist.sh" mips64el-n32 >"$work/make-dist.log" 2>&1; then
        for f in "$disttop"/build/dist/qemu-ports-i386-*-mips64el-n32.tar.xz; do
            [ -f "$f" ] && dist_tar=$f
        done
    fi
    [ -n "$dist_tar" ] || fail "release tarball: scripts/make-dist.sh mips64el-n32" \
        "no tarball; log:
$(sed 's/^/    | /' "$work/make-dist.log" | tail -n 20)"
fi
if [ -n "$dist_tar" ]; then
    dist_name=$(basename "$dist_tar" .tar.xz)
    dist_dir=$work/dist-unpacked/$dist_name
    dist_conf=$dist_dir/lib/binfmt.d/qemu-ports-i386.conf
    mkdir -p "$work/dist-unpacked"
    if ! tar -xf "$dist_tar" -C "$work/dist-unpacked" 2>"$work/dist-tar.log"; then
        fail "release tarball $dist_name" "cannot unpack $dist_tar: $(tail -n 1 "$work/dist-tar.log")"
    elif [ ! -d "$dist_dir" ]; then
        fail "release tarball $dist_name" "no top directory $dist_name/ in $dist_tar"
    elif ! why=$(check_qemu "$dist_dir/bin/qemu-i386" n32); then
        fail "release tarball $dist_name" "bin/qemu-i386: $why"
    elif [ ! -f "$dist_conf" ]; then
        fail "release tarball $dist_name" "no lib/binfmt.d/qemu-ports-i386.conf"
    elif [ "$(grep -v '^#' "$dist_conf" | awk -F: '{ print $2 " " $7 " " $8 }')" != \
        "qemu-ports-i386 /usr/local/bin/qemu-i386 F" ]; then
        fail "release tarball $dist_name" "the binfmt line does not register qemu-ports-i386 for /usr/local/bin/qemu-i386 with flag F:
$(grep -v '^#' "$dist_conf")"
    else
        # INSTALL: cp -R NAME/bin NAME/lib NAME/share /usr/local/
        mkdir -p "$work/root/usr/local"
        cp -R "$dist_dir/bin" "$dist_dir/lib" "$dist_dir/share" "$work/root/usr/local/"
        have_dist=yes
        if [ -z "$q32" ]; then
            same="no N32 build given to compare"
        elif ${cross}strip -o "$work/n32.stripped" "$q32" 2>/dev/null &&
            cmp -s "$work/n32.stripped" "$dist_dir/bin/qemu-i386"; then
            same="the build given, stripped"
        else
            same="NOT the build given ($q32)"
        fi
        pass "release tarball $dist_name: static n32 bin/qemu-i386 ($same), binfmt.d file for /usr/local/bin/qemu-i386, flag F; installed in /usr/local"
    fi
fi

# --- the i386 root and a vendor's programs ----------------------------------------
# Debian's i386 packages in qemu-i386's interp prefix, as dpkg-deb -x
# leaves them (their docs, manuals and translations left out: nothing
# here reads them); programs of a "vendor" in /opt/vendor/bin, copies of
# coreutils programs and two scripts; files for them to work on.
if [ $have_dist = yes ]; then
    mkdir -p "$work/root/usr/i386-linux-gnu" "$work/root/etc" "$work/root/srv/data/logs"
    (cd "$i386root" && tar -cf - --exclude=./usr/share --exclude=./.unpacked .) |
        (cd "$work/root/usr/i386-linux-gnu" && tar -xf -) || die "cannot copy the i386 root"
    for prog in usr/bin/expr bin/cat bin/ls bin/uname usr/bin/env usr/bin/printenv \
        usr/bin/numfmt; do
        cp "$i386root/$prog" "$work/root/opt/vendor/bin/" || die "cannot copy $prog"
    done
    cp "$here/vendor-report" "$here/qpdrv-service" "$work/root/opt/vendor/bin/"
    chmod 755 "$work/root/opt/vendor/bin/"*
    printf '%s\n' 'name=qemu-ports test' 'mode=daily use' >"$work/root/etc/vendor.conf"
    : >"$work/root/srv/data/a.conf"
    : >"$work/root/srv/data/b.log"
    [ -n "$binfmt_ko" ] && cp "$binfmt_ko" "$work/root/binfmt_misc.ko"
fi
mkdir -p "$work/root/tmp"

# --- rows run in the guest: NAME COMMAND ----------------------------------------
i386=/bin/qpdrv-test-i386
{
    echo "mips-o32 /bin/qpdrv-test-o32"
    echo "mips-n32 /bin/qpdrv-test-n32"
    echo "mips-n64 /bin/qpdrv-test-n64"
    if [ $have_n64 = yes ]; then
        echo "n64-default /qemu/n64 $i386"
        echo "n64-off /qemu/n64 -ioctl-passthrough off $i386"
        echo "n64-native /qemu/n64 -ioctl-passthrough native $i386"
        # -strace output and the program's lines interleave: a row of its own
        echo "n64-native-strace /qemu/n64 -strace -ioctl-passthrough native $i386"
        echo "n64-native-trace /qemu/n64 -trace ioctl_passthrough_refuse -ioctl-passthrough native $i386"
        echo "n64-native-named /qemu/n64 -ioctl-passthrough native,type=M,cmd=0x4d03 $i386"
        echo "n64-compat /qemu/n64 -ioctl-passthrough compat $i386"
        echo "n64-env-compat QEMU_IOCTL_PASSTHROUGH=compat /qemu/n64 $i386"
        echo "n64-auto /qemu/n64 -ioctl-passthrough auto $i386"
        echo "n64-gb-static /qemu/n64 -d page /bin/hello-i386"
        echo "n64-gb-pie /qemu/n64 -d page -L /i386 /bin/hello-i386-pie"
        echo "n64-mm-exhaust /qemu/n64 /bin/mmap-exhaust --4k"
        echo "n64-mm-noreplace /qemu/n64 /bin/fixed-noreplace"
        echo "n64-mm-mremap /qemu/n64 /bin/mremap-fail"
        echo "n64-mm-pages /qemu/n64 /bin/qemu-pages --reserved-va"
    fi
    if [ $have_n32 = yes ]; then
        echo "n32-default /qemu/n32 $i386"
        echo "n32-native /qemu/n32 -ioctl-passthrough native $i386"
        echo "n32-native-trace /qemu/n32 -trace ioctl_passthrough_refuse -ioctl-passthrough native $i386"
        echo "n32-native-named /qemu/n32 -ioctl-passthrough native,type=M,cmd=0x4d03 $i386"
        echo "n32-gb-static /qemu/n32 -d page /bin/hello-i386"
        echo "n32-gb-pie /qemu/n32 -d page -L /i386 /bin/hello-i386-pie"
        echo "n32-mm-exhaust /qemu/n32 /bin/mmap-exhaust --4k"
        echo "n32-mm-noreplace /qemu/n32 /bin/fixed-noreplace"
        echo "n32-mm-mremap /qemu/n32 /bin/mremap-fail"
        echo "n32-mm-pages /qemu/n32 /bin/qemu-pages --expect-foreign"
        echo "n32-page-granular /qemu/n32 /bin/page-granular"
    fi
    [ $have_n64 = yes ] && echo "n64-page-granular /qemu/n64 /bin/page-granular"
    if [ $have_dist = yes ]; then
        # by name, through binfmt_misc: the tarball's N32 qemu-i386
        v=/opt/vendor/bin
        echo "name-version /usr/local/bin/qemu-i386 --version"
        echo "name-uname /usr/i386-linux-gnu/bin/uname -m"
        echo "name-expr-42 $v/expr 6 '*' 7"
        echo "name-expr-0 $v/expr 0 + 0"
        echo "name-expr-div0 $v/expr 1 / 0"
        echo "name-cat $v/cat /etc/vendor.conf"
        # -1: the console is a terminal, where ls would make columns
        echo "name-ls $v/ls -1 /srv/data"
        echo "name-ls-missing $v/ls /srv/missing"
        echo "name-false /usr/i386-linux-gnu/bin/false"
        echo "name-path export PATH=$v:/bin; numfmt --to=iec 1048576"
        echo "name-path-argv0 export PATH=$v:/bin; numfmt x"
        echo "name-exec $v/env VENDOR_MODE=daily $v/printenv VENDOR_MODE"
        echo "name-script $v/vendor-report 40 2"
        echo "name-qpdrv-off $v/qpdrv-test"
        echo "name-qpdrv-env-native QEMU_IOCTL_PASSTHROUGH=native $v/qpdrv-test"
        echo "name-qpdrv-env-static QEMU_IOCTL_PASSTHROUGH=native,type=M,cmd=0x4d03 $i386"
        echo "name-qpdrv-service $v/qpdrv-service"
    fi
} >"$work/root/rows"
cp "$here/init" "$work/root/init"
chmod 755 "$work/root/init"
ln -s busybox "$work/root/bin/sh"
cp "$kdir/bin/busybox" "$work/root/bin/busybox"
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/initrd" ||
    die "cannot write the initramfs"

# --- boot ---------------------------------------------------------------------------
# TCG emulates loongson3-virt only with the Loongson-3A1000; -vga none: the
# default Cirrus VGA wants a ROM from another package, and nothing uses it.
t_boot=$(now)
timeout "${MIPS64_TIMEOUT:-600}" qemu-system-mips64el -M loongson3-virt \
    -cpu Loongson-3A1000 -m 1024 -smp 1 -nographic -no-reboot -vga none -nic none \
    -kernel "$kernel" -initrd "$work/initrd" \
    -append "console=ttyS0,115200 rdinit=/init panic=-1 quiet QP_ROW_TIMEOUT=${MIPS64_ROW_TIMEOUT:-120}" \
    </dev/null 2>&1 | tr -d '\r' >"$work/console.log"
t_done=$(now)
if ! grep -aq '^QPRUN done' "$work/console.log"; then
    tail -n 40 "$work/console.log" | sed 's/^/    | /'
    fail "boot" "the guest did not finish its rows (console: $work/console.log)"
elif grep -aq '^QPRUN insmod ok' "$work/console.log"; then
    pass "boot: $(sed -n 's/^QPRUN kernel //p' "$work/console.log"); qpdrv.ko loaded, /dev/qpdrv present"
else
    fail "boot" "qpdrv.ko did not load: $(grep -a '^QPRUN' "$work/console.log" | tr '\n' ' ')"
fi

# --- checks -----------------------------------------------------------------------
# section ROW: the console lines of ROW (between its markers)
section() {
    sed -n "/^QPROW-BEGIN $1\$/,/^QPROW-END $1 /p" "$work/console.log"
}

# check ROW LABEL PATTERN...: each grep -E PATTERN must match a line of the
# section of ROW, whose program must have finished and reported abi=WANT_ABI
# (sh has no local variables: the c_ names are check's own)
c_shown=
check() {
    c_row=$1 c_label=$2
    shift 2
    c_out=$(section "$c_row")
    if [ -z "$c_out" ]; then
        fail "$c_label" "row $c_row did not run"
        return
    fi
    for c_pat in "QPDRV abi=$want_abi " 'QPDRV done' "^QPROW-END $c_row rc=0\$" "$@"; do
        if ! printf '%s\n' "$c_out" | grep -Eq -- "$c_pat"; then
            if [ "$c_row" = "$c_shown" ]; then
                fail "$c_label" "no line matches /$c_pat/ (row output above)"
            else
                fail "$c_label" "no line matches /$c_pat/; row output:
$(printf '%s\n' "$c_out" | sed 's/^/    | /' | tail -n 25)"
                c_shown=$c_row
            fi
            return
        fi
    done
    pass "$c_label"
}

ENOTTY_IOWR='^QPDRV iowr errno=25$'
ENOTTY_IOR='^QPDRV ior errno=25$'
ENOTTY_IO='^QPDRV io errno=25$'
OK_IOWR='^QPDRV iowr errno=0 answer=compat-ok echo=ok$'
OK_IOR_COMPAT='^QPDRV ior errno=0 magic=ok path=compat compat_syscall=1$'
OK_IOR_NATIVE='^QPDRV ior errno=0 magic=ok path=native compat_syscall=0$'
# an n64 task calling the compat handler (n32 system call 6015): on MIPS
# in_compat_syscall() is per task, so it says 0 there (asserted on the
# baseline row only; qemu-i386 rows accept either)
OK_IOR_N32SYS='^QPDRV n32sys-ior errno=0 magic=ok path=compat compat_syscall=0$'
OK_IOR_COMPAT_ANY='^QPDRV ior errno=0 magic=ok path=compat compat_syscall=[01]$'
OK_IO='^QPDRV io errno=0 ret=[0-9]+ counted=yes$'
# qemu-i386 -strace: the command as a number or decoded, and its ENOTTY
STRACE_IOWR='ioctl\([0-9]+,(0xc1144d01|_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\)),.*= -1 errno=25'

# baseline: the kernel's own behaviour, no QEMU involved
for abi in o32 n32; do
    want_abi=$abi
    check "mips-$abi" "mips $abi native: iowr 0xc1144d01 answered by the compat handler" "$OK_IOWR"
    check "mips-$abi" "mips $abi native: ior 0x40104d02 on the compat path" "$OK_IOR_COMPAT"
    check "mips-$abi" "mips $abi native: io 0x20004d03 counted" "$OK_IO"
done
want_abi=n64
check mips-n64 "mips n64 native: iowr 0xc1144d01 (32-bit layout) ENOTTY" "$ENOTTY_IOWR"
check mips-n64 "mips n64 native: iowr 0xc1284d01 (64-bit layout) answered natively" \
    '^QPDRV iowr64 errno=0 answer=native-ok echo=ok$'
check mips-n64 "mips n64 native: ior 0x40104d02 on the native path" "$OK_IOR_NATIVE"
check mips-n64 "mips n64 native: io 0x20004d03 counted" "$OK_IO"
check mips-n64 "mips n64 as n32 syscall 6015: iowr 0xc1144d01 answered by the compat handler" \
    '^QPDRV n32sys-iowr errno=0 answer=compat-ok echo=ok$'
check mips-n64 "mips n64 as n32 syscall 6015: ior on the compat path, in_compat_syscall() 0" \
    "$OK_IOR_N32SYS"
check mips-n64 "mips n64 as n32 syscall 6015: io counted" \
    '^QPDRV n32sys-io errno=0 ret=[0-9]+ counted=yes$'

# qemu-i386 rows: the i386 program (0xc1144d01, 0x80104d02, 0x4d03)
want_abi=i386
qrow() {  # qrow BUILD ROW LABEL PATTERN...
    if [ "$1" = yes ]; then
        check "$2" "$3" "$4"
    else
        skip "$3" "qemu-i386 build not given"
    fi
}
for row in default off; do
    mode=$row
    [ $row = default ] && mode="option absent"
    qrow $have_n64 n64-$row "qemu-i386 n64, $mode: iowr ENOTTY" "$ENOTTY_IOWR"
    qrow $have_n64 n64-$row "qemu-i386 n64, $mode: ior ENOTTY" "$ENOTTY_IOR"
    qrow $have_n64 n64-$row "qemu-i386 n64, $mode: io ENOTTY" "$ENOTTY_IO"
done
qrow $have_n32 n32-default "qemu-i386 n32, option absent: iowr ENOTTY" "$ENOTTY_IOWR"
qrow $have_n32 n32-default "qemu-i386 n32, option absent: ior ENOTTY" "$ENOTTY_IOR"
qrow $have_n32 n32-default "qemu-i386 n32, option absent: io ENOTTY" "$ENOTTY_IO"
qrow $have_n64 n64-native "qemu-i386 n64, native: iowr ENOTTY from the 64-bit handler" "$ENOTTY_IOWR"
qrow $have_n64 n64-native-strace "qemu-i386 n64, native: -strace shows 0xc1144d01 = -1 errno=25" "$STRACE_IOWR"
qrow $have_n64 n64-native "qemu-i386 n64, native: ior re-encoded, native path" "$OK_IOR_NATIVE"
# _IO: no size in the number, so QEMU cannot check the argument: refused
# where the entry is 64-bit or QEMU's memory is in reach, unless named
qrow $have_n64 n64-native "qemu-i386 n64, native: io refused by QEMU (ENOTTY)" "$ENOTTY_IO"
qrow $have_n64 n64-native-trace "qemu-i386 n64, native: the trace event names the refusal" \
    'ioctl_passthrough_refuse fd=[0-9]+ cmd=0x4d03: no size in number, 64-bit entry$'
qrow $have_n64 n64-native-named "qemu-i386 n64, native,cmd=0x4d03: io counted" "$OK_IO"
qrow $have_n32 n32-native "qemu-i386 n32, native: iowr answered by the compat handler" "$OK_IOWR"
qrow $have_n32 n32-native "qemu-i386 n32, native: ior re-encoded, compat path" "$OK_IOR_COMPAT"
qrow $have_n32 n32-native "qemu-i386 n32, native: io refused by QEMU (ENOTTY)" "$ENOTTY_IO"
qrow $have_n32 n32-native-trace "qemu-i386 n32, native: the trace event names the refusal" \
    'ioctl_passthrough_refuse fd=[0-9]+ cmd=0x4d03: no size in number, QEMU memory in reach$'
qrow $have_n32 n32-native-named "qemu-i386 n32, native,cmd=0x4d03: iowr answered by the compat handler" "$OK_IOWR"
qrow $have_n32 n32-native-named "qemu-i386 n32, native,cmd=0x4d03: io counted" "$OK_IO"

# guest_base: ordinary i386 programs, non-PIE and PIE, get 0 (QEMU is
# linked above their load addresses), so addresses inside ioctl
# arguments are right.  The value is printed for the record.
gbrow() {  # gbrow BUILD ROW LABEL
    if [ "$1" != yes ]; then
        skip "$3" "qemu-i386 build not given"
        return
    fi
    g_out=$(section "$2")
    g_base=$(printf '%s\n' "$g_out" | sed -n 's/^Locating guest address space @ //p')
    echo "guest_base $2 ${g_base:-none}"
    if [ "$g_base" = 0x0 ] &&
       printf '%s\n' "$g_out" | grep -q '^guest-hello pointer=4 machine=i686' &&
       printf '%s\n' "$g_out" | grep -q "^QPROW-END $2 rc=0\$"; then
        pass "$3"
    else
        fail "$3" "guest_base ${g_base:-not shown}; row output:
$(printf '%s\n' "$g_out" | grep -v '^[0-9a-f]\{8\}-\|^start\|^page layout' | sed 's/^/    | /' | tail -n 10)"
    fi
}
gbrow $have_n32 n32-gb-static "qemu-i386 n32: non-PIE i386 program runs with guest_base 0"
gbrow $have_n32 n32-gb-pie "qemu-i386 n32: PIE i386 program runs with guest_base 0"
gbrow $have_n64 n64-gb-static "qemu-i386 n64: non-PIE i386 program runs with guest_base 0"
gbrow $have_n64 n64-gb-pie "qemu-i386 n64: PIE i386 program runs with guest_base 0"
for row in compat env-compat auto; do
    mode=$row
    [ $row = env-compat ] && mode="QEMU_IOCTL_PASSTHROUGH=compat"
    qrow $have_n64 n64-$row "qemu-i386 n64, $mode: iowr as n32 syscall, compat handler answers" "$OK_IOWR"
    qrow $have_n64 n64-$row "qemu-i386 n64, $mode: ior re-encoded, compat path" "$OK_IOR_COMPAT_ANY"
    qrow $have_n64 n64-$row "qemu-i386 n64, $mode: io re-encoded, counted" "$OK_IO"
done

# tests/mm on 16 KiB host pages.  exhaust, noreplace and pages must pass
# (on N32, noreplace and pages died with SIGSEGV while MAP_FIXED_NOREPLACE
# could zero a used guest page, fixed by patch 0039); mremap-fail is only
# reported: moving 4 KiB pieces of 16 KiB host pages is among what QEMU
# cannot do here (docs/loongson-mips64.rst).
for row in n32-mm-exhaust n32-mm-noreplace n32-mm-mremap n32-mm-pages \
           n64-mm-exhaust n64-mm-noreplace n64-mm-mremap n64-mm-pages; do
    m_out=$(section "$row")
    m_end=$(printf '%s\n' "$m_out" | sed -n 's/^QPROW-END [^ ]* //p')
    m_result=$(printf '%s\n' "$m_out" | grep '^RESULT' | tail -n 1)
    echo "mm on 16 KiB pages: $row ${m_end:-did not run} $m_result"
    case $row in
    *-mm-mremap) ;;
    *)
        if [ "$m_end" = rc=0 ] && printf '%s\n' "$m_result" | grep -q ' PASS$'; then
            pass "tests/mm on 16 KiB pages: $row"
        else
            fail "tests/mm on 16 KiB pages: $row" "${m_end:-did not run} $m_result"
        fi ;;
    esac
done

# --- by name, through binfmt_misc ----------------------------------------------------
# the kernel's page size, as the guest's /proc/self/smaps gives it
kpage=$(sed -n 's/^QPRUN pagesize //p' "$work/console.log")
echo "kernel page size: ${kpage:-not shown} bytes (KernelPageSize in the guest's /proc/self/smaps)"
if [ "$kpage" = 16384 ]; then
    pass "guest kernel page size 16384 (16 KiB, what page-granular-16k.expect is for)"
else
    fail "guest kernel page size" "${kpage:-not shown}, not 16384"
fi

if [ $have_dist = yes ]; then
    sed -n 's/^QPBINFMT /binfmt_misc qemu-ports-i386: /p' "$work/console.log"
    b_out=$(sed -n 's/^QPBINFMT //p' "$work/console.log")
    b_why=
    for b_pat in '^enabled$' '^interpreter /usr/local/bin/qemu-i386$' '^flags: F$' \
        '^magic 7f454c4601010100000000000000000002000300$'; do
        printf '%s\n' "$b_out" | grep -q -- "$b_pat" || b_why="$b_why /$b_pat/"
    done
    if [ -z "$b_out" ]; then
        fail "binfmt_misc: the tarball's file registered" "no registration; $(grep -a '^QPRUN binfmt' "$work/console.log" | tr '\n' ' ')"
    elif [ -n "$b_why" ]; then
        fail "binfmt_misc: the tarball's file registered" "no line matches$b_why"
    else
        pass "binfmt_misc: the tarball's file registered (enabled, /usr/local/bin/qemu-i386, flags F)"
    fi
else
    skip "binfmt_misc: the tarball's file registered" "no N32 release tarball"
fi

# row_is ROW LABEL STATUS OUTPUT: the row's output (stdout and stderr,
# the lines between its markers) must be OUTPUT exactly, its exit status
# STATUS
row_is() {
    if [ $have_dist != yes ]; then
        skip "$2" "no N32 release tarball"
        return
    fi
    r_sec=$(section "$1")
    if [ -z "$r_sec" ]; then
        fail "$2" "row $1 did not run"
        return
    fi
    r_out=$(printf '%s\n' "$r_sec" | sed '1d;$d')
    r_rc=$(printf '%s\n' "$r_sec" | sed -n "s/^QPROW-END $1 rc=//p")
    if [ "$r_rc" = "$3" ] && [ "$r_out" = "$4" ]; then
        pass "$2"
    else
        fail "$2" "expected exit status $3 and
$(printf '%s\n' "$4" | sed 's/^/    > /')
got exit status ${r_rc:-(none)} and
$(printf '%s\n' "$r_out" | LC_ALL=C tr -c '\11\12\40-\176' '?' | sed 's/^/    | /' | tail -n 25)"
    fi
}

v=/opt/vendor/bin
series_version=$(cat "$top/VERSION")
if [ $have_dist = yes ]; then
    v_out=$(section name-version)
    if printf '%s\n' "$v_out" | grep -q "^qemu-i386 version 10\.0\.13 (qemu-ports-$series_version)\$" &&
        printf '%s\n' "$v_out" | grep -q '^QPROW-END name-version rc=0$'; then
        pass "installed /usr/local/bin/qemu-i386 --version: 10.0.13 (qemu-ports-$series_version)"
    else
        fail "installed /usr/local/bin/qemu-i386 --version" "not 10.0.13 (qemu-ports-$series_version):
$(printf '%s\n' "$v_out" | sed 's/^/    | /')"
    fi
else
    skip "installed /usr/local/bin/qemu-i386 --version" "no N32 release tarball"
fi
row_is name-uname "by name: /usr/i386-linux-gnu/bin/uname -m (Debian i386 coreutils) prints i686" 0 i686
row_is name-expr-42 "by name: $v/expr 6 '*' 7 prints 42, status 0" 0 42
row_is name-expr-0 "by name: $v/expr 0 + 0 prints 0, status 1" 1 0
row_is name-expr-div0 "by name: $v/expr 1 / 0: division by zero, status 2" 2 \
    "$v/expr: division by zero"
row_is name-cat "by name: $v/cat /etc/vendor.conf" 0 "name=qemu-ports test
mode=daily use"
row_is name-ls "by name: $v/ls -1 /srv/data" 0 "a.conf
b.log
logs"
row_is name-ls-missing "by name: $v/ls of a missing file: its message, status 2" 2 \
    "$v/ls: cannot access '/srv/missing': No such file or directory"
row_is name-false "by name: /usr/i386-linux-gnu/bin/false, status 1" 1 ""
row_is name-path "by name from PATH: numfmt --to=iec 1048576 prints 1.0M" 0 1.0M
# without flag P the program's argv[0] is the path the kernel found
row_is name-path-argv0 "by name from PATH: numfmt x fails, argv[0] the full path, status 2" 2 \
    "$v/numfmt: invalid number: 'x'"
row_is name-exec "by name, i386 env executing i386 printenv: the variable passed on" 0 daily
row_is name-script "by name from a #!/bin/sh script: $v/vendor-report 40 2" 2 "sum=42
equal-status=1
name=qemu-ports test
mode=daily use
arch=i686"

# the private-driver ioctl, the passthrough switched on by the environment
# alone (the N32 build: native is the compat path; auto picks native)
want_abi=i386
nrow() {  # nrow ROW LABEL PATTERN: check() when the tarball is installed
    if [ $have_dist = yes ]; then
        check "$1" "$2" "$3"
    else
        skip "$2" "no N32 release tarball"
    fi
}
nrow name-qpdrv-off "by name, no QEMU_IOCTL_PASSTHROUGH: iowr ENOTTY (passthrough off)" "$ENOTTY_IOWR"
nrow name-qpdrv-off "by name, no QEMU_IOCTL_PASSTHROUGH: ior ENOTTY (passthrough off)" "$ENOTTY_IOR"
nrow name-qpdrv-env-native "by name, QEMU_IOCTL_PASSTHROUGH=native: iowr answered by the compat handler" "$OK_IOWR"
nrow name-qpdrv-env-native "by name, QEMU_IOCTL_PASSTHROUGH=native: ior re-encoded, compat path" "$OK_IOR_COMPAT"
nrow name-qpdrv-env-native "by name, QEMU_IOCTL_PASSTHROUGH=native: io refused by QEMU (ENOTTY)" "$ENOTTY_IO"
nrow name-qpdrv-env-static "by name (static), QEMU_IOCTL_PASSTHROUGH=native,type=M,cmd=0x4d03: iowr answered by the compat handler" "$OK_IOWR"
nrow name-qpdrv-env-static "by name (static), QEMU_IOCTL_PASSTHROUGH=native,type=M,cmd=0x4d03: io counted" "$OK_IO"
nrow name-qpdrv-service "by name from a service script, QEMU_IOCTL_PASSTHROUGH=auto: iowr answered by the compat handler" "$OK_IOWR"
nrow name-qpdrv-service "by name from a service script, QEMU_IOCTL_PASSTHROUGH=auto: ior re-encoded, compat path" "$OK_IOR_COMPAT"

# --- page-granular on 16 KiB pages ----------------------------------------------------
# page-granular-16k.expect: CASE NATIVE N32 N64, "native" meaning the
# NATIVE outcome.  The native run (this host) is checked against NATIVE;
# the guest rows against N32 and N64.  A case that differs fails with its
# name, the expected and the got outcome.  The table shows what ran.
pg_dir=$work/page-granular
mkdir -p "$pg_dir"
grep '^PAGE ' "$pg_native" | cut -d' ' -f2- >"$pg_dir/native"
for b in n32 n64; do
    section "$b-page-granular" | grep '^PAGE ' | cut -d' ' -f2- >"$pg_dir/$b"
done
grep -v '^[[:space:]]*\(#\|$\)' "$expect_file" >"$pg_dir/expect"

# build_given n32|n64: yes when that qemu-i386 build was given
build_given() {
    case $1 in
    n32) echo "$have_n32" ;;
    *) echo "$have_n64" ;;
    esac
}
# pg_got COLUMN CASE: the outcome of CASE in COLUMN's run
pg_got() {
    o=$(awk -v c="$2" '$1 == c { print $2; exit }' "$pg_dir/$1")
    echo "${o:-(missing)}"
}
# pg_check COLUMN FIELD: check COLUMN's run against field FIELD of the
# expect file; one FAIL per case that differs, else one PASS
pg_check() {
    k_col=$1 k_field=$2 k_bad=0 k_diff=0 k_n=0
    while read -r k_case k_native k_n32 k_n64; do
        case $k_field in
        2) k_want=$k_native ;;
        3) k_want=$k_n32 ;;
        4) k_want=$k_n64 ;;
        esac
        [ "$k_want" = native ] && k_want=$k_native
        k_got=$(pg_got "$k_col" "$k_case")
        k_n=$((k_n + 1))
        [ "$k_want" = "$k_native" ] || k_diff=$((k_diff + 1))
        if [ "$k_got" != "$k_want" ]; then
            fail "page-granular $k_col $k_case" "expected $k_want, got $k_got"
            k_bad=$((k_bad + 1))
        fi
    done <"$pg_dir/expect"
    # cases the program ran that the expect file does not know
    for k_case in $(cut -d' ' -f1 "$pg_dir/$k_col"); do
        if ! awk -v c="$k_case" '$1 == c { f = 1 } END { exit !f }' "$pg_dir/expect"; then
            fail "page-granular $k_col $k_case" "not in $(basename "$expect_file") (got $(pg_got "$k_col" "$k_case"))"
            k_bad=$((k_bad + 1))
        fi
    done
    if [ $k_bad = 0 ]; then
        if [ "$k_col" = native ]; then
            pass "page-granular natively: $k_n cases as in $(basename "$expect_file")"
        else
            pass "page-granular qemu-i386 $k_col on 16 KiB pages: $k_n cases as in $(basename "$expect_file") ($k_diff differ from native)"
        fi
    fi
}
if [ -n "$native_how" ]; then
    pg_check native 2
else
    # nothing ran natively: the table shows the expected native outcomes
    awk '{ print $1, $2 }' "$pg_dir/expect" >"$pg_dir/native"
    native_how="not run here: the outcomes of $(basename "$expect_file")"
fi
for b in n32 n64; do
    b_have=$(build_given "$b")
    if [ "$b_have" != yes ]; then
        skip "page-granular qemu-i386 $b on 16 KiB pages" "qemu-i386 build not given"
        continue
    fi
    b_sec=$(section "$b-page-granular")
    if ! printf '%s\n' "$b_sec" | grep -q "^QPROW-END $b-page-granular rc=0\$" ||
        ! printf '%s\n' "$b_sec" | grep -q '^RESULT page-granular cases='; then
        fail "page-granular qemu-i386 $b on 16 KiB pages" "the program did not finish; row output:
$(printf '%s\n' "$b_sec" | sed 's/^/    | /' | tail -n 25)"
    fi
    case $b in n32) b_field=3 ;; *) b_field=4 ;; esac
    pg_check "$b" "$b_field"
    printf '%s\n' "$b_sec" | sed -n "s/^INFO /page-granular $b: /p"
done
sed -n 's/^INFO /page-granular native: /p' "$pg_native"

# the table: what ran; "*" marks an outcome that differs from native
echo "page-granular, 4 KiB i386 pages: native = this host ($native_how), n32/n64 = qemu-i386 builds on the 16 KiB-page guest kernel (* differs from native)"
printf '    %-22s %-13s %-25s %s\n' case native n32 n64
while read -r t_case _; do
    t_nat=$(pg_got native "$t_case")
    t_line=$(printf '%-22s %-13s' "$t_case" "$t_nat")
    for b in n32 n64; do
        b_have=$(build_given "$b")
        t_got=$(pg_got "$b" "$t_case")
        if [ "$b_have" != yes ]; then
            t_got="(not run)"
        elif [ "$t_got" != "$t_nat" ]; then
            t_got="$t_got *"
        fi
        t_line="$t_line $(printf '%-25s' "$t_got")"
    done
    printf '    %s\n' "$t_line" | sed 's/ *$//'
done <"$pg_dir/expect"

echo "time: inputs+checks $(elapsed "$t_start" "$t_build")s, builds $(elapsed "$t_build" "$t_built")s," \
    "boot+tests $(elapsed "$t_boot" "$t_done")s, total $(elapsed "$t_start" "$(now)")s" \
    "(console: $work/console.log)"
finish
