#!/bin/sh
# The minimal QEMU builds with one event notifier each: tools and unit
# tests, no emulator.  The cygwin-linux suite builds and tests them in
# build/cygwin-linux/build-KIND; bench/build.sh builds in the same
# directories only the unit tests the notifier benchmark times and links
# against.  How such a build is configured and built lives here alone.
#
# usage: build-notifier-variant.sh kinds
#            print the event notifier choices, on one line
#        build-notifier-variant.sh configure QEMU_TREE DIR KIND
#            make DIR the minimal build of QEMU_TREE with
#            --event-notifier=KIND; configure's output goes to stdout.
#            A DIR already configured for KIND is kept as it is; one
#            this script made, configured otherwise (or whose configure
#            failed), is deleted and configured anew; any other non-empty
#            DIR (a build of make's too) is refused and left alone.
#        build-notifier-variant.sh build DIR TEST...
#            build the unit tests TEST (names such as test-aio) in DIR,
#            which configure made, with ninja (only what changed since)
#
# Environment: PYTHON (default /usr/bin/python3, must have meson), JOBS
# (parallel compile jobs, default 2).  ccache is used when installed.
# Exit status: 0 done, 1 failed (the reason on stderr), 2 bad usage.
set -eu

prog=$(basename "$0")
KINDS='eventfd pipe socketpair'
# In each directory configure makes: what the directory is for.
MARKER=qemu-ports-notifier-variant
PYTHON=${PYTHON:-/usr/bin/python3}
JOBS=${JOBS:-2}
CONFIGURE_ARGS="--python=$PYTHON --disable-docs --disable-download
--disable-install-blobs --target-list= --disable-user --disable-system
--enable-tools"

usage() {
    sed -n '8,19s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

die() {
    printf '%s: error: %s\n' "$prog" "$*" >&2
    exit 1
}

# is_configured DIR KIND: succeed when DIR is a configured build whose
# config-host.h chose event notifier KIND.
is_configured() {
    macro=CONFIG_EVENT_NOTIFIER_$(printf '%s' "$2" | tr '[:lower:]' '[:upper:]')
    grep -qs "^#define $macro\$" "$1/config-host.h" && [ -f "$1/build.ninja" ]
}

# is_qemu_build_dir DIR: succeed when QEMU's configure has run in DIR (it
# starts config.log with this line before anything can fail).
is_qemu_build_dir() {
    [ -f "$1/build.ninja" ] ||
        head -n 1 "$1/config.log" 2>/dev/null | grep -q '^# QEMU configure log'
}

configure() {
    [ $# -eq 3 ] || usage
    tree=$1 dir=$2 kind=$3
    case " $KINDS " in
        *" $kind "*) ;;
        *) die "'$kind' is not an event notifier (have: $KINDS)" ;;
    esac
    [ -x "$tree/configure" ] || die "$tree: no QEMU configure"
    tree=$(cd "$tree" && pwd)
    if is_configured "$dir" "$kind"; then
        echo "$prog: $dir: already configured for $kind"
        return 0
    fi
    # Only a directory this script made (its $MARKER) is ever deleted:
    # never a build of make (build/linux-x86_64) given by mistake.
    if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
        if [ ! -f "$dir/$MARKER" ]; then
            is_qemu_build_dir "$dir" ||
                die "$dir: not empty and not a QEMU build directory; not deleting it"
            die "$dir: a QEMU build directory that $prog did not make (no $MARKER in it); not deleting it (one it made before it marked them: remove it yourself)"
        fi
        rm -rf "$dir"
    fi
    mkdir -p "$dir"
    echo "$kind" > "$dir/$MARKER"
    # shellcheck disable=SC2086
    (cd "$dir" && "$tree/configure" $CONFIGURE_ARGS --event-notifier="$kind") ||
        die "$tree/configure failed in $dir"
    is_configured "$dir" "$kind" ||
        die "$dir: configure succeeded but config-host.h did not choose $kind"
}

build() {
    [ $# -ge 2 ] || usage
    dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ] || [ ! -f "$dir/config-host.mak" ]; then
        die "$dir: not configured (run: $prog configure QEMU_TREE $dir KIND)"
    fi
    targets=
    for test in "$@"; do
        case $test in
            test-*) ;;
            *) die "'$test' is not a unit test name (test-...)" ;;
        esac
        targets="$targets tests/unit/$test"
    done
    ninja=$(sed -n 's/^NINJA=//p' "$dir/config-host.mak")
    # shellcheck disable=SC2086
    ${ninja:-ninja} -C "$dir" -j "$JOBS" $targets ||
        die "building$targets in $dir failed"
}

if [ -d /usr/lib/ccache ]; then
    PATH=/usr/lib/ccache:$PATH
    export PATH
fi

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
    kinds) [ $# -eq 0 ] || usage; echo "$KINDS" ;;
    configure) configure "$@" ;;
    build) build "$@" ;;
    *) usage ;;
esac
