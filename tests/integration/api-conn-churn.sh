#!/usr/bin/env bash
# Dropped keep-alive connections give their descriptors back. libsoup 3.2
# (Debian 12) never closes a keep-alive connection whose client hangs up
# while it is idle; courtavd's reaper (common/http-reaper.c) must close
# them. Against the real daemon on loopback:
#   - 200 keep-alive connections held open at once (one request each): the
#     daemon's descriptors rise by about 200; dropped together, they must
#     come back to the baseline within a few seconds;
#   - 1,000 connections opened, used once and dropped one after another:
#     the same;
#   - a keep-alive connection left open but idle all along is not touched:
#     its next request is answered on the same socket;
#   - GET /status counts the reaped connections.
# Descriptors are counted in /proc/PID/fd and polled, never slept for.
. "$(dirname "$0")/lib.sh"
cav_setup apiconnchurn
cav_start
port=${COURTAV_API##*:}

python3 - "$port" "$CAV_PID" "$COURTAV_TOKEN" >"$CAV_DIR/churn.json" <<'PY' ||
import http.client, json, os, sys, time

port, pid, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
HELD, CHURN, PACE, SLACK, DEADLINE_S = 200, 1000, 400, 25, 20.0
figures = {}


def fail(msg):
    print(json.dumps(figures))
    sys.exit("FAIL: " + msg)


def fds():
    return len(os.listdir("/proc/%d/fd" % pid))


def get(conn):
    conn.request("GET", "/api/v1/status", headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        fail("GET /status: %d %s" % (r.status, body[:200]))
    if (r.getheader("Connection") or "").lower() == "close":
        fail("the daemon closed the connection itself: no keep-alive to test")
    return json.loads(body)


def fresh():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    get(c)
    return c


def back_to(limit, what):
    """Polls until the daemon holds at most @limit descriptors; seconds taken."""
    t0 = time.monotonic()
    while fds() > limit:
        if time.monotonic() - t0 > DEADLINE_S:
            fail("%s: %d descriptors still open after %.0f s (baseline %d)"
                 % (what, fds(), DEADLINE_S, figures["baseline"]))
        time.sleep(0.05)
    return round(time.monotonic() - t0, 2)


def settled():
    """The count once the last sweep is done: polled for a while, not judged."""
    t0 = time.monotonic()
    while fds() > figures["baseline"] and time.monotonic() - t0 < 3:
        time.sleep(0.05)
    return fds()


# A connection kept alive and idle through the whole test.
keeper = fresh()
keeper_addr = keeper.sock.getsockname()
# Warm-up (caches, allocator, the reaper's first sweep), then the baseline:
# the lowest count over two reaper periods.
for _ in range(20):
    fresh().close()
low, t0 = fds(), time.monotonic()
while time.monotonic() - t0 < 2.5:
    low = min(low, fds())
    time.sleep(0.05)
figures["baseline"] = base = low

# Held: the daemon must really hold them (or the test proves nothing).
held = [fresh() for _ in range(HELD)]
figures["held_peak"] = fds()
if figures["held_peak"] < base + HELD * 9 // 10:
    fail("%d connections held, but the daemon's descriptors went from %d to %d only"
         % (HELD, base, figures["held_peak"]))
for c in held:
    c.close()
figures["held_reaped_s"] = back_to(base + SLACK, "%d held connections dropped" % HELD)
figures["held_after"] = settled()

# Churn: one request per connection, dropped at once. Paced so that no
# more than PACE are pending at a time, which keeps a daemon with the
# common 1,024-descriptor limit clear of it on a fast machine.
peak = 0
for i in range(CHURN):
    fresh().close()
    if i % 50 == 49:
        peak = max(peak, fds())
        if fds() > base + PACE:
            back_to(base + PACE, "churn, after %d connections" % (i + 1))
figures["churn_peak"] = peak
figures["churn_reaped_s"] = back_to(base + SLACK, "%d dropped connections" % CHURN)
figures["churn_after"] = settled()

# The idle connection that stayed open was not reaped.
try:
    status = get(keeper)
except (http.client.HTTPException, OSError) as e:
    fail("the idle keep-alive connection was closed by the daemon: %r" % e)
if keeper.sock is None or keeper.sock.getsockname() != keeper_addr:
    fail("the idle keep-alive connection was closed by the daemon")
figures["reaped"] = status.get("http", {}).get("reaped")
if figures["reaped"] is None or figures["reaped"] < HELD + CHURN:
    fail("GET /status counts %s reaped connections, expected at least %d"
         % (figures["reaped"], HELD + CHURN))
keeper.close()
print(json.dumps(figures))
PY
	fail "$(cat "$CAV_DIR/churn.json")"
note "descriptors and seconds to reap: $(cat "$CAV_DIR/churn.json")"
kill -0 "$CAV_PID" || fail "courtavd died"
cav_stop
cav_pass
