#!/bin/sh
# Build unpatched upstream QEMU for the benchmarks: the base commit of the
# generated tree (the tarball of upstream/qemu.pin) with the linux-x86_64
# profile's configure arguments, into build/bench/upstream.
#
# Debian's repacked orig has no firmware blobs, and upstream's pc-bios/
# meson.build will not configure without them; only then is patch 0001
# (build system only, no code that runs) applied.  Only the binaries the
# benchmarks run are made.
set -eu
. "$(dirname "$0")/../scripts/lib.sh"

[ -d "$TREE/.git" ] || die "no QEMU tree in $TREE: run 'make tree' first"
base=$(git -C "$TREE" rev-list --max-parents=0 HEAD)
src=$TOP/build/bench/upstream-src
pc_bios_patch=$(series_files | grep '/0001-pc-bios-' || true)
stamp=$src/.qemu-ports-base

want="base $base"
if ! git -C "$TREE" cat-file -e "$base:pc-bios/edk2-aarch64-code.fd.bz2" 2>/dev/null; then
    [ -n "$pc_bios_patch" ] || die "base lacks firmware blobs and no 0001-pc-bios patch"
    want="$want + $(basename "$pc_bios_patch") $(sha256_of "$pc_bios_patch")"
fi

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "extracting upstream sources ($want)"
    rm -rf "$src" "$src.new"
    mkdir -p "$src.new"
    git -C "$TREE" archive "$base" | tar -x -C "$src.new"
    case $want in
    *+*) patch -s -d "$src.new" -p1 < "$pc_bios_patch" ||
            die "$(basename "$pc_bios_patch") does not apply to the base" ;;
    esac
    printf '%s\n' "$want" > "$src.new/.qemu-ports-base"
    mv "$src.new" "$src"
fi

TREE=$src BUILD_DIR=$TOP/build/bench/upstream PKGVERSION=upstream \
MAKE_TARGETS=${MAKE_TARGETS:-qemu-i386 qemu-system-aarch64} \
    exec "$TOP/scripts/build-profile.sh" linux-x86_64
