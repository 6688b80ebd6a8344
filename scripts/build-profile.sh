#!/bin/sh
# Build profile $1 (default linux-x86_64) out of tree in build/PROFILE with
# QEMU's own configure and make.  configure runs again only when the
# profile's command line changed; ccache is used when installed.
set -eu
. "$(dirname "$0")/lib.sh"

profile=${1:-linux-x86_64}
[ -f "$TOP/profiles/$profile" ] ||
    die "no profile '$profile' (have: $(ls "$TOP/profiles" | tr '\n' ' '))"
CC=cc SYSROOT_ABI='' CONFIGURE_ARGS='' CONFIGURE_ENV=''
. "$TOP/profiles/$profile"
[ -x "$TREE/configure" ] || die "no QEMU tree in $TREE: run 'make tree' first"

builddir=$TOP/build/$profile
if [ -n "$SYSROOT_ABI" ]; then
    "$TOP/scripts/sysroot.sh" "$SYSROOT_ABI"
    CONFIGURE_ENV="PKG_CONFIG_LIBDIR=$TOP/build/sysroot-$SYSROOT_ABI/lib/pkgconfig $CONFIGURE_ENV"
fi
if command -v ccache >/dev/null; then
    CC="ccache $CC"
    # Hits across checkouts in different directories (CI clones anew).
    export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$TOP}"
    export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
# QEMU's configure looks for meson in the interpreter it runs; the
# distribution's python3 is the one that has it.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

# One argument per line, so that the stamp compares them exactly.
configure_line=$(printf '%s\n' "--python=$python" "--cc=$CC" \
    "--with-pkgversion=qemu-ports-$(cat "$TOP/VERSION")" \
    --disable-download --disable-docs $CONFIGURE_ARGS "env: $CONFIGURE_ENV")
stamp=$builddir/qemu-ports-configure.txt

if [ ! -f "$builddir/build.ninja" ] || [ ! -f "$stamp" ] ||
   [ "$(cat "$stamp")" != "$configure_line" ]; then
    say "configuring $profile in $builddir"
    rm -rf "$builddir"
    mkdir -p "$builddir"
    (
        cd "$builddir"
        # $CONFIGURE_ENV and $CONFIGURE_ARGS split into words on purpose.
        # shellcheck disable=SC2086
        env $CONFIGURE_ENV "$TREE/configure" "--python=$python" "--cc=$CC" \
            "--with-pkgversion=qemu-ports-$(cat "$TOP/VERSION")" \
            --disable-download --disable-docs $CONFIGURE_ARGS \
            > configure.log 2>&1
    ) || {
        tail -n 30 "$builddir/configure.log" >&2
        die "configure failed for profile $profile; see $builddir/configure.log"
    }
    printf '%s\n' "$configure_line" > "$stamp"
fi

say "building $profile"
make -C "$builddir" -j"$(nproc)"
