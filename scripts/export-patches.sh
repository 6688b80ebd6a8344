#!/bin/sh
# Write the commits of $TREE after $BASE_TAG back to patches/, one file each,
# in git format-patch form.  Unchanged commits give byte-identical files;
# files of commits that no longer exist are removed.
#
# It loses nothing: it refuses a tree that lacks patches patches/ holds
# (behind it: run 'make tree' first), and it removes or rewrites only the
# patch files the tree's record lists (lib.sh, record_series: what
# make tree or the last export left in patches/); any other file came
# into patches/ after that (git pull, an edit by hand) and is kept: the
# export is refused unless FORCE=1.
set -eu
. "$(dirname "$0")/lib.sh"

[ $# = 0 ] || die "usage: $0 (no arguments; see --help)"

git_pinned -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
    die "$TREE is not a tree made by 'make tree'"
rebase_in_progress "$TREE" &&
    die "$TREE has a git am/rebase in progress; finish it first"
[ -z "$(git_pinned -C "$TREE" status --porcelain --untracked-files=no)" ] ||
    warn "$TREE has uncommitted changes; they are not exported (commit them first)"

exported=$(mktemp -d)
trap 'rm -rf "$exported"' EXIT
export_series "$TREE" "$exported"

match=$(exported_match "$exported")
matched=${match%% *} extra=${match#* } extra=${extra%% *}
series=$(series_files | wc -l)
if [ "$extra" = 0 ] && [ "$matched" -lt "$series" ]; then
    die "$TREE is behind patches/ ($matched of $series patches applied): run 'make tree' first, or its export would remove patches/'s newer patches"
fi

mkdir -p "$PATCHES"
unknown=''
for old in "$PATCHES"/*.patch; do
    [ -f "$old" ] || continue
    new=$exported/$(basename "$old")
    if [ -f "$new" ] && cmp -s "$new" "$old"; then
        continue
    fi
    series_recorded "$TREE" "$old" || unknown="$unknown $(basename "$old")"
done
if [ -n "$unknown" ] && [ "${FORCE:-0}" != 1 ]; then
    if [ -f "$(series_record_path "$TREE")" ]; then
        why="they changed in patches/ after make tree or the last export made $TREE (git pull, an edit by hand)"
    else
        why="$TREE has no record of the patches/ it holds (made before such records; 'make' writes one while it holds every patch)"
    fi
    die "export would remove or rewrite patch files that $TREE does not hold:$unknown; $why; save them elsewhere and run 'make tree', or FORCE=1 to export over them"
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
record_series "$TREE"
say "$(series_files | wc -l) patches; $added added, $changed changed, $removed removed"
