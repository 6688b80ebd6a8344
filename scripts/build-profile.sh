#!/bin/sh
# Build profile $1 (default linux-x86_64) out of tree in build/PROFILE with
# QEMU's own configure and make.  configure runs again only when the
# profile's command line changed; ccache is used when installed.
#
# The benchmarks reuse this script for other trees through the environment:
#   TREE          QEMU source tree               (default: $TOP/qemu)
#   BUILD_DIR     build directory                (default: $TOP/build/PROFILE)
#   PKGVERSION    --with-pkgversion              (default: qemu-ports-VERSION)
#   MAKE_TARGETS  what to make             (default: the profile's, or all)
#   EXTRA_CONFIGURE_ARGS  appended to the profile's CONFIGURE_ARGS
set -eu
. "$(dirname "$0")/lib.sh"

profile=${1:-linux-x86_64}
profile_file=$(profile_file "$profile")
make_targets=${MAKE_TARGETS:-}
CC=cc SYSROOT_ABI='' CROSS_TOOLCHAIN='' CONFIGURE_ARGS='' CONFIGURE_ENV=''
MAKE_TARGETS=''
. "$profile_file"
MAKE_TARGETS=${make_targets:-$MAKE_TARGETS}
CONFIGURE_ARGS="$CONFIGURE_ARGS ${EXTRA_CONFIGURE_ARGS:-}"
[ -x "$TREE/configure" ] || die "no QEMU tree in $TREE: run 'make tree' first"

pkgversion=${PKGVERSION:-qemu-ports-$(cat "$TOP/VERSION")}
# What else the configured directory depends on, for the stamp below.
depends=''
[ "$TREE" = "$TOP/qemu" ] || depends="tree: $TREE"
if [ -n "$CROSS_TOOLCHAIN" ]; then
    # Built once into the cache; the last stdout line is its bin directory.
    toolchain_bin=$("$TOP/scripts/$CROSS_TOOLCHAIN-toolchain.sh" | tail -n 1)
    [ -d "$toolchain_bin" ] ||
        die "scripts/$CROSS_TOOLCHAIN-toolchain.sh gave no bin directory"
    PATH=$toolchain_bin:$PATH
    export PATH
fi
builddir=${BUILD_DIR:-$TOP/build/$profile}
# A profile with a sysroot gets a pkg-config of its own in the build
# directory, $pkg_config: the host's pkg-config with the sysroot's
# PKG_CONFIG_* settings written in.  configure records its path, so meson
# finds the sysroot's .pc files whenever ninja runs it again, from any
# shell; with the settings only in configure's environment, a plain
# `ninja` or `make` in the build directory after a change to a meson.build
# would reconfigure against the host's libraries.
pkg_config=''
pkg_config_settings=''
if [ -n "$SYSROOT_ABI" ]; then
    sysroot_env=$("$TOP/scripts/sysroot.sh" "$SYSROOT_ABI" | tail -n 1)
    case $sysroot_env in
        PKG_CONFIG_LIBDIR=*) ;;
        *) die "scripts/sysroot.sh $SYSROOT_ABI failed" ;;
    esac
    pkg_config=$builddir/pkg-config
    for setting in $sysroot_env; do
        case $setting in
        PKG_CONFIG_*) pkg_config_settings="$pkg_config_settings $setting" ;;
        *) CONFIGURE_ENV="$CONFIGURE_ENV $setting" ;;
        esac
    done
    CONFIGURE_ENV="PKG_CONFIG=$pkg_config $CONFIGURE_ENV"
fi

# write_pkg_config: write $pkg_config, which runs the host's pkg-config
# with $pkg_config_settings (NAME=VALUE words) and nothing else set.
write_pkg_config() {
    {
        echo '#!/bin/sh'
        echo "# pkg-config for the $profile build: the sysroot's .pc files"
        echo '# only (written by scripts/build-profile.sh).'
        echo 'unset PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR'
        for setting in $pkg_config_settings; do
            printf "export %s='%s'\n" "${setting%%=*}" "${setting#*=}"
        done
        echo 'exec pkg-config "$@"'
    } > "$pkg_config"
    chmod +x "$pkg_config"
}
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

# configure's arguments, built once: they are run and, one per line with
# what else the directory depends on, the stamp that decides whether
# configure runs again.  $CONFIGURE_ARGS splits into words on purpose.
# shellcheck disable=SC2086
set -- "--python=$python" "--cc=$CC" "--with-pkgversion=$pkgversion" \
    "--interp-prefix=$INTERP_PREFIX" \
    --disable-download --disable-docs $CONFIGURE_ARGS
# shellcheck disable=SC2086
configure_line=$(printf '%s\n' "$@" \
    "env: $CONFIGURE_ENV" ${pkg_config:+"pkg-config:$pkg_config_settings"} \
    $depends)
stamp=$builddir/qemu-ports-configure.txt

if [ ! -f "$builddir/build.ninja" ] || [ ! -f "$stamp" ] ||
   [ "$(cat "$stamp")" != "$configure_line" ]; then
    say "configuring $profile in $builddir"
    rm -rf "$builddir"
    mkdir -p "$builddir"
    [ -z "$pkg_config" ] || write_pkg_config
    (
        cd "$builddir"
        # $CONFIGURE_ENV splits into words on purpose.
        # shellcheck disable=SC2086
        env $CONFIGURE_ENV "$TREE/configure" "$@" > configure.log 2>&1
    ) || {
        tail -n 30 "$builddir/configure.log" >&2
        die "configure failed for profile $profile; see $builddir/configure.log"
    }
    printf '%s\n' "$configure_line" > "$stamp"
fi
# Also when it went missing from a configured directory: meson runs it.
[ -z "$pkg_config" ] || [ -x "$pkg_config" ] || write_pkg_config

# MAKE_TARGETS and CONFIGURE_ENV split into words on purpose.  make runs
# in configure's environment, as configure did.
say "building $profile"
# shellcheck disable=SC2086
env $CONFIGURE_ENV make -C "$builddir" -j"$(nproc)" $MAKE_TARGETS
