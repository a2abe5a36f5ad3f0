// console.js — the relay console for operators and inspectors: log in
// (POST /api/v1/login), a grid of every courtroom the relay knows with its
// state (GET /api/v1/live, every 2 s), a low-latency view of any room, and
// for operators the cut of a public broadcast.
//
// The view: GET /api/v1/rooms/{key}/view streams fragmented MP4 (H.264 and
// Opus as the appliance sends them, 100 ms fragments); it is fed to a
// MediaSource as it arrives and kept within half a second of the live edge.
// window.cavView holds the timing of the last view (for the tests).
import { applyI18n, getLang, setLang, t } from './i18n.js';

const $ = (s) => document.querySelector(s);
const TOKEN_KEY = 'courtav.console.token';
let token = sessionStorage.getItem(TOKEN_KEY);
let me = null;
let rooms = [];
let cutState = new Map(); // room_key -> bool
let view = null;          // { key, abort, ms, sb }
window.cavView = null;

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, Object.assign({}, opts, { headers, cache: 'no-store' }));
  if (r.status === 401) { logout(); throw new Error('401'); }
  return r;
}

function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== screen;
  $('#logout').hidden = screen === 'screen-login';
}

function logout() {
  stopView();
  token = null; me = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('#who').textContent = '';
  show('screen-login');
}

async function login(ev) {
  ev.preventDefault();
  $('#login-error').hidden = true;
  const r = await fetch('/api/v1/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: $('#login-name').value, password: $('#login-password').value }),
  });
  if (!r.ok) {
    $('#login-error').textContent = t('login.failed');
    $('#login-error').hidden = false;
    return;
  }
  const d = await r.json();
  token = d.token;
  sessionStorage.setItem(TOKEN_KEY, token);
  await start();
}

async function start() {
  try {
    const r = await api('/api/v1/me');
    if (!r.ok) throw new Error(String(r.status));
    const d = await r.json();
    me = d.user || d;
  } catch (e) {
    if (!token) return;
  }
  $('#who').textContent = me ? `${me.name} (${me.role})` : '';
  show('screen-rooms');
  refresh();
}

function fmtTime(us) {
  if (!us) return '';
  return new Date(us / 1000).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN',
    { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

function badge(cls, text) {
  const b = document.createElement('span');
  b.className = `badge ${cls}`;
  b.textContent = text;
  return b;
}

function tile(r) {
  const li = document.createElement('li');
  const c = document.createElement('div');
  c.className = 'card tile';
  c.dataset.room = r.room_key;
  const title = document.createElement('div');
  title.className = 'title';
  title.textContent = [r.court, r.room_name].filter(Boolean).join(' · ') || r.room_key;
  const badges = document.createElement('div');
  badges.className = 'badges';
  badges.append(r.live ? badge('live', t('room.live')) : badge('', t('room.idle')));
  if (r.hearing_id) badges.append(r.public ? badge('public', t('room.public')) : badge('private', t('room.private')));
  if (cutState.get(r.room_key)) badges.append(badge('cut', t('room.is_cut')));
  c.append(title, badges);
  for (const line of [
    r.case_number ? `${t('room.case')}：${r.case_number}${r.case_title ? ' ' + r.case_title : ''}` : null,
    r.cause ? `${t('room.cause')}：${r.cause}` : null,
    r.started_us ? `${t('room.started')}：${fmtTime(r.started_us)}` : null]) {
    if (!line) continue;
    const m = document.createElement('div');
    m.className = 'meta';
    m.textContent = line;
    c.append(m);
  }
  const row = document.createElement('div');
  row.className = 'row';
  const v = document.createElement('button');
  v.className = 'primary';
  v.dataset.view = r.room_key;
  v.textContent = t('room.view');
  v.disabled = !r.live;
  v.addEventListener('click', () => startView(r));
  row.append(v);
  if (me && me.role === 'operator' && r.public && r.hearing_id) {
    const cut = cutState.get(r.room_key);
    const b = document.createElement('button');
    b.className = cut ? '' : 'warn';
    b.dataset.cut = r.room_key;
    b.textContent = cut ? t('room.uncut') : t('room.cut');
    b.addEventListener('click', () => setCut(r.room_key, !cut));
    row.append(b);
  }
  c.append(row);
  li.append(c);
  return li;
}

function render() {
  $('#rooms').replaceChildren(...rooms.map(tile));
  $('#rooms-none').hidden = rooms.length > 0;
}

async function refresh() {
  if (!token) return;
  try {
    const r = await api('/api/v1/live');
    if (!r.ok) throw new Error(String(r.status));
    rooms = ((await r.json()).rooms || []).sort((a, b) => a.room_key.localeCompare(b.room_key));
    for (const room of rooms.filter((x) => x.public && x.hearing_id)) {
      const s = await api(`/api/v1/rooms/${room.room_key}/public`);
      if (s.ok) cutState.set(room.room_key, (await s.json()).cut);
    }
    $('#rooms-error').hidden = true;
    render();
  } catch (e) {
    if (token) $('#rooms-error').hidden = false;
  }
}

async function setCut(key, cut) {
  await api(`/api/v1/rooms/${key}/${cut ? 'cut' : 'uncut'}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
  });
  cutState.set(key, cut);
  render();
}

// The codec string MediaSource needs, read from the init segment: avcC's
// profile, constraints and level; Opus if the movie has an Opus track.
function codecsOf(init) {
  const find = (name) => {
    const n = [...name].map((ch) => ch.charCodeAt(0));
    for (let i = 0; i + 4 <= init.length; i++) {
      if (init[i] === n[0] && init[i + 1] === n[1] && init[i + 2] === n[2] && init[i + 3] === n[3]) return i;
    }
    return -1;
  };
  const a = find('avcC');
  const hex = (x) => x.toString(16).padStart(2, '0');
  const list = [];
  if (a >= 0) list.push(`avc1.${hex(init[a + 5])}${hex(init[a + 6])}${hex(init[a + 7])}`);
  if (find('Opus') >= 0) list.push('opus');
  return `video/mp4; codecs="${list.join(', ')}"`;
}

function boxesEnd(buf, name) {
  // Offset just past the first top-level box called @name, or -1.
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = ((buf[i] << 24) >>> 0) + (buf[i + 1] << 16) + (buf[i + 2] << 8) + buf[i + 3];
    const type = String.fromCharCode(buf[i + 4], buf[i + 5], buf[i + 6], buf[i + 7]);
    if (size < 8 || i + size > buf.length) return -1;
    i += size;
    if (type === name) return i;
  }
  return -1;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0); out.set(b, a.length);
  return out;
}

function stopView() {
  if (!view) return;
  view.abort.abort();
  const v = $('#view-video');
  v.pause();
  v.removeAttribute('src');
  v.load();
  view = null;
  $('#viewer').hidden = true;
}

async function startView(room) {
  stopView();
  const v = $('#view-video');
  if (!window.MediaSource) { $('#view-status').textContent = t('view.unsupported'); return; }
  const clicked = performance.now();
  const abort = new AbortController();
  const current = { key: room.room_key, abort };
  view = current;
  window.cavView = { room: room.room_key, clicked, firstByte: null, playing: null };
  $('#viewer').hidden = false;
  $('#view-title').textContent = [room.room_name, room.case_number].filter(Boolean).join(' · ');
  $('#view-status').textContent = t('view.connecting');
  const ms = new MediaSource();
  v.src = URL.createObjectURL(ms);
  await new Promise((res) => ms.addEventListener('sourceopen', res, { once: true }));
  let r;
  try {
    r = await api(`/api/v1/rooms/${room.room_key}/view`, { signal: abort.signal });
  } catch (e) {
    return;
  }
  if (!r.ok) {
    let why = `HTTP ${r.status}`;
    try { const d = await r.json(); why = (getLang() === 'en' ? d.error.message : d.error.message_zh) || why; } catch (e) { /* keep */ }
    $('#view-status').textContent = t('view.failed', { why });
    return;
  }
  const reader = r.body.getReader();
  let pending = new Uint8Array(0);
  let sb = null;
  const queue = [];
  const pump = () => {
    if (!sb || sb.updating || queue.length === 0) return;
    sb.appendBuffer(queue.shift());
  };
  v.addEventListener('playing', () => {
    if (window.cavView && window.cavView.playing === null && view === current) {
      window.cavView.playing = performance.now();
      $('#view-status').textContent = t('view.first', { ms: Math.round(window.cavView.playing - clicked) });
    }
  }, { once: true });
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (e) {
      break;
    }
    if (chunk.done || view !== current) break;
    if (window.cavView.firstByte === null) window.cavView.firstByte = performance.now();
    if (!sb) {
      pending = concat(pending, chunk.value);
      const end = boxesEnd(pending, 'moov');
      if (end < 0) continue;
      window.cavCodecs = codecsOf(pending.subarray(0, end));
      sb = ms.addSourceBuffer(window.cavCodecs);
      sb.mode = 'segments';
      sb.addEventListener('updateend', () => {
        // Stay within half a second of the live edge; drop old media.
        if (v.buffered.length > 0) {
          const edge = v.buffered.end(v.buffered.length - 1);
          if (edge - v.currentTime > 1.0 || v.currentTime < v.buffered.start(0)) v.currentTime = Math.max(v.buffered.start(0), edge - 0.3);
          if (v.paused) v.play().catch(() => {});
          if (!sb.updating && v.currentTime > 30 && queue.length === 0) { sb.remove(0, v.currentTime - 20); return; }
        }
        pump();
      });
      queue.push(pending);
    } else {
      queue.push(chunk.value);
    }
    pump();
  }
}

$('#login').addEventListener('submit', login);
$('#logout').addEventListener('click', async () => {
  try { await api('/api/v1/logout', { method: 'POST' }); } catch (e) { /* logged out anyway */ }
  logout();
});
$('#view-close').addEventListener('click', stopView);
$('#lang').addEventListener('click', () => { setLang(getLang() === 'en' ? 'zh-CN' : 'en'); applyI18n(); render(); });
applyI18n();
if (token) start(); else show('screen-login');
setInterval(refresh, 2000);
