"""Talk to a command on its console: QEMU with its serial console and
monitor on stdio (-nographic -serial mon:stdio), or anything else that
reads and writes text.

Console(cmd, log, pty=False) starts cmd in a process group of its own;
everything it prints is appended to log (a file opened for binary
writing, owned and closed by the caller), with each step as a '### '
line.  expect(), check(), send() and exit() raise Failure with a message
that ends with the last output; stop() ends the command and everything it
started.  Times are seconds.
"""
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time

# A terminal may skip over blanks (CSI n C) and start lines by moving the
# cursor (CSI row;col H) instead of printing them; Wine's console does.
CURSOR_FORWARD = re.compile(r'\x1b\[([0-9]*)C')
CURSOR_POSITION = re.compile(r'\x1b\[[0-9]*(;[0-9]*)?[Hf]')
ESCAPES = re.compile(r'\x1b(\[[0-9;?=>]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78DEHMc])')
TYPE_DELAY = 0.03    # seconds between typed characters


class Failure(Exception):
    """A console step did not get what it waited for."""


def plain_text(raw):
    """The text of terminal output RAW (bytes, read as latin-1) as a
    person sees it: cursor-forward moves become blanks, cursor
    positioning a line break, other escape sequences are dropped."""
    text = raw.decode('latin-1')
    text = CURSOR_FORWARD.sub(lambda m: ' ' * int(m.group(1) or 1), text)
    text = CURSOR_POSITION.sub('\n', text)
    return ESCAPES.sub('', text)


class Console:
    def __init__(self, cmd, log, pty=False):
        """Start cmd (a list); with pty its standard input, output and
        error are a pseudo-terminal (80x24), else pipes (stderr joins
        stdout).  OSError if cmd cannot be started."""
        self.log = log
        self.note('command: ' + ' '.join(cmd))
        if pty:
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ,
                        struct.pack('HHHH', 24, 80, 0, 0))
            # A session of its own.  The terminal is not made its
            # controlling one: Wine, run from run-exe.sh, then printed
            # nothing (not yet understood).
            self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave,
                                         stderr=slave, start_new_session=True)
            os.close(slave)
            self.in_fd = self.out_fd = master
        else:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT,
                                         start_new_session=True)
            self.in_fd = self.proc.stdin.fileno()
            self.out_fd = self.proc.stdout.fileno()
        self.raw = b''
        self.eof = False
        self.pos = 0        # where the next expect starts, in text()
        self.last = ''      # text of the last match

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def note(self, msg):
        self.log.write(('\n### %s\n' % msg).encode())
        self.log.flush()

    def text(self):
        return plain_text(self.raw)

    def tail(self):
        lines = self.text()[self.pos:].strip().splitlines()[-3:]
        return ' | '.join(line.strip() for line in lines)[-240:]

    def read(self, seconds):
        """Collect output for up to SECONDS (less if some arrives)."""
        if self.eof:
            time.sleep(min(seconds, 0.1))
            return
        ready, _, _ = select.select([self.out_fd], [], [], max(seconds, 0))
        if ready:
            try:
                data = os.read(self.out_fd, 65536)
            except OSError:
                # A pseudo-terminal whose other side is closed: EIO
                data = b''
            self.eof = not data
            self.raw += data
            self.log.write(data)
            self.log.flush()

    def expect(self, regex, timeout):
        """Wait up to TIMEOUT seconds until REGEX shows up in the text
        after the last match; that match becomes the last one."""
        self.note('expect /%s/ within %gs' % (regex, timeout))
        pattern = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(self.text(), self.pos)
            if match:
                self.pos, self.last = match.end(), match.group(0)
                return
            if self.eof:
                self.proc.wait()
                raise Failure('QEMU exited (status %s) while waiting for /%s/; '
                              'last output: %s'
                              % (self.proc.returncode, regex, self.tail()))
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('timed out after %gs waiting for /%s/; last output: %s'
                              % (timeout, regex, self.tail() or '(none)'))
            self.read(min(left, 0.5))

    def check(self, regex):
        """The text of the last match must contain REGEX."""
        self.note('check /%s/ in %r' % (regex, self.last))
        if not re.search(regex, self.last):
            raise Failure('got %r, expected /%s/' % (self.last.strip(), regex))

    def send(self, text):
        """Type TEXT (str, latin-1), TYPE_DELAY seconds per character."""
        self.note('send %r' % text)
        for char in text:
            try:
                os.write(self.in_fd, char.encode('latin-1'))
            except OSError:
                raise Failure('QEMU stopped reading input while sending %r' % text)
            self.read(TYPE_DELAY)

    def exit(self, status, timeout):
        """Wait up to TIMEOUT seconds for the command to exit with STATUS."""
        self.note('exit status %d within %gs' % (status, timeout))
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('QEMU did not exit within %gs; last output: %s'
                              % (timeout, self.tail()))
            self.read(min(left, 0.5))
        if self.proc.returncode != status:
            raise Failure('QEMU exited with status %d, expected %d; last output: %s'
                          % (self.proc.returncode, status, self.tail()))

    def stop(self):
        """Stop COMMAND and whatever it started (its process group)."""
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)
        self.proc.wait()
        if self.proc.stdout is None:
            os.close(self.out_fd)   # the pseudo-terminal's master side
        self.note('QEMU exit status %s' % self.proc.returncode)
