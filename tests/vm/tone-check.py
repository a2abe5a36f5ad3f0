#!/usr/bin/env python3
"""tone-check.py — which of two tones a recording holds (guest-tests.sh, test 3).

usage: ffmpeg ... -f s16le -ac 1 -ar 48000 - | tone-check.py WANT OTHER

Reads signed 16-bit mono at 48 kHz from stdin. From 0.5 s on, every
half-second is classified by the amplitudes of WANT and OTHER (Goertzel over
its first 0.1 s, 10 Hz resolution): "want" when WANT is present and OTHER
below a tenth of it, "other" when OTHER is present, "silent" when neither is,
else "mixed". Passes when at least MIN_WANT half-seconds are "want", none is
"other", and fewer are "mixed" than "want": the question is which channel
was recorded. Silent half-seconds are not failures: under TCG the guest
cannot always record in real time (alsasrc drops what it could not read in
time, the mix fills in silence); they are counted and printed. A "mixed"
half-second has OTHER below the presence level but not 20 dB under WANT:
that is the click where such a dropout starts or ends (broadband, so some of
it lands on OTHER's bin), seen once in a CI run (11 want, 1 mixed, OTHER at
most -37 dBFS); the wrong channel would make OTHER present, i.e. "other".
"""
import array
import math
import sys

RATE = 48000
PRESENT = 1000.0  # amplitude of 32768 full scale: about -30 dBFS
MIN_WANT = 3


def amplitude(x, freq):
    """Amplitude of @freq in the samples @x (Goertzel)."""
    k = 2.0 * math.cos(2.0 * math.pi * freq / RATE)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - k * s1 * s2
    return 2.0 * math.sqrt(max(power, 0.0)) / len(x)


def dbfs(a):
    return 20.0 * math.log10(max(a, 1e-3) / 32768.0)


def main():
    want, other = float(sys.argv[1]), float(sys.argv[2])
    data = sys.stdin.buffer.read()
    a = array.array("h")
    a.frombytes(data[: len(data) // 2 * 2])
    counts = {"want": 0, "other": 0, "silent": 0, "mixed": 0}
    want_amp, other_max = [], 0.0
    half, probe = RATE // 2, RATE // 10
    for start in range(half, len(a) - probe + 1, half):
        x = a[start : start + probe]
        aw, ao = amplitude(x, want), amplitude(x, other)
        other_max = max(other_max, ao)
        if aw >= PRESENT and ao < aw / 10:
            kind = "want"
            want_amp.append(aw)
        elif ao >= PRESENT:
            kind = "other"
        elif aw < PRESENT:
            kind = "silent"
        else:
            kind = "mixed"
        counts[kind] += 1
    n = sum(counts.values())
    level = "%.0f dBFS" % dbfs(sum(want_amp) / len(want_amp)) if want_amp else "-"
    print(
        "%g Hz (%s) in %d of %d half-seconds, %g Hz in %d (at most %.0f dBFS), mixed %d, silent %d"
        % (want, level, counts["want"], n, other, counts["other"], dbfs(other_max), counts["mixed"],
           counts["silent"])
    )
    ok = counts["want"] >= MIN_WANT and counts["other"] == 0 and counts["mixed"] < counts["want"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
