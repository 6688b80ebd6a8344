#!/bin/sh
# Guest memory-map tests: run.sh QEMU_I386...
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the static i386 programs in this directory, runs each natively
# (this machine runs i386 programs itself) and under every qemu-i386
# given, and checks that
# - each passes its own checks (exit status 0, closing RESULT ... PASS);
# - under QEMU, mmap ends with the same errno as natively (mmap-exhaust);
# - mmap-exhaust also passes for a guest linked at 0x60000000, where a
#   qemu-i386 built for i386 by this project is loaded itself, so that
#   the guest gets a guest_base other than 0, and with -B 0x30000000;
#   the same with mremap(MREMAP_MAYMOVE) making the chunks (--mremap);
# - mmap-exhaust --4k (ordinary read-write chunks down to 4 KiB, then
#   mprotect of 8192 single pages) passes five runs in a row, so that
#   QEMU still finds memory for itself after the guest took all it could;
# - qemu-pages: munmap, mprotect, MAP_FIXED and mremap on QEMU's own
#   memory (the anonymous "---p" ranges that are not the guest's) neither
#   crash QEMU nor touch that memory and give munmap 0, mprotect ENOMEM,
#   MAP_FIXED ENOMEM, and on a free page give the errnos of Linux.  A
#   qemu-i386 that is a 32-bit program has no reserved_va and must show
#   such ranges (--expect-foreign); a 64-bit one reserves the guest space,
#   where mprotect and mremap of free guest pages succeed (--reserved-va,
#   printed as SKIP).
# - page-granular: mprotect, munmap, file mappings, MAP_FIXED_NOREPLACE,
#   madvise and brk one 4 KiB page at a time print one "PAGE case
#   outcome" line each; under every qemu-i386 these lines must be the
#   same as natively (the FAIL names each case that differs).  Here the
#   host has 4 KiB pages too; on a 16 KiB page host the differences are
#   what qemu-i386 cannot emulate.
# Where the kernel runs no i386 programs (no ia32 emulation), the native
# results recorded in native-ia32.txt stand in for the native runs, and a
# qemu-i386 that is an i386 program is skipped.
# The totals of mmap-exhaust are printed; under QEMU on a 32-bit host they
# are smaller than natively, since QEMU occupies part of the 4 GiB.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testlib.sh"
[ $# -gt 0 ] || { echo "usage: run.sh QEMU_I386..." >&2; exit 2; }
here=$top/tests/mm

work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-ports-mm.XXXXXX")
trap 'rm -rf "$work"' EXIT

cc='i686-linux-gnu-gcc -static -O2 -Wall'
built=true
for t in mmap-exhaust fixed-noreplace mremap-fail qemu-pages; do
    $cc -o "$work/$t" "$here/$t.c" || built=false
done
$cc -Wextra -Werror -o "$work/page-granular" "$here/page-granular.c" ||
    built=false
$cc -Wl,-Ttext-segment=0x60000000 -o "$work/mmap-exhaust-at-60000000" \
    "$here/mmap-exhaust.c" || built=false
if ! $built; then
    fail "build tests/mm" "i686-linux-gnu-gcc failed"
    finish
    exit
fi

# errno_of OUTPUT: the errno of the closing "RESULT mmap-exhaust mib=" line.
errno_of() {
    printf '%s\n' "$1" |
        sed -n 's/^RESULT mmap-exhaust mib=.* errno=\([0-9]*\) .*/\1/p'
}

# run_case NAME RUNNER... : run, check PASS; for mmap-exhaust compare errno.
run_case() {
    r_name=$1 r_prog=$2
    shift 2
    r_out=$("$@" 2>&1 </dev/null) && r_status=0 || r_status=$?
    printf '%s\n' "$r_out" | grep -E '^RESULT (.*mib=|qemu-pages)' | sed "s|^|    $r_name: |"
    if [ "$r_status" != 0 ]; then
        fail "$r_name" "exit status $r_status; output:
$r_out"
        return
    fi
    case $r_prog in
    mmap-exhaust*)
        r_errno=$(errno_of "$r_out")
        if [ "$r_errno" != "$native_errno" ]; then
            fail "$r_name" "errno $r_errno, natively $native_errno"
            return
        fi
        ;;
    esac
    pass "$r_name"
}

# The native results: from native runs where this kernel runs i386
# programs, else those recorded in native-ia32.txt.
recorded=$here/native-ia32.txt
recorded_errno=$(sed -n 's/^ERRNO mmap-exhaust //p' "$recorded")
recorded_pages=$(grep '^PAGE ' "$recorded")
native=false
if host_runs_i386; then
    native=true
else
    skip "native runs" "$host_i386_reason; comparing with $recorded"
fi

if $native; then
    native_out=$("$work/mmap-exhaust" 2>&1) || true
    native_errno=$(errno_of "$native_out")
    [ -n "$native_errno" ] || native_errno=native-failed
    if [ "$native_errno" = "$recorded_errno" ]; then
        pass "native mmap-exhaust errno is the recorded $recorded_errno"
    else
        fail "native mmap-exhaust errno" "$native_errno, recorded $recorded_errno in $recorded"
    fi

    for prog in mmap-exhaust mmap-exhaust-at-60000000 fixed-noreplace \
                mremap-fail; do
        run_case "native $prog" "$prog" "$work/$prog"
    done
    run_case "native mmap-exhaust --mremap" mmap-exhaust \
        "$work/mmap-exhaust" --mremap
    run_case "native mmap-exhaust --4k" mmap-exhaust "$work/mmap-exhaust" --4k
    run_case "native qemu-pages" qemu-pages "$work/qemu-pages"
else
    native_errno=$recorded_errno
fi

# page_run NAME RUNNER...: run page-granular; set pg_out to its output,
# or fail NAME and return 1 when it did not run every case.
page_run() {
    p_name=$1
    shift
    pg_out=$("$@" 2>&1 </dev/null) && p_status=0 || p_status=$?
    p_result=$(printf '%s\n' "$pg_out" | grep '^RESULT page-granular')
    if [ "$p_status" != 0 ] || [ -z "$p_result" ]; then
        fail "$p_name" "exit status $p_status; output:
$pg_out"
        return 1
    fi
    printf '    %s: %s\n' "$p_name" "$p_result"
}

# page_diff NATIVE OTHER: "case: natively X, here Y" for each case whose
# PAGE line differs (or is missing on one side), in the native order.
page_diff() {
    printf '%s\n' "$1" | grep '^PAGE ' >"$work/page.native"
    printf '%s\n' "$2" | grep '^PAGE ' >"$work/page.other"
    awk 'NR == FNR { n++; name[n] = $2; want[$2] = $3; next }
         { got[$2] = $3; if (!($2 in want)) { n++; name[n] = $2 } }
         END {
             for (i = 1; i <= n; i++) {
                 c = name[i]
                 w = (c in want) ? want[c] : "(missing)"
                 g = (c in got) ? got[c] : "(missing)"
                 if (w != g) printf "%s: natively %s, here %s\n", c, w, g
             }
         }' "$work/page.native" "$work/page.other"
}

page_native=
if ! $native; then
    page_native=$recorded_pages
elif page_run "native page-granular" "$work/page-granular"; then
    page_native=$pg_out
    p_diff=$(page_diff "$recorded_pages" "$page_native")
    if ! printf '%s\n' "$page_native" | grep -q '^PAGE '; then
        fail "native page-granular" "no PAGE lines"
        page_native=
    elif [ -n "$p_diff" ]; then
        fail "native page-granular gives the PAGE lines of $recorded" \
            "(natively = recorded, here = this run)
$p_diff"
    else
        pass "native page-granular gives the PAGE lines of $recorded"
    fi
fi

# page_compare QEMU: page-granular under QEMU gives the native PAGE lines.
page_compare() {
    if ! page_run "$1 page-granular" "$1" "$work/page-granular"; then
        return
    fi
    if [ -z "$page_native" ]; then
        fail "$1 page-granular" "no native output to compare with"
        return
    fi
    p_diff=$(page_diff "$page_native" "$pg_out")
    if [ -n "$p_diff" ]; then
        fail "$1 page-granular" "cases that differ from native:
$p_diff"
        return
    fi
    pass "$1 page-granular"
}

# elf_class FILE: 1 for a 32-bit ELF program, 2 for a 64-bit one.
elf_class() {
    od -An -tu1 -j4 -N1 "$1" | tr -d ' '
}
for qemu in "$@"; do
    if [ ! -x "$qemu" ]; then
        fail "$qemu" "not built"
        continue
    fi
    # A qemu-i386 that is itself an i386 program needs the kernel's ia32
    # support; under another emulator its memory would be that one's.
    if [ "$(elf_class "$qemu")" = 1 ] && ! host_runs_i386; then
        skip "$qemu" "$host_i386_reason"
        continue
    fi
    for prog in mmap-exhaust mmap-exhaust-at-60000000 fixed-noreplace \
                mremap-fail; do
        run_case "$qemu $prog" "$prog" "$qemu" "$work/$prog"
    done
    run_case "$qemu -B 0x30000000 mmap-exhaust" mmap-exhaust \
        "$qemu" -B 0x30000000 "$work/mmap-exhaust"
    run_case "$qemu mmap-exhaust --mremap" mmap-exhaust \
        "$qemu" "$work/mmap-exhaust" --mremap
    run_case "$qemu -B 0x30000000 mmap-exhaust --mremap" mmap-exhaust \
        "$qemu" -B 0x30000000 "$work/mmap-exhaust" --mremap
    for run in 1 2 3 4 5; do
        run_case "$qemu mmap-exhaust --4k (run $run of 5)" mmap-exhaust \
            "$qemu" "$work/mmap-exhaust" --4k
    done
    if [ "$(elf_class "$qemu")" = 1 ]; then
        run_case "$qemu qemu-pages" qemu-pages \
            "$qemu" "$work/qemu-pages" --expect-foreign
    else
        run_case "$qemu qemu-pages" qemu-pages \
            "$qemu" "$work/qemu-pages" --reserved-va
        q_known=$(printf '%s\n' "$r_out" |
                  sed -n 's/^RESULT qemu-pages .* known=\([0-9]*\) .*/\1/p')
        if [ "${q_known:-0}" != 0 ]; then
            skip "$qemu qemu-pages free page" \
                "$q_known checks differ from Linux with reserved_va"
        fi
    fi
    page_compare "$qemu"
done
finish
