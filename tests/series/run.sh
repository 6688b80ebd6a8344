#!/bin/sh
# The series gate: every patch in patches/ has a "subsystem: summary"
# subject, a body, a message of lines of at most 76 columns without
# trailing blanks, Signed-off-by and Upstream-Status trailers, no testing
# remarks in the message (they go below "---", as git notes: a paragraph
# starting with "Tested" is one), and passes QEMU's own
# scripts/checkpatch.pl (no errors, no warnings).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testlib.sh"
TREE=${TREE:-$top/qemu}
PATCHES=${PATCHES:-$top/patches}
checkpatch=$TREE/scripts/checkpatch.pl
[ -x "$checkpatch" ] || { echo "no $checkpatch: run 'make tree' first" >&2; exit 1; }

for patch in "$PATCHES"/*.patch; do
    name=$(basename "$patch")
    problems=''
    grep -Eq '^Subject: \[PATCH\] [A-Za-z0-9_./+-]+(, [A-Za-z0-9_./+-]+)*: .' "$patch" ||
        problems="$problems subject is not 'subsystem: summary';"
    # A body: at least one non-trailer line between the subject and ---.
    body=$(sed -n '/^Subject: /,/^---$/p' "$patch" |
           sed -e '1d' -e '$d' | grep -Ev '^(Signed-off-by|Upstream-Status|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Co-developed-by): |^$' |
           grep -v '^ ' | wc -l)
    [ "$body" -ge 2 ] || problems="$problems no body saying why;"
    # The message (after the headers, up to ---): lines of at most 76
    # columns (QEMU's submitting-a-patch.rst), no trailing blanks.
    message_faults=$(awk '
        /^Subject: / { header = 1; next }
        header && /^$/ { header = 0; message = 1; paragraph_start = 1; next }
        header { next }
        message && /^---$/ { exit }
        message && length($0) > 76 { print "line over 76 columns: " substr($0, 1, 40) "...;" }
        message && /[ \t]$/ { print "trailing blank: " $0 ";" }
        message && paragraph_start && /^(Tested|Checked)/ { print "testing remark in the message (put it below ---): " substr($0, 1, 40) "...;" }
        message { paragraph_start = ($0 == "") }' "$patch")
    [ -z "$message_faults" ] || problems="$problems $message_faults"
    grep -q '^Signed-off-by: .* <.*@.*>$' "$patch" ||
        problems="$problems no Signed-off-by;"
    grep -Eq '^Upstream-Status: (Pending|Submitted \[.+\]|Backport \[.+\]|Accepted|Inappropriate \[.+\]|Denied)' "$patch" ||
        problems="$problems no valid Upstream-Status;"
    result=$(cd "$TREE" && "$checkpatch" "$patch" 2>&1)
    printf '%s\n' "$result" | grep -q '^total: 0 errors, 0 warnings' ||
        problems="$problems checkpatch: $(printf '%s\n' "$result" | grep -E '^(ERROR|WARNING|total)' | head -5 | tr '\n' ' ')"
    if [ -z "$problems" ]; then
        pass "$name"
    else
        fail "$name" "$problems"
    fi
done
finish
