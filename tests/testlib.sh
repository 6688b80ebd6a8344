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
    t_name=$1 t_want=$2 t_pattern=$3
    shift 3
    t_out=$("$@" 2>&1 </dev/null) && t_status=0 || t_status=$?
    if [ "$t_want" = 0 ] && [ "$t_status" != 0 ]; then
        fail "$t_name" "exit status $t_status, expected success; output:
$t_out"
    elif [ "$t_want" != 0 ] && [ "$t_status" = 0 ]; then
        fail "$t_name" "succeeded, expected failure; output:
$t_out"
    elif [ -n "$t_pattern" ] &&
         ! printf '%s\n' "$t_out" | grep -Eq -- "$t_pattern"; then
        fail "$t_name" "output does not match /$t_pattern/; output:
$t_out"
    else
        pass "$t_name"
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
