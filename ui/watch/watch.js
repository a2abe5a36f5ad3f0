// watch.js — the public watch page: lists live and recorded public hearings
// (GET /api/v1/public/hearings, refreshed every 5 s) and plays one with
// hls.js, or natively where the browser plays HLS itself (Safari, iOS).
//
// Recovery: a live stream survives a relay restart or a network gap. hls.js
// retries playlist and segment loads quickly; a fatal error restarts loading
// after a second; and a watchdog reloads the player if the picture has not
// moved for 5 s while it should be playing.
import { applyI18n, getLang, setLang, t } from './i18n.js';

const $ = (s) => document.querySelector(s);
const video = $('#video');
const LIST_MS = 5000;
const STALL_MS = 5000;

let items = new Map(); // id -> hearing from the list
let current = null;    // the hearing being played
let hls = null;
let lastTime = -1;
let lastMove = 0;

function fmtTime(us) {
  if (!us) return '';
  const d = new Date(us / 1000);
  return d.toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN',
    { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

function fmtDuration(s) {
  s = Math.round(s || 0);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}

function badge(h) {
  const span = document.createElement('span');
  const state = h.cut && h.state === 'live' ? 'cut' : h.state;
  span.className = `badge ${state}`;
  span.textContent = t(`state.${state}`);
  return span;
}

function metaLines(h) {
  const lines = [];
  if (h.court || h.room_name) lines.push([h.court, h.room_name].filter(Boolean).join(' · '));
  if (h.cause) lines.push(`${t('item.cause')}：${h.cause}`);
  const when = `${t('item.started')}：${fmtTime(h.started_us)}`;
  lines.push(h.state === 'finished' ? `${when} · ${t('item.duration', { d: fmtDuration(h.duration_s) })}` : when);
  return lines;
}

function card(h) {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.dataset.id = h.id;
  const top = document.createElement('div');
  top.className = 'card-top';
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = h.case_title || h.case_number || h.room_name || '';
  top.append(title, badge(h));
  b.append(top);
  for (const line of [h.case_number && h.case_title ? h.case_number : null, ...metaLines(h)]) {
    if (!line) continue;
    const m = document.createElement('span');
    m.className = 'meta';
    m.textContent = line;
    b.append(m);
  }
  b.addEventListener('click', () => play(h.id));
  li.append(b);
  return li;
}

function render(list) {
  items = new Map([...list.live, ...list.on_demand].map((h) => [h.id, h]));
  $('#live').replaceChildren(...list.live.map(card));
  $('#vod').replaceChildren(...list.on_demand.map(card));
  $('#live-none').hidden = list.live.length > 0;
  $('#vod-none').hidden = list.on_demand.length > 0;
  if (current) {
    const now = items.get(current.id);
    if (!now) {
      stop(); // no longer listed (revoked): stop at once
    } else {
      const wasLive = current.state !== 'finished';
      current = now;
      showNow(now);
      if (wasLive && now.state === 'finished') overlay(t('player.ended'));
    }
  }
}

async function refresh() {
  try {
    const r = await fetch('/api/v1/public/hearings', { cache: 'no-store' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    render(await r.json());
    $('#list-error').hidden = true;
  } catch (e) {
    $('#list-error').hidden = false;
  }
}

function overlay(text) {
  const o = $('#overlay');
  o.textContent = text || '';
  o.hidden = !text;
}

function showNow(h) {
  $('#now-title').textContent = h.case_title || h.case_number || '';
  $('#now-meta').replaceChildren(...[h.case_number, ...metaLines(h)].filter(Boolean).map((l) => {
    const d = document.createElement('div');
    d.textContent = l;
    return d;
  }));
}

function destroyPlayer() {
  if (hls) { hls.destroy(); hls = null; }
  video.removeAttribute('src');
  video.load();
}

function load(url) {
  destroyPlayer();
  lastTime = -1;
  lastMove = Date.now();
  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({
      liveSyncDurationCount: 3,
      manifestLoadingMaxRetry: 6, manifestLoadingRetryDelay: 500, manifestLoadingMaxRetryTimeout: 2000,
      levelLoadingMaxRetry: 6, levelLoadingRetryDelay: 500, levelLoadingMaxRetryTimeout: 2000,
      fragLoadingMaxRetry: 6, fragLoadingRetryDelay: 500, fragLoadingMaxRetryTimeout: 2000,
    });
    hls.on(window.Hls.Events.ERROR, (ev, data) => {
      if (!data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        overlay(t('player.reconnecting'));
        const h = hls;
        setTimeout(() => { if (hls === h) hls.startLoad(); }, 1000);
      }
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url; // Safari, iOS: native HLS
  } else {
    overlay(t('player.unsupported'));
    return;
  }
  video.play().catch(() => overlay(t('player.tap')));
}

function play(id) {
  const h = items.get(id);
  if (!h) return;
  current = h;
  $('#player').hidden = false;
  showNow(h);
  overlay(t('player.loading'));
  load(h.playlist);
  window.scrollTo({ top: 0, behavior: 'smooth' });
}

function stop() {
  current = null;
  destroyPlayer();
  $('#player').hidden = true;
}

// The picture moves: hide messages. It stops moving while it should play:
// reload after STALL_MS (a relay restart, a long gap).
video.addEventListener('playing', () => overlay(''));
video.addEventListener('click', () => { if (video.paused) video.play().catch(() => {}); });
setInterval(() => {
  if (!current || video.paused && lastTime < 0) return;
  if (video.currentTime !== lastTime) {
    if (lastTime >= 0 && !$('#overlay').hidden && current.state !== 'finished') overlay('');
    lastTime = video.currentTime;
    lastMove = Date.now();
    return;
  }
  if (video.paused || video.ended || current.state === 'finished') return;
  if (Date.now() - lastMove > STALL_MS) {
    overlay(t('player.reconnecting'));
    load(current.playlist);
  }
}, 1000);

$('#close').addEventListener('click', stop);
$('#lang').addEventListener('click', () => {
  setLang(getLang() === 'en' ? 'zh-CN' : 'en');
  applyI18n();
  refresh();
});

applyI18n();
refresh();
setInterval(refresh, LIST_MS);
