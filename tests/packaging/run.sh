#!/bin/sh
# Packaging: the generated RPM spec parses with rpmspec -P and carries one
# Patch line (and one %patch) per file in patches/, in order; `make dist`'s
# tarballs (scripts/make-dist.sh) are the same bytes twice, hold what
# INSTALL says, their qemu-i386 runs and names the series, and their
# binfmt_misc line matches i386 programs and nothing else.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testlib.sh"

spec=$("$top/scripts/make-rpm-spec.sh" loongnix-n32) ||
    { fail "make-rpm-spec" "generator failed"; finish; exit; }
if parsed=$(rpmspec -P "$spec" 2>&1); then
    pass "rpmspec -P accepts $(basename "$spec")"
else
    fail "rpmspec -P accepts $(basename "$spec")" "$parsed"
fi
want=$(cd "$top/patches" && ls *.patch)
got=$(printf '%s\n' "$parsed" | sed -n 's/^Patch[0-9]*: *//p')
applied=$(printf '%s\n' "$parsed" | grep -c '^echo "Patch #')
if [ "$got" = "$want" ] && [ "$applied" = "$(echo "$want" | wc -l)" ]; then
    pass "one Patch line and one %patch per series file, in order"
else
    fail "Patch lines" "want:
$want
got:
$got
applied: $applied"
fi
expect "spec uses the profile's environment" 0 \
    "^PKG_CONFIG_LIBDIR=/usr/lib32/pkgconfig \.\./configure " printf '%s\n' "$parsed"
expect "spec uses the profile's configure arguments" 0 \
    "^ +--extra-cflags=-mabi=n32 --extra-ldflags=-mabi=n32 --target-list=i386-linux-user" \
    printf '%s\n' "$parsed"
expect "spec passes the i386 root as --interp-prefix" 0 \
    "^ +--interp-prefix=/usr/%M-linux-gnu " printf '%s\n' "$parsed"
expect "spec installs the binfmt.d file naming its qemu-i386" 0 \
    "sed 's\|@BINDIR@\|/usr/bin\|g' .*/qemu-ports-i386.conf.in" \
    printf '%s\n' "$parsed"

. "$top/tests/packaging/dist.sh"
finish
