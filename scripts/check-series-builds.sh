#!/bin/sh
# Check that every commit of the series builds on its own (bisectability):
# each commit of $TREE after $BASE_TAG, oldest first, is checked out in a
# scratch clone and built with scripts/build-profile.sh for each profile
# given (default: linux-x86_64 mips64el-n32), incrementally, in
# build/series-check/PROFILE.  A profile is built from the patch its
# SERIES_BUILDS_FROM names on (mips64el-n32: 0002, the N32 TCG fix;
# cygwin: 0011, which makes Cygwin a host), every other from 0001.  Stops
# at the first commit that does not build, names it and exits 1; qemu/ and
# build/PROFILE are not touched.
#
# Usage: scripts/check-series-builds.sh [--list] [PROFILE...]
#   --list        print the plan, "NNNN PROFILE..." per commit (NNNN: its
#                 patch number), and build nothing
#   PROFILE       a profile this machine builds from Debian packages (one
#                 with DEBIAN_PACKAGES): not loongnix-n32 (native MIPS64
#                 only)
#   SERIES_RANGE  the commits to check, as git rev-list takes them
#                 (default: $BASE_TAG..HEAD of $TREE)
#
# Slow (every commit, every profile; the first pass builds everything),
# so `make check` does not run it: run it before sending a series
# (`make check-series-builds`, docs/development.rst).
set -eu
. "$(dirname "$0")/lib.sh"

list=false
case ${1:-} in
    --list) list=true; shift ;;
esac
[ $# -gt 0 ] || set -- linux-x86_64 mips64el-n32
# A profile named twice is built once.
unique=''
for profile; do
    case " $unique " in *" $profile "*) ;; *) unique="$unique $profile" ;; esac
done
# Split on blanks only (profile names have none), no globbing.
set -f
# shellcheck disable=SC2086
set -- $unique
set +f
# builds_from_PROFILE (dashes as underscores): its first patch number.
for profile; do
    case $profile in
    -*) die "usage: $0 [--list] [PROFILE...] (see --help)" ;;
    esac
    from=$(
        profile_file=$(profile_file "$profile") || exit 1
        DEBIAN_PACKAGES='' SERIES_BUILDS_FROM=0001
        . "$profile_file"
        [ -n "$(echo $DEBIAN_PACKAGES)" ] ||
            die "profile $profile is not built on this machine (no DEBIAN_PACKAGES)"
        case $SERIES_BUILDS_FROM in
        [0-9][0-9][0-9][0-9]) ;;
        *) die "profile $profile: SERIES_BUILDS_FROM is '$SERIES_BUILDS_FROM', not a patch number NNNN" ;;
        esac
        echo "$SERIES_BUILDS_FROM"
    ) || exit 1
    eval "builds_from_$(echo "$profile" | tr -- '-' '_')=\$from"
done
git_pinned -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" \
    >/dev/null 2>&1 || die "$TREE is not a tree made by 'make tree'"
range=${SERIES_RANGE:-$BASE_TAG..HEAD}
commits=$(git_pinned -C "$TREE" rev-list --reverse "$range") ||
    die "'$range' is not a commit range of $TREE"
[ -n "$commits" ] || die "no commits in $range"

# profiles_for COMMIT PROFILE...: those of the PROFILEs that build at
# COMMIT, whose patch number is its count of commits after $BASE_TAG.
profiles_for() {
    number=$(git_pinned -C "$TREE" rev-list --count "$BASE_TAG..$1")
    shift
    for p in "$@"; do
        eval "p_from=\$builds_from_$(echo "$p" | tr -- '-' '_')"
        [ "$number" -lt "$(expr "$p_from" + 0)" ] || printf ' %s' "$p"
    done
}

if $list; then
    for commit in $commits; do
        printf '%04d%s\n' \
            "$(git_pinned -C "$TREE" rev-list --count "$BASE_TAG..$commit")" \
            "$(profiles_for "$commit" "$@")"
    done
    exit 0
fi

scratch=$TOP/build/series-check
mkdir -p "$scratch"
if [ ! -d "$scratch/tree/.git" ]; then
    # --shared: the objects stay in $TREE; only a checkout is written.
    git_pinned clone -q --shared --no-checkout "$TREE" "$scratch/tree"
fi
git_pinned -C "$scratch/tree" fetch -q --no-tags "$TREE" \
    "+refs/heads/*:refs/remotes/tree/*" "+refs/tags/*:refs/tags/*"

total=$(printf '%s\n' $commits | wc -l)
n=0
for commit in $commits; do
    n=$((n + 1))
    subject=$(git_pinned -C "$TREE" log -1 --format=%s "$commit")
    git_pinned -C "$scratch/tree" checkout -q --force --detach "$commit"
    for profile in $(profiles_for "$commit" "$@"); do
        say "[$n/$total] $profile: $subject"
        if ! TREE=$scratch/tree BUILD_DIR=$scratch/$profile \
                "$TOP/scripts/build-profile.sh" "$profile" \
                > "$scratch/$profile.log" 2>&1; then
            tail -n 30 "$scratch/$profile.log" >&2
            die "commit $n of $total does not build for $profile: $subject ($(git_pinned -C "$TREE" rev-parse --short "$commit")); log: $scratch/$profile.log"
        fi
    done
done
say "all $total commits build for: $*"
