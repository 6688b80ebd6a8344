#!/bin/sh
# Write the commits of $TREE after $BASE_TAG back to patches/, one file each,
# in git format-patch form.  Unchanged commits give byte-identical files;
# files of commits that no longer exist are removed.
#
# It loses nothing: it refuses a tree that lacks patches patches/ holds
# (behind it: run 'make tree' first), and a patch file it would remove or
# rewrite that git does not hold as it is (untracked, or changed since the
# last commit of this checkout), unless FORCE=1.
set -eu
. "$(dirname "$0")/lib.sh"

[ $# = 0 ] || die "usage: $0 (no arguments; see --help)"

git_pinned -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
    die "$TREE is not a tree made by 'make tree'"
if [ -d "$TREE/.git/rebase-apply" ] || [ -d "$TREE/.git/rebase-merge" ]; then
    die "$TREE has a git am/rebase in progress; finish it first"
fi
[ -z "$(git_pinned -C "$TREE" status --porcelain --untracked-files=no)" ] ||
    warn "$TREE has uncommitted changes; they are not exported (commit them first)"
match=$(series_match "$TREE") || exit 1
matched=${match%% *} extra=${match#* } extra=${extra%% *}
series=$(series_files | wc -l)
if [ "$extra" = 0 ] && [ "$matched" -lt "$series" ]; then
    die "$TREE is behind patches/ ($matched of $series patches applied): run 'make tree' first, or its export would remove patches/'s newer patches"
fi

exported=$(mktemp -d)
trap 'rm -rf "$exported"' EXIT
export_series "$TREE" "$exported"

# saved_in_git FILE: git holds FILE as it is in the checkout around it
# (tracked, no uncommitted change), so removing or rewriting it loses nothing.
saved_in_git() {
    git -C "$(dirname "$1")" ls-files --error-unmatch -- "$(basename "$1")" \
        >/dev/null 2>&1 &&
    [ -z "$(git -C "$(dirname "$1")" status --porcelain -- "$(basename "$1")")" ]
}

mkdir -p "$PATCHES"
unsaved=''
for old in "$PATCHES"/*.patch; do
    [ -f "$old" ] || continue
    new=$exported/$(basename "$old")
    if [ -f "$new" ] && cmp -s "$new" "$old"; then
        continue
    fi
    saved_in_git "$old" || unsaved="$unsaved $(basename "$old")"
done
if [ -n "$unsaved" ] && [ "${FORCE:-0}" != 1 ]; then
    die "export would remove or rewrite patch files that git does not hold as they are:$unsaved (in $PATCHES); commit or move them, or FORCE=1 to export anyway"
fi

added=0 changed=0 removed=0
for old in "$PATCHES"/*.patch; do
    [ -f "$old" ] || continue
    if [ ! -f "$exported/$(basename "$old")" ]; then
        rm "$old"
        say "removed $(basename "$old")"
        removed=$((removed + 1))
    fi
done
for new in "$exported"/*.patch; do
    [ -f "$new" ] || continue
    old=$PATCHES/$(basename "$new")
    if [ ! -f "$old" ]; then
        added=$((added + 1))
    elif cmp -s "$new" "$old"; then
        continue
    else
        changed=$((changed + 1))
    fi
    cp "$new" "$old"
done
say "$(series_files | wc -l) patches; $added added, $changed changed, $removed removed"
