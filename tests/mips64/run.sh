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
# console transcript: one PASS/FAIL/SKIP line per row, then
# "N passed, M failed[, K skipped]"; the exit status is non-zero on failure.
#
# Inputs: the Debian packages pinned in upstream/mips64-inputs, fetched and
# verified by tests/acceptance/fetch.sh ($DISTDIR, then the cache, then
# apt-get download; foreign packages are only unpacked).  Work files
# (module build, initramfs, console.log) go to
# ${QP_CACHE:-$HOME/.cache/qemu-ports}/mips64/work, replaced on each run.
# Environment: MIPS64_TIMEOUT (seconds for the whole boot, default 600),
# MIPS64_ROW_TIMEOUT (seconds per row inside the guest, default 120).
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
export ACCEPTANCE_INPUTS=$top/upstream/mips64-inputs

die() { echo "run.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
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
have cpio || missing="$missing cpio"
have make || missing="$missing make"
if [ -n "$missing" ]; then
    echo "run.sh: missing host packages; install them with:" >&2
    echo "    apt-get install --no-install-recommends$(printf '%s\n' $missing | sort -u | tr '\n' ' ' | sed 's/^/ /;s/ $//')" >&2
    echo "0 passed, 1 failed"
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

# the kernel must run o32 and n32 programs (the compat path)
for opt in CONFIG_64BIT CONFIG_MIPS32_COMPAT CONFIG_MIPS32_O32 CONFIG_MIPS32_N32 CONFIG_DEVTMPFS; do
    if grep -qx "$opt=y" "$kconfig"; then
        pass "kernel config: $opt=y"
    else
        fail "kernel config: $opt=y" "not set in $kconfig"
    fi
done

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
mkdir -p "$work/root/i386/lib"
for lib in ld-linux.so.2 libc.so.6; do
    cp "$("$cc_i386" -print-file-name=$lib)" "$work/root/i386/lib/$lib" ||
        die "cannot copy the i386 $lib"
done
t_built=$(now)

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
        echo "n32-native-strace /qemu/n32 -strace -ioctl-passthrough native $i386"
        echo "n32-native-named /qemu/n32 -ioctl-passthrough native,type=M,cmd=0x4d03 $i386"
        echo "n32-gb-static /qemu/n32 -d page /bin/hello-i386"
        echo "n32-gb-pie /qemu/n32 -d page -L /i386 /bin/hello-i386-pie"
        echo "n32-mm-exhaust /qemu/n32 /bin/mmap-exhaust --4k"
        echo "n32-mm-noreplace /qemu/n32 /bin/fixed-noreplace"
        echo "n32-mm-mremap /qemu/n32 /bin/mremap-fail"
        echo "n32-mm-pages /qemu/n32 /bin/qemu-pages --expect-foreign"
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
if ! grep -q '^QPRUN done' "$work/console.log"; then
    tail -n 40 "$work/console.log" | sed 's/^/    | /'
    fail "boot" "the guest did not finish its rows (console: $work/console.log)"
elif grep -q '^QPRUN insmod ok' "$work/console.log"; then
    pass "boot: $(sed -n 's/^QPRUN kernel //p' "$work/console.log"); qpdrv.ko loaded, /dev/qpdrv present"
else
    fail "boot" "qpdrv.ko did not load: $(grep '^QPRUN' "$work/console.log" | tr '\n' ' ')"
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
qrow $have_n64 n64-native-strace "qemu-i386 n64, native: -strace names the refusal" \
    '\[refused: no size in number, 64-bit entry\]$'
qrow $have_n64 n64-native-named "qemu-i386 n64, native,cmd=0x4d03: io counted" "$OK_IO"
qrow $have_n32 n32-native "qemu-i386 n32, native: iowr answered by the compat handler" "$OK_IOWR"
qrow $have_n32 n32-native "qemu-i386 n32, native: ior re-encoded, compat path" "$OK_IOR_COMPAT"
qrow $have_n32 n32-native "qemu-i386 n32, native: io refused by QEMU (ENOTTY)" "$ENOTTY_IO"
qrow $have_n32 n32-native-strace "qemu-i386 n32, native: -strace names the refusal" \
    '\[refused: no size in number, QEMU memory in reach\]$'
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

# tests/mm on 16 KiB host pages: reported, not asserted.  The i386
# guest's 4 KiB pages share host pages here; what QEMU can honour is the
# subject of the page-size work (docs/loongson-mips64.rst).
for row in n32-mm-exhaust n32-mm-noreplace n32-mm-mremap n32-mm-pages \
           n64-mm-exhaust n64-mm-noreplace n64-mm-mremap n64-mm-pages; do
    m_out=$(section "$row")
    [ -n "$m_out" ] || continue
    echo "mm on 16 KiB pages: $row $(printf '%s\n' "$m_out" | sed -n 's/^QPROW-END [^ ]* //p')" \
        "$(printf '%s\n' "$m_out" | grep '^RESULT' | tail -n 1)"
done

echo "time: inputs+checks $(elapsed "$t_start" "$t_build")s, builds $(elapsed "$t_build" "$t_built")s," \
    "boot+tests $(elapsed "$t_boot" "$t_done")s, total $(elapsed "$t_start" "$(now)")s" \
    "(console: $work/console.log)"
finish
