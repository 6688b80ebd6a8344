#!/bin/sh
# Packaging: the generated RPM spec parses with rpmspec -P and carries one
# Patch line (and one %patch) per file in patches/, in order; the generated
# cygport configures with exactly the cygwin profile's arguments; `make dist`'s
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

# The cygport, generated from profiles/cygwin as the spec is from its
# profile, run by bash with stand-ins for cygport's functions and a
# configure that prints its arguments: configure gets the profile's
# CYGWIN_CONFIGURE_ARGS exactly, last and in order, none of their options
# also set by the cygport; PATCH_URI is the series, in order, each file
# beside the cygport; BUILD_REQUIRES is the profile's CYGWIN_PACKAGES.
cyg_work=$(mktemp -d)
if cygport=$("$top/scripts/make-cygport.sh" 2>"$cyg_work/err"); then
    pass "make-cygport writes $(basename "$cygport")"
    mkdir "$cyg_work/S" "$cyg_work/B"
    printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' > "$cyg_work/S/configure"
    chmod +x "$cyg_work/S/configure"
    # cygport_run SHELL_CODE: run it in bash after sourcing the cygport
    cygport_run() {
        (cd "$(dirname "$cygport")" && S=$cyg_work/S B=$cyg_work/B bash -c '
            set -e
            error() { echo "error: $*" >&2; exit 1; }
            cygmake() { :; }
            . ./qemu-ports.cygport
            '"$1")
    }
    # shellcheck disable=SC2086
    want_args=$(. "$top/profiles/cygwin" && printf '%s\n' $CYGWIN_CONFIGURE_ARGS)
    # shellcheck disable=SC2086
    want_requires=$(. "$top/profiles/cygwin" && printf '%s\n' $CYGWIN_PACKAGES)
    got_args=$(cygport_run src_compile 2>&1)
    n=$(printf '%s\n' "$want_args" | wc -l)
    printf '%s\n' "$got_args" | tail -n "$n" > "$cyg_work/profile-part"
    printf '%s\n' "$got_args" | head -n "-$n" | sed 's/=.*//' > "$cyg_work/own-options"
    overlap=$(printf '%s\n' "$want_args" | sed 's/=.*//' |
        grep -Fx -f "$cyg_work/own-options" || true)
    if [ "$(cat "$cyg_work/profile-part")" = "$want_args" ] && [ -z "$overlap" ]; then
        pass "cygport configures with exactly profiles/cygwin's CYGWIN_CONFIGURE_ARGS"
    else
        fail "cygport configures with exactly profiles/cygwin's CYGWIN_CONFIGURE_ARGS" \
            "profile: $(echo $want_args); configure got: $(echo $got_args); also set by the cygport: $(echo $overlap)"
    fi
    expect "cygport's --with-pkgversion names the series" 0 \
        "^--with-pkgversion=qemu-ports-$(cat "$top/VERSION")\$" printf '%s\n' "$got_args"
    got_patches=$(cygport_run 'printf "%s\n" $PATCH_URI' 2>&1)
    missing_patches=$(cd "$(dirname "$cygport")" &&
        for f in $got_patches; do [ -f "$f" ] || echo "$f"; done)
    if [ "$got_patches" = "$want" ] && [ -z "$missing_patches" ]; then
        pass "cygport's PATCH_URI is the series, in order, beside it"
    else
        fail "cygport's PATCH_URI is the series, in order, beside it" \
            "got: $(echo $got_patches); not beside it: $(echo $missing_patches)"
    fi
    got_requires=$(cygport_run 'printf "%s\n" $BUILD_REQUIRES' 2>&1)
    if [ "$got_requires" = "$want_requires" ]; then
        pass "cygport's BUILD_REQUIRES is the profile's CYGWIN_PACKAGES"
    else
        fail "cygport's BUILD_REQUIRES is the profile's CYGWIN_PACKAGES" \
            "got: $(echo $got_requires); profile: $(echo $want_requires)"
    fi
else
    fail "make-cygport" "$(cat "$cyg_work/err")"
fi
rm -rf "$cyg_work"

# binfmt-match.py, which checks the release tarballs' binfmt.d file below,
# refuses what systemd-binfmt or the kernel would not register, with one
# line naming the fault.  Variants of the shipped file:
binfmt_work=$(mktemp -d)
sed 's|@BINDIR@|/usr/local/bin|g' "$top/packaging/binfmt/qemu-ports-i386.conf.in" \
    > "$binfmt_work/shipped.conf"
expect "binfmt-match.py accepts the shipped registration" 0 \
    "^interpreter /usr/local/bin/qemu-i386 flags F\$" \
    python3 "$top/tests/packaging/binfmt-match.py" "$binfmt_work/shipped.conf"
# binfmt_refused NAME PATTERN: binfmt-match.py refuses $binfmt_work/NAME.conf
# with exactly one line, matching PATTERN.
binfmt_refused() {
    b_out=$(python3 "$top/tests/packaging/binfmt-match.py" \
        "$binfmt_work/$1.conf" 2>&1) && b_status=0 || b_status=$?
    if [ "$b_status" = 1 ] && [ "$(printf '%s\n' "$b_out" | wc -l)" = 1 ] &&
       printf '%s\n' "$b_out" | grep -Eq -- "^binfmt-match\.py: error: $2"; then
        pass "binfmt-match.py refuses $1"
    else
        fail "binfmt-match.py refuses $1" "exit $b_status, output:
$b_out"
    fi
}
sed 's/:F$/:FX/' "$binfmt_work/shipped.conf" > "$binfmt_work/unknown-flag.conf"
binfmt_refused unknown-flag ".*flags 'FX[\]n': only P, O, C and F"
sed 's/:F$/:F\r/' "$binfmt_work/shipped.conf" > "$binfmt_work/crlf-line.conf"
binfmt_refused crlf-line ".*the line ends in CRLF"
sed 's/:F$/:F:extra/' "$binfmt_work/shipped.conf" > "$binfmt_work/field-after-flags.conf"
binfmt_refused field-after-flags ".*a field after the flags 'F': the line has one ':' too many"
sed 's/:F$//' "$binfmt_work/shipped.conf" > "$binfmt_work/no-flags-field.conf"
binfmt_refused no-flags-field ".*no flags field"
sed 's/^:/  :/' "$binfmt_work/shipped.conf" > "$binfmt_work/leading-space.conf"
binfmt_refused leading-space ".*line [0-9]+ starts with white space"
head -c 70000 /dev/zero > "$binfmt_work/too-big.conf"
binfmt_refused too-big ".*larger than 64 KiB: not a binfmt.d file"
mkfifo "$binfmt_work/fifo.conf"
binfmt_refused fifo ".*fifo.conf: not a regular file"
expect "binfmt-match.py --help" 0 "^Usage: binfmt-match.py BINFMT_FILE" \
    python3 "$top/tests/packaging/binfmt-match.py" --help
expect "binfmt-match.py refuses an option" 1 "error: usage: binfmt-match.py" \
    python3 "$top/tests/packaging/binfmt-match.py" --bogus
# The kernel takes ';' as the delimiter, systemd-binfmt the line as a comment.
sed '/^:/s/:/;/g' "$binfmt_work/shipped.conf" > "$binfmt_work/semicolon-rule.conf"
binfmt_refused semicolon-rule ".*want one registration line .*got 0"
{ cat "$binfmt_work/shipped.conf"; echo '; a systemd comment'; } \
    > "$binfmt_work/semicolon-comment.conf"
binfmt_refused semicolon-comment ".*line [0-9]+ '; a systemd comment': INSTALL's grep -v"
sed 's/\\xfe\\xff\\xff\\xff:/\\xfe\\xff\\xff:/' "$binfmt_work/shipped.conf" \
    > "$binfmt_work/short-mask.conf"
binfmt_refused short-mask ".*mask of 19 bytes for a magic of 20"
sed 's/\\x7fELF/\\x7gELF/' "$binfmt_work/shipped.conf" > "$binfmt_work/bad-escape.conf"
binfmt_refused bad-escape ".*[\]x without two hex digits"
sed 's/:M::/:M:120:/' "$binfmt_work/shipped.conf" > "$binfmt_work/magic-beyond-128.conf"
binfmt_refused magic-beyond-128 ".*beyond the 128 bytes"
binfmt_refused no-such-file "cannot read .*no-such-file\.conf"
rm -rf "$binfmt_work"

. "$top/tests/packaging/dist.sh"
finish
