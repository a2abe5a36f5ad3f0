#!/usr/bin/env bash
# Authorization of the control API, against the real daemon: every route in
# the router's own table (courtavd --list-routes) refuses a request without a
# token (401) and with a garbage or expired one; roles are enforced (a clerk
# managing users → 403); five wrong PINs lock the account (429, audited) and
# the lock cools down; every privileged call leaves an audit row naming the
# user; malformed JSON, unknown fields and out-of-range values are refused
# with 400 and change nothing; oversized and slow bodies are cut off.
. "$(dirname "$0")/lib.sh"
cav_setup apiauth
sed -i "s|^listen = |lockout_seconds = 3\nsession_minutes = 1\nlisten = |" "$CAV_INI"
cav_start
API=$COURTAV_API/api/v1
CLERK=$COURTAV_TOKEN
ADMIN=$(cav_login "$CAV_ADMIN" "$CAV_ADMIN_PASSWORD")
# code METHOD PATH [TOKEN] [BODY]: prints the HTTP status.
code() {
	local auth=()
	[ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
	curl -s -o "$CAV_DIR/body" -w '%{http_code}' -X "$1" "${auth[@]}" \
		${4:+-H 'Content-Type: application/json' --data "$4"} "$COURTAV_API$2"
}
audit_rows() { sql "SELECT count(*) FROM audit"; }

# ---- every route: no token → 401, a bad token → 401 ----------------------------
n=0
while read -r method pattern roles; do
	path=${pattern//\{id\}/1}
	path=${path//\{name\}/cam1}
	if [ "$roles" = public ]; then continue; fi
	got=$(code "$method" "$path")
	[ "$got" = 401 ] || fail "$method $path without a token: $got, expected 401"
	grep -q message_zh "$CAV_DIR/body" || fail "$method $path: 401 without a Chinese message"
	got=$(code "$method" "$path" "$(printf 'f%.0s' $(seq 64))")
	[ "$got" = 401 ] || fail "$method $path with a bad token: $got"
	n=$((n + 1))
done < <("$COURTAVD" --list-routes)
[ "$n" -ge 25 ] || fail "only $n protected routes listed"
note "$n protected routes refuse requests without a valid token"
[ "$(code GET /api/v1/public/status)" = 200 ] || fail "the public status needs no login"
[ "$(code GET /api/v1/device/public-key)" = 200 ] || fail "the public key needs no login"

# ---- roles ------------------------------------------------------------------------
before=$(audit_rows)
[ "$(code GET /api/v1/users "$CLERK")" = 403 ] || fail "a clerk listed users"
[ "$(code POST /api/v1/users "$CLERK" '{"name":"x1","role":"admin","secret":"123456"}')" = 403 ] || fail "a clerk added a user"
grep -q '无权' "$CAV_DIR/body" || fail "403 without a Chinese message"
[ "$(code PATCH /api/v1/users/1 "$CLERK" '{"role":"admin"}')" = 403 ] || fail "a clerk promoted a user"
[ "$(code GET /api/v1/audit "$CLERK")" = 403 ] || fail "a clerk read the audit log"
[ "$(code POST /api/v1/hearings "$ADMIN" '{"case_id":1}')" = 403 ] || fail "an admin opened a hearing"
[ "$(audit_rows)" = "$before" ] || fail "refused calls wrote audit rows"
[ "$(sql "SELECT count(*) FROM users")" = 2 ] || fail "a refused call added a user"

# ---- privileged calls, each with an audit row naming the user ---------------------------
expect_audit() { # ACTION ACTOR
	[ "$(sql "SELECT count(*) FROM audit WHERE action = '$1' AND actor = '$2'")" -ge 1 ] ||
		fail "no audit row '$1' by $2: $(sql 'SELECT actor, action FROM audit')"
}
[ "$(code POST /api/v1/users "$ADMIN" '{"name":"judge1","role":"judge","secret":"135790"}')" = 201 ] || fail "admin could not add a judge: $(cat "$CAV_DIR/body")"
expect_audit user.add "$CAV_ADMIN"
[ "$(code PATCH /api/v1/users/3 "$ADMIN" '{"display_name":"李法官"}')" = 200 ] || fail "admin could not rename"
expect_audit user.update "$CAV_ADMIN"
[ "$(code POST /api/v1/cases "$CLERK" '{"number":"（2026）兵0101刑初5号","title":"测试"}')" = 201 ] || fail "clerk could not create a case"
expect_audit case.create "$CAV_CLERK"
[ "$(code POST /api/v1/hearings "$CLERK" '{"case_id":1,"start":false}')" = 201 ] || fail "open"
expect_audit hearing.open "$CAV_CLERK"
[ "$(code POST /api/v1/layout "$CLERK" '{"layout":"auto"}')" = 200 ] || fail "layout"
expect_audit layout.set "$CAV_CLERK"
JUDGE=$(cav_login judge1 135790)
[ "$(code POST /api/v1/hearings/1/close "$JUDGE")" = 200 ] || fail "the judge could not close"
expect_audit hearing.close judge1
[ "$(code POST /api/v1/auth/logout "$JUDGE")" = 200 ] || fail "logout"
expect_audit auth.logout judge1
[ "$(code GET /api/v1/auth/me "$JUDGE")" = 401 ] || fail "a token still works after logout"
[ "$(code GET /api/v1/audit?limit=5 "$ADMIN")" = 200 ] || fail "admin could not read the audit log"
grep -q '"next_before"' "$CAV_DIR/body" || fail "audit page without next_before"

# ---- the last admin cannot be removed -----------------------------------------------
[ "$(code PATCH /api/v1/users/2 "$ADMIN" '{"disabled":true}')" = 409 ] || fail "the last admin was disabled"

# ---- bad input: 400 and no change -------------------------------------------------------
users=$(sql "SELECT group_concat(name || role, ',') FROM users")
[ "$(code POST /api/v1/users "$ADMIN" '{"name":"x2","role":"admin","secret":"12"}')" = 400 ] || fail "a 2-digit PIN accepted"
[ "$(code POST /api/v1/users "$ADMIN" '{"name":"x2","role":"emperor","secret":"123456"}')" = 400 ] || fail "an unknown role accepted"
[ "$(code POST /api/v1/users "$ADMIN" '{"name":"x2","role":"clerk","secret":"123456","colour":1}')" = 400 ] || fail "an unknown field accepted"
[ "$(code POST /api/v1/users "$ADMIN" '{"name":"a b","role":"clerk","secret":"123456"}')" = 400 ] || fail "a name with a space accepted"
[ "$(code POST /api/v1/users "$ADMIN" '{"name":')" = 400 ] || fail "malformed JSON accepted"
[ "$(code PATCH /api/v1/users/3 "$ADMIN" '{"disabled":"yes"}')" = 400 ] || fail "a string for a boolean accepted"
[ "$(code POST /api/v1/layout "$CLERK" '{"layout":"9x9"}')" = 400 ] || fail "an unknown layout accepted"
[ "$(code GET '/api/v1/audit?limit=100000' "$ADMIN")" = 400 ] || fail "an out-of-range limit accepted"
[ "$(sql "SELECT group_concat(name || role, ',') FROM users")" = "$users" ] || fail "bad input changed the users"
[ "$(sql "SELECT value FROM settings WHERE key = 'layout'")" = auto ] || fail "bad input changed the layout"

# ---- bodies: too large (413 at once), too slow (connection cut) ---------------------
head -c 70000 /dev/zero | tr '\0' 'a' >"$CAV_DIR/big"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $CLERK" --data-binary @"$CAV_DIR/big" "$API/cases")" = 413 ] || fail "a 70 kB body not refused"
port=${COURTAV_API##*:}
start=$(date +%s)
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"num' >&3
timeout 20 cat <&3 >/dev/null || true
exec 3<&- 3>&-
took=$(($(date +%s) - start))
[ "$took" -le 15 ] || fail "a slow body held the connection for ${took}s"
note "a stalled body was cut off after ${took}s"

# ---- lockout after 5 failures, audited; cool-down ----------------------------------
for i in 1 2 3 4; do
	[ "$(code POST /api/v1/auth/login "" "{\"user\":\"$CAV_CLERK\",\"secret\":\"000000\"}")" = 401 ] || fail "wrong PIN $i not refused"
done
[ "$(code POST /api/v1/auth/login "" "{\"user\":\"$CAV_CLERK\",\"secret\":\"000000\"}")" = 429 ] || fail "5th wrong PIN did not lock"
[ "$(code POST /api/v1/auth/login "" "{\"user\":\"$CAV_CLERK\",\"secret\":\"$CAV_CLERK_PIN\"}")" = 429 ] || fail "the right PIN worked while locked"
grep -q '锁定' "$CAV_DIR/body" || fail "the lockout message has no Chinese"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'auth.login-failed' AND object = 'user/$CAV_CLERK'")" = 4 ] || fail "failed logins not audited"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'auth.lockout' AND object = 'user/$CAV_CLERK'")" = 1 ] || fail "lockout not audited"
[ "$(code POST /api/v1/auth/login "" '{"user":"nobody","secret":"123456"}')" = 401 ] || fail "an unknown user"
sleep 3.5
[ "$(code POST /api/v1/auth/login "" "{\"user\":\"$CAV_CLERK\",\"secret\":\"$CAV_CLERK_PIN\"}")" = 200 ] || fail "no login after the cool-down"

# ---- sessions expire (session_minutes = 1) ------------------------------------------
sql "UPDATE sessions SET expires_us = created_us + 1"
[ "$(code GET /api/v1/status "$CLERK")" = 401 ] || fail "an expired token accepted"
grep -q '过期' "$CAV_DIR/body" || fail "no 'expired' message"
ctl audit verify --db "$CAV_STATE/courtav.db" >/dev/null || fail "audit chain broken"
cav_pass
