#!/usr/bin/python3
"""janus-viewers.py — N WebRTC viewers of a Janus streaming-plugin mountpoint,
for bench/relay-fanout.sh: each viewer is a GStreamer webrtcbin (latency 0)
negotiated through Janus's HTTP API. The packets are the synthetic stream of
tests/relay/fanout-load (the send time in the payload), so the latency from the
publisher's send to a viewer's decrypted RTP is measured on the first --probe
viewers; Janus's CPU time is read from /proc over the measurement window.
Prints one JSON object. Needs Debian's python3-gi and gir1.2-gst-plugins-bad-1.0.

  janus-viewers.py --janus http://127.0.0.1:18088/janus --mountpoint 1 \
      --viewers N --seconds S --pid JANUS_PID [--probe 10]
"""
import argparse
import json
import random
import struct
import sys
import threading
import time
import urllib.request

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
gi.require_version('GstSdp', '1.0')
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

Gst.init(None)
args = None
lat = []
received = 0
lock = threading.Lock()


def api(url, body):
    body = dict(body, transaction=str(random.random()))
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method='POST')
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def poll_event(session_url):
    for _ in range(50):
        ev = json.loads(urllib.request.urlopen(session_url + '?maxev=1', timeout=30).read())
        if isinstance(ev, list):
            ev = ev[0] if ev else {}
        if ev.get('jsep'):
            return ev
    raise RuntimeError('no offer from Janus')


def rtp_payload(data):
    cc = data[0] & 0x0f
    off = 12 + 4 * cc
    if data[0] & 0x10:
        off += 4 + 4 * struct.unpack('!H', data[off + 2:off + 4])[0]
    return data[off:]


def on_buffer(pad, info, measure):
    global received
    buf = info.get_buffer()
    ok, m = buf.map(Gst.MapFlags.READ)
    if ok:
        try:
            with lock:
                received += 1
            if measure:
                p = rtp_payload(bytes(m.data))
                if len(p) >= 9:
                    sent = struct.unpack('=q', p[1:9])[0]
                    now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
                    with lock:
                        lat.append(now - sent)
        finally:
            buf.unmap(m)
    return Gst.PadProbeReturn.OK


class Viewer:
    def __init__(self, n, measure):
        self.measure = measure
        info = api(args.janus, {'janus': 'create'})
        self.session = '%s/%d' % (args.janus, info['data']['id'])
        h = api(self.session, {'janus': 'attach', 'plugin': 'janus.plugin.streaming'})
        self.handle = '%s/%d' % (self.session, h['data']['id'])
        api(self.handle, {'janus': 'message', 'body': {'request': 'watch', 'id': args.mountpoint}})
        offer = poll_event(self.session)['jsep']['sdp']
        self.pipe = Gst.Pipeline.new('v%d' % n)
        self.wb = Gst.ElementFactory.make('webrtcbin')
        self.wb.set_property('latency', 0)
        self.pipe.add(self.wb)
        self.wb.connect('pad-added', self.on_pad)
        self.wb.connect('on-ice-candidate', self.on_candidate)
        self.pipe.set_state(Gst.State.PLAYING)
        caps = Gst.Caps.from_string('application/x-rtp,media=video,encoding-name=H264,'
                                    'clock-rate=90000,payload=96')
        self.wb.emit('add-transceiver', GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, caps)
        _, sdp = GstSdp.SDPMessage.new_from_text(offer)
        desc = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp)
        p = Gst.Promise.new()
        self.wb.emit('set-remote-description', desc, p)
        p.wait()
        p = Gst.Promise.new()
        self.wb.emit('create-answer', None, p)
        p.wait()
        reply = p.get_reply()
        answer = reply.get_value('answer') if reply is not None else None
        if answer is None:
            sys.exit('webrtcbin could not answer: %s\n%s' % (reply, offer))
        p = Gst.Promise.new()
        self.wb.emit('set-local-description', answer, p)
        p.wait()
        api(self.handle, {'janus': 'message', 'body': {'request': 'start'},
                          'jsep': {'type': 'answer', 'sdp': answer.sdp.as_text()}})

    def on_candidate(self, wb, mline, cand):
        try:
            api(self.handle, {'janus': 'trickle',
                              'candidate': {'candidate': cand, 'sdpMLineIndex': mline}})
        except Exception:
            pass

    def on_pad(self, wb, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        sink = Gst.ElementFactory.make('fakesink')
        sink.set_property('sync', False)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad('sink'))
        pad.add_probe(Gst.PadProbeType.BUFFER, on_buffer, self.measure)

    def stop(self):
        self.pipe.set_state(Gst.State.NULL)


def cpu_ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main():
    global args, received
    ap = argparse.ArgumentParser()
    ap.add_argument('--janus', required=True)
    ap.add_argument('--mountpoint', type=int, default=1)
    ap.add_argument('--viewers', type=int, default=1)
    ap.add_argument('--seconds', type=int, default=10)
    ap.add_argument('--probe', type=int, default=10)
    ap.add_argument('--pid', type=int, required=True)
    args = ap.parse_args()
    loop = GLib.MainLoop()
    threading.Thread(target=loop.run, daemon=True).start()
    viewers = [Viewer(i, i < args.probe) for i in range(args.viewers)]
    time.sleep(3)  # ICE, DTLS, first packets
    with lock:
        lat.clear()
        received = 0
    c0, t0 = cpu_ticks(args.pid), time.monotonic()
    time.sleep(args.seconds)
    c1, t1 = cpu_ticks(args.pid), time.monotonic()
    with lock:
        got, ls = received, sorted(lat)
    for v in viewers:
        v.stop()
    clk = 100.0
    print(json.dumps({
        'viewers': args.viewers,
        'received_per_viewer_per_s': round(got / args.viewers / (t1 - t0), 1),
        'latency_p50_us': ls[len(ls) // 2] if ls else -1,
        'latency_p99_us': ls[len(ls) * 99 // 100] if ls else -1,
        'janus_cpu_pct': round(100.0 * (c1 - c0) / clk / (t1 - t0), 2),
    }))


if __name__ == '__main__':
    main()
