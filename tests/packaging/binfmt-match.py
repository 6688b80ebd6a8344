#!/usr/bin/python3
"""Check a binfmt.d file as systemd-binfmt and the kernel read it, then
match files against its registration, as the kernel does.

Usage: binfmt-match.py BINFMT_FILE [NAME=PATH...]
       binfmt-match.py --help

BINFMT_FILE is read twice, as its two consumers read it:
  * systemd-binfmt (binfmt.d(5)): empty lines and lines starting with ';'
    or '#' are comments; every other line is written to
    /proc/sys/fs/binfmt_misc/register.  There must be exactly one.
  * by hand, as the tarball's INSTALL says: grep -v '^#' FILE > register,
    one write of every line not starting with '#': so that one line must
    be all of it (no empty or ';' lines).
The registration line is then parsed as Linux's fs/binfmt_misc.c
(create_entry) parses the bytes written to register, and refused where
the kernel answers EINVAL: ":name:type:offset:magic:mask:interpreter:
flags", the first byte being the delimiter; flags only P, O, C, F, then
at most one newline (so a CRLF line is refused); magic and mask with
\\xHH escapes, the mask as long as the magic, both within the 128 bytes
the kernel reads, from offset.

For each NAME=PATH prints "NAME yes" when the first bytes of PATH match
the magic under the mask at the offset, else "NAME no", then
"interpreter PATH flags FLAGS", all on one line.  Only magic (M)
registrations can be matched.

Errors (bad arguments, unreadable files, a registration the kernel or
systemd would not take) print one line "binfmt-match.py: error: ..." on
stderr and exit 1.
"""
import os
import stat
import sys

# fs/binfmt_misc.c: BINPRM_BUF_SIZE, the bytes of a file the kernel
# reads to match, and MAX_REGISTER_LENGTH, the longest register write.
BINPRM_BUF_SIZE = 128
MAX_REGISTER_LENGTH = 1920
# A binfmt.d file is a few lines; a bigger one is refused without reading
# it all, and so is anything but a regular file (a FIFO would block).
MAX_FILE_SIZE = 64 * 1024
FLAGS = b'POCF'
HEX_DIGITS = b'0123456789abcdefABCDEF'


class BinfmtError(Exception):
    """A file or registration that systemd-binfmt or the kernel refuses."""


def registration_line(data):
    """Return the one registration line (bytes, without its newline) of
    binfmt.d file contents DATA, checked as both consumers read it."""
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    rules = []
    by_hand = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(b'#'):
            by_hand.append((number, line))
        stripped = line.strip(b' \t\r')
        if stripped and not stripped.startswith((b';', b'#')):
            if stripped[:1] != line[:1]:
                raise BinfmtError('line %d starts with white space: the '
                                  'kernel would take it as the delimiter '
                                  "and systemd-binfmt would strip it"
                                  % number)
            rules.append((number, line))
    if len(rules) != 1:
        raise BinfmtError('want one registration line (systemd-binfmt skips '
                          "empty, ';' and '#' lines), got %d" % len(rules))
    if len(by_hand) != 1:
        number, line = next(entry for entry in by_hand if entry != rules[0])
        raise BinfmtError("line %d %r: INSTALL's grep -v '^#' would write it "
                          'to register too' % (number, line.decode('latin-1')))
    return rules[0][1]


def scan_field(buf, p, delimiter):
    """fs/binfmt_misc.c scanarg: the end of the field starting at P,
    where \\x must be followed by two hex digits; returns the index after
    its delimiter."""
    while buf[p] != delimiter:
        if buf[p] == ord('\\') and buf[p + 1] == ord('x'):
            if buf[p + 2] not in HEX_DIGITS or buf[p + 3] not in HEX_DIGITS:
                raise BinfmtError('\\x without two hex digits at byte %d' % p)
            p += 4
        else:
            p += 1
    return p + 1


def unescape(field):
    """Decode the kernel's \\xHH escapes into bytes (scan_field checked
    them); other bytes are taken as they are."""
    out = bytearray()
    i = 0
    while i < len(field):
        if field.startswith(b'\\x', i):
            out.append(int(field[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return bytes(out)


def parse_register(written):
    """Parse WRITTEN, the bytes written to binfmt_misc's register file, as
    fs/binfmt_misc.c create_entry does.  Returns a dict with name, type,
    offset, magic, mask (None when absent), interpreter and flags; raises
    BinfmtError where the kernel answers EINVAL."""
    count = len(written)
    if count < 11 or count > MAX_REGISTER_LENGTH:
        raise BinfmtError('a register write of %d bytes (the kernel takes '
                          '11 to %d)' % (count, MAX_REGISTER_LENGTH))
    if b'\0' in written:
        raise BinfmtError('a NUL byte in the registration')
    delimiter = written[0]
    # The kernel pads its copy with 8 delimiters, so that every search for
    # one ends; a field that runs into the padding fails the end check.
    buf = written + bytes([delimiter]) * 8

    def field(p):
        end = buf.index(delimiter, p)
        return buf[p:end], end + 1

    name, p = field(1)
    if not name or name in (b'.', b'..') or b'/' in name:
        raise BinfmtError('bad name %r' % name.decode('latin-1'))
    kind = buf[p:p + 1]
    if kind not in (b'E', b'M') or buf[p + 1] != delimiter:
        raise BinfmtError('type must be E or M, not %r'
                          % buf[p:buf.index(delimiter, p)].decode('latin-1'))
    p += 2
    offset, magic, mask = 0, None, None
    if kind == b'M':
        text, p = field(p)
        if text:
            digits = text.lstrip(b'+-')
            if (len(text) - len(digits) > 1 or not digits.isdigit() or
                    int(text) < 0 or int(text) > 2 ** 31 - 1):
                raise BinfmtError('bad offset %r' % text.decode('latin-1'))
            offset = int(text)
        start, p = p, scan_field(buf, p, delimiter)
        magic = unescape(buf[start:p - 1])
        if not magic:
            raise BinfmtError('empty magic')
        start, p = p, scan_field(buf, p, delimiter)
        mask = unescape(buf[start:p - 1]) or None
        if mask is not None and len(mask) != len(magic):
            raise BinfmtError('mask of %d bytes for a magic of %d'
                              % (len(mask), len(magic)))
        if len(magic) > BINPRM_BUF_SIZE or offset > BINPRM_BUF_SIZE - len(magic):
            raise BinfmtError('offset %d + magic %d bytes beyond the %d bytes '
                              'the kernel reads' % (offset, len(magic),
                                                    BINPRM_BUF_SIZE))
    else:
        _, p = field(p)
        magic, p = field(p)
        if not magic or b'/' in magic:
            raise BinfmtError('bad extension %r' % magic.decode('latin-1'))
        _, p = field(p)
    interpreter, p = field(p)
    if not interpreter:
        raise BinfmtError('empty interpreter')
    if p > count:
        raise BinfmtError('no flags field: the line must end '
                          '":interpreter:FLAGS" (FLAGS may be empty)')
    start = p
    while buf[p] in FLAGS:
        p += 1
    flags = buf[start:p]
    if buf[p] == ord('\n'):
        p += 1
    if p < count and written[p:] == b'\r\n':
        raise BinfmtError('the line ends in CRLF: the kernel takes no '
                          "'\\r' after the flags (write it with LF only)")
    if p < count and buf[p] == delimiter:
        raise BinfmtError('a field after the flags %r: the line has one '
                          "'%s' too many" % (flags.decode(), chr(delimiter)))
    if p != count:
        raise BinfmtError('flags %r: only P, O, C and F, then one newline'
                          % written[start:].decode('latin-1'))
    return {'name': name, 'type': kind, 'offset': offset, 'magic': magic,
            'mask': mask, 'interpreter': interpreter, 'flags': flags}


def read_regular(path, size):
    """The first SIZE bytes of the regular file at PATH; BinfmtError for
    anything else (a FIFO would block, a device need not end)."""
    with open(path, 'rb', opener=lambda p, flags: os.open(
            p, flags | os.O_NONBLOCK)) as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise BinfmtError('%s: not a regular file' % path)
        return f.read(size)


def matches(entry, path):
    """Does the file at PATH match magic ENTRY, as the kernel compares
    (byte & mask) == (magic & mask) from the offset?"""
    magic = entry['magic']
    mask = entry['mask'] or b'\xff' * len(magic)
    head = read_regular(path, BINPRM_BUF_SIZE)[entry['offset']:][:len(magic)]
    return len(head) == len(magic) and all(
        (h & k) == (m & k) for h, m, k in zip(head, magic, mask))


def main(argv):
    if len(argv) == 2 and argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return
    if len(argv) < 2 or argv[1].startswith('-'):
        raise BinfmtError('usage: binfmt-match.py BINFMT_FILE [NAME=PATH...]')
    try:
        data = read_regular(argv[1], MAX_FILE_SIZE + 1)
    except OSError as e:
        raise BinfmtError('cannot read %s: %s' % (argv[1], e.strerror))
    if len(data) > MAX_FILE_SIZE:
        raise BinfmtError('%s: larger than %d KiB: not a binfmt.d file'
                          % (argv[1], MAX_FILE_SIZE // 1024))
    try:
        entry = parse_register(registration_line(data) + b'\n')
    except BinfmtError as e:
        raise BinfmtError('%s: %s' % (argv[1], e))
    words = []
    for arg in argv[2:]:
        name, sep, path = arg.partition('=')
        if not sep or not name:
            raise BinfmtError('want NAME=PATH, not %r' % arg)
        if entry['type'] != b'M':
            raise BinfmtError('%s: an extension (E) registration matches '
                              'names, not contents' % argv[1])
        try:
            words.append('%s %s' % (name, 'yes' if matches(entry, path)
                                    else 'no'))
        except OSError as e:
            raise BinfmtError('cannot read %s: %s' % (path, e.strerror))
    words.append('interpreter %s flags %s' % (
        entry['interpreter'].decode('latin-1'), entry['flags'].decode()))
    print(' '.join(words))


if __name__ == '__main__':
    try:
        main(sys.argv)
    except BinfmtError as e:
        sys.exit('binfmt-match.py: error: %s' % e)
