#!/bin/sh
# Tests for -ioctl-passthrough in qemu-i386.
#
# usage: run.sh QEMU_I386_X86_64 [QEMU_I386_I386]
#
#   QEMU_I386_X86_64  qemu-i386 built as an x86_64 program (required)
#   QEMU_I386_I386    qemu-i386 built as an i386 program (optional; its
#                     rows are reported as SKIP when it is not given)
#
# Environment:
#   CC_I386                  i386 compiler (default i686-linux-gnu-gcc)
#   IOCTL_TEST_BUILD_DIR     where to build the test programs and keep
#                            scratch files (default: a new temp dir)
#   IOCTL_TEST_DATA_DIR      directory for the preallocation test file; it
#                            must be on a file system supporting fallocate
#                            (default: the build dir)
#   IOCTL_TEST_KEEP=1        keep the temp dir
#
# Prints one PASS/FAIL/SKIP line per case and finally "N passed, M failed";
# exits non-zero if any case failed.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -u

# Results must not depend on the caller's QEMU settings.
unset QEMU_IOCTL_PASSTHROUGH QEMU_STRACE QEMU_LOG QEMU_GUEST_BASE QEMU_RESERVED_VA

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 QEMU_I386_X86_64 [QEMU_I386_I386]" >&2
    exit 2
fi
Q64=$1
Q32=${2:-}
SRC=$(cd "$(dirname "$0")" && pwd)
CC_I386=${CC_I386:-i686-linux-gnu-gcc}

if [ -n "${IOCTL_TEST_BUILD_DIR:-}" ]; then
    B=$IOCTL_TEST_BUILD_DIR
    mkdir -p "$B" || exit 2
else
    B=$(mktemp -d "${TMPDIR:-/tmp}/ioctl-test.XXXXXX") || exit 2
    if [ "${IOCTL_TEST_KEEP:-0}" != 1 ]; then
        trap 'rm -rf "$B"' EXIT
    fi
fi
D=${IOCTL_TEST_DATA_DIR:-$B}
F=$D/resv.dat
L=$B/fslabel.dat

passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { echo "SKIP $1"; }

# --- build ---------------------------------------------------------------
for p in resvsp fslabel nstype hostile sigstress mdrv; do
    if ! "$CC_I386" -static -O2 -Wall -o "$B/$p" "$SRC/$p.c"; then
        echo "cannot build $p with $CC_I386" >&2
        exit 2
    fi
done

# expect NAME REGEX FILE: FILE must contain a line matching REGEX.
expect() {
    if grep -Eq -- "$2" "$3"; then
        pass "$1"
    else
        fail "$1 (wanted /$2/, got: $(grep RESULT "$3" | tr '\n' ' ')"
        sed 's/^/    | /' "$3" | head -20
    fi
}

# expect_not NAME REGEX FILE: no line of FILE may match REGEX.
expect_not() {
    if grep -Eq -- "$2" "$3"; then
        fail "$1 (unexpected /$2/)"
        grep -E -- "$2" "$3" | sed 's/^/    | /' | head -5
    else
        pass "$1"
    fi
}

# run OUT CMD...: run a command, stdout and stderr into OUT.
run() {
    out=$1
    shift
    "$@" > "$out" 2>&1
    echo "EXIT $?" >> "$out"
}

# --- sanity: the host kernel itself must be able to do the work -------------
# The static i386 programs run directly on the (ia32-capable) host.
run "$B/direct.out" "$B/resvsp" "$F"
if ! grep -Eq 'RESULT resvsp ret=0 errno=0 blocks_before=0 blocks_after=[1-9]' \
        "$B/direct.out"; then
    echo "FS_IOC_RESVSP does not work natively in $D; set IOCTL_TEST_DATA_DIR" >&2
    cat "$B/direct.out" >&2
    exit 2
fi

OK_RESV='RESULT resvsp ret=0 errno=0 blocks_before=0 blocks_after=2048$'
NOTTY_RESV='RESULT resvsp ret=-1 errno=25 blocks_before=0 blocks_after=0$'

# --- FS_IOC_RESVSP (i386 layout) on the x86_64 build ------------------------
run "$B/off.out" "$Q64" "$B/resvsp" "$F"
expect "x86_64 off: ENOTTY, kernel not called (blocks unchanged)" \
    "$NOTTY_RESV" "$B/off.out"

run "$B/off-explicit.out" "$Q64" -ioctl-passthrough off "$B/resvsp" "$F"
expect "x86_64 -ioctl-passthrough off: ENOTTY, blocks unchanged" \
    "$NOTTY_RESV" "$B/off-explicit.out"

run "$B/native.out" "$Q64" -ioctl-passthrough native "$B/resvsp" "$F"
expect "x86_64 native: ENOTTY from the 64-bit handler, blocks unchanged" \
    "$NOTTY_RESV" "$B/native.out"

run "$B/compat.out" "$Q64" -ioctl-passthrough compat "$B/resvsp" "$F"
expect "x86_64 compat: success, blocks allocated" "$OK_RESV" "$B/compat.out"

run "$B/auto.out" "$Q64" -ioctl-passthrough auto "$B/resvsp" "$F"
expect "x86_64 auto: success, blocks allocated" "$OK_RESV" "$B/auto.out"

run "$B/env.out" env QEMU_IOCTL_PASSTHROUGH=compat "$Q64" "$B/resvsp" "$F"
expect "x86_64 QEMU_IOCTL_PASSTHROUGH=compat: success" "$OK_RESV" \
    "$B/env.out"

run "$B/env-off.out" env QEMU_IOCTL_PASSTHROUGH=compat \
    "$Q64" -ioctl-passthrough off "$B/resvsp" "$F"
expect "x86_64 option overrides env (off): ENOTTY" "$NOTTY_RESV" \
    "$B/env-off.out"

# --- filters ------------------------------------------------------------------
run "$B/f1.out" "$Q64" -ioctl-passthrough compat,type=X "$B/resvsp" "$F"
expect "filter type=X passes FS_IOC_RESVSP" "$OK_RESV" "$B/f1.out"

run "$B/f2.out" "$Q64" -ioctl-passthrough compat,type=M:0x94 "$B/resvsp" "$F"
expect "filter type=M:0x94 refuses FS_IOC_RESVSP" "$NOTTY_RESV" "$B/f2.out"

run "$B/f3.out" "$Q64" -ioctl-passthrough auto,type=M,cmd=0x402c5828 \
    "$B/resvsp" "$F"
expect "filter cmd=0x402c5828 passes FS_IOC_RESVSP" "$OK_RESV" "$B/f3.out"

run "$B/f4.out" "$Q64" -ioctl-passthrough native,cmd=0xb703 "$B/nstype"
expect "filter cmd=0xb703 passes NS_GET_NSTYPE" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$B/f4.out"

run "$B/f5.out" "$Q64" -ioctl-passthrough native,type=0x94,type=M "$B/nstype"
expect "filter type=0x94,type=M refuses NS_GET_NSTYPE" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$B/f5.out"

# --- _IOR and _IO commands --------------------------------------------------------
for mode in off native compat; do
    run "$B/label-$mode.out" "$Q64" -ioctl-passthrough $mode "$B/fslabel" "$L"
    run "$B/ns-$mode.out" "$Q64" -ioctl-passthrough $mode "$B/nstype"
    if [ $mode = off ]; then
        expect "x86_64 off: FS_IOC_GETFSLABEL (_IOR) ENOTTY" \
            'RESULT fslabel ret=-1 errno=25 written=0' "$B/label-$mode.out"
        expect "x86_64 off: NS_GET_NSTYPE (_IO) ENOTTY" \
            'RESULT nstype ret=0xffffffff errno=25 match=0' "$B/ns-$mode.out"
    else
        expect "x86_64 $mode: FS_IOC_GETFSLABEL (_IOR) filled the buffer" \
            'RESULT fslabel ret=0 errno=0 written=1' "$B/label-$mode.out"
        expect "x86_64 $mode: NS_GET_NSTYPE (_IO) returned CLONE_NEWUTS" \
            'RESULT nstype ret=0x4000000 errno=0 match=1' "$B/ns-$mode.out"
    fi
done

# --- hostile arguments ------------------------------------------------------------
for mode in native compat; do
    run "$B/hostile-$mode.out" "$Q64" -ioctl-passthrough $mode \
        "$B/hostile" "$L"
    for c in unmapped-read unmapped-write readonly straddle wrap null; do
        expect "x86_64 $mode: hostile $c -> EFAULT" \
            "RESULT hostile case=$c ret=-1 errno=14\$" "$B/hostile-$mode.out"
    done
    expect "x86_64 $mode: hostile program kept running" \
        'RESULT hostile done' "$B/hostile-$mode.out"
    expect "x86_64 $mode: hostile QEMU exit status 0" '^EXIT 0$' \
        "$B/hostile-$mode.out"
done
run "$B/hostile-strace.out" "$Q64" -strace -ioctl-passthrough compat \
    "$B/hostile" "$L"
expect "strace: hostile calls are [refused] by QEMU" \
    'ioctl\(3,_IOC\(_IOC_READ,0x94,0x31,0x100\),0xffffff80\) = -1 errno=14 .*\[refused\]$' \
    "$B/hostile-strace.out"

# --- -strace ----------------------------------------------------------------
run "$B/strace-compat.out" "$Q64" -strace -ioctl-passthrough compat "$B/mdrv"
expect "strace: 0xc1144d01 decoded, [passthrough compat]" \
    'ioctl\(3,_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\),0x[0-9a-f]+\) = -1 errno=25 .*\[passthrough compat\]$' \
    "$B/strace-compat.out"

run "$B/strace-resv.out" "$Q64" -strace -ioctl-passthrough auto "$B/resvsp" "$F"
expect "strace: FS_IOC_RESVSP decoded, = 0 [passthrough compat]" \
    'ioctl\(3,_IOC\(_IOC_WRITE,0x58,0x28,0x2c\),0x[0-9a-f]+\) = 0 \[passthrough compat\]$' \
    "$B/strace-resv.out"

run "$B/strace-native.out" "$Q64" -strace -ioctl-passthrough native "$B/nstype"
expect "strace: _IO number decoded, [passthrough native]" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0\) = 67108864 \[passthrough native\]$' \
    "$B/strace-native.out"

run "$B/strace-filter.out" "$Q64" -strace -ioctl-passthrough native,type=Z \
    "$B/mdrv"
expect "strace: filtered command is [refused]" \
    'ioctl\(3,_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\),0x[0-9a-f]+\) = -1 errno=25 .*\[refused\]$' \
    "$B/strace-filter.out"

run "$B/strace-off.out" "$Q64" -strace "$B/mdrv"
expect "strace off: stock format" \
    'ioctl\(3,0xc1144d01,0x[0-9a-f]+\) = -1 errno=25 \(Inappropriate ioctl for device\)$' \
    "$B/strace-off.out"
expect_not "strace off: no route annotation" '\[passthrough|\[refused' \
    "$B/strace-off.out"

run "$B/unimp-off.out" "$Q64" -d unimp "$B/mdrv"
expect "-d unimp off: stock 'Unsupported ioctl' message" \
    'Unsupported ioctl: cmd=0xffffffffc1144d01' "$B/unimp-off.out"

# --- start-up checks ----------------------------------------------------------
run "$B/bad.out" "$Q64" -ioctl-passthrough sideways "$B/nstype"
expect "bad mode is rejected" 'unknown mode' "$B/bad.out"
expect "bad mode exits non-zero" '^EXIT [1-9]' "$B/bad.out"

run "$B/gb.out" "$Q64" -B 0x10000000 -ioctl-passthrough compat "$B/nstype"
expect "compat with guest_base != 0 refuses to start" \
    'compat: guest_base is not 0' "$B/gb.out"
expect "compat with guest_base != 0 exits non-zero" '^EXIT [1-9]' "$B/gb.out"

run "$B/gb-force.out" "$Q64" -B 0x10000000 -ioctl-passthrough compat,force \
    "$B/nstype"
expect "compat,force with guest_base != 0 runs (warning given)" \
    'warning: .*guest_base' "$B/gb-force.out"
expect "compat,force with guest_base != 0: _IO call works" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$B/gb-force.out"

run "$B/gb-auto.out" "$Q64" -B 0x10000000 -ioctl-passthrough auto \
    "$B/resvsp" "$F"
expect "auto with guest_base != 0 falls back to native" "$NOTTY_RESV" \
    "$B/gb-auto.out"

# --- signals racing with passed ioctls ----------------------------------------
run "$B/sig-native.out" "$Q64" -ioctl-passthrough native "$B/sigstress" 200000
expect "signals vs native route: all calls correct" \
    'RESULT sigstress calls=200000 bad=0 eintr=0 signals=yes' \
    "$B/sig-native.out"
run "$B/sig-compat.out" "$Q64" -ioctl-passthrough compat "$B/sigstress" 20000
expect "signals vs compat route: all calls correct" \
    'RESULT sigstress calls=20000 bad=0 eintr=0 signals=yes' \
    "$B/sig-compat.out"

# --- the i386 build of qemu-i386 -------------------------------------------------
if [ -n "$Q32" ]; then
    run "$B/i386-native.out" "$Q32" -ioctl-passthrough native "$B/resvsp" "$F"
    expect "i386 build native: success, blocks allocated" "$OK_RESV" \
        "$B/i386-native.out"
    run "$B/i386-off.out" "$Q32" "$B/resvsp" "$F"
    expect "i386 build off: ENOTTY, blocks unchanged" "$NOTTY_RESV" \
        "$B/i386-off.out"
    run "$B/i386-auto.out" "$Q32" -ioctl-passthrough auto "$B/resvsp" "$F"
    expect "i386 build auto (= native): success" "$OK_RESV" \
        "$B/i386-auto.out"
else
    skip "i386 build native: success, blocks allocated (no i386 qemu given)"
    skip "i386 build off: ENOTTY, blocks unchanged (no i386 qemu given)"
    skip "i386 build auto (= native): success (no i386 qemu given)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
