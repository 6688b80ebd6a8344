#!/bin/sh
# Tests for -ioctl-passthrough in qemu-i386.
#
# usage: run.sh QEMU_I386_X86_64 [QEMU_I386_I386]
#
#   QEMU_I386_X86_64  qemu-i386 built as an x86_64 program (required)
#   QEMU_I386_I386    qemu-i386 built as an i386 program (optional; its
#                     rows are skipped when it is not given)
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
# Reports one TAP line per case through tests/testlib.sh; exits non-zero
# if any case failed.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -u

# Results must not depend on the caller's QEMU settings.
unset QEMU_IOCTL_PASSTHROUGH QEMU_STRACE QEMU_LOG QEMU_GUEST_BASE QEMU_RESERVED_VA

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 QEMU_I386_X86_64 [QEMU_I386_I386]" >&2
    exit 2
fi
# the qemu-i386 built as an x86_64 program, and the one built as an i386
# program ("" when not given)
qemu_x86_64=$1
qemu_i386=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/testlib.sh
. "$here/../testlib.sh"
CC_I386=${CC_I386:-i686-linux-gnu-gcc}

# work: the test programs and every run's output; data_dir: where
# FS_IOC_RESVSP allocates blocks in resv_file; label_file: a file to ask
# for its file system's label
if [ -n "${IOCTL_TEST_BUILD_DIR:-}" ]; then
    work=$IOCTL_TEST_BUILD_DIR
    mkdir -p "$work" || exit 2
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/ioctl-test.XXXXXX") || exit 2
    if [ "${IOCTL_TEST_KEEP:-0}" != 1 ]; then
        trap 'rm -rf "$work"' EXIT
    fi
fi
data_dir=${IOCTL_TEST_DATA_DIR:-$work}
resv_file=$data_dir/resv.dat
label_file=$work/fslabel.dat

# --- build ---------------------------------------------------------------
for prog in resvsp fslabel nstype hostile sigstress mdrv contain; do
    if ! "$CC_I386" -static -O2 -Wall -o "$work/$prog" "$here/$prog.c"; then
        fail "build $prog" "$CC_I386 failed (its messages are above)"
        finish
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
    skip "$1" "needs the kernel's 32-bit system call entry"
}

# expect_line NAME REGEX FILE: FILE (a run's output) must contain a line
# matching REGEX; the failure shows its first 20 lines.
expect_line() {
    skip_no_compat32 "$1" "$3" && return
    if grep -Eq -- "$2" "$3"; then
        pass "$1"
    else
        fail "$1" "wanted /$2/; the first lines of the run:
$(head -n 20 "$3")"
    fi
}

# expect_no_line NAME REGEX FILE: no line of FILE may match REGEX.
expect_no_line() {
    skip_no_compat32 "$1" "$3" && return
    if grep -Eq -- "$2" "$3"; then
        fail "$1" "unexpected /$2/ in the run:
$(grep -E -- "$2" "$3" | head -n 5)"
    else
        pass "$1"
    fi
}

# QEMU options that log each passthrough decision as a trace event
# (linux-user/trace-events): "ioctl_passthrough_call fd=N cmd=0x...
# route=native|compat host=0x..." or "ioctl_passthrough_refuse fd=N
# cmd=0x...: REASON".  Named one by one: a pattern would be globbed.
trace_routes='-trace ioctl_passthrough_call -trace ioctl_passthrough_refuse'

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
    run "$work/direct.out" "$work/resvsp" "$resv_file"
    if ! grep -Eq 'RESULT resvsp ret=0 errno=0 blocks_before=0 blocks_after=[1-9]' \
            "$work/direct.out"; then
        fail "FS_IOC_RESVSP natively in $data_dir" "it does not work there; set IOCTL_TEST_DATA_DIR; the run:
$(cat "$work/direct.out")"
        finish
        exit 2
    fi
else
    skip "native runs and the i386 build" "$host_i386_reason"
fi

OK_RESV='RESULT resvsp ret=0 errno=0 blocks_before=0 blocks_after=2048$'
NOTTY_RESV='RESULT resvsp ret=-1 errno=25 blocks_before=0 blocks_after=0$'

# --- FS_IOC_RESVSP (i386 layout) on the x86_64 build ------------------------
run "$work/off.out" "$qemu_x86_64" "$work/resvsp" "$resv_file"
expect_line "x86_64 off: ENOTTY, kernel not called (blocks unchanged)" \
    "$NOTTY_RESV" "$work/off.out"

run "$work/off-explicit.out" "$qemu_x86_64" -ioctl-passthrough off "$work/resvsp" "$resv_file"
expect_line "x86_64 -ioctl-passthrough off: ENOTTY, blocks unchanged" \
    "$NOTTY_RESV" "$work/off-explicit.out"

run "$work/native.out" "$qemu_x86_64" -ioctl-passthrough native "$work/resvsp" "$resv_file"
expect_line "x86_64 native: ENOTTY from the 64-bit handler, blocks unchanged" \
    "$NOTTY_RESV" "$work/native.out"

run "$work/compat.out" "$qemu_x86_64" -ioctl-passthrough compat "$work/resvsp" "$resv_file"
expect_line "x86_64 compat: success, blocks allocated" "$OK_RESV" "$work/compat.out"

run "$work/auto.out" "$qemu_x86_64" -ioctl-passthrough auto "$work/resvsp" "$resv_file"
if [ $compat32 = yes ]; then
    expect_line "x86_64 auto: success, blocks allocated" "$OK_RESV" "$work/auto.out"
else
    # expect_line would skip these: they assert the refusal itself.
    if grep -q "^qemu-i386: -ioctl-passthrough compat: $NO_COMPAT32" \
            "$work/compat.out" && grep -q '^EXIT 1$' "$work/compat.out"; then
        pass "x86_64 compat without the kernel's 32-bit entry: refused at start-up, status 1"
    else
        fail "x86_64 compat without the kernel's 32-bit entry: refused at start-up, status 1" \
            "$(head -n 5 "$work/compat.out")"
    fi
    expect_line "x86_64 auto without the 32-bit entry: native route, ENOTTY" \
        "$NOTTY_RESV" "$work/auto.out"
fi

run "$work/env.out" env QEMU_IOCTL_PASSTHROUGH=compat "$qemu_x86_64" "$work/resvsp" "$resv_file"
expect_line "x86_64 QEMU_IOCTL_PASSTHROUGH=compat: success" "$OK_RESV" \
    "$work/env.out"

run "$work/env-off.out" env QEMU_IOCTL_PASSTHROUGH=compat \
    "$qemu_x86_64" -ioctl-passthrough off "$work/resvsp" "$resv_file"
expect_line "x86_64 option overrides env (off): ENOTTY" "$NOTTY_RESV" \
    "$work/env-off.out"

# --- filters ------------------------------------------------------------------
run "$work/f1.out" "$qemu_x86_64" -ioctl-passthrough compat,type=X "$work/resvsp" "$resv_file"
expect_line "filter type=X passes FS_IOC_RESVSP" "$OK_RESV" "$work/f1.out"

run "$work/f2.out" "$qemu_x86_64" -ioctl-passthrough compat,type=M:0x94 "$work/resvsp" "$resv_file"
expect_line "filter type=M:0x94 refuses FS_IOC_RESVSP" "$NOTTY_RESV" "$work/f2.out"

run "$work/f3.out" "$qemu_x86_64" -ioctl-passthrough auto,type=M,cmd=0x402c5828 \
    "$work/resvsp" "$resv_file"
if [ $compat32 = yes ]; then
    expect_line "filter cmd=0x402c5828 passes FS_IOC_RESVSP" "$OK_RESV" "$work/f3.out"
else
    skip "filter cmd=0x402c5828 passes FS_IOC_RESVSP" "auto needs the kernel's 32-bit entry"
fi

run "$work/f4.out" "$qemu_x86_64" -ioctl-passthrough native,cmd=0xb703 "$work/nstype"
expect_line "filter cmd=0xb703 passes NS_GET_NSTYPE" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$work/f4.out"

run "$work/f5.out" "$qemu_x86_64" -ioctl-passthrough native,type=0x94,type=M "$work/nstype"
expect_line "filter type=0x94,type=M refuses NS_GET_NSTYPE" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$work/f5.out"

# --- _IOR and _IO commands --------------------------------------------------------
# Each run is traced, so that the route taken is asserted as well.
for mode in off native compat; do
    run "$work/label-$mode.out" "$qemu_x86_64" $trace_routes \
        -ioctl-passthrough $mode "$work/fslabel" "$label_file"
    run "$work/ns-$mode.out" "$qemu_x86_64" $trace_routes \
        -ioctl-passthrough $mode "$work/nstype"
    case $mode in
    off)
        expect_line "x86_64 off: FS_IOC_GETFSLABEL (_IOR) ENOTTY" \
            'RESULT fslabel ret=-1 errno=25 written=0' "$work/label-$mode.out"
        expect_line "x86_64 off: NS_GET_NSTYPE (_IO) ENOTTY" \
            'RESULT nstype ret=0xffffffff errno=25 match=0' "$work/ns-$mode.out"
        expect_no_line "x86_64 off: no route taken" 'ioctl_passthrough_' \
            "$work/label-$mode.out"
        ;;
    *)
        expect_line "x86_64 $mode: FS_IOC_GETFSLABEL (_IOR) filled the buffer" \
            'RESULT fslabel ret=0 errno=0 written=1' "$work/label-$mode.out"
        expect_line "x86_64 $mode: FS_IOC_GETFSLABEL took the $mode route" \
            "ioctl_passthrough_call fd=3 cmd=0x81009431 route=$mode host=0x81009431\$" \
            "$work/label-$mode.out"
        ;;
    esac
done
# _IO: no size in the number.  The compat route contains any value the
# guest passes; the 64-bit native entry would read it with 64-bit widths.
expect_line "x86_64 compat: NS_GET_NSTYPE (_IO) returned CLONE_NEWUTS" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$work/ns-compat.out"
expect_line "x86_64 compat: NS_GET_NSTYPE took the compat route" \
    'ioctl_passthrough_call fd=3 cmd=0xb703 route=compat host=0xb703$' \
    "$work/ns-compat.out"
expect_line "x86_64 native: NS_GET_NSTYPE (_IO) refused with ENOTTY" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$work/ns-native.out"
expect_line "x86_64 native: the refusal names the reason" \
    'ioctl_passthrough_refuse fd=3 cmd=0xb703: no size in number, 64-bit entry$' \
    "$work/ns-native.out"

# --- hostile arguments ------------------------------------------------------------
# expect_refusals NAME FILE COUNT REASON: FILE (a run traced with
# $trace_routes) shows COUNT ioctls that QEMU refused for REASON, and
# none that reached the kernel.
expect_refusals() {
    skip_no_compat32 "$1" "$2" && return
    got=$(grep -Ec "ioctl_passthrough_refuse fd=[0-9]+ cmd=0x[0-9a-f]+: $4\$" "$2")
    if [ "$got" -eq "$3" ] && ! grep -q 'ioctl_passthrough_call' "$2"; then
        pass "$1"
    else
        fail "$1" "wanted $3 refusals ($4) and no call, got $got:
$(grep -E 'ioctl_passthrough_' "$2" | head -n 10)"
    fi
}

for mode in native compat auto; do
    run "$work/hostile-$mode.out" "$qemu_x86_64" $trace_routes \
        -ioctl-passthrough $mode "$work/hostile" "$label_file"
    for hostile_case in unmapped-read unmapped-write readonly straddle wrap null; do
        expect_line "x86_64 $mode: hostile $hostile_case -> EFAULT" \
            "RESULT hostile case=$hostile_case ret=-1 errno=14\$" "$work/hostile-$mode.out"
    done
    expect_refusals "x86_64 $mode: QEMU itself refused all 6 hostile buffers" \
        "$work/hostile-$mode.out" 6 'buffer not guest memory'
    expect_line "x86_64 $mode: hostile program kept running" \
        'RESULT hostile done' "$work/hostile-$mode.out"
    expect_line "x86_64 $mode: hostile QEMU exit status 0" '^EXIT 0$' \
        "$work/hostile-$mode.out"
done

# --- -strace and the trace events -------------------------------------------
# -strace decodes unknown _IOC() numbers; the route each call took is
# reported by the trace events ioctl_passthrough_call/_refuse.
run "$work/strace-compat.out" "$qemu_x86_64" -strace -ioctl-passthrough compat "$work/mdrv"
expect_line "strace: 0xc1144d01 decoded" \
    'ioctl\(3,_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\),0x[0-9a-f]+\) = -1 errno=25 ' \
    "$work/strace-compat.out"
run "$work/trace-compat.out" "$qemu_x86_64" $trace_routes -ioctl-passthrough compat \
    "$work/mdrv"
expect_line "trace: 0xc1144d01 took the compat route" \
    'ioctl_passthrough_call fd=3 cmd=0xc1144d01 route=compat host=0xc1144d01$' \
    "$work/trace-compat.out"

run "$work/strace-resv.out" "$qemu_x86_64" -strace -ioctl-passthrough auto "$work/resvsp" "$resv_file"
run "$work/trace-resv.out" "$qemu_x86_64" $trace_routes -ioctl-passthrough auto \
    "$work/resvsp" "$resv_file"
if [ $compat32 = yes ]; then
    expect_line "strace: FS_IOC_RESVSP decoded, = 0" \
        'ioctl\(3,_IOC\(_IOC_WRITE,0x58,0x28,0x2c\),0x[0-9a-f]+\) = 0$' \
        "$work/strace-resv.out"
    expect_line "trace: auto sends FS_IOC_RESVSP down the compat route" \
        'ioctl_passthrough_call fd=3 cmd=0x402c5828 route=compat host=0x402c5828$' \
        "$work/trace-resv.out"
else
    skip "strace: FS_IOC_RESVSP decoded, = 0" "auto needs the kernel's 32-bit entry"
    skip "trace: auto sends FS_IOC_RESVSP down the compat route" "auto needs the kernel's 32-bit entry"
fi

run "$work/strace-native.out" "$qemu_x86_64" -strace -ioctl-passthrough native,cmd=0xb703 \
    "$work/nstype"
expect_line "strace: _IO number named with cmd= decoded" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0\) = 67108864$' \
    "$work/strace-native.out"
run "$work/trace-native.out" "$qemu_x86_64" $trace_routes \
    -ioctl-passthrough native,cmd=0xb703 "$work/nstype"
expect_line "trace: _IO number named with cmd= took the native route" \
    'ioctl_passthrough_call fd=3 cmd=0xb703 route=native host=0xb703$' \
    "$work/trace-native.out"

# Arguments of numbers without a size show in hex, as strace(1) does.
run "$work/strace-hex.out" "$qemu_x86_64" -strace -ioctl-passthrough compat \
    "$work/contain" io-args /proc/self/ns/uts
expect_line "strace: _IO argument 0x1234 shown in hex" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0x1234\) = 67108864$' \
    "$work/strace-hex.out"
expect_line "strace: _IO argument -5 shown in hex" \
    'ioctl\(3,_IOC\(_IOC_NONE,0xb7,0x3,0\),0xfffffffb\) = 67108864$' \
    "$work/strace-hex.out"

run "$work/strace-filter.out" "$qemu_x86_64" -strace -ioctl-passthrough native,type=Z \
    "$work/mdrv"
expect_line "strace: filtered command decoded, ENOTTY" \
    'ioctl\(3,_IOC\(_IOC_READ\|_IOC_WRITE,0x4d,0x1,0x114\),0x[0-9a-f]+\) = -1 errno=25 ' \
    "$work/strace-filter.out"
run "$work/trace-filter.out" "$qemu_x86_64" $trace_routes -ioctl-passthrough native,type=Z \
    "$work/mdrv"
expect_line "trace: filtered command refused as filtered out" \
    'ioctl_passthrough_refuse fd=3 cmd=0xc1144d01: filtered out$' \
    "$work/trace-filter.out"
expect_no_line "trace: filtered command not called" 'ioctl_passthrough_call' \
    "$work/trace-filter.out"

run "$work/strace-off.out" "$qemu_x86_64" -strace $trace_routes "$work/mdrv"
expect_line "strace off: stock format" \
    'ioctl\(3,0xc1144d01,0x[0-9a-f]+\) = -1 errno=25 \(Inappropriate ioctl for device\)$' \
    "$work/strace-off.out"
expect_no_line "passthrough off: no trace event" 'ioctl_passthrough_' \
    "$work/strace-off.out"

run "$work/unimp-off.out" "$qemu_x86_64" -d unimp "$work/mdrv"
expect_line "-d unimp off: stock 'Unsupported ioctl' message" \
    'Unsupported ioctl: cmd=0xffffffffc1144d01' "$work/unimp-off.out"

# --- start-up checks ----------------------------------------------------------
# Every malformed option is an error that names the bad part, and the
# guest never runs (nstype would print a RESULT line).
check_bad_option() {
    run "$work/bad.out" "$qemu_x86_64" -ioctl-passthrough "$1" "$work/nstype"
    if grep -Eq "ioctl-passthrough '.*': .*$2" "$work/bad.out" &&
       grep -Eq '^EXIT [1-9]' "$work/bad.out" && ! grep -q RESULT "$work/bad.out"; then
        pass "bad option '$1' rejected: $2"
    else
        fail "bad option '$1'" "wanted /$2/, non-zero exit, guest not run; got:
$(head -n 5 "$work/bad.out")"
    fi
    run "$work/bad-env.out" env QEMU_IOCTL_PASSTHROUGH="$1" "$qemu_x86_64" "$work/nstype"
    if grep -Eq "$2" "$work/bad-env.out" && ! grep -q RESULT "$work/bad-env.out"; then
        pass "bad QEMU_IOCTL_PASSTHROUGH='$1' rejected"
    else
        fail "bad QEMU_IOCTL_PASSTHROUGH='$1'" "wanted /$2/, guest not run; got:
$(head -n 5 "$work/bad-env.out")"
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

run "$work/gb.out" "$qemu_x86_64" -B 0x10000000 -ioctl-passthrough compat "$work/nstype"
expect_line "compat with guest_base != 0 refuses to start" \
    'compat: guest_base is not 0' "$work/gb.out"
expect_line "compat with guest_base != 0 exits non-zero" '^EXIT [1-9]' "$work/gb.out"

run "$work/gb-force.out" "$qemu_x86_64" -B 0x10000000 $trace_routes \
    -ioctl-passthrough compat,force "$work/nstype"
expect_line "compat,force with guest_base != 0 runs (warning given)" \
    'warning: .*guest_base' "$work/gb-force.out"
expect_line "compat,force with guest_base != 0: _IO call refused (not contained)" \
    'RESULT nstype ret=0xffffffff errno=25 match=0' "$work/gb-force.out"
expect_line "compat,force with guest_base != 0: refusal names the reason" \
    'ioctl_passthrough_refuse fd=3 cmd=0xb703: no size in number, QEMU memory in reach$' \
    "$work/gb-force.out"
run "$work/gb-named.out" "$qemu_x86_64" -B 0x10000000 $trace_routes \
    -ioctl-passthrough compat,force,cmd=0xb703 "$work/nstype"
expect_line "compat,force,cmd=0xb703 with guest_base != 0: named _IO call works" \
    'RESULT nstype ret=0x4000000 errno=0 match=1' "$work/gb-named.out"
expect_line "compat,force,cmd=0xb703: took the compat route" \
    'ioctl_passthrough_call fd=3 cmd=0xb703 route=compat host=0xb703$' \
    "$work/gb-named.out"

run "$work/gb-auto.out" "$qemu_x86_64" -B 0x10000000 -ioctl-passthrough auto \
    "$work/resvsp" "$resv_file"
expect_line "auto with guest_base != 0 falls back to native" "$NOTTY_RESV" \
    "$work/gb-auto.out"

# --- signals racing with passed ioctls ----------------------------------------
run "$work/sig-native.out" "$qemu_x86_64" -ioctl-passthrough native,cmd=0xb703 \
    "$work/sigstress" 200000
expect_line "signals vs native route: all calls correct" \
    'RESULT sigstress calls=200000 bad=0 eintr=0 signals=yes' \
    "$work/sig-native.out"
run "$work/sig-compat.out" "$qemu_x86_64" -ioctl-passthrough compat "$work/sigstress" 20000
expect_line "signals vs compat route: all calls correct" \
    'RESULT sigstress calls=20000 bad=0 eintr=0 signals=yes' \
    "$work/sig-compat.out"
for route in native compat; do
    case $route in native) opt=native,cmd=0xb703 ;; *) opt=compat ;; esac
    # A timer every 2 ms: logging each call takes longer than 50 us.
    run "$work/sig-route.out" "$qemu_x86_64" $trace_routes -ioctl-passthrough $opt \
        "$work/sigstress" 200 2000
    traced=$(grep -Ec "ioctl_passthrough_call fd=[0-9]+ cmd=0xb703 route=$route host=0xb703\$" \
        "$work/sig-route.out")
    # A call that a signal interrupts is restarted, and traced again: at
    # least 200 events, every one on the route.
    others=$(grep -c 'ioctl_passthrough_refuse\|ioctl_passthrough_call' "$work/sig-route.out")
    if skip_no_compat32 "signals vs $route route" "$work/sig-route.out"; then
        :
    elif [ "$traced" -ge 200 ] && [ "$others" -eq "$traced" ]; then
        pass "signals vs $route route: all 200 calls took it"
    else
        fail "signals vs $route route" "$traced events on the $route route for 200 calls, $others passthrough events in all"
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

# run_contain TAG QEMU [OPTIONS]: run every case into TAG-CASE.out.
run_contain() {
    tag=$1
    shift
    for contain_case in $contain_cases; do
        name=${contain_case%%:*}
        arg=${contain_case#*:}
        [ "$arg" = "$contain_case" ] && arg=
        run "$work/$tag-$name.out" "$@" "$work/contain" $name $arg
    done
}

# result_line FILE: the RESULT line that sums the case up (the last one;
# it may follow a trace event on the same line).
result_line() { grep -o 'RESULT .*' "$1" | tail -n 1; }

# expect_native TAG CASE: TAG's run of CASE gave what the native run gave.
# For fraget-unmapped the number of unmapped addresses tried differs (the
# guest's address space is laid out by QEMU): every one must give EFAULT.
expect_native() {
    want=$(result_line "$work/native-$2.out")
    got=$(result_line "$work/$1-$2.out")
    if [ "$2" = fraget-unmapped ]; then
        want=$(echo "$want" | sed -n 's/^RESULT \([^ ]*\) tried=\([0-9]*\) efault=\2 ok=0 /\1 all EFAULT /p')
        got=$(echo "$got" | sed -n 's/^RESULT \([^ ]*\) tried=\([0-9]*\) efault=\2 ok=0 /\1 all EFAULT /p')
    fi
    if [ -n "$want" ] && [ "$want" = "$got" ]; then
        pass "$1 $2: same as native ($want)"
    else
        fail "$1 $2" "got '$got', native gave '$want'; last lines:
$(tail -n 5 "$work/$1-$2.out")"
    fi
}

# expect_refused TAG CASE REASON: every call of the case was refused by
# QEMU with ENOTTY for REASON, none reached the kernel, QEMU exited 0.
expect_refused() {
    out=$work/$1-$2.out
    if grep -q 'ioctl_passthrough_call' "$out" ||
       ! grep -Eq "ioctl_passthrough_refuse fd=[0-9]+ cmd=0x[0-9a-f]+: $3\$" "$out" ||
       ! grep -q '^EXIT 0$' "$out"; then
        fail "$1 $2" "wanted only refusals ($3) and exit 0; got:
$(grep -E 'ioctl_passthrough_|^RESULT|^EXIT' "$out" | tail -n 5)"
        return
    fi
    case $2 in
    fraget-unmapped)
        expect_line "$1 $2: ENOTTY for every address" \
            'RESULT fraget-unmapped tried=([0-9]+) efault=0 ok=0 enotty=[0-9]+ other=0' \
            "$out" ;;
    uffd)
        expect_line "$1 $2: ENOTTY" 'RESULT uffd ret=-1 errno=25 step=new' "$out" ;;
    *)
        expect_line "$1 $2: ENOTTY, memory untouched" \
            "RESULT $2 ret=-1 errno=25 .*(value=286331153|data=0xa5a5a5a5)" "$out" ;;
    esac
}

# expect_route TAG CASE ROUTE: every passed ioctl of the case took ROUTE.
expect_route() {
    out=$work/$1-$2.out
    if grep -q 'ioctl_passthrough_refuse' "$out" ||
       grep 'ioctl_passthrough_call' "$out" | grep -vq " route=$3 " ||
       ! grep -q "ioctl_passthrough_call .* route=$3 " "$out"; then
        fail "$1 $2: took the $3 route" "not every call did:
$(grep -E 'ioctl_passthrough_' "$out" | tail -n 5)"
    else
        pass "$1 $2: took the $3 route"
    fi
}

contain_ok=yes
[ -r "$BLKDEV" ] && [ -r /dev/userfaultfd ] && host_runs_i386 || contain_ok=no
if [ $contain_ok = yes ]; then
    run_contain native
    for contain_case in $contain_cases; do
        grep -q '^RESULT .* ret=0 errno=0\|efault=[1-9][0-9]* ok=0\|new=ok api=0/0 register=0/0' \
            "$work/native-${contain_case%%:*}.out" || contain_ok=no
    done
fi
if [ $contain_ok = yes ]; then
    # x86_64 build, compat and auto: values are contained, the 32-bit
    # entry has the guest's layouts: native results.
    for mode in compat auto; do
        run_contain "x86_64-$mode" "$qemu_x86_64" $trace_routes -ioctl-passthrough $mode
        for contain_case in $contain_cases; do
            expect_native "x86_64-$mode" "${contain_case%%:*}"
            expect_route "x86_64-$mode" "${contain_case%%:*}" compat
        done
    done
    # x86_64 build, native: the 64-bit entry would misread the 32-bit
    # argument (8 bytes written over a long, a 40-byte ifreq read out of
    # a 32-byte one): refused.
    run_contain x86_64-native "$qemu_x86_64" $trace_routes -ioctl-passthrough native
    for contain_case in $contain_cases; do
        expect_refused x86_64-native "${contain_case%%:*}" 'no size in number, 64-bit entry'
    done
    # ... unless named, which passes the argument as it is.
    run "$work/x86_64-named.out" "$qemu_x86_64" $trace_routes -ioctl-passthrough native,$NAMED \
        "$work/contain" fraget-global $BLKDEV
    expect_line "x86_64 native,cmd=0x1265: a named command passes" \
        'RESULT fraget-global ret=0 errno=0 value=256' "$work/x86_64-named.out"
    expect_route x86_64 named native
else
    skip "arguments QEMU cannot check" "needs root for $BLKDEV and /dev/userfaultfd, a kernel that runs i386 programs, and the native runs to work"
fi

# --- the i386 build of qemu-i386 -------------------------------------------------
if [ -n "$qemu_i386" ] && host_runs_i386; then
    run "$work/i386-native.out" "$qemu_i386" -ioctl-passthrough native "$work/resvsp" "$resv_file"
    expect_line "i386 build native: success, blocks allocated" "$OK_RESV" \
        "$work/i386-native.out"
    run "$work/i386-off.out" "$qemu_i386" "$work/resvsp" "$resv_file"
    expect_line "i386 build off: ENOTTY, blocks unchanged" "$NOTTY_RESV" \
        "$work/i386-off.out"
    run "$work/i386-auto.out" "$qemu_i386" -ioctl-passthrough auto "$work/resvsp" "$resv_file"
    expect_line "i386 build auto (= native): success" "$OK_RESV" \
        "$work/i386-auto.out"

    # Ordinary i386 programs run with guest_base 0, so that addresses
    # inside ioctl arguments are right (QEMU is linked above them).
    run "$work/i386-gb.out" "$qemu_i386" -d page "$work/nstype"
    expect_line "i386 build: a non-PIE i386 program gets guest_base 0" \
        'Locating guest address space @ 0x0+$' "$work/i386-gb.out"
    # A PIE, dynamically linked: its loader comes from the cross libc.
    ld_so=$("$CC_I386" -print-file-name=ld-linux.so.2)
    if [ -f "$ld_so" ] &&
       "$CC_I386" -O2 -Wall -fPIE -pie -o "$work/nstype-pie" "$here/nstype.c"; then
        run "$work/i386-gb-pie.out" "$qemu_i386" -d page \
            -L "$(dirname "$(dirname "$ld_so")")" "$work/nstype-pie"
        expect_line "i386 build: a PIE i386 program gets guest_base 0" \
            'Locating guest address space @ 0x0+$' "$work/i386-gb-pie.out"
    else
        skip "i386 build: a PIE i386 program gets guest_base 0" "no i386 ld.so"
    fi

    if [ $contain_ok = yes ]; then
        # QEMU shares the 32-bit address space with the guest: values it
        # cannot check are refused unless named ...
        for mode in native auto; do
            run_contain "i386-$mode" "$qemu_i386" $trace_routes -ioctl-passthrough $mode
            for contain_case in $contain_cases; do
                expect_refused "i386-$mode" "${contain_case%%:*}" \
                    'no size in number, QEMU memory in reach'
            done
        done
        # ... and, named, give the native results.
        run_contain i386-named "$qemu_i386" $trace_routes -ioctl-passthrough native,$NAMED
        for contain_case in $contain_cases; do
            case $contain_case in fraget-unmapped*) continue ;; esac
            expect_native i386-named "${contain_case%%:*}"
            expect_route i386-named "${contain_case%%:*}" native
        done
    fi
elif [ -n "$qemu_i386" ]; then
    skip "i386 build" "$host_i386_reason"
else
    skip "i386 build" "no i386 qemu-i386 given"
fi

finish
