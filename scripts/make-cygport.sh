#!/bin/sh
# Generate the cygport of profile $1 (default cygwin) from
# packaging/cygwin/qemu-ports.cygport.in, the way make-rpm-spec.sh makes
# the RPM spec: configure arguments (CYGWIN_CONFIGURE_ARGS, what a user
# gives configure under Cygwin) and BUILD_REQUIRES (CYGWIN_PACKAGES) from
# the profile, PATCH_URI from patches/, the release from upstream/qemu.pin.
# Writes build/cygport/qemu-ports.cygport with a copy of the series beside
# it (cygport takes PATCH_URI files from its own directory; patches that
# left the series are removed from there), and prints the cygport's path.
#
# Usage: scripts/make-cygport.sh [PROFILE]
set -eu
. "$(dirname "$0")/lib.sh"

case $#:${1:-} in
    0:|1:[!-]*) ;;
    *) die "usage: $0 [PROFILE] (one profile name, default cygwin)" ;;
esac
profile=${1-cygwin}
profile_file=$(profile_file "$profile")
CYGWIN_CONFIGURE_ARGS='' CYGWIN_PACKAGES=''
. "$profile_file"
[ -n "$CYGWIN_CONFIGURE_ARGS" ] ||
    die "profile $profile sets no CYGWIN_CONFIGURE_ARGS"

[ -n "$(series_files)" ] || die "no patches in $PATCHES: nothing to package"

out=$TOP/build/cygport
mkdir -p "$out"
rm -f "$out"/*.patch
patch_uri=$(mktemp)
trap 'rm -f "$patch_uri"' EXIT
for patch in "$PATCHES"/*.patch; do
    [ -f "$patch" ] || continue
    cp "$patch" "$out/"
    printf '\t%s\n' "$(basename "$patch")"
done > "$patch_uri"

# Replace @NAME@ placeholders; echo joins the word lists with single spaces.
# shellcheck disable=SC2086,SC2116
awk -v ver="$QEMU_VERSION" -v series="$(cat "$TOP/VERSION")" \
    -v url="$QEMU_TARBALL_URL" -v topdir="$QEMU_TOPDIR" -v profile="$profile" \
    -v args="$(echo $CYGWIN_CONFIGURE_ARGS)" \
    -v requires="$(echo $CYGWIN_PACKAGES)" -v patch_uri="$patch_uri" '
    /^@PATCH_URI@$/ {
        while ((getline line < patch_uri) > 0)
            print line
        next
    }
    {
        gsub(/@QEMU_VERSION@/, ver); gsub(/@SERIES_VERSION@/, series)
        gsub(/@QEMU_TARBALL_URL@/, url); gsub(/@QEMU_TOPDIR@/, topdir)
        gsub(/@PROFILE@/, profile); gsub(/@CONFIGURE_ARGS@/, args)
        gsub(/@BUILD_REQUIRES@/, requires)
        print
    }' "$TOP/packaging/cygwin/qemu-ports.cygport.in" > "$out/qemu-ports.cygport"
echo "$out/qemu-ports.cygport"
