#!/bin/sh
# Install what profiles $@ (and the tests) need that is missing.
#
# Debian/Ubuntu: as root, installs with apt-get, but only after a dry run
# shows that apt would remove nothing; otherwise prints the command.  On
# Debian 12 meson >= 1.5 comes from bookworm-backports; the apt source for
# it, and deb-src lines for the Debian sources we build from, are added to
# /etc/apt/sources.list.d/qemu-ports.sources.
# Other systems: prints the package manager command from the profiles.
set -eu
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- linux-x86_64
# Every name must be a profile before anything is installed or printed
# (wanted() runs in command substitutions, where die cannot stop us).
for profile in "$@"; do
    profile_file "$profile" >/dev/null
done
EXTRA_DEBIAN_PACKAGES=${EXTRA_DEBIAN_PACKAGES:-}
APT_SOURCES=/etc/apt/sources.list.d/qemu-ports.sources

# Print the union of list $1 (DEBIAN_PACKAGES, ...) over profiles $2...
wanted() {
    var=$1
    shift
    for profile in "$@"; do
        (
            eval "$var=''"
            . "$(profile_file "$profile")"
            eval "printf '%s\n' \$$var"
        )
    done | tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort -u
}

if [ ! -r /etc/debian_version ]; then
    if [ -r /etc/fedora-release ] || command -v dnf >/dev/null; then
        echo "Not exercised by qemu-ports' CI; install with:"
        echo "  dnf install $(wanted FEDORA_PACKAGES "$@" | tr '\n' ' ')"
    elif [ "$(uname -o 2>/dev/null)" = Cygwin ]; then
        echo "Not exercised by qemu-ports' CI; install with:"
        echo "  setup-x86_64.exe -q -P $(wanted CYGWIN_PACKAGES "$@" | paste -sd, -)"
    else
        echo "Unknown system: see the *_PACKAGES lists in profiles/$*"
    fi
    exit 0
fi

. /etc/os-release
codename=${VERSION_CODENAME:-}

missing=''
# shellcheck disable=SC2046
for pkg in $(missing_packages $(wanted DEBIAN_PACKAGES "$@") $EXTRA_DEBIAN_PACKAGES); do
    missing="$missing $pkg"
done

# QEMU 10.0 needs meson >= 1.5.
meson_ok() {
    command -v meson >/dev/null &&
        printf '%s\n1.5.0\n' "$(meson --version)" | sort -V -C -r
}
meson_from_backports=''
if ! meson_ok; then
    missing=$(printf '%s\n' $missing | grep -vx meson | tr '\n' ' ')
    if [ "$codename" = bookworm ]; then
        meson_from_backports=yes
    else
        missing="$missing meson"
    fi
fi

if [ -z "$missing" ] && [ -z "$meson_from_backports" ]; then
    say "all dependencies of $* are installed"
    exit 0
fi

apt_sources() {
    cat <<EOT
# Added by qemu-ports scripts/install-deps.sh.
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
}

if [ "$(id -u)" != 0 ]; then
    echo "Missing:$missing${meson_from_backports:+ meson (>= 1.5)}"
    echo "As root, run: make deps    (or install them yourself:"
    [ -z "$meson_from_backports" ] ||
        echo "  apt-get install -t bookworm-backports meson"
    [ -z "$missing" ] || echo "  apt-get install$missing"
    echo ")"
    exit 1
fi

if [ "$codename" = bookworm ] && [ ! -f "$APT_SOURCES" ]; then
    say "adding $APT_SOURCES (bookworm-backports; deb-src for bookworm, trixie)"
    apt_sources > "$APT_SOURCES"
fi
# An index that fails to load (seen: bookworm-security for i386) must not
# stop us; the dry run below shows whether what we need is installable.
apt-get update -qq ||
    warn "apt-get update reported errors; using the indexes it could load"

# apt_install_safely (scripts/lib.sh): only if apt would remove nothing.
[ -z "$meson_from_backports" ] ||
    apt_install_safely -t bookworm-backports meson
# shellcheck disable=SC2086
[ -z "$missing" ] || apt_install_safely $missing
meson_ok || die "meson >= 1.5 is still missing"
say "dependencies of $* installed"
