#!/bin/sh
# Generate the RPM spec for profile $1 (default loongnix-n32) from
# packaging/rpm/qemu-ports-i386.spec.in: Patch lines from patches/,
# configure arguments and BuildRequires from the profile, versions from the
# pin, the interpreter prefix from scripts/lib.sh (% doubled for rpm).
# Writes build/rpm/qemu-ports-i386.spec and prints its path.  The profile
# must name its Fedora packages (FEDORA_PACKAGES), which become
# BuildRequires.
#
# Usage: scripts/make-rpm-spec.sh [PROFILE]
set -eu
. "$(dirname "$0")/lib.sh"
. "$TOP/upstream/qemu.pin"

case $#:${1:-} in
    0:|1:[!-]*) ;;
    *) die "usage: $0 [PROFILE] (one profile name, default loongnix-n32)" ;;
esac
profile=${1-loongnix-n32}
profile_file=$(profile_file "$profile")
CONFIGURE_ARGS='' CONFIGURE_ENV='' FEDORA_PACKAGES=''
. "$profile_file"
[ -n "$(echo $FEDORA_PACKAGES)" ] ||
    die "profile $profile sets no FEDORA_PACKAGES: an RPM spec needs them as BuildRequires"
# The spec packages qemu-i386 alone, described as the N32 build.
case " $(echo $CONFIGURE_ARGS) " in
    *" --target-list=i386-linux-user "*) ;;
    *) die "profile $profile builds more than qemu-i386 (--target-list=i386-linux-user): the spec packages qemu-i386 alone" ;;
esac

[ -n "$(series_files)" ] || die "no patches in $PATCHES: nothing to package"

out=$TOP/build/rpm
mkdir -p "$out"
lines=$(mktemp -d)
trap 'rm -rf "$lines"' EXIT

n=0
for patch in "$PATCHES"/*.patch; do
    [ -f "$patch" ] || continue
    n=$((n + 1))
    printf 'Patch%04d:      %s\n' "$n" "$(basename "$patch")" >> "$lines/patch"
    printf '%%patch -P %d -p1\n' "$n" >> "$lines/apply"
done
touch "$lines/patch" "$lines/apply"
for pkg in $FEDORA_PACKAGES; do
    printf 'BuildRequires:  %s\n' "$pkg"
done | sed 's/ meson$/ meson >= 1.5/' > "$lines/requires"

# Replace @NAME@ placeholders; multi-line ones come from files.
awk -v ver="$QEMU_VERSION" -v series="$(cat "$TOP/VERSION")" \
    -v url="$QEMU_TARBALL_URL" -v sig="$QEMU_SIGNATURE_URL" \
    -v profile="$profile" -v env="$CONFIGURE_ENV" \
    -v interp_prefix="$(printf '%s\n' "$INTERP_PREFIX" | sed 's/%/%%/g')" \
    -v args="$(echo $CONFIGURE_ARGS)" -v dir="$lines" '
    function file(name,    line, text) {
        text = ""
        while ((getline line < (dir "/" name)) > 0)
            text = text (text == "" ? "" : "\n") line
        return text
    }
    /^@PATCH_LINES@$/    { print file("patch"); next }
    /^@APPLY_PATCHES@$/  { print file("apply"); next }
    /^@BUILD_REQUIRES@$/ { print file("requires"); next }
    {
        gsub(/@QEMU_VERSION@/, ver); gsub(/@SERIES_VERSION@/, series)
        gsub(/@QEMU_TARBALL_URL@/, url); gsub(/@QEMU_SIGNATURE_URL@/, sig)
        gsub(/@PROFILE@/, profile); gsub(/@CONFIGURE_ENV@/, env)
        gsub(/@CONFIGURE_ARGS@/, args); gsub(/@INTERP_PREFIX@/, interp_prefix)
        print
    }' "$TOP/packaging/rpm/qemu-ports-i386.spec.in" > "$out/qemu-ports-i386.spec"
echo "$out/qemu-ports-i386.spec"
