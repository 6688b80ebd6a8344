#!/usr/bin/python3
"""Check the shared Python modules, scripts/qemu_ports/, and the command
line over them, tests/acceptance/driver.py, without QEMU: the console
against sh and cat, the initramfs read back member by member.

usage: shared-python.py    prints one line per check; exit status 1 and
                           the reason on the first failed check
"""
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'scripts'))  # see scripts/qemu_ports/
from qemu_ports import console, initramfs  # noqa: E402

DRIVER = os.path.join(TOP, 'tests', 'acceptance', 'driver.py')
checks = 0


def ok(name, condition, why=''):
    global checks
    if not condition:
        sys.exit('FAILED %s: %s' % (name, why))
    checks += 1
    print('ok %s' % name)


def raises(function, *args):
    """The console.Failure that function(*args) raises, as str, or None."""
    try:
        function(*args)
    except console.Failure as failure:
        return str(failure)
    return None


def read_cpio(path):
    """{name: (mode, data, (rdev major, minor))} of a newc archive."""
    with open(path, 'rb') as f:
        blob = f.read()
    members, at = {}, 0
    while True:
        if blob[at:at + 6] != b'070701':
            raise ValueError('no newc header at offset %d' % at)
        fields = [int(blob[at + 6 + 8 * i:at + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rmajor, rminor, namesize = (fields[1], fields[6], fields[9],
                                                fields[10], fields[11])
        name = blob[at + 110:at + 110 + namesize - 1].decode()
        at += 110 + namesize
        at += -at % 4
        data = blob[at:at + size]
        at += size
        at += -at % 4
        if name == 'TRAILER!!!':
            if at != len(blob):
                raise ValueError('%d bytes after the trailer' % (len(blob) - at))
            return members
        members[name] = (mode, data, (rmajor, rminor))


def check_console(work):
    ok('plain_text: cursor moves and escapes',
       console.plain_text(b'A\x1b[3CB\x1b[2;1HC\x1b[1;32mD\x1b[0m\x1b(B') == 'A   B\nCD',
       repr(console.plain_text(b'A\x1b[3CB\x1b[2;1HC\x1b[1;32mD\x1b[0m\x1b(B')))
    log_path = os.path.join(work, 'console.log')
    with open(log_path, 'wb') as log:
        con = console.Console(['sh', '-c', 'printf "ready> "; read line; '
                               'echo "got [$line]"; exit 3'], log)
        con.expect(r'ready> ', 10)
        con.send('hello\n')
        con.expect(r'got \[[a-z]*\]', 10)
        ok('expect and send through pipes', con.last == 'got [hello]', repr(con.last))
        ok('expect looks only after the last match',
           raises(con.expect, r'got', 0.5) is not None)
        ok('check of the last match', raises(con.check, r'hello') is None and
           'expected /bye/' in (raises(con.check, r'bye') or ''))
        why = raises(con.exit, 0, 10)
        ok('exit with another status fails', why is not None and
           'exited with status 3, expected 0' in why, why)
        con.stop()
    with open(log_path, 'rb') as f:
        logged = f.read()
    ok('log holds the output and the steps',
       b'got [hello]' in logged and b"### send 'hello\\n'" in logged, logged[-200:])
    with open(log_path, 'wb') as log:
        con = console.Console(['sleep', '30'], log)
        why = raises(con.expect, r'never', 0.5)
        ok('expect times out', why is not None and why.startswith('timed out after 0.5s'),
           why)
        con.stop()
        ok('stop ends the command', con.proc.returncode is not None)
        con = console.Console(['true'], log)
        why = raises(con.expect, r'never', 10)
        ok('expect fails when the command exits', why is not None and
           'exited (status 0)' in why, why)
        con.stop()
        con = console.Console(['sh', '-c', 'printf "A\\033[3CB\\n"; read x; '
                               'echo "got:$x"'], log, pty=True)
        con.expect(r'A   B', 10)
        con.send('hi\r')
        con.expect(r'got:hi', 10)
        con.exit(0, 10)
        con.stop()
        ok('a pseudo-terminal: escapes read, input typed', True)


def check_initramfs(work):
    busybox, init = os.path.join(work, 'busybox'), os.path.join(work, 'init')
    with open(busybox, 'wb') as f:
        f.write(b'\x7fELF busybox')
    with open(init, 'wb') as f:
        f.write(b'#!/bin/sh\necho init\n')
    moddir = os.path.join(work, 'lib', 'modules')
    os.makedirs(os.path.join(moddir, 'kernel', 'usb'))
    kos = {'cdc-acm': b'\0depends=usbcore,usb-common\0', 'usbcore': b'\0depends=usb_common\0',
           'usb-common': b'\0depends=\0'}
    for name, content in kos.items():
        with open(os.path.join(moddir, 'kernel', 'usb', name + '.ko'), 'wb') as f:
            f.write(b'ko ' + content)
    out = os.path.join(work, 'initrd')
    initramfs.write(out, busybox, init, moddir, ['cdc-acm'])
    members = read_cpio(out)
    ok('initramfs: busybox, sh, init and console',
       members['bin/busybox'] == (0o100755, b'\x7fELF busybox', (0, 0)) and
       members['bin/sh'][:2] == (0o120777, b'busybox') and
       members['init'][1] == b'#!/bin/sh\necho init\n' and
       members['dev/console'] == (0o20600, b'', (5, 1)) and
       members['tmp'][0] == 0o41777, sorted(members))
    ok('initramfs: modules after their dependencies',
       members['modules/load'][1] == b'usb_common\nusbcore\ncdc_acm\n' and
       members['modules/usbcore.ko'][1] == b'ko ' + kos['usbcore'],
       members['modules/load'][1])
    missing = os.path.join(work, 'initrd-missing')
    try:
        initramfs.write(missing, busybox, init, moddir, ['no-such'])
        why = 'no error'
    except initramfs.Error as error:
        why = str(error)
    ok('initramfs: a missing module is named and nothing written',
       why == 'module no_such.ko not found under %s' % moddir and
       not os.path.exists(missing), why)
    # The command line the sh suites use, with its messages.
    cli = subprocess.run([sys.executable, DRIVER, 'initramfs', missing, busybox, init,
                          moddir, 'no-such'], capture_output=True, text=True)
    ok('driver.py initramfs: missing module', cli.returncode == 1 and
       cli.stderr == 'driver.py: module no_such.ko not found under %s\n' % moddir,
       cli.stderr)
    cli = subprocess.run([sys.executable, DRIVER, 'initramfs', out + '-cli', busybox, init],
                         capture_output=True, text=True)
    ok('driver.py initramfs without modules', cli.returncode == 0 and
       read_cpio(out + '-cli')['modules/load'][1] == b'', cli.stderr)


def check_driver_console(work):
    log = os.path.join(work, 'driver.log')
    cli = subprocess.run([sys.executable, DRIVER, 'console', '--log', log,
                          'expect:name\\?', 'send:qemu\\n', 'expect:hi [a-z]+',
                          'check:qemu', 'exit:0', '--',
                          'sh', '-c', 'echo name?; read n; echo "hi $n"'],
                         capture_output=True, text=True, timeout=60)
    ok('driver.py console: steps pass', cli.returncode == 0, cli.stderr)
    cli = subprocess.run([sys.executable, DRIVER, 'console', '--log', log,
                          'timeout:0.5', 'expect:never', '--', 'sleep', '30'],
                         capture_output=True, text=True, timeout=60)
    ok('driver.py console: a failed step', cli.returncode == 1 and
       cli.stderr.startswith('driver.py: timed out after 0.5s waiting for /never/'),
       cli.stderr)


def main():
    with tempfile.TemporaryDirectory(prefix='qemu-ports-python.') as work:
        check_console(work)
        check_initramfs(work)
        check_driver_console(work)
    print('all %d checks passed' % checks)


if __name__ == '__main__':
    main()
