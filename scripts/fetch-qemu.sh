#!/bin/sh
# Find or download the pinned QEMU source tarball, verify it, and print
# "KIND PATH" (KIND is upstream or debian).  Nothing unverified is printed.
#
# Order: the upstream tarball + .sig already cached, Debian's orig already
# cached, then a download of the upstream tarball + .sig, then Debian's orig
# through apt's source client.  QEMU_SOURCE=upstream|debian restricts the
# choice.  A cached file that fails verification is an error, never skipped;
# a downloaded one is removed.  The upstream tarball is checked against
# QEMU_TARBALL_SHA256 too when the pin has one.
set -eu
. "$(dirname "$0")/lib.sh"

QEMU_SOURCE=${QEMU_SOURCE:-auto}
case $QEMU_SOURCE in
auto|upstream|debian) ;;
*) die "QEMU_SOURCE must be auto, upstream or debian, not '$QEMU_SOURCE'" ;;
esac

# Verify $1 against detached signature $2 with the pinned key only.
verify_signature() {
    command -v gpgv >/dev/null || die "gpgv not found (install gpgv) to verify $1"
    keydir=$(mktemp -d)
    trap 'rm -rf "$keydir"' EXIT
    gpg --batch --quiet --homedir "$keydir" --dearmor \
        < "$TOP/$QEMU_SIGNING_KEY" > "$keydir/keyring.gpg" ||
        die "cannot read signing key $QEMU_SIGNING_KEY"
    if ! gpgv --status-fd 1 --keyring "$keydir/keyring.gpg" "$2" "$1" \
            > "$keydir/status" 2> "$keydir/log"; then
        cat "$keydir/log" >&2
        die "$1: OpenPGP signature $2 does not verify with $QEMU_SIGNING_KEY (corrupt or wrong file; delete both to download again)"
    fi
    # VALIDSIG <signing-subkey-fpr> ... <primary-key-fpr>
    grep -q "^\[GNUPG:\] VALIDSIG .* $QEMU_SIGNING_FINGERPRINT\$" "$keydir/status" ||
        die "$1: signed, but not by the pinned key $QEMU_SIGNING_FINGERPRINT"
    rm -rf "$keydir"
    trap - EXIT
}

# verify_upstream TARBALL SIGNATURE: the pinned sha256 (when there is
# one), then the signature; dies on a mismatch.
verify_upstream() {
    [ -z "$QEMU_TARBALL_SHA256" ] || sha256_verify "$1" "$QEMU_TARBALL_SHA256"
    verify_signature "$1" "$2"
}

found_upstream() {
    tarball=$(distfile_find "$QEMU_TARBALL") || return 1
    [ -f "$tarball.sig" ] ||
        die "$tarball has no signature $tarball.sig next to it; cannot verify it"
    verify_upstream "$tarball" "$tarball.sig"
    echo "upstream $tarball"
}

found_debian() {
    orig=$(distfile_find "$DEBIAN_ORIG") || return 1
    sha256_verify "$orig" "$DEBIAN_ORIG_SHA256"
    echo "debian $orig"
}

download() {
    if command -v curl >/dev/null; then
        curl -fsSL --connect-timeout 20 -o "$2" "$1"
    elif command -v wget >/dev/null; then
        wget -q -T 20 -O "$2" "$1"
    else
        return 1
    fi
}

download_upstream() {
    dir=$(distfile_download_dir)
    say "downloading $QEMU_TARBALL_URL"
    if download "$QEMU_TARBALL_URL" "$dir/$QEMU_TARBALL.part" &&
       download "$QEMU_SIGNATURE_URL" "$dir/$QEMU_TARBALL.sig.part"; then
        if ! (verify_upstream "$dir/$QEMU_TARBALL.part" "$dir/$QEMU_TARBALL.sig.part"); then
            rm -f "$dir/$QEMU_TARBALL.part" "$dir/$QEMU_TARBALL.sig.part"
            die "the downloaded $QEMU_TARBALL did not verify (removed)"
        fi
        mv "$dir/$QEMU_TARBALL.sig.part" "$dir/$QEMU_TARBALL.sig"
        mv "$dir/$QEMU_TARBALL.part" "$dir/$QEMU_TARBALL"
        echo "upstream $dir/$QEMU_TARBALL"
        return 0
    fi
    rm -f "$dir/$QEMU_TARBALL.part" "$dir/$QEMU_TARBALL.sig.part"
    warn "could not download the upstream tarball"
    return 1
}

download_debian() {
    command -v apt-get >/dev/null || return 1
    dir=$(distfile_download_dir)
    work=$(mktemp -d "$dir/apt-source.XXXXXX")
    say "fetching $DEBIAN_SOURCE_PACKAGE=$DEBIAN_SOURCE_VERSION with apt-get source"
    if (cd "$work" && apt-get source -qq --download-only \
            "$DEBIAN_SOURCE_PACKAGE=$DEBIAN_SOURCE_VERSION" >&2) &&
       [ -f "$work/$DEBIAN_ORIG" ]; then
        if ! (sha256_verify "$work/$DEBIAN_ORIG" "$DEBIAN_ORIG_SHA256"); then
            rm -rf "$work"
            die "the downloaded $DEBIAN_ORIG did not verify (removed)"
        fi
        mv "$work/$DEBIAN_ORIG" "$dir/$DEBIAN_ORIG"
        rm -rf "$work"
        echo "debian $dir/$DEBIAN_ORIG"
        return 0
    fi
    rm -rf "$work"
    warn "apt-get source $DEBIAN_SOURCE_PACKAGE=$DEBIAN_SOURCE_VERSION failed" \
         "(needs a deb-src line for trixie; 'make deps' run as root on Debian 12 adds one)"
    return 1
}

case $QEMU_SOURCE in
upstream) wanted="$QEMU_TARBALL (+ .sig)" ;;
debian)   wanted=$DEBIAN_ORIG ;;
auto)     wanted="$QEMU_TARBALL (+ .sig) or $DEBIAN_ORIG" ;;
esac
case $QEMU_SOURCE in
upstream) found_upstream || download_upstream ;;
debian)   found_debian || download_debian ;;
auto)     found_upstream || found_debian || download_upstream ||
          download_debian ;;
esac || die "no verified QEMU $QEMU_VERSION source (QEMU_SOURCE=$QEMU_SOURCE): put $wanted into $QP_CACHE/distfiles or a directory named by DISTDIR${DISTDIR:+ (now $DISTDIR)}"
