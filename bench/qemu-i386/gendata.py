#!/usr/bin/python3
"""Write SIZE bytes of compressible, text-like test data for the compressor
benchmarks: pseudo-words with a skewed (Zipf-like) frequency, numbers, and
some incompressible stretches.  The output is a pure function of SEED.

usage: gendata.py SEED SIZE OUTPUT
"""
import os
import sys


class Lcg:
    """64-bit LCG (Knuth's MMIX constants); top bits only."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) \
            & 0xFFFFFFFFFFFFFFFF
        return self.state >> 33


def generate(seed, size):
    rng = Lcg(seed)
    letters = b"etaoinshrdlcumwfgypbvkjxqz"
    vocabulary = []
    for _ in range(4000):
        length = 2 + rng.next() % 9
        vocabulary.append(bytes(letters[min(rng.next() % 26, rng.next() % 26)]
                                for _ in range(length)))
    out = bytearray()
    while len(out) < size:
        r = rng.next() % 1000
        if r < 1:
            # An incompressible stretch, like embedded binary data.
            out += bytes(rng.next() & 0xFF for _ in range(256 + rng.next() % 1024))
        elif r < 100:
            out += b"%d.%02d " % (rng.next() % 100000, rng.next() % 100)
        else:
            # Skewed choice: small indices are much more frequent.
            x = rng.next() % 4000
            out += vocabulary[x * x // 4000 if r & 1 else x] + b" "
        if rng.next() % 14 == 0:
            out += b"\n"
    return bytes(out[:size])


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    seed, size, output = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(output + ".tmp", "wb") as f:
        f.write(generate(seed, size))
    os.replace(output + ".tmp", output)


if __name__ == "__main__":
    main()
