#!/bin/sh
# Build unpatched upstream QEMU for the benchmarks, into build/bench/:
#   upstream                 qemu-i386 and qemu-system-aarch64 with the
#                            linux-x86_64 profile's configure arguments
#   upstream-mips64el-n32,   qemu-i386 cross-built with the profiles of
#   upstream-mips64el-n64    the same names, as the fork's are
#   mips-host                qemu-mipsn32el and qemu-mips64el with TCG
#                            plugins, and the plugins of tests/tcg/plugins
#                            (libinsn.so counts instructions): the MIPS
#                            host that the MIPS builds are measured on
# All from one source tree, build/bench/upstream-src: the base commit of
# the generated tree (the tarball of upstream/qemu.pin) plus two patches
# of the series that change no code the benchmarks measure:
#   0001-pc-bios-*  Debian's repacked orig has no firmware blobs, and
#                   upstream's pc-bios/meson.build will not configure
#                   without them (build system only; applied only then)
#   0002-tcg-mips-* without it 10.0 does not build for an N32 host with
#                   -Werror, and without -Werror it may emit a wrong
#                   64-bit constant there (compiled only for MIPS hosts)
# Only the binaries the benchmarks run are made.
set -eu
. "$(dirname "$0")/../scripts/lib.sh"

[ -d "$TREE/.git" ] || die "no QEMU tree in $TREE: run 'make tree' first"
base=$(git -C "$TREE" rev-list --max-parents=0 HEAD)
src=$TOP/build/bench/upstream-src
pc_bios_patch=$(series_files | grep '/0001-pc-bios-' || true)
n32_patch=$(series_files | grep '/0002-tcg-mips-' || true)
[ -n "$n32_patch" ] || die "no 0002-tcg-mips- patch in $PATCHES"
stamp=$src/.qemu-ports-base

patches=''
want="base $base"
if ! git -C "$TREE" cat-file -e "$base:pc-bios/edk2-aarch64-code.fd.bz2" 2>/dev/null; then
    [ -n "$pc_bios_patch" ] || die "base lacks firmware blobs and no 0001-pc-bios patch"
    patches=$pc_bios_patch
fi
patches="$patches $n32_patch"
for patch in $patches; do
    want="$want + $(basename "$patch") $(sha256_of "$patch")"
done

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "extracting upstream sources ($want)"
    rm -rf "$src" "$src.new"
    mkdir -p "$src.new"
    git -C "$TREE" archive "$base" | tar -x -C "$src.new"
    for patch in $patches; do
        patch -s -d "$src.new" -p1 < "$patch" ||
            die "$(basename "$patch") does not apply to the base"
    done
    printf '%s\n' "$want" > "$src.new/.qemu-ports-base"
    mv "$src.new" "$src"
fi

# build NAME PROFILE TARGETS [CONFIGURE_ARGS]: build/bench/NAME from $src
# with PROFILE's arguments (then CONFIGURE_ARGS, which win), making TARGETS.
build() {
    TREE=$src BUILD_DIR=$TOP/build/bench/$1 PKGVERSION=upstream \
    MAKE_TARGETS=$3 EXTRA_CONFIGURE_ARGS=${4:-} \
        "$TOP/scripts/build-profile.sh" "$2"
}
build upstream linux-x86_64 "${MAKE_TARGETS:-qemu-i386 qemu-system-aarch64}"
for profile in mips64el-n32 mips64el-n64; do
    build "upstream-$profile" "$profile" qemu-i386
done
# configure takes the last --target-list.
build mips-host linux-x86_64 "qemu-mipsn32el qemu-mips64el test-plugins" \
    "--target-list=mipsn32el-linux-user,mips64el-linux-user --enable-plugins"
