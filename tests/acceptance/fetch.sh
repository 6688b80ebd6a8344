#!/bin/sh
# Fetch, verify and unpack the pinned Debian packages of the acceptance suite.
#
#   fetch.sh deb PKG ARCH               print the path of the verified .deb
#   fetch.sh unpack DIR PKG:ARCH...     unpack the verified .debs into DIR
#                                       (kept while the pins are unchanged)
#
# Pins come from $ACCEPTANCE_INPUTS (default: pins/acceptance-inputs;
# several files separated by spaces are searched in order), one line per
# package: NAME VERSION ARCH SHA256 [COMPONENT [SUITE]] (COMPONENT default
# main, SUITE default bookworm, this machine's release).
# A .deb is looked up in $DISTDIR (may be read-only), then in
# ${QP_CACHE:-$HOME/.cache/qemu-ports}/distfiles, and otherwise downloaded
# there with `apt-get download`.  Packages are never installed: foreign
# architectures are only added to dpkg/apt so that apt can download them.
# A package of another suite (sid, say; of this machine's architecture or
# 'all') is downloaded through an apt state of its own in the cache
# (apt-SUITE-COMPONENT/: its sources.list and package lists, updated
# here): the system's apt sources never name that suite, so nothing apt
# installs can come from it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pins=${ACCEPTANCE_INPUTS:-$here/../../pins/acceptance-inputs}
distfiles=${QP_CACHE:-$HOME/.cache/qemu-ports}/distfiles

die() { echo "fetch.sh: $*" >&2; exit 1; }

# A pin file that is missing is an error, even when an earlier file in
# $pins holds the package: the list names what is checked.
for f in $pins; do
    [ -f "$f" ] || die "pin file not found: $f"
done

# read_pin NAME ARCH: set version, sha256, component from the pin file
read_pin() {
    line=
    for f in $pins; do
        line=$(awk -v n="$1" -v a="$2" '$1 == n && $3 == a' "$f")
        [ -z "$line" ] || break
    done
    [ -n "$line" ] || die "no pin for $1:$2 in $pins"
    set -- $line
    [ $# -ge 4 ] && [ $# -le 6 ] ||
        die "pin of $1:$3 has $# fields, not NAME VERSION ARCH SHA256 [COMPONENT [SUITE]]"
    version=$2 sha256=$4 component=${5:-main} suite=${6:-bookworm}
    # Checked before anything is downloaded or added to apt and dpkg.
    case $sha256 in
    *[!0-9a-f]*) die "pin of $1:$3: sha256 '$sha256' is not 64 lowercase hex digits" ;;
    esac
    [ ${#sha256} = 64 ] ||
        die "pin of $1:$3: sha256 '$sha256' is not 64 lowercase hex digits"
    case $component in
    main|contrib|non-free|non-free-firmware) ;;
    *) die "pin of $1:$3: component '$component' is none of main, contrib, non-free, non-free-firmware" ;;
    esac
    case $suite in
    ''|*[!a-z-]*) die "pin of $1:$3: suite '$suite' is not a Debian suite name" ;;
    esac
    if [ "$3" != all ] && command -v dpkg-architecture >/dev/null &&
        ! dpkg-architecture -L | grep -qx "$3"; then
        die "pin of $1:$3: dpkg knows no architecture '$3'"
    fi
}

# suite_apt: print the apt-get options that use the private apt state of
# $suite/$component (see above), creating and updating it when its
# package lists are missing or $1 is "update"; nothing for bookworm.
suite_apt() {
    [ "$suite" != bookworm ] || return 0
    state=$distfiles/apt-$suite-$component
    set -- "${1:-}" -o "Dir::Etc::SourceList=$state/sources.list" \
        -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$state/lists" \
        -o "Dir::Cache=$state/cache" -o Dir::State::status=/dev/null \
        -o "APT::Architectures::=$(dpkg --print-architecture)"
    if [ "$1" = update ] || ! ls "$state/lists/"*_Packages >/dev/null 2>&1; then
        mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
            "http://deb.debian.org/debian $suite $component" > "$state/sources.list"
        shift
        apt-get "$@" update >"$state/update.log" 2>&1 ||
            die "apt-get update of $suite/$component failed, see $state/update.log"
        set -- - "$@"
    fi
    shift
    printf '%s\n' "$@"
}

# verify FILE: the file must have the pinned sha256
verify() {
    got=$(sha256sum <"$1" | cut -d' ' -f1)
    [ "$got" = "$sha256" ] ||
        die "checksum mismatch: $1: expected sha256 $sha256, got $got"
}

# find_deb NAME ARCH: read the pin; $deb = the verified .deb if it is already
# in $DISTDIR or in the cache, else empty; $spec = what apt-get download wants
find_deb() {
    read_pin "$1" "$2"
    noepoch=${version#*:}
    case $version in
    *:*) aptname=${1}_${version%%:*}%3a${noepoch}_$2.deb ;;
    *) aptname=${1}_${version}_$2.deb ;;
    esac
    spec=$1:$2=$version
    [ "$2" != all ] || spec=$1=$version
    deb=
    for f in ${DISTDIR:+"$DISTDIR/${1}_${noepoch}_$2.deb" "$DISTDIR/$aptname"} \
        "$distfiles/$aptname"; do
        if [ -f "$f" ]; then
            verify "$f"
            deb=$f
            return
        fi
    done
}

# make_available NAME:ARCH...: let apt see these packages: add their
# architectures and non-main components, then update the package lists
make_available() {
    [ "$(id -u)" = 0 ] ||
        die "cannot download:$missing (as root, fetch.sh would add the architectures/components needed)"
    native=$(dpkg --print-architecture)
    for p; do
        read_pin "${p%:*}" "${p#*:}"
        arch=${p#*:}
        if [ "$arch" != all ] && [ "$arch" != "$native" ] &&
            ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
            dpkg --add-architecture "$arch"
        fi
        list=/etc/apt/sources.list.d/qemu-ports-acceptance-$component.sources
        if [ "$component" != main ] && [ ! -e "$list" ]; then
            printf '%s\n' "# added by qemu-ports tests/acceptance/fetch.sh" \
                "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm" \
                "Components: $component" \
                "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >"$list"
        fi
    done
    # a partly failing update (e.g. a mirror being synced) is not fatal here
    apt-get update >"$distfiles/apt-update.log" 2>&1 ||
        echo "fetch.sh: warning: apt-get update failed, see $distfiles/apt-update.log" >&2
}

# download NAME:ARCH...: put the missing .debs into the cache (one apt-get
# call for bookworm's, one for each package of another suite)
download() {
    missing=
    for p; do
        find_deb "${p%:*}" "${p#*:}"
        [ -z "$deb" ] || continue
        if [ "$suite" = bookworm ]; then
            missing="$missing $spec"
        else
            download_suite "$spec"
        fi
    done
    [ -n "$missing" ] || return 0
    mkdir -p "$distfiles"
    log=$distfiles/apt-download.log
    if ! (cd "$distfiles" && apt-get download $missing) >"$log" 2>&1; then
        make_available "$@"
        (cd "$distfiles" && apt-get download $missing) >"$log" 2>&1 ||
            { cat "$log" >&2; die "cannot download:$missing"; }
    fi
}

# download_suite SPEC: download SPEC (NAME:ARCH=VERSION of the package
# read last) from its suite through that suite's private apt state,
# updating the state once when apt does not know the version
download_suite() {
    mkdir -p "$distfiles"
    log=$distfiles/apt-download.log
    # One option a line: the cache path has no newline.
    opts=$(suite_apt) || exit 1
    (IFS='
'; cd "$distfiles" && apt-get $opts download "$1") >"$log" 2>&1 && return
    opts=$(suite_apt update) || exit 1
    (IFS='
'; cd "$distfiles" && apt-get $opts download "$1") >"$log" 2>&1 ||
        { cat "$log" >&2; die "cannot download $1 from $suite/$component"; }
}

# deb NAME ARCH: print the path of the verified .deb, downloading it if needed
deb() {
    download "$1:$2"
    find_deb "$1" "$2"
    [ -n "$deb" ] || die "apt-get download did not produce $distfiles/$aptname"
    echo "$deb"
}

# unpack DIR NAME:ARCH...: extract the .debs into DIR (reused if pins unchanged)
unpack() {
    dir=$1
    shift
    want=
    for p; do
        read_pin "${p%:*}" "${p#*:}"
        want="$want$p $version $sha256
"
    done
    printf '%s' "$want" | cmp -s - "$dir/.unpacked" && return
    download "$@"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    for p; do
        find_deb "${p%:*}" "${p#*:}"
        [ -n "$deb" ] || die "apt-get download did not produce $distfiles/$aptname"
        dpkg-deb -x "$deb" "$dir.tmp"
    done
    printf '%s' "$want" >"$dir.tmp/.unpacked"
    mv "$dir.tmp" "$dir"
}

case ${1:-} in
deb) [ $# = 3 ] || die "usage: fetch.sh deb PKG ARCH"; deb "$2" "$3" ;;
unpack) [ $# -ge 3 ] || die "usage: fetch.sh unpack DIR PKG:ARCH..."; shift; unpack "$@" ;;
*) die "usage: fetch.sh deb PKG ARCH | fetch.sh unpack DIR PKG:ARCH..." ;;
esac
