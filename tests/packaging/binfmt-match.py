#!/usr/bin/python3
"""Match files against a binfmt_misc registration line, as the kernel does.

Usage: binfmt-match.py BINFMT_FILE NAME=PATH...

BINFMT_FILE holds one registration line (":name:type:offset:magic:mask:
interpreter:flags", lines starting with '#' ignored, as systemd-binfmt
reads binfmt.d files).  For each NAME=PATH prints "NAME yes" when the
first bytes of PATH match magic under mask at offset, else "NAME no",
then "interpreter PATH flags FLAGS", all on one line.  The rules are
those of Documentation/admin-guide/binfmt-misc.rst (Linux): type M
compares (byte & mask) == (magic & mask) from offset; magic and mask take
\\xHH escapes; the mask, when given, is as long as the magic.
"""
import sys


def unescape(field):
    """Decode binfmt_misc's \\xHH escapes into bytes."""
    out = bytearray()
    i = 0
    while i < len(field):
        if field.startswith('\\x', i):
            out.append(int(field[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(ord(field[i]))
            i += 1
    return bytes(out)


def main():
    lines = [l for l in open(sys.argv[1]).read().splitlines()
             if l and not l.startswith('#')]
    if len(lines) != 1:
        sys.exit('want one registration line, got %d' % len(lines))
    fields = lines[0].split(':')
    if len(fields) != 8 or fields[0] != '' or fields[2] != 'M':
        sys.exit('not a magic (M) registration: %r' % lines[0])
    offset = int(fields[3] or '0')
    magic, mask = unescape(fields[4]), unescape(fields[5])
    if mask and len(mask) != len(magic):
        sys.exit('mask length %d != magic length %d' % (len(mask), len(magic)))
    mask = mask or b'\xff' * len(magic)
    words = []
    for arg in sys.argv[2:]:
        name, path = arg.split('=', 1)
        with open(path, 'rb') as f:
            head = f.read(offset + len(magic))[offset:]
        ok = len(head) == len(magic) and all(
            (h & k) == (m & k) for h, m, k in zip(head, magic, mask))
        words.append('%s %s' % (name, 'yes' if ok else 'no'))
    words.append('interpreter %s flags %s' % (fields[6], fields[7]))
    print(' '.join(words))


if __name__ == '__main__':
    main()
