#!/usr/bin/python3
"""Run the qemu-ports benchmarks side by side and print one table.

Sections (default: all, in this order):
  qemu-i386  CPU-bound i386 programs (xz, gzip, cpubench) natively and under
             each qemu-i386: upstream (the release of upstream/qemu.pin), the
             fork, Debian's qemu-user and Debian sid's (the newest
             upstream, pins/bench-inputs).  Median wall
             time of N interleaved rounds, checked output, speed relative to
             upstream; instruction counts with callgrind on smaller inputs.
  mips       the MIPS64 builds of qemu-i386 (profiles mips64el-n32 and
             mips64el-n64) and upstream cross-built alike, run under
             qemu-mipsn32el/qemu-mips64el with the insn plugin: MIPS
             instructions executed per workload (smaller inputs), one line
             MIPSRATIO <workload> n32 upstream/fork=<r> n64 upstream/fork=<r>.
  system     qemu-system-aarch64: time to the UEFI Shell> prompt and to Linux
             userspace, fork vs. upstream vs. Debian's qemu-system-arm, and
             the Cygwin build under Wine when built (RATIO system-SCENARIO
             cyg-wine/fork=<r>, r = the Linux build's time / Wine's).
  ioctl      per-call cost of passed-through ioctls (bench/ioctl/run.sh).
  notifier   EventNotifier wake-ups and latency for eventfd, pipe and
             socketpair builds, and AIO-heavy unit tests' run time under each.

What is missing (a build, a Debian package) is reported and skipped.
Everything is written to build/bench/: results.txt (the table, as printed),
results.json, ratios.png (with gnuplot), boot-*.log (consoles); a run of
some sections only writes results-SECTION[-SECTION...].txt, .json and
ratios-SECTION....png instead, leaving the full run's files.  One line
per qemu-i386 workload is meant for machines:
  RATIO <workload> fork/upstream=<r> fork/newest=<r> fork/fastest=<r>
where r = a/b is b's median time divided by a's (> 1: a is faster) and
fastest is the fastest other QEMU of that workload's row.
Nothing is asserted about speed; a wrong output is an error (exit status 1).
"""
import argparse
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(TOP, 'build')
OUT = os.path.join(BUILD, 'bench')
sys.path.insert(0, os.path.join(TOP, 'scripts'))  # see scripts/qemu_ports/
from qemu_ports import console, initramfs  # noqa: E402


def read_pin(path):
    """The KEY=value lines of a pin such as upstream/qemu.pin, as a dict.
    The file is also sourced by sh; a value may be quoted and may use
    ${KEY} (or $KEY) of an earlier line, and nothing else of sh."""
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            key, eq, value = line.partition('=')
            if not eq or not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', key):
                raise ValueError('%s: not KEY=value: %s' % (path, line))
            value = ''.join(shlex.split(value))
            values[key] = re.sub(r'\$(?:\{(\w+)\}|(\w+))',
                                 lambda m: values[m.group(1) or m.group(2)],
                                 value)
    return values


QEMU_VERSION = read_pin(os.path.join(TOP, 'upstream', 'qemu.pin'))['QEMU_VERSION']

# name -> (description, qemu-i386 path or None for native)
I386_RUNNERS = [
    ('native', 'i386 program run directly (x86_64 kernel, ia32 emulation)', None),
    ('upstream', 'unpatched QEMU %s, same configure flags' % QEMU_VERSION,
     os.path.join(OUT, 'upstream', 'qemu-i386')),
    ('fork', 'qemu-ports (profile linux-x86_64)',
     os.path.join(BUILD, 'linux-x86_64', 'qemu-i386')),
    ('debian', "Debian's qemu-user", '/usr/bin/qemu-i386'),
    ('newest', "Debian sid's qemu-user, the newest upstream (pins/bench-inputs)",
     os.path.join(OUT, 'qemu-i386', 'newest', 'qemu-i386')),
]

# name, command; the last word is the program, which must exist.
SYSTEM_RUNNERS = [
    ('upstream', [os.path.join(OUT, 'upstream', 'qemu-system-aarch64')]),
    ('fork', [os.path.join(BUILD, 'linux-x86_64', 'qemu-system-aarch64')]),
    ('debian', ['/usr/bin/qemu-system-aarch64']),
    # The Cygwin build (make build-cygwin) under Wine 8, the way
    # tests/cygwin-wine runs it; measured only when it has been built.
    ('cyg-wine', [os.path.join(TOP, 'tests', 'cygwin-wine', 'run-exe.sh'),
                  os.path.join(BUILD, 'cygwin-root', 'bin',
                               'qemu-system-aarch64.exe')]),
]

failures = []
report = []          # lines of results.txt
results = {}         # results.json


def out(line=''):
    print(line, flush=True)
    report.append(line)


def note(msg):
    print('  ' + msg, file=sys.stderr, flush=True)


def version_of(binary):
    """First line of `binary --version`; binary is a path or a command."""
    cmd = binary if isinstance(binary, list) else [binary]
    try:
        r = subprocess.run(cmd + ['--version'], capture_output=True,
                           text=True, timeout=60)
        return r.stdout.splitlines()[0] if r.stdout else '?'
    except OSError:
        return '?'


# ---------------------------------------------------------------- qemu-i386

I386_DIR = os.path.join(OUT, 'qemu-i386')


def i386_workloads(d):
    """(name, argv, stdin) of the measured workloads, and smaller inputs for
    callgrind and the MIPS instruction counts."""
    root = os.path.join(d, 'root')
    ld = [os.path.join(root, 'lib', 'ld-linux.so.2'), '--library-path',
          os.path.join(root, 'lib', 'i386-linux-gnu') + ':' +
          os.path.join(root, 'usr', 'lib', 'i386-linux-gnu')]
    xz = ld + [os.path.join(root, 'usr', 'bin', 'xz'), '-6', '-T1', '-c']
    gz = ld + [os.path.join(root, 'bin', 'gzip'), '-6', '-c']
    cpubench = [os.path.join(d, 'cpubench'), '1']
    measured = [
        ('xz', xz + [os.path.join(d, 'measure-xz.dat')]),
        ('gzip', gz + [os.path.join(d, 'measure-gzip.dat')]),
        ('cpubench', cpubench + ['100']),
    ]
    small = {
        'xz': xz + [os.path.join(d, 'measure-xz-small.dat')],
        'gzip': gz + [os.path.join(d, 'measure-xz.dat')],
        'cpubench': cpubench + ['10'],
    }
    return measured, small


def run_timed(argv):
    """Run argv; return (wall seconds, cpu seconds, sha256 of stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    h = hashlib.sha256()
    for chunk in iter(lambda: p.stdout.read(1 << 16), b''):
        h.update(chunk)
    status = p.wait()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if status != 0:
        raise RuntimeError('exit status %d: %s' % (status, shlex.join(argv)))
    return wall, cpu, h.hexdigest()


def callgrind_instructions(argv):
    r = subprocess.run(['valgrind', '--tool=callgrind',
                        '--callgrind-out-file=/dev/null'] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, text=True)
    m = re.search(r'Collected : (\d+)', r.stderr)
    if r.returncode != 0 or not m:
        raise RuntimeError('callgrind failed: ' + r.stderr.strip()[-200:])
    return int(m.group(1))


# The RATIO line's columns: label, runner whose speed is given, runner it
# is compared with ('fastest': the fastest of FASTEST_CANDIDATES measured
# for that workload).
RATIO_COLUMNS = [
    ('fork/upstream', 'fork', 'upstream'),
    ('fork/newest', 'fork', 'newest'),
    ('fork/fastest', 'fork', 'fastest'),
]
FASTEST_CANDIDATES = ['upstream', 'debian', 'newest']


def ratio(table, wname, num, den):
    """Median time of runner DEN divided by NUM's for workload WNAME,
    formatted, or 'n/a' when one was not measured; DEN 'fastest' is the
    quickest of FASTEST_CANDIDATES that was."""
    if den == 'fastest':
        times = [table[(r, wname)] for r in FASTEST_CANDIDATES
                 if (r, wname) in table]
        den_time = min(times) if times else None
    else:
        den_time = table.get((den, wname))
    num_time = table.get((num, wname))
    if den_time is None or num_time is None:
        return 'n/a'
    return '%.3f' % (den_time / num_time)


def bench_qemu_i386(args):
    out('== qemu-i386: CPU-bound i386 programs')
    subprocess.run([os.path.join(TOP, 'bench', 'qemu-i386', 'prepare.sh')],
                   check=True)
    measured, small = i386_workloads(I386_DIR)
    runners = []
    for name, desc, qemu in I386_RUNNERS:
        if qemu is None or os.access(qemu, os.X_OK):
            runners.append((name, desc, qemu))
            out('  %-9s %s%s' % (name, desc,
                                 '' if qemu is None else ': ' + version_of(qemu)))
        else:
            out('  %-9s missing (%s), skipped' % (name, qemu))
    times = {(r[0], w[0]): [] for r in runners for w in measured}
    cpus = {(r[0], w[0]): [] for r in runners for w in measured}
    digests = {}
    broken = set()
    # Interleaved, so that drift (other load, thermal) hits every runner.
    for rnd in range(args.rounds):
        note('round %d/%d' % (rnd + 1, args.rounds))
        for wname, argv in measured:
            for rname, _, qemu in runners:
                if rname in broken:
                    continue
                full = argv if qemu is None else [qemu] + argv
                try:
                    wall, cpu, digest = run_timed(full)
                except RuntimeError as e:
                    # The others are still measured; this one is an error.
                    broken.add(rname)
                    failures.append('qemu-i386 %s under %s: %s'
                                    % (wname, rname, e))
                    out('  FAILED: %s under %s (%s), dropped from the table'
                        % (wname, rname, e))
                    continue
                times[(rname, wname)].append(wall)
                cpus[(rname, wname)].append(cpu)
                digests.setdefault((rname, wname), set()).add(digest)
    runners = [r for r in runners if r[0] not in broken]

    out()
    out('  median wall time in seconds of %d rounds (cpu time in brackets);'
        % args.rounds)
    out('  speed = upstream time / this time (> 1.00: faster than upstream)')
    header = '  %-15s' % 'workload'
    for rname, _, _ in runners:
        header += ' %17s' % rname
    out(header)
    table = {}
    for wname, _ in measured:
        line = '  %-15s' % wname
        for rname, _, _ in runners:
            med = statistics.median(times[(rname, wname)])
            cpu = statistics.median(cpus[(rname, wname)])
            table[(rname, wname)] = med
            line += ' %8.3f [%6.3f]' % (med, cpu)
        out(line)
    for wname, _ in measured:
        line = '  %-15s' % ('speed ' + wname)
        for rname, _, _ in runners:
            if ('upstream', wname) in table:
                line += ' %17.2f' % (table[('upstream', wname)] / table[(rname, wname)])
            else:
                line += ' %17s' % 'n/a'
        out(line)
    # The noise: how far apart the rounds of one cell are.
    for wname, _ in measured:
        line = '  %-15s' % ('spread ' + wname)
        for rname, _, _ in runners:
            v = times[(rname, wname)]
            line += ' %16.1f%%' % (100 * (max(v) - min(v)) / statistics.median(v))
        out(line)
    out('  (spread: (slowest - fastest round) / median)')

    # Every emulator must print exactly what the native run printed.
    for wname, _ in measured:
        native = digests.get(('native', wname), set())
        for rname, _, _ in runners:
            d = digests[(rname, wname)]
            if len(d) != 1 or (native and d != native):
                failures.append('qemu-i386 %s: %s output differs from native'
                                % (wname, rname))
                out('  WRONG OUTPUT: %s under %s' % (wname, rname))

    instr = {}
    if args.callgrind and shutil.which('valgrind'):
        out()
        out('  instructions executed (callgrind Ir, smaller inputs), millions;')
        out('  speed = upstream count / this count')
        out(header)
        for wname, _ in measured:
            line = '  %-15s' % wname
            for rname, _, qemu in runners:
                argv = small[wname] if qemu is None else [qemu] + small[wname]
                note('callgrind %s %s' % (wname, rname))
                instr[(rname, wname)] = callgrind_instructions(argv)
                line += ' %17.1f' % (instr[(rname, wname)] / 1e6)
            out(line)
        for wname, _ in measured:
            line = '  %-15s' % ('speed ' + wname)
            for rname, _, _ in runners:
                up = instr.get(('upstream', wname))
                line += (' %17.3f' % (up / instr[(rname, wname)])) if up else ' %17s' % 'n/a'
            out(line)
    elif args.callgrind:
        out('  (valgrind not installed: no instruction counts)')

    out()
    ratio_lines = []
    for wname, _ in measured:
        ratio_lines.append('RATIO %s %s' % (wname, ' '.join(
            '%s=%s' % (label, ratio(table, wname, num, den))
            for label, num, den in RATIO_COLUMNS)))
    out('  (RATIO a/b = b\'s median time / a\'s: > 1, a is faster; fastest ='
        ' the fastest other QEMU of the row: %s)'
        % ', '.join(FASTEST_CANDIDATES))
    for line in ratio_lines:
        out(line)
    results['qemu-i386'] = {
        'rounds': args.rounds,
        'runners': [r[0] for r in runners],
        'median_seconds': {'%s/%s' % k: v for k, v in table.items()},
        'all_seconds': {'%s/%s' % k: v for k, v in times.items()},
        'instructions': {'%s/%s' % k: v for k, v in instr.items()},
    }


# --------------------------------------------------------------------- mips

# abi, the emulator of build/bench/mips-host that runs it, the profile
# whose build is the fork's (build/bench/upstream-PROFILE is upstream's)
MIPS_HOSTS = [
    ('n32', 'qemu-mipsn32el', 'mips64el-n32'),
    ('n64', 'qemu-mips64el', 'mips64el-n64'),
]
MIPS_HOST_DIR = os.path.join(OUT, 'mips-host')
INSN_PLUGIN = os.path.join(MIPS_HOST_DIR, 'tests', 'tcg', 'plugins', 'libinsn.so')


def mips_instructions(emulator, argv, log):
    """Run argv (a MIPS program and its arguments) under EMULATOR with
    the instruction-counting plugin of tests/tcg/plugins (inline counts,
    every vCPU, i.e. every host thread of the program, summed); return
    (MIPS instructions executed, sha256 of stdout).  The plugin writes
    "total insns: N" to the -D log."""
    if os.path.exists(log):
        os.unlink(log)
    p = subprocess.run([emulator, '-plugin', INSN_PLUGIN + ',inline=on',
                        '-d', 'plugin', '-D', log] + argv,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError('exit status %d: %s: %s' % (
            p.returncode, shlex.join(argv), p.stderr.decode()[-200:]))
    with open(log) as f:
        counts = re.findall(r'total insns: (\d+)', f.read())
    if not counts:
        raise RuntimeError('no instruction count in %s' % log)
    return sum(int(c) for c in counts), hashlib.sha256(p.stdout).hexdigest()


def bench_mips(args):
    out('== qemu-i386 on a MIPS64 host: MIPS instructions executed')
    out('  the MIPS builds of qemu-i386 run the workloads (smaller inputs)')
    out('  under qemu-mipsn32el/qemu-mips64el of build/bench/mips-host with')
    out('  the insn plugin of tests/tcg/plugins: a deterministic count, a')
    out('  proxy for a Loongson 3A3000, which runs what is counted here')
    emulators = {abi: os.path.join(MIPS_HOST_DIR, emu) for abi, emu, _ in MIPS_HOSTS}
    missing = [p for p in list(emulators.values()) + [INSN_PLUGIN]
               if not os.access(p, os.R_OK)]
    if missing:
        out('  missing (%s; bench/build-upstream.sh makes them), skipped'
            % ', '.join(missing))
        return
    subprocess.run([os.path.join(TOP, 'bench', 'qemu-i386', 'prepare.sh')],
                   check=True)
    _, small = i386_workloads(I386_DIR)
    builds = []
    for abi, _, profile in MIPS_HOSTS:
        for name, path in (('upstream', os.path.join(OUT, 'upstream-' + profile, 'qemu-i386')),
                           ('fork', os.path.join(BUILD, profile, 'qemu-i386'))):
            if os.access(path, os.X_OK):
                builds.append((abi, name, path))
                out('  %s %-8s %s' % (abi, name, path))
            else:
                out('  %s %-8s missing (%s), skipped' % (abi, name, path))
    header = '  %-15s' % 'workload'
    for abi, name, _ in builds:
        header += ' %15s' % ('%s %s' % (abi, name))
    out()
    out('  MIPS instructions executed, millions')
    out(header)
    counts = {}
    for wname, argv in small.items():
        line = '  %-15s' % wname
        native = None
        for abi, name, path in builds:
            note('mips %s %s %s' % (abi, name, wname))
            log = os.path.join(OUT, 'mips-%s-%s-%s.log' % (abi, name, wname))
            n, digest = mips_instructions(emulators[abi], [path] + argv, log)
            counts[(abi, name, wname)] = n
            line += ' %15.1f' % (n / 1e6)
            if native is None:
                native = run_timed(argv)[2] if host_runs_i386() else digest
            if digest != native:
                failures.append('mips %s %s: %s output differs' % (abi, name, wname))
                out('  WRONG OUTPUT: %s under %s %s' % (wname, abi, name))
        out(line)
    out()
    for wname in small:
        parts = []
        for abi, _, _ in MIPS_HOSTS:
            up, fork = counts.get((abi, 'upstream', wname)), counts.get((abi, 'fork', wname))
            parts.append('%s upstream/fork=%s' % (
                abi, '%.3f' % (up / fork) if up and fork else 'n/a'))
        out('MIPSRATIO %s %s' % (wname, ' '.join(parts)))
    out('  (MIPSRATIO: upstream\'s instruction count / the fork\'s; > 1, the'
        ' fork executes fewer)')
    results['mips'] = {'%s/%s/%s' % k: v for k, v in counts.items()}


_host_runs_i386 = []


def host_runs_i386():
    """Does this kernel run i386 programs (ia32 emulation)?  The
    cpubench binary tells, run once."""
    if not _host_runs_i386:
        try:
            r = subprocess.run([os.path.join(I386_DIR, 'cpubench'), '1', '1'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _host_runs_i386.append(r.returncode == 0)
        except OSError:
            _host_runs_i386.append(False)
    return _host_runs_i386[0]


# ------------------------------------------------------------------- system

def boot_time(cmd, marks, timeout, log):
    """Start cmd on a console (as the acceptance suite does); marks are
    (name, regex, reply): return {name: seconds until regex shows up},
    typing reply (if any) when it does."""
    t0 = time.monotonic()
    con = console.Console(cmd, log)
    seen = {}
    try:
        for name, regex, reply in marks:
            con.expect(regex, t0 + timeout - time.monotonic())
            seen[name] = time.monotonic() - t0
            if reply:
                con.send(reply)
    finally:
        con.stop()
    return seen


def bench_system(args):
    out('== qemu-system-aarch64: boot times (median of %d)' % args.boot_rounds)
    acc = os.path.join(os.environ.get('QP_CACHE') or
                       os.path.expanduser('~/.cache/qemu-ports'), 'acceptance')
    fetch = os.path.join(TOP, 'tests', 'acceptance', 'fetch.sh')
    pins = os.path.join(TOP, 'pins', 'acceptance-inputs')
    kernel_pkg = None
    if not os.path.isfile(pins):
        raise SystemExit('run.py: pin file not found: %s' % pins)
    with open(pins) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0].startswith('linux-image-') and w[2] == 'arm64':
                kernel_pkg = w[0]
    try:
        for d, pkg in (('qemu-efi', 'qemu-efi-aarch64:all'),
                       ('linux', kernel_pkg + ':arm64'),
                       ('busybox', 'busybox-static:arm64')):
            subprocess.run([fetch, 'unpack', os.path.join(acc, d), pkg],
                           check=True, stdout=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, TypeError) as e:
        out('  inputs not available (%s), skipped' % e)
        return
    fw = os.path.join(acc, 'qemu-efi', 'usr', 'share', 'qemu-efi-aarch64', 'QEMU_EFI.fd')
    kver = kernel_pkg[len('linux-image-'):]
    kernel = os.path.join(acc, 'linux', 'boot', 'vmlinuz-' + kver)
    # Under OUT, not /tmp: the Cygwin build under Wine has its own /tmp.
    work = tempfile.mkdtemp(prefix='boot-', dir=OUT)
    initrd = os.path.join(work, 'initrd')
    initramfs.write(initrd, os.path.join(acc, 'busybox', 'bin', 'busybox'),
                    os.path.join(TOP, 'bench', 'system', 'init'))
    common = ['-machine', 'virt', '-cpu', 'cortex-a57', '-smp', '1', '-nographic',
              '-serial', 'mon:stdio', '-nic', 'none']
    scenarios = [
        ('efi-shell', 'Shell>', common + ['-m', '256', '-bios', fw],
         [('banner', r'Press ESC', '\x1b'), ('Shell>', r'Shell> ', None)]),
        ('linux', 'userspace', common + ['-m', '512', '-kernel', kernel, '-initrd', initrd,
                                         '-append', 'console=ttyAMA0 panic=-1 quiet'],
         [('userspace', r'QP-BENCH-USERSPACE', None)]),
    ]
    runners = [(n, q) for n, q in SYSTEM_RUNNERS
               if os.access(q[0], os.X_OK) and os.path.exists(q[-1])]
    for n, q in SYSTEM_RUNNERS:
        if (n, q) in runners:
            out('  %-9s %s' % (n, version_of(q)))
        else:
            out('  %-9s missing (%s), skipped' % (n, q[-1]))
    res = {}
    for rnd in range(args.boot_rounds):
        for sname, mark, opts, marks in scenarios:
            for rname, qemu in runners:
                note('boot %s %s round %d' % (sname, rname, rnd + 1))
                log = os.path.join(OUT, 'boot-%s-%s.log' % (sname, rname))
                try:
                    with open(log, 'wb') as f:
                        seen = boot_time(qemu + opts, marks, 180, f)
                    res.setdefault((rname, sname), []).append(seen[mark])
                except console.Failure as e:
                    failures.append('boot %s under %s: %s' % (sname, rname, e))
    shutil.rmtree(work, ignore_errors=True)
    out('  %-22s' % 'seconds to' + ''.join(' %10s' % r for r, _ in runners))
    for sname, mark, _, _ in scenarios:
        line = '  %-22s' % ('%s (%s)' % (mark, sname))
        for rname, _ in runners:
            v = res.get((rname, sname))
            line += ' %10.2f' % statistics.median(v) if v else ' %10s' % 'failed'
        out(line)
    for sname, mark, _, _ in scenarios:
        line = '  %-22s' % ('speed ' + mark)
        up = res.get(('upstream', sname))
        for rname, _ in runners:
            v = res.get((rname, sname))
            line += (' %10.2f' % (statistics.median(up) / statistics.median(v))
                     if v and up else ' %10s' % 'n/a')
        out(line)
    # The Cygwin build under Wine against the same tree built for Linux.
    for sname, mark, _, _ in scenarios:
        fork, wine = res.get(('fork', sname)), res.get(('cyg-wine', sname))
        if fork and wine:
            out('RATIO system-%s cyg-wine/fork=%.2f' %
                (sname, statistics.median(fork) / statistics.median(wine)))
    results['system'] = {'%s/%s' % k: v for k, v in res.items()}


# -------------------------------------------------------------------- ioctl

def bench_ioctl(args):
    out('== ioctl passthrough: ns per call (bench/ioctl/run.sh)')
    for label, q in (('64-bit qemu-i386 (linux-x86_64)',
                      os.path.join(BUILD, 'linux-x86_64', 'qemu-i386')),
                     ('32-bit qemu-i386 (linux-i386)',
                      os.path.join(BUILD, 'linux-i386', 'qemu-i386'))):
        if not os.access(q, os.X_OK):
            out('  %s: missing (%s), skipped' % (label, q))
            continue
        out('  ' + label)
        r = subprocess.run([os.path.join(TOP, 'bench', 'ioctl', 'run.sh'), q],
                           capture_output=True, text=True,
                           env=dict(os.environ, BENCH_BUILD_DIR=os.path.join(OUT, 'ioctl')))
        for line in r.stdout.splitlines():
            out('    ' + line)
        # The compat route exists only for 64-bit builds: n/a there is fine.
        if r.returncode != 0 or re.search(r'passthrough native +n/a', r.stdout):
            failures.append('ioctl benchmark with %s: %s' % (q, r.stderr.strip()[-200:]))
        results.setdefault('ioctl', {})[label] = r.stdout


# ----------------------------------------------------------------- notifier

def notifier_builds():
    """(kind, directory) of the cygwin-linux suite's builds, the same
    minimal configuration (tools and unit tests) with each --event-notifier
    choice (scripts/build-notifier-variant.sh; bench/build.sh makes them)."""
    kinds = subprocess.run(
        [os.path.join(TOP, 'scripts', 'build-notifier-variant.sh'), 'kinds'],
        check=True, capture_output=True, text=True).stdout.split()
    return [(kind, os.path.join(BUILD, 'cygwin-linux', 'build-' + kind))
            for kind in kinds]


def notifier_unit_tests():
    """The unit tests timed under each notifier: bench/notifier/unit-tests,
    the list bench/build.sh builds."""
    with open(os.path.join(TOP, 'bench', 'notifier', 'unit-tests')) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


def build_notifier_bench(builddir, exe):
    """Compile notifier-bench.c with the flags QEMU used for one of its own
    unit tests in builddir, and link it like that test."""
    with open(os.path.join(builddir, 'compile_commands.json')) as f:
        cmd = next(shlex.split(e['command']) for e in json.load(f)
                   if e['file'].endswith('tests/unit/test-event-notifier.c'))
    cc = []
    skip = 0
    for w in cmd:
        if skip:
            skip -= 1
        elif w in ('-MQ', '-MF', '-o'):
            skip = 1
        elif w in ('-MD', '-c', 'ccache') or w.endswith('.c') or \
                w.startswith('-Werror'):
            pass
        else:
            cc.append(w)
    with open(os.path.join(builddir, 'build.ninja')) as f:
        ninja = f.read()
    m = re.search(r'^build tests/unit/test-event-notifier: c_LINKER ([^|\n]*).*?\n'
                  r' LINK_ARGS = (.*?)\n', ninja, re.M | re.S)
    if not m:
        raise RuntimeError('no link line for test-event-notifier in build.ninja')
    # The test's objects (QOM, event loop base) except its own main().
    objects = [o for o in m.group(1).split() if 'test-event-notifier' not in o]
    src = os.path.join(TOP, 'bench', 'notifier', 'notifier-bench.c')
    r = subprocess.run(cc + ['-o', exe, src] + objects + shlex.split(m.group(2)),
                       cwd=builddir, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('cannot build %s: %s' % (exe, r.stderr.strip()[-400:]))


def bench_notifier(args):
    out('== EventNotifier: ping-pong between two threads, and AIO unit tests')
    rows = []
    aio_tests = notifier_unit_tests()
    for kind, builddir in notifier_builds():
        tests = [os.path.join(builddir, 'tests', 'unit', t) for t in aio_tests]
        if not all(os.access(t, os.X_OK) for t in tests):
            out('  %-10s missing unit tests in %s (bench/build.sh makes them), skipped'
                % (kind, builddir))
            continue
        exe = os.path.join(OUT, 'notifier-bench-' + kind)
        try:
            build_notifier_bench(builddir, exe)
        except (RuntimeError, StopIteration) as e:
            failures.append('notifier-bench for %s: %s' % (kind, e))
            continue
        pings = []
        for _ in range(args.rounds):
            r = subprocess.run([exe, '100000'], capture_output=True, text=True)
            m = re.search(r'kind=(\S+) wakeups_per_s=(\S+) latency_us=(\S+) set_clear_ns=(\S+)',
                          r.stdout)
            if r.returncode != 0 or not m or m.group(1) != kind:
                failures.append('notifier-bench %s: %s%s' % (kind, r.stdout, r.stderr))
                break
            pings.append([float(x) for x in m.groups()[1:]])
        test_times = {}
        for t in tests:
            samples = []
            for _ in range(3):
                t0 = time.perf_counter()
                r = subprocess.run([t], capture_output=True, cwd=os.path.dirname(t),
                                   env=dict(os.environ, G_TEST_SRCDIR=os.path.join(
                                       TOP, 'qemu', 'tests', 'unit'),
                                       G_TEST_BUILDDIR=os.path.dirname(t)))
                samples.append(time.perf_counter() - t0)
                if r.returncode != 0:
                    failures.append('%s (%s) failed' % (t, kind))
            test_times[os.path.basename(t)] = statistics.median(samples)
        if pings:
            rows.append((kind, [statistics.median(p[i] for p in pings) for i in range(3)],
                         test_times))
    if not rows:
        return
    out('  %-10s %14s %11s %13s %s' % ('notifier', 'wake-ups/s', 'latency us',
                                       'set+clear ns', ' '.join('%9s' % t[5:][:9] for t in aio_tests)))
    base = dict((k, v) for k, _, v in rows).get('eventfd')
    for kind, (wps, lat, sc), tt in rows:
        out('  %-10s %14.0f %11.2f %13.0f %s' % (
            kind, wps, lat, sc, ' '.join('%9.3f' % tt[t] for t in aio_tests)))
    if base:
        for kind, _, tt in rows:
            out('  %-10s %s' % ('', '%s AIO tests total %.2f s (%.2fx eventfd)' % (
                kind, sum(tt.values()), sum(tt.values()) / sum(base.values()))))
    out('  (AIO columns: median seconds of 3 runs of tests/unit/test-*)')
    results['notifier'] = {k: {'wakeups_per_s': v[0], 'latency_us': v[1],
                               'set_clear_ns': v[2], 'tests': tt}
                           for k, v, tt in rows}


# --------------------------------------------------------------------- plot

# The runners of the plot, each relative to upstream.
PLOT_RUNNERS = ['fork', 'debian', 'newest']


def plot(suffix):
    """ratios{suffix}.png: speed relative to upstream by time (top) and by
    instruction count (bottom), one cluster per qemu-i386 workload."""
    res = results.get('qemu-i386', {})
    panels = []
    for key, title in (('median_seconds', 'by median time'),
                       ('instructions', 'by instructions executed (callgrind)')):
        data = res.get(key, {})
        rows = []
        for w in ('xz', 'gzip', 'cpubench'):
            up = data.get('upstream/' + w)
            if up:
                rows.append([w] + ['%.4f' % (up / data[r + '/' + w])
                                   if data.get(r + '/' + w) else '0'
                                   for r in PLOT_RUNNERS])
        if rows:
            panels.append((key, title, rows))
    if not panels or not shutil.which('gnuplot'):
        out('(no plot: %s)' % ('gnuplot not installed' if panels else 'no data'))
        return
    png = os.path.join(OUT, 'ratios%s.png' % suffix)
    script = ["set terminal png size 800,%d" % (300 * len(panels) + 40),
              "set output '%s'" % png,
              "set multiplot layout %d,1 title 'qemu-i386 speed relative to "
              "upstream QEMU %s (higher is faster)'" % (len(panels),
                                                        QEMU_VERSION),
              "set style data histograms",
              "set style histogram clustered gap 1",
              "set style fill solid 0.8 border -1",
              "set yrange [0:*]", "set ylabel 'upstream / this'",
              "set grid ytics", "set key outside right top"]
    for key, title, rows in panels:
        dat = os.path.join(OUT, 'ratios%s-%s.dat' % (suffix, key))
        with open(dat, 'w') as f:
            f.write(' '.join(['workload'] + PLOT_RUNNERS) + '\n')
            for r in rows:
                f.write(' '.join(r) + '\n')
        script += ["set title '%s'" % title,
                   "plot '%s' using 2:xtic(1) title columnheader, " % dat +
                   ''.join("'' using %d title columnheader, " % (col + 3)
                           for col in range(len(PLOT_RUNNERS) - 1)) +
                   "1 notitle dt 2 lc black"]
    script.append('unset multiplot')
    r = subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True,
                       capture_output=True)
    out('plot: %s' % png if r.returncode == 0 else 'plot failed: ' + r.stderr.strip())


SECTIONS = {'qemu-i386': bench_qemu_i386, 'mips': bench_mips,
            'system': bench_system, 'ioctl': bench_ioctl,
            'notifier': bench_notifier}


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('sections', nargs='*', metavar='SECTION',
                    help=' '.join(SECTIONS) + ' (default: all)')
    ap.add_argument('--rounds', type=int, default=7,
                    help='measured rounds per qemu-i386 workload (default 7)')
    ap.add_argument('--boot-rounds', type=int, default=3,
                    help='boots per qemu-system-aarch64 scenario (default 3)')
    ap.add_argument('--no-callgrind', dest='callgrind', action='store_false',
                    help='skip the callgrind instruction counts of the '
                    'qemu-i386 section (they take several minutes)')
    args = ap.parse_args()
    if args.rounds < 1 or args.boot_rounds < 1:
        ap.error('--rounds and --boot-rounds must be at least 1')
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        ap.error('unknown section %s (have: %s)' % (' '.join(unknown), ' '.join(SECTIONS)))
    os.makedirs(OUT, exist_ok=True)
    # A run of some sections writes files of its own: the full run's stay.
    sections = [s for s in SECTIONS if s in args.sections] or list(SECTIONS)
    suffix = '' if sections == list(SECTIONS) else '-' + '-'.join(sections)
    t0 = time.monotonic()
    out('qemu-ports benchmarks, %s, %s, %d CPUs' % (
        time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
        os.uname().machine, os.cpu_count()))
    for name in sections:
        out()
        try:
            SECTIONS[name](args)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
            # What the other sections measured is still written below.
            failures.append('section %s: %s' % (name, e))
            out('  SECTION FAILED: %s' % e)
    out()
    plot(suffix)
    out('benchmark run took %.0f s' % (time.monotonic() - t0))
    for f in failures:
        out('ERROR: ' + f)
    stem = os.path.join(OUT, 'results' + suffix)
    out('results: %s.txt, %s.json' % (stem, stem))
    with open(stem + '.txt', 'w') as f:
        f.write('\n'.join(report) + '\n')
    with open(stem + '.json', 'w') as f:
        json.dump(results, f, indent=1, sort_keys=True)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
