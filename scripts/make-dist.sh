#!/bin/sh
# Release tarballs of the static qemu-i386 builds: one per profile that
# sets DIST_ARCH, from its build in build/PROFILE (run `make` first),
# only while $TREE (qemu/) is exactly patches/ applied: the tarballs
# ship patches/ as their source.
# Writes build/dist/qemu-ports-i386-QEMU_VERSION-SERIES_VERSION-ARCH.tar.xz
# and build/dist/SHA256SUMS, and prints the directory.
#
# Reproducible: the same binaries and checkout give the same bytes.  File
# times are the checkout's last commit time (SOURCE_DATE_EPOCH when set),
# owners and modes are fixed, members sorted, xz runs single-threaded.
#
# Usage: make-dist.sh [PROFILE...]   (default: every profile with DIST_ARCH)
#        make-dist.sh --list         print those profiles, one a line
# SHA256SUMS lists the tarballs written by this run.
set -eu
. "$(dirname "$0")/lib.sh"
. "$TOP/upstream/qemu.pin"

# dist_arch PROFILE_FILE: the DIST_ARCH the profile sets (empty: none).
dist_arch() {
    (DIST_ARCH='' && . "$1" && printf '%s\n' "$DIST_ARCH")
}

# The profiles that make tarballs (the Makefile's DIST_PROFILES too).
dist_profiles() {
    for profile in $(profile_names); do
        [ -z "$(dist_arch "$TOP/profiles/$profile")" ] || echo "$profile"
    done
}

case $#:${1:-} in
    1:--list) dist_profiles; exit 0 ;;
    *:-*) die "usage: $0 [PROFILE...] | --list (see --help)" ;;
esac

series_version=$(cat "$TOP/VERSION")
out=$TOP/build/dist
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$TOP" log -1 --format=%ct 2>/dev/null) ||
        die "not a git checkout: set SOURCE_DATE_EPOCH (seconds) instead"
fi
case $SOURCE_DATE_EPOCH in
    ''|*[!0-9]*) die "SOURCE_DATE_EPOCH must be seconds since 1970: '$SOURCE_DATE_EPOCH'" ;;
esac
interp_prefix=$(printf '%s\n' "$INTERP_PREFIX" | sed 's/%M/i386/')
# Where the tarball's INSTALL installs it; the binfmt file names the
# qemu-i386 there.
prefix=/usr/local

if [ $# = 0 ]; then
    # shellcheck disable=SC2046
    set -- $(dist_profiles)
fi

# The tarballs ship patches/ as the source of their binaries, so those
# must be built from exactly patches/: qemu/ with nothing more (commits
# not exported, uncommitted changes) and nothing less.
[ -d "$TREE/.git" ] || die "no QEMU tree in $TREE: run 'make tree' first"
state=$(tree_vs_series "$TREE") || exit 1
case $state in
    same) ;;
    ahead*)
        die "$TREE is ahead of patches/ ${state#ahead }: the tarballs ship patches/ as their source; commit, run 'make export', then 'make dist' again" ;;
    *)
        die "$TREE is not patches/ applied ${state#other }: run 'make tree' and 'make dist' again" ;;
esac

# Every profile is checked before anything is written.
for profile in "$@"; do
    file=$(profile_file "$profile")
    [ -n "$(dist_arch "$file")" ] || die "profile $profile has no DIST_ARCH"
    binary=$TOP/build/$profile/qemu-i386
    [ -x "$binary" ] || die "no $binary: run 'make build-$profile' first"
    file -b "$binary" | grep -Eq 'statically linked|static-pie linked' ||
        die "$binary is not statically linked"
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/out"

# dist_one PROFILE: write the tarball of PROFILE into $stage/out.
dist_one() {
    profile=$1
    CC=cc DIST_ARCH='' DIST_BINFMT=yes DESCRIPTION=''
    . "$(profile_file "$profile")"
    binary=$TOP/build/$profile/qemu-i386

    name=qemu-ports-i386-$QEMU_VERSION-$series_version-$DIST_ARCH
    root=$stage/$name
    doc=$root/share/doc/qemu-ports-i386
    mkdir -p "$root/bin" "$doc/patches"
    # The cross compiler's strip: CC minus its trailing "gcc[-N]", plus
    # "strip"; the host's for a native CC.
    case $CC in
        *-gcc|*-gcc-[0-9]*) strip=${CC%gcc*}strip ;;
        *) strip=strip ;;
    esac
    "$strip" -o "$root/bin/qemu-i386" "$binary" ||
        die "$strip failed on $binary"
    # INSTALL's lines marked @B@ are for tarballs with the binfmt_misc
    # registration, @X@ for those without (x86 hosts run i386 programs
    # themselves: registering there would emulate every i386 program).
    if [ "$DIST_BINFMT" = yes ]; then
        mkdir -p "$root/lib/binfmt.d"
        sed "s|@BINDIR@|$prefix/bin|g" \
            "$TOP/packaging/binfmt/qemu-ports-i386.conf.in" \
            > "$root/lib/binfmt.d/qemu-ports-i386.conf"
        sections='-e /^@X@/d -e s/^@B@//'
    else
        sections='-e /^@B@/d -e s/^@X@//'
    fi
    underline=$(printf '%s\n' "$name" | sed 's/./=/g')
    # $sections splits into sed arguments on purpose.
    # shellcheck disable=SC2086
    sed $sections -e "s|@NAME@|$name|g" -e "s|@UNDERLINE@|$underline|" \
        -e "s|@QEMU_VERSION@|$QEMU_VERSION|g" \
        -e "s|@SERIES_VERSION@|$series_version|g" \
        -e "s|@DESCRIPTION@|$DESCRIPTION|" \
        -e "s|@INTERP_PREFIX@|$interp_prefix|g" -e "s|@PREFIX@|$prefix|g" \
        "$TOP/packaging/dist/INSTALL.in" > "$root/INSTALL"
    cp "$root/INSTALL" "$doc/INSTALL"
    for licence in COPYING COPYING.LIB LICENSE; do
        cp "$TREE/$licence" "$doc/$licence"
    done
    cp "$PATCHES"/*.patch "$doc/patches/"
    chmod -R u=rwX,go=rX "$root"
    chmod 0755 "$root/bin/qemu-i386"
    # The tarball's contents, then the tarball itself, deterministic.
    (cd "$stage" && tar --sort=name --format=gnu \
        --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        -cf - "$name") | xz -6 -T1 -c > "$stage/out/$name.tar.xz" ||
        die "could not write $name.tar.xz"
    rm -rf "$root"
}

for profile in "$@"; do
    dist_one "$profile"
done
# All made: SHA256SUMS of this run's tarballs, then everything into $out.
(cd "$stage/out" && LC_ALL=C sha256sum -- *.tar.xz > SHA256SUMS) ||
    die "could not write SHA256SUMS"
mkdir -p "$out"
for made in "$stage"/out/*.tar.xz "$stage/out/SHA256SUMS"; do
    mv "$made" "$out/" || die "could not move $(basename "$made") into $out"
    say "wrote $out/$(basename "$made")"
done
echo "$out"
