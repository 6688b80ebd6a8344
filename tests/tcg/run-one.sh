#!/bin/sh
# One job of tests/tcg/run.sh (run by xargs, several at a time):
#
#   run-one.sh RUN_DIR BUILD PROGRAM [QEMU_OPTION...]
#
# Runs RUN_DIR/../bin/PROGRAM under build BUILD (RUN_DIR/BUILD.cmd holds
# the command that starts that qemu-i386, RUN_DIR/BUILD.timeout the
# seconds it may take), in a directory of its own, with stdin from
# /dev/null.  Writes RUN_DIR/BUILD/PROGRAM.out (stdout), .err (stderr),
# .status (exit status; 137 after the timeout's KILL) and .seconds.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
dir=$1 build=$2 prog=$3
shift 3
bin=$(cd "$dir/../bin" && pwd)/$prog
res=$dir/$build/$prog
cmd=$(cat "$dir/$build.cmd")
limit=$(cat "$dir/$build.timeout")
cwd=$dir/$build/$prog.cwd
# this shell's own messages ("Aborted" when the program dies of SIGABRT)
exec 2>"$res.log"
rm -rf "$cwd"
mkdir -p "$cwd"
start=$(date +%s.%N)
# QEMU: linux-sigrtminmax re-executes itself under "$QEMU" (upstream's
# runner sets it the same way); for a MIPS build it is a wrapper script.
# shellcheck disable=SC2086
(cd "$cwd" && QEMU=$(cat "$dir/$build.qemu") && export QEMU &&
    exec timeout -s KILL "$limit" $cmd "$@" "$bin") \
    </dev/null >"$res.out" 2>"$res.err"
echo $? >"$res.status"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }' >"$res.seconds"
rm -rf "$cwd"
