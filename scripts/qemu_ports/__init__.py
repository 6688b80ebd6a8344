"""Python code shared by the test suites and the benchmarks (stdlib only).

  console    run a command (QEMU with its serial console on stdio) and talk
             to it: wait for text, type, wait for its exit
  initramfs  write a busybox initramfs (cpio newc) for the guest kernels

Users put this package's parent directory, scripts/, first on sys.path,
once, before importing it:

    sys.path.insert(0, os.path.join(TOP, 'scripts'))
    from qemu_ports import console

tests/acceptance/driver.py (the command line the sh suites call) and
bench/run.py do so.  tests/tooling/shared-python.py checks both
modules without QEMU.
"""
