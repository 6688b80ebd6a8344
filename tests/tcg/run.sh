#!/bin/sh
# QEMU's own TCG test programs for i386 against every qemu-i386 given:
#
#   tests/tcg/run.sh [--no-expected] QEMU_I386...
#   tests/tcg/run.sh --record UPSTREAM_QEMU_I386
#
# The programs: tests/tcg/i386 and tests/tcg/multiarch of the QEMU tree in
# qemu/ (nothing is copied here), built by build.sh with
# i686-linux-gnu-gcc -static into build/tcg-tests/ as upstream's
# i386-linux-user makefiles build them; gdbstub, system-mode, plugin and
# x86_64-only programs are listed as SKIP with the reason.  Each program
# runs under each qemu-i386, with upstream's options (-cpu max where its
# makefile says so) and upstream's environment (QEMU= the emulator), in a
# directory of its own.  A qemu-i386 for a MIPS host is recognised with
# `file` and run under Debian's qemu-user (qemu-mipsn32el for an N32
# build, qemu-mips64el for N64).
#
# A row passes when the program exits with status 0 and, for the programs
# whose output is their result (the float conversions, the hashes,
# test-i386, test-i386-fprem, test-i386-adcox, hello-i386), its stdout is
# the stdout of the same program under unpatched upstream QEMU 10.0.13:
# tests/tcg/reference holds its sha256 with the sha256 of the program it
# was recorded with (build.sh makes the programs reproducible).  Upstream
# compares test-i386-fprem with the program run natively and test-i386
# with nothing; the reference here is upstream's emulation, which is what
# the series must not change, and it needs no i386-capable kernel.
#
# tests/tcg/upstream-failures lists the programs that fail under unpatched
# upstream 10.0.13 too, with the reason (none today): their rows are SKIP
# "fails under upstream too"; should one pass, the row is a PASS that says
# so.  --no-expected ignores that list (every failure is a FAIL).
# tests/tcg/wrapper-skips lists the programs not run under a MIPS wrapper
# (faults of Debian's qemu-user 7.2, and test-i386-fprem, too slow there):
# SKIP rows with the reason.  An i386 qemu-i386 (linux-i386) runs directly
# when this kernel runs i386 programs (probed with hello-i386); otherwise
# the build is one SKIP line (emulating it in turn hangs test-i386).
#
# --record runs every program under one qemu-i386 (unpatched upstream:
# bench/build-upstream.sh makes build/bench/upstream/qemu-i386) and
# rewrites tests/tcg/reference from its outputs; its FAIL rows are the
# candidates for upstream-failures.
#
# Output: PASS/FAIL/SKIP "program (build)" per row, where build is the
# name of the qemu-i386's directory; then one line per build,
# "CHECKTCG build passed=N failed=M", the time each build took, and
# testlib's closing "N passed, M failed[, K skipped]".
# Environment: TCG_JOBS (programs run at a time, default: the number of
# CPUs), TCG_TIMEOUT (seconds a program may take, default 300: a guard
# against hangs, not a speed check; upstream's 120 is too tight for the
# 32-bit linux-i386 build, whose test-i386-fprem takes 95 s alone here and
# timed out with the other CPU busy),
# TCG_MIPS_TIMEOUT (the same under a MIPS wrapper, default 120: the
# slowest program there takes ~25 s), TCG_WORK (default build/tcg-tests).
# Time here (2 CPUs): 3.5 minutes for linux-x86_64 and both MIPS builds,
# building the programs included (30 s; reused while unchanged).
# SPDX-License-Identifier: GPL-2.0-or-later
# Lists ($programs, $builds, options) are split on purpose:
# shellcheck disable=SC2086,SC2046,SC2116
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/testlib.sh
. "$top/tests/testlib.sh"

usage() {
    echo "usage: $0 [--no-expected] QEMU_I386...  |  $0 --record UPSTREAM_QEMU_I386" >&2
    exit 2
}
record=no
expected=$here/upstream-failures
reference=$here/reference
while [ $# -gt 0 ]; do
    case $1 in
    --record) record=yes ;;
    --no-expected) expected=/dev/null ;;
    -*) usage ;;
    *) break ;;
    esac
    shift
done
[ $# -gt 0 ] || usage
if [ $record = yes ]; then
    [ $# = 1 ] || usage
    expected=/dev/null
fi

# The emulators read QEMU_* variables (QEMU_CPU, QEMU_RTSIG_MAP, ...): a
# MIPS wrapper would pass them to both.  None comes from outside.
for v in $(env | sed -n 's/^\(QEMU_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"
done
unset QEMU

work=${TCG_WORK:-$top/build/tcg-tests}
jobs=${TCG_JOBS:-$(nproc 2>/dev/null || echo 2)}
t_start=$(date +%s)

# --- the programs ---------------------------------------------------------
mkdir -p "$work"
"$here/build.sh" "$top/qemu" "$work" >"$work/build.out" 2>&1
build_status=$?
while read -r kind rest; do
    case $kind in
    NOTBUILT) skip "${rest%%: *}" "${rest#*: }" ;;
    FAILED) fail "build ${rest%%: *}" "${rest#*: }" ;;
    '|'*) printf '    %s %s\n' "$kind" "$rest" ;;
    esac
done <"$work/build.out"
if [ $build_status != 0 ] || [ ! -s "$work/list" ]; then
    grep -q '^FAILED' "$work/build.out" ||
        fail "build" "build.sh failed: $(tail -n 5 "$work/build.out")"
    finish
    exit
fi
programs=$(cat "$work/list")
echo "built $(echo $programs | wc -w) programs into $work/bin"

# Options upstream's makefiles give (QEMU_OPTS).
options_of() {
    case $1 in
    test-i386-sse-exceptions|test-i386-pcmpistri|test-i386-bmi2|\
    test-i386-adcox|test-aes|sha512-sse) echo "-cpu max" ;;
    esac
}

# Programs whose stdout is compared with upstream's (tests/tcg/reference):
# deterministic output that is the result of the test.  Upstream itself
# compares float_convs (with i386/float_convs.ref) and test-i386-fprem.
compared="float_convd float_convs float_madds sha1 sha512 sha512-sse
    test-i386 test-i386-fprem test-i386-adcox hello-i386"

# wrapper_skip BUILD PROGRAM: the reason (tests/tcg/wrapper-skips) not to
# run PROGRAM under BUILD's MIPS wrapper; status 1 when it runs.
wrapper_skip() {
    [ -f "$run/$1.mips" ] || return 1
    awk -v p="$2" -v w="$(cat "$run/$1.mips")" '
        /^#/ || NF < 3 { next }
        $1 == p && ($2 == "all" || ("," $2 ",") ~ ("," w ",")) {
            $1 = ""; $2 = ""; sub(/^  */, ""); print; found = 1; exit
        }
        END { exit !found }' "$here/wrapper-skips"
}

# Longest first, so that the parallel jobs end together.
slow_first="test-i386-fprem testthread vma-pthread follow-fork-mode
    munmap-pthread linux-test sha1 test-i386 signals"

# --- the builds -----------------------------------------------------------
run=$work/run
rm -rf "$run"
mkdir -p "$run"
# Can this kernel run i386 programs (and so an i386 qemu-i386)?  Not in
# every VM: some run 64-bit tasks only.  Emulating the i386 qemu-i386 in
# turn was tried: test-i386 then hangs, so such a build is a SKIP here.
host_runs_i386 || echo "note: $host_i386_reason"
builds=
nbuild=0
for q in "$@"; do
    nbuild=$((nbuild + 1))
    name=$(basename "$(dirname "$q")")
    case $q in */bench/upstream/*) name=upstream ;; esac
    case " $builds " in *" $name "*) name=$name-$nbuild ;; esac
    builds="$builds $name"
    echo "$q" >"$run/$name.path"
    if [ ! -x "$q" ] || [ -d "$q" ]; then
        echo "not found or not executable: $q" >"$run/$name.broken"
        continue
    fi
    q=$(cd "$(dirname "$q")" && pwd)/$(basename "$q")
    kind=$(file -L "$q" 2>&1)
    wrapper=
    case $kind in
    *MIPS*N32*LSB*|*LSB*MIPS*N32*) wrapper=qemu-mipsn32el ;;
    *64-bit*LSB*MIPS*) wrapper=qemu-mips64el ;;
    *MIPS*) echo "a MIPS program this suite has no wrapper for: $kind" >"$run/$name.broken"
            continue ;;
    *ELF\ 32-bit*80386*)
        if ! host_runs_i386; then
            echo "an i386 program, and $host_i386_reason" >"$run/$name.skip"
            continue
        fi ;;
    esac
    if [ -n "$wrapper" ]; then
        w=$(command -v $wrapper) || {
            echo "$wrapper not found (Debian package qemu-user)" >"$run/$name.broken"
            continue
        }
        echo "$w $q" >"$run/$name.cmd"
        # for linux-sigrtminmax, which re-executes itself under $QEMU
        printf '#!/bin/sh\nexec %s %s "$@"\n' "$w" "$q" >"$run/$name.wrapper"
        chmod +x "$run/$name.wrapper"
        echo "$run/$name.wrapper" >"$run/$name.qemu"
        echo "${TCG_MIPS_TIMEOUT:-120}" >"$run/$name.timeout"
        echo "$wrapper" >"$run/$name.mips"
        echo "build $name: $q under $w"
    else
        echo "$q" >"$run/$name.cmd"
        echo "$q" >"$run/$name.qemu"
        echo "${TCG_TIMEOUT:-300}" >"$run/$name.timeout"
        echo "build $name: $q"
    fi
    mkdir -p "$run/$name"
done

# --- run them, $jobs at a time --------------------------------------------
: >"$run/jobs"
for p in $slow_first $programs; do
    case " $(echo $programs) " in *" $p "*) ;; *) continue ;; esac
    grep -qx "$p" "$run/queued" 2>/dev/null && continue
    echo "$p" >>"$run/queued"
    # MIPS builds first: theirs are the long jobs.  Unquoted echo: no
    # trailing blank, which would join lines for xargs -L.
    for b in $builds; do
        [ -f "$run/$b.mips" ] || continue
        wrapper_skip "$b" "$p" >/dev/null && continue
        echo $b $p $(options_of "$p") >>"$run/jobs"
    done
    for b in $builds; do
        [ -f "$run/$b.cmd" ] && [ ! -f "$run/$b.mips" ] &&
            echo $b $p $(options_of "$p") >>"$run/jobs"
    done
done
echo "running $(wc -l <"$run/jobs") program runs, $jobs at a time"
t_run=$(date +%s)
xargs -P "$jobs" -L 1 "$here/run-one.sh" "$run" <"$run/jobs"
t_ran=$(date +%s)

# --- the reference outputs ------------------------------------------------
sha() { sha256sum "$1" | cut -d' ' -f1; }
if [ $record = yes ]; then
    b=$(echo $builds)
    {
        echo "# stdout of the programs tests/tcg/run.sh compares, under unpatched"
        echo "# upstream QEMU 10.0.13 (written by run.sh --record $(sed "s|^$top/||" "$run/$b.path"))."
        echo "# program  sha256-of-the-program  sha256-of-its-stdout  lines"
        for p in $compared; do
            [ -f "$run/$b/$p.status" ] || continue
            if [ "$(cat "$run/$b/$p.status")" != 0 ]; then
                echo "not recorded: $p exited with status $(cat "$run/$b/$p.status")" >&2
                continue
            fi
            echo "$p $(sha "$work/bin/$p") $(sha "$run/$b/$p.out") $(wc -l <"$run/$b/$p.out")"
        done
    } >"$reference.new" && mv "$reference.new" "$reference"
    echo "wrote $reference"
    # upstream's own reference for float_convs (i386/float_convs.ref)
    if [ -f "$run/$b/float_convs.out" ]; then
        if cmp -s "$run/$b/float_convs.out" "$top/qemu/tests/tcg/i386/float_convs.ref"; then
            echo "float_convs: the same as qemu/tests/tcg/i386/float_convs.ref"
        else
            echo "float_convs: differs from qemu/tests/tcg/i386/float_convs.ref"
        fi
    fi
fi

# --- the rows -------------------------------------------------------------
# why_failed BUILD PROGRAM: empty when the row passes, else the reason
why_failed() {
    w_res=$run/$1/$2
    if [ ! -f "$w_res.status" ]; then
        echo "did not run"
        return
    fi
    w_status=$(cat "$w_res.status")
    if [ "$w_status" != 0 ]; then
        if [ "$w_status" = 137 ] &&
           awk -v s="$(cat "$w_res.seconds")" -v t="$(cat "$run/$1.timeout")" \
               'BEGIN { exit !(s >= t - 1) }'; then
            echo "timed out after $(cat "$run/$1.timeout") s"
        else
            echo "exit status $w_status"
        fi
        { tail -n 5 "$w_res.out"; tail -n 10 "$w_res.err"; } | sed 's/^/    | /'
        return
    fi
    case " $(echo $compared) " in *" $2 "*) ;; *) return ;; esac
    w_ref=$(awk -v p="$2" '$1 == p { print $2, $3, $4 }' "$reference" 2>/dev/null)
    if [ -z "$w_ref" ]; then
        echo "no reference output in tests/tcg/reference; record one: $0 --record UPSTREAM_QEMU_I386"
        return
    fi
    set -- "$1" "$2" $w_ref
    if [ "$(sha "$work/bin/$2")" != "$3" ]; then
        echo "the reference was recorded for another build of the program (compiler or sources changed?); record it anew: $0 --record UPSTREAM_QEMU_I386"
        return
    fi
    w_sha=$(sha "$w_res.out")
    [ "$w_sha" = "$4" ] && return
    echo "stdout ($(wc -l <"$w_res.out") lines) differs from unpatched upstream's ($5 lines)"
    # a diff with another build's output that is right, if there is one
    for w_b in $builds; do
        [ -f "$run/$w_b/$2.out" ] || continue
        [ "$(sha "$run/$w_b/$2.out")" = "$4" ] || continue
        echo "    diff against $w_b's output, which is upstream's:"
        diff "$run/$w_b/$2.out" "$w_res.out" | head -n 12 | sed 's/^/    | /'
        break
    done
}

checktcg=
for b in $builds; do
    # shellcheck disable=SC2154  # testlib's counters
    b_passed=$passed b_failed=$failed
    if [ -f "$run/$b.broken" ]; then
        fail "$b" "$(cat "$run/$b.broken")"
        checktcg="${checktcg}CHECKTCG $b passed=0 failed=1
"
        continue
    fi
    if [ -f "$run/$b.skip" ]; then
        skip "$b" "$(cat "$run/$b.skip")"
        checktcg="${checktcg}CHECKTCG $b passed=0 failed=0
"
        continue
    fi
    b_seconds=0
    for p in $programs; do
        row="$p ($b)"
        if r=$(wrapper_skip "$b" "$p"); then
            skip "$row" "not run under $(cat "$run/$b.mips"): $r"
            continue
        fi
        [ -f "$run/$b/$p.seconds" ] &&
            b_seconds=$(awk -v a="$b_seconds" -v b="$(cat "$run/$b/$p.seconds")" 'BEGIN { print a + b }')
        why=$(why_failed "$b" "$p")
        up=$(awk -v p="$p" '$1 == p { $1 = ""; sub(/^ /, ""); print }' "$expected" 2>/dev/null)
        if [ -n "$up" ]; then
            if [ -z "$why" ]; then
                pass "$row: fails under upstream 10.0.13 ($up), passes here"
            else
                skip "$row" "fails under upstream too: $up (here: $(echo "$why" | head -n 1))"
            fi
        elif [ -z "$why" ]; then
            pass "$row"
        else
            fail "$row" "$why"
        fi
    done
    checktcg="${checktcg}CHECKTCG $b passed=$((passed - b_passed)) failed=$((failed - b_failed))
"
    echo "time $b: ${b_seconds} s, the sum of its programs' run times"
done
printf '%s' "$checktcg"
echo "time: build $((t_run - t_start)) s, runs $((t_ran - t_run)) s ($jobs at a time), total $(($(date +%s) - t_start)) s"
finish
