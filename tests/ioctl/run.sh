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

# host_runs_i386 only; the helpers below are this suite's own.
. "$SRC/../testlib.sh"
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { echo "SKIP $1"; }

# --- build ---------------------------------------------------------------
for p in resvsp fslabel nstype hostile sigstress mdrv contain; do
    if ! "$CC_I386" -static -O2 -Wall -o "$B/$p" "$SRC/$p.c"; then
        echo "cannot build $p with $CC_I386" >&2
        exit 2
    fi
done

# The compat route of the x86_64 build enters the kernel's 32-bit system
# call table (int $0x80), which a kernel without ia32 emulation lacks;
# there QEMU refuses -ioctl-passthrough compat at start-up, so rows whose
# run shows that refusal are skipped (the refusal has rows of its own).
NO_COMPAT32='the host kernel does not accept 32-bit system calls'
compat32=yes
host_runs_i386 || compat32=no

# skip_no_compat32 NAME FILE: when the kernel has no 32-bit entry and FILE
# shows QEMU's refusal, report NAME as skipped and succeed.
skip_no_compat32() {
    [ $compat32 = no ] && grep -q "$NO_COMPAT32" "$2" || return 1
    skip "$1: needs the kernel's 32-bit system call entry"
}

# expect NAME REGEX FILE: FILE must contain a line matching REGEX.
expect() {
    skip_no_compat32 "$1" "$3" && return
    if grep -Eq -- "$2" "$3"; then
        pass "$1"
    else
        fail "$1 (wanted /$2/, got: $(grep RESULT "$3" | tr '\n' ' ')"
        sed 's/^/    | /' "$3" | head -20
    fi
}

# expect_not NAME REGEX FILE: no line of FILE may match REGEX.
expect_not() {
    skip_no_compat32 "$1" "$3" && return
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
# The static i386 programs run directly on a host whose kernel runs i386
# programs; elsewhere the native runs and the i386 build are skipped.
if host_runs_i386; then
    run "$B/direct.out" "$B/resvsp" "$F"
    if ! grep -Eq 'RESULT resvsp ret=0 errno=0 blocks_before=0 blocks_after=[1-9]' \
            "$B/direct.out"; then
        echo "FS_IOC_RESVSP does not work natively in $D; set IOCTL_TEST_DATA_DIR" >&2
        cat "$B/direct.out" >&2
        exit 2
    fi
else
    skip "native runs and the i386 build: $host_i386_reason"
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
if [ $compat32 = yes ]; then
    expect "x86_64 auto: success, blocks allocated" "$OK_RESV" "$B/auto.out"
else
    # expect would skip these: they assert the refusal itself.
    if grep -q "^qemu-i386: -ioctl-passthrough compat: $NO_COMPAT32" \
            "$B/compat.out" && grep -q '^EXIT 1$' "$B/compat.out"; then
        pass "x86_64 compat without the kernel's 32-bit entry: refused at start-up, status 1"
    else
        fail "x86_64 compat without the kernel's 32-bit entry: refused at start-up, status 1"
        sed 's/^/    | /' "$B/compat.out" | head -5
    fi
    expect "x86_64 auto without the 32-bit entry: native route, ENOTTY" \
        "$NOTTY_RESV" "$B/auto.out"
fi

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
if [ $compat32 = yes ]; then
    expect "filter cmd=0x402c5828 passes FS_IOC_RESVSP" "$OK_RESV" "$B/f3.out"
else
    skip "filter cmd=0x402c5828 passes FS_IOC_RESVSP: auto needs the kernel's 32-bit entry"
fi

run "$B/f4.out" "$Q64" -ioctl-passthrough native,cmd=0xb703 "$B/nstype"
expect "filter cmd=0xb703 passes NS_GET_NSTYPE" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$B/f4.out"

run "$B/f5.out" "$Q64" -ioctl-passthrough native,type=0x94,type=M "$B/nstype"
expect "filter type=0x94,type=M refuses NS_GET_NSTYPE" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$B/f5.out"

# --- _IOR and _IO commands --------------------------------------------------------
# Each run is traced, so that the route taken is asserted as well.
for mode in off native compat; do
    run "$B/label-$mode.out" "$Q64" -strace -ioctl-passthrough $mode \
        "$B/fslabel" "$L"
    run "$B/ns-$mode.out" "$Q64" -strace -ioctl-passthrough $mode "$B/nstype"
    case $mode in
    off)
        expect "x86_64 off: FS_IOC_GETFSLABEL (_IOR) ENOTTY" \
            'RESULT fslabel ret=-1 errno=25 written=0' "$B/label-$mode.out"
        expect "x86_64 off: NS_GET_NSTYPE (_IO) ENOTTY" \
            'RESULT nstype ret=0xffffffff errno=25 match=0' "$B/ns-$mode.out"
        expect_not "x86_64 off: no route taken" '\[passthrough|\[refused' \
            "$B/label-$mode.out"
        ;;
    *)
        expect "x86_64 $mode: FS_IOC_GETFSLABEL (_IOR) filled the buffer" \
            'RESULT fslabel ret=0 errno=0 written=1' "$B/label-$mode.out"
        expect "x86_64 $mode: FS_IOC_GETFSLABEL took the $mode route" \
            "ioctl\\(3,_IOC\\(_IOC_READ,0x94,0x31,0x100\\),0x[0-9a-f]+\\) = 0 \\[passthrough $mode\\]\$" \
            "$B/label-$mode.out"
        ;;
    esac
done
# _IO: no size in the number.  The compat route contains any value the
# guest passes; the 64-bit native entry would read it with 64-bit widths.
expect "x86_64 compat: NS_GET_NSTYPE (_IO) returned CLONE_NEWUTS" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$B/ns-compat.out"
expect "x86_64 compat: NS_GET_NSTYPE took the compat route" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0\) = 67108864 \[passthrough compat\]$' \
    "$B/ns-compat.out"
expect "x86_64 native: NS_GET_NSTYPE (_IO) refused with ENOTTY" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$B/ns-native.out"
expect "x86_64 native: the refusal names the reason" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0\) = -1 errno=25 .*\[refused: no size in number, 64-bit entry\]$' \
    "$B/ns-native.out"

# --- hostile arguments ------------------------------------------------------------
# expect_refusals NAME FILE COUNT REASON: FILE shows COUNT ioctls that
# QEMU refused for REASON with EFAULT, and none that reached the kernel.
expect_refusals() {
    skip_no_compat32 "$1" "$2" && return
    got=$(grep -Ec "^[0-9]+ ioctl\\(.* = -1 errno=14 .*\\[refused: $4\\]\$" "$2")
    if [ "$got" -eq "$3" ] && ! grep -q '\[passthrough' "$2"; then
        pass "$1"
    else
        fail "$1 (wanted $3 [refused: $4] and no [passthrough], got $got)"
        grep -E 'ioctl\(' "$2" | sed 's/^/    | /' | head -10
    fi
}

for mode in native compat auto; do
    run "$B/hostile-$mode.out" "$Q64" -strace -ioctl-passthrough $mode \
        "$B/hostile" "$L"
    for c in unmapped-read unmapped-write readonly straddle wrap null; do
        expect "x86_64 $mode: hostile $c -> EFAULT" \
            "RESULT hostile case=$c ret=-1 errno=14\$" "$B/hostile-$mode.out"
    done
    expect_refusals "x86_64 $mode: QEMU itself refused all 6 hostile buffers" \
        "$B/hostile-$mode.out" 6 'buffer not guest memory'
    expect "x86_64 $mode: hostile program kept running" \
        'RESULT hostile done' "$B/hostile-$mode.out"
    expect "x86_64 $mode: hostile QEMU exit status 0" '^EXIT 0$' \
        "$B/hostile-$mode.out"
done

# --- -strace ----------------------------------------------------------------
run "$B/strace-compat.out" "$Q64" -strace -ioctl-passthrough compat "$B/mdrv"
expect "strace: 0xc1144d01 decoded, [passthrough compat]" \
    'ioctl\(3,_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\),0x[0-9a-f]+\) = -1 errno=25 .*\[passthrough compat\]$' \
    "$B/strace-compat.out"

run "$B/strace-resv.out" "$Q64" -strace -ioctl-passthrough auto "$B/resvsp" "$F"
if [ $compat32 = yes ]; then
    expect "strace: FS_IOC_RESVSP decoded, = 0 [passthrough compat]" \
        'ioctl\(3,_IOC\(_IOC_WRITE,0x58,0x28,0x2c\),0x[0-9a-f]+\) = 0 \[passthrough compat\]$' \
        "$B/strace-resv.out"
else
    skip "strace: FS_IOC_RESVSP decoded, = 0 [passthrough compat]: auto needs the kernel's 32-bit entry"
fi

run "$B/strace-native.out" "$Q64" -strace -ioctl-passthrough native,cmd=0xb703 \
    "$B/nstype"
expect "strace: _IO number named with cmd= decoded, [passthrough native]" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0\) = 67108864 \[passthrough native\]$' \
    "$B/strace-native.out"

# Arguments of numbers without a size show in hex, as strace(1) does.
run "$B/strace-hex.out" "$Q64" -strace -ioctl-passthrough compat \
    "$B/contain" io-args /proc/self/ns/uts
expect "strace: _IO argument 0x1234 shown in hex" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0x1234\) = 67108864 \[passthrough compat\]$' \
    "$B/strace-hex.out"
expect "strace: _IO argument -5 shown in hex" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0xfffffffb\) = 67108864 \[passthrough compat\]$' \
    "$B/strace-hex.out"

run "$B/strace-filter.out" "$Q64" -strace -ioctl-passthrough native,type=Z \
    "$B/mdrv"
expect "strace: filtered command is [refused: filtered out]" \
    'ioctl\(3,_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\),0x[0-9a-f]+\) = -1 errno=25 .*\[refused: filtered out\]$' \
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
# Every malformed option is an error that names the bad part, and the
# guest never runs (nstype would print a RESULT line).
check_bad_option() {
    run "$B/bad.out" "$Q64" -ioctl-passthrough "$1" "$B/nstype"
    if grep -Eq "ioctl-passthrough '.*': .*$2" "$B/bad.out" &&
       grep -Eq '^EXIT [1-9]' "$B/bad.out" && ! grep -q RESULT "$B/bad.out"; then
        pass "bad option '$1' rejected: $2"
    else
        fail "bad option '$1' (wanted /$2/, non-zero exit, guest not run)"
        sed 's/^/    | /' "$B/bad.out" | head -5
    fi
    run "$B/bad-env.out" env QEMU_IOCTL_PASSTHROUGH="$1" "$Q64" "$B/nstype"
    if grep -Eq "$2" "$B/bad-env.out" && ! grep -q RESULT "$B/bad-env.out"; then
        pass "bad QEMU_IOCTL_PASSTHROUGH='$1' rejected"
    else
        fail "bad QEMU_IOCTL_PASSTHROUGH='$1' (wanted /$2/, guest not run)"
        sed 's/^/    | /' "$B/bad-env.out" | head -5
    fi
}
check_bad_option sideways "unknown mode 'sideways'"
check_bad_option '' 'no mode'
check_bad_option 'native,cmd=' 'cmd= needs a value'
check_bad_option 'native,type=' 'type= needs a value'
check_bad_option 'native,type=M:' 'empty item in type=M:'
check_bad_option 'native,cmd=:' 'empty item in cmd=:'
check_bad_option 'native,,type=M' 'empty option'
check_bad_option 'native,' 'empty option'
check_bad_option 'native,type=MM' "type 'MM' is neither"
check_bad_option 'native,type=256' "type '256' is neither"
check_bad_option 'native,cmd=-1' "cmd '-1' is not a number"
check_bad_option 'native,cmd=0x100000000' "cmd '0x100000000' is not a number"
check_bad_option 'native,cmd= 5' "cmd ' 5' is not a number"
check_bad_option 'native,force=1' "unknown option 'force=1'"
check_bad_option 'native,type= ' "type ' ' is neither"
check_bad_option 'off,force' 'force only applies to compat and auto'
check_bad_option 'native,force' 'force only applies to compat and auto'

run "$B/gb.out" "$Q64" -B 0x10000000 -ioctl-passthrough compat "$B/nstype"
expect "compat with guest_base != 0 refuses to start" \
    'compat: guest_base is not 0' "$B/gb.out"
expect "compat with guest_base != 0 exits non-zero" '^EXIT [1-9]' "$B/gb.out"

run "$B/gb-force.out" "$Q64" -B 0x10000000 -strace \
    -ioctl-passthrough compat,force "$B/nstype"
expect "compat,force with guest_base != 0 runs (warning given)" \
    'warning: .*guest_base' "$B/gb-force.out"
expect "compat,force with guest_base != 0: _IO call refused (not contained)" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$B/gb-force.out"
expect "compat,force with guest_base != 0: refusal names the reason" \
    '\[refused: no size in number, QEMU memory in reach\]$' "$B/gb-force.out"
run "$B/gb-named.out" "$Q64" -B 0x10000000 -strace \
    -ioctl-passthrough compat,force,cmd=0xb703 "$B/nstype"
expect "compat,force,cmd=0xb703 with guest_base != 0: named _IO call works" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$B/gb-named.out"
expect "compat,force,cmd=0xb703: took the compat route" \
    '\[passthrough compat\]$' "$B/gb-named.out"

run "$B/gb-auto.out" "$Q64" -B 0x10000000 -ioctl-passthrough auto \
    "$B/resvsp" "$F"
expect "auto with guest_base != 0 falls back to native" "$NOTTY_RESV" \
    "$B/gb-auto.out"

# --- signals racing with passed ioctls ----------------------------------------
run "$B/sig-native.out" "$Q64" -ioctl-passthrough native,cmd=0xb703 \
    "$B/sigstress" 200000
expect "signals vs native route: all calls correct" \
    'RESULT sigstress calls=200000 bad=0 eintr=0 signals=yes' \
    "$B/sig-native.out"
run "$B/sig-compat.out" "$Q64" -ioctl-passthrough compat "$B/sigstress" 20000
expect "signals vs compat route: all calls correct" \
    'RESULT sigstress calls=20000 bad=0 eintr=0 signals=yes' \
    "$B/sig-compat.out"
for route in native compat; do
    case $route in native) opt=native,cmd=0xb703 ;; *) opt=compat ;; esac
    # A timer every 2 ms: tracing each signal takes longer than 50 us.
    run "$B/sig-route.out" "$Q64" -strace -ioctl-passthrough $opt \
        "$B/sigstress" 200 2000
    n=$(grep -c "ioctl(3,_IOC(_IOC_NONE,0xb7,0x3,0),0) = 67108864 \[passthrough $route\]\$" \
        "$B/sig-route.out")
    if skip_no_compat32 "signals vs $route route" "$B/sig-route.out"; then
        :
    elif [ "$n" -eq 200 ]; then
        pass "signals vs $route route: all 200 traced calls took it"
    else
        fail "signals vs $route route: $n of 200 traced calls took it"
    fi
done

# --- arguments QEMU cannot check (contain.c) ---------------------------------
# Commands whose number states no size (BLKFRAGET, SIOCETHTOOL,
# USERFAULTFD_IOC_NEW) and an address inside a buffer (UFFDIO_REGISTER).
# The expected values come from the same program run natively as i386.
BLKDEV=/dev/loop0
NAMED=cmd=0x1265:0x8946:0xaa00:0xc018aa3f:0xc020aa00
contain_cases="fraget-canary:$BLKDEV fraget-global:$BLKDEV \
    fraget-unmapped:$BLKDEV ethtool-after:lo ethtool-edge:lo uffd"

# run_contain TAG QEMU [OPTIONS]: run every case, traced, into TAG-CASE.out.
run_contain() {
    tag=$1
    shift
    for c in $contain_cases; do
        name=${c%%:*}
        arg=${c#*:}
        [ "$arg" = "$c" ] && arg=
        run "$B/$tag-$name.out" "$@" "$B/contain" $name $arg
    done
}

# result_line FILE: the RESULT line that sums the case up (the last one;
# under -strace it may follow the trace of the write on the same line).
result_line() { grep -o 'RESULT .*' "$1" | tail -n 1; }

# expect_native TAG CASE: TAG's run of CASE gave what the native run gave.
# For fraget-unmapped the number of unmapped addresses tried differs (the
# guest's address space is laid out by QEMU): every one must give EFAULT.
expect_native() {
    want=$(result_line "$B/native-$2.out")
    got=$(result_line "$B/$1-$2.out")
    if [ "$2" = fraget-unmapped ]; then
        want=$(echo "$want" | sed -n 's/^RESULT \([^ ]*\) tried=\([0-9]*\) efault=\2 ok=0 /\1 all EFAULT /p')
        got=$(echo "$got" | sed -n 's/^RESULT \([^ ]*\) tried=\([0-9]*\) efault=\2 ok=0 /\1 all EFAULT /p')
    fi
    if [ -n "$want" ] && [ "$want" = "$got" ]; then
        pass "$1 $2: same as native ($want)"
    else
        fail "$1 $2: got '$got', native gave '$want'"
        sed 's/^/    | /' "$B/$1-$2.out" | tail -5
    fi
}

# expect_refused TAG CASE REASON: every call of the case was refused by
# QEMU with ENOTTY for REASON, none reached the kernel, QEMU exited 0.
expect_refused() {
    out=$B/$1-$2.out
    if grep -q '\[passthrough' "$out" ||
       ! grep -Eq "= -1 errno=25 .*\\[refused: $3\\]\$" "$out" ||
       ! grep -q '^EXIT 0$' "$out"; then
        fail "$1 $2: wanted only [refused: $3] and exit 0"
        grep -E 'ioctl\(|^RESULT|^EXIT' "$out" | sed 's/^/    | /' | tail -5
        return
    fi
    case $2 in
    fraget-unmapped)
        expect "$1 $2: ENOTTY for every address" \
            'RESULT fraget-unmapped tried=([0-9]+) efault=0 ok=0 enotty=[0-9]+ other=0' \
            "$out" ;;
    uffd)
        expect "$1 $2: ENOTTY" 'RESULT uffd ret=-1 errno=25 step=new' "$out" ;;
    *)
        expect "$1 $2: ENOTTY, memory untouched" \
            "RESULT $2 ret=-1 errno=25 .*(value=286331153|data=0xa5a5a5a5)" "$out" ;;
    esac
}

# expect_route TAG CASE ROUTE: every traced ioctl of the case took ROUTE.
expect_route() {
    out=$B/$1-$2.out
    if grep -q '\[refused' "$out" || ! grep -q "\[passthrough $3\]\$" "$out"; then
        fail "$1 $2: not every call took the $3 route"
        grep -E 'ioctl\(' "$out" | sed 's/^/    | /' | tail -5
    else
        pass "$1 $2: took the $3 route"
    fi
}

contain_ok=yes
[ -r "$BLKDEV" ] && [ -r /dev/userfaultfd ] && host_runs_i386 || contain_ok=no
if [ $contain_ok = yes ]; then
    run_contain native
    for c in $contain_cases; do
        grep -q '^RESULT .* ret=0 errno=0\|efault=[1-9][0-9]* ok=0\|new=ok api=0/0 register=0/0' \
            "$B/native-${c%%:*}.out" || contain_ok=no
    done
fi
if [ $contain_ok = yes ]; then
    # x86_64 build, compat and auto: values are contained, the 32-bit
    # entry has the guest's layouts: native results.
    for mode in compat auto; do
        run_contain "x86_64-$mode" "$Q64" -strace -ioctl-passthrough $mode
        for c in $contain_cases; do
            expect_native "x86_64-$mode" "${c%%:*}"
            expect_route "x86_64-$mode" "${c%%:*}" compat
        done
    done
    # x86_64 build, native: the 64-bit entry would misread the 32-bit
    # argument (8 bytes written over a long, a 40-byte ifreq read out of
    # a 32-byte one): refused.
    run_contain x86_64-native "$Q64" -strace -ioctl-passthrough native
    for c in $contain_cases; do
        expect_refused x86_64-native "${c%%:*}" 'no size in number, 64-bit entry'
    done
    # ... unless named, which passes the argument as it is.
    run "$B/x86_64-named.out" "$Q64" -strace -ioctl-passthrough native,$NAMED \
        "$B/contain" fraget-global $BLKDEV
    expect "x86_64 native,cmd=0x1265: a named command passes" \
        'RESULT fraget-global ret=0 errno=0 value=256' "$B/x86_64-named.out"
    expect_route x86_64 named native
else
    skip "arguments QEMU cannot check: needs root for $BLKDEV and /dev/userfaultfd, a kernel that runs i386 programs, and the native runs to work"
fi

# --- the i386 build of qemu-i386 -------------------------------------------------
if [ -n "$Q32" ] && host_runs_i386; then
    run "$B/i386-native.out" "$Q32" -ioctl-passthrough native "$B/resvsp" "$F"
    expect "i386 build native: success, blocks allocated" "$OK_RESV" \
        "$B/i386-native.out"
    run "$B/i386-off.out" "$Q32" "$B/resvsp" "$F"
    expect "i386 build off: ENOTTY, blocks unchanged" "$NOTTY_RESV" \
        "$B/i386-off.out"
    run "$B/i386-auto.out" "$Q32" -ioctl-passthrough auto "$B/resvsp" "$F"
    expect "i386 build auto (= native): success" "$OK_RESV" \
        "$B/i386-auto.out"

    # Ordinary i386 programs run with guest_base 0, so that addresses
    # inside ioctl arguments are right (QEMU is linked above them).
    run "$B/i386-gb.out" "$Q32" -d page "$B/nstype"
    expect "i386 build: a non-PIE i386 program gets guest_base 0" \
        'Locating guest address space @ 0x0+$' "$B/i386-gb.out"
    # A PIE, dynamically linked: its loader comes from the cross libc.
    ld_so=$("$CC_I386" -print-file-name=ld-linux.so.2)
    if [ -f "$ld_so" ] &&
       "$CC_I386" -O2 -Wall -fPIE -pie -o "$B/nstype-pie" "$SRC/nstype.c"; then
        run "$B/i386-gb-pie.out" "$Q32" -d page \
            -L "$(dirname "$(dirname "$ld_so")")" "$B/nstype-pie"
        expect "i386 build: a PIE i386 program gets guest_base 0" \
            'Locating guest address space @ 0x0+$' "$B/i386-gb-pie.out"
    else
        skip "i386 build: a PIE i386 program gets guest_base 0 (no i386 ld.so)"
    fi

    if [ $contain_ok = yes ]; then
        # QEMU shares the 32-bit address space with the guest: values it
        # cannot check are refused unless named ...
        for mode in native auto; do
            run_contain "i386-$mode" "$Q32" -strace -ioctl-passthrough $mode
            for c in $contain_cases; do
                expect_refused "i386-$mode" "${c%%:*}" \
                    'no size in number, QEMU memory in reach'
            done
        done
        # ... and, named, give the native results.
        run_contain i386-named "$Q32" -strace -ioctl-passthrough native,$NAMED
        for c in $contain_cases; do
            case $c in fraget-unmapped*) continue ;; esac
            expect_native i386-named "${c%%:*}"
            expect_route i386-named "${c%%:*}" native
        done
    fi
elif [ -n "$Q32" ]; then
    skip "i386 build: $host_i386_reason"
else
    skip "i386 build (no i386 qemu given)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
