# Minimal test reporting for the sh test scripts.  Source it.
# Each result prints one line; finish() prints "N passed, M failed" and
# sets the exit status.

passed=0 failed=0 skipped=0

pass() {
    passed=$((passed + 1))
    printf 'PASS %s\n' "$1"
}

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
}

skip() {
    skipped=$((skipped + 1))
    printf 'SKIP %s: %s\n' "$1" "$2"
}

# expect NAME WANT_STATUS(0|nonzero) OUTPUT_PATTERN CMD...: run CMD, check
# its exit status and that its output (stdout+stderr) matches the grep -E
# pattern; the output is shown on failure.
expect() {
    name=$1 want=$2 pattern=$3
    shift 3
    out=$("$@" 2>&1 </dev/null) && status=0 || status=$?
    if [ "$want" = 0 ] && [ "$status" != 0 ]; then
        fail "$name" "exit status $status, expected success; output:
$out"
    elif [ "$want" != 0 ] && [ "$status" = 0 ]; then
        fail "$name" "succeeded, expected failure; output:
$out"
    elif [ -n "$pattern" ] && ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
        fail "$name" "output does not match /$pattern/; output:
$out"
    else
        pass "$name"
    fi
}

finish() {
    if [ "$skipped" -gt 0 ]; then
        printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
    else
        printf '%s passed, %s failed\n' "$passed" "$failed"
    fi
    [ "$failed" = 0 ]
}
