#!/usr/bin/env python3
"""nal-check.py — is a recorded H.264 track the camera's own bitstream?

usage: nal-check.py SERVER_LOG FILE.mp4...

SERVER_LOG has one line per NAL unit the test camera sent ("type sha256",
tests/capture/rtsp-camera.c). Each recorded file is turned back into an
Annex B stream by ffmpeg (-c copy, no decoding) and every slice NAL unit
(types 1 and 5) is hashed. Prints, per file, "FILE matched unmatched" and
exits 0; the caller decides what must match (a file recorded while the
camera was lost holds the encoded slate, which matches nothing).
"""
import hashlib
import subprocess
import sys


def nal_units(data):
    i, start, n = 0, None, len(data)
    while i + 3 <= n:
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            if start is not None:
                end = i
                while end > start and data[end - 1] == 0:
                    end -= 1
                yield data[start:end]
            start = i + 3
            i += 3
        else:
            i += 1
    if start is not None and start < n:
        yield data[start:]


def main():
    sent = set()
    with open(sys.argv[1]) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                sent.add(parts[1])
    for path in sys.argv[2:]:
        stream = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-c:v", "copy",
             "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-"],
            check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        matched = unmatched = 0
        for nal in nal_units(stream):
            if nal and (nal[0] & 0x1f) in (1, 5):
                if hashlib.sha256(nal).hexdigest() in sent:
                    matched += 1
                else:
                    unmatched += 1
        print(path, matched, unmatched)


if __name__ == "__main__":
    main()
