#!/usr/bin/python3
"""Print the results of a `meson test` JSON log, one test a line.

usage: meson-results.py LOG.json

LOG.json is what `meson test --logbase NAME` writes to
BUILD/meson-logs/NAME.json: one JSON object per test.  Each line printed is
"RESULT<TAB>NAME", RESULT being meson's (OK, SKIP, FAIL, EXPECTEDFAIL,
UNEXPECTEDPASS, TIMEOUT, ERROR, ...), for tests/unit/run.sh to report.
Exits 2 with a message on an unreadable or malformed log.
"""
import json
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: meson-results.py LOG.json")
    where = sys.argv[1]
    try:
        with open(sys.argv[1], encoding="utf-8") as log:
            for number, line in enumerate(log, 1):
                where = "%s, line %d" % (sys.argv[1], number)
                if not line.strip():
                    continue
                test = json.loads(line)
                name = " ".join(str(test["name"]).split())
                print("%s\t%s" % (test["result"], name))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("meson-results.py: %s: %s" % (where, error), file=sys.stderr)
        sys.exit(2)


main()
