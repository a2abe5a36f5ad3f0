// panel.js — the clerk's touch panel: PIN login, today's cases, hearing
// control, live previews, marks, layout, levels, alarms and the hearing's
// report. Plain ES modules, no framework. Talks only to courtavd's API
// (docs/API.md) with the bearer token of the login, kept in sessionStorage;
// errors are shown in plain words from the API's message / message_zh.
import { t, getLang, setLang, applyI18n } from './i18n.js';
import { initDisc, openDisc, onJobEvent } from './disc.js';
import { initEvidence, loadEvidence, onEvidenceEvent, renderEvidence } from './evidence.js';

const API = '/api/v1';
const MARKS = ['开庭', '法庭调查', '举证', '质证', '法庭辩论', '最后陈述', '休庭', '宣判'];
const $ = (id) => document.getElementById(id);

const app = {
  token: sessionStorage.getItem('courtav.token'),
  user: JSON.parse(sessionStorage.getItem('courtav.user') || 'null'),
  status: null,        // last GET /status
  statusAt: 0,         // performance.now() of it
  hearingId: null,     // the hearing on the control screen
  hearing: null,       // its last GET /hearings/{id}
  showAll: false,
  ws: null,
  wsRetry: 0,
  timers: [],
  previewBusy: {},
  previewUrls: {},
  busy: false,
};

// ---- API ---------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    super(e ? e.message : `HTTP ${status}`);
    this.status = status;
    this.code = e ? e.code : null;
    this.zh = e ? e.message_zh : null;
  }
  // What the clerk reads: the daemon's own sentence in the panel's language.
  plain() {
    if (this.status === 0) return t('error.network');
    if (this.status === 401 && this.code === 'unauthorized') return t('error.session');
    const text = getLang() === 'en' ? this.message : this.zh;
    return text && !/^HTTP \d+$/.test(text) ? text : t('error.generic');
  }
}

async function api(method, path, body, raw) {
  const headers = {};
  if (app.token) headers.Authorization = `Bearer ${app.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(API + path, {
      method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, null);
  }
  if (raw && res.ok) return res;
  let json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    if (res.status === 401 && path !== '/auth/login') logout(false, err.plain());
    throw err;
  }
  return json;
}

// ---- small UI helpers ----------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

let toastTimer = 0;
function toast(text, isError) {
  const box = $('toast');
  box.textContent = text;
  box.className = isError ? 'error' : '';
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, isError ? 6000 : 2500);
}

function showError(err, where) {
  const text = err instanceof ApiError ? err.plain() : t('error.generic');
  if (where) { where.textContent = text; where.hidden = false; } else toast(text, true);
}

function show(screen) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${screen}`;
  $('logout').hidden = screen === 'login';
  $('who').textContent = app.user && screen !== 'login' ? (app.user.display_name || app.user.name) : '';
}

// Runs @fn once at a time so a double tap cannot send a transition twice.
async function once(fn) {
  if (app.busy) return;
  app.busy = true;
  document.body.classList.add('busy');
  try { await fn(); } finally {
    app.busy = false;
    document.body.classList.remove('busy');
  }
}

function fmtDuration(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return [h, m, sec].map((v) => String(v).padStart(2, '0')).join(':');
}

function fmtBytes(b) {
  if (b >= 1e9) return `${(b / 1e9).toFixed(2)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(1)} MB`;
  return `${Math.round(b / 1e3)} kB`;
}

function todayBJ() {
  // Beijing date as the API's *_bj strings write it.
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}

// ---- login ----------------------------------------------------------------

function buildKeypad() {
  const pad = $('keypad');
  const pin = $('login-pin');
  for (const k of ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back']) {
    const label = k === 'clear' ? t('login.clear') : k === 'back' ? t('login.back') : k;
    pad.append(el('button', {
      type: 'button', class: k.length > 1 ? 'key fn' : 'key', 'data-key': k, text: label,
      onclick: () => {
        if (k === 'clear') pin.value = '';
        else if (k === 'back') pin.value = pin.value.slice(0, -1);
        else if (pin.value.length < 12) pin.value += k;
      },
    }));
  }
}

async function login(ev) {
  ev.preventDefault();
  const user = $('login-user').value.trim();
  const secret = $('login-pin').value;
  const errBox = $('login-error');
  errBox.hidden = true;
  if (!user || !secret) { errBox.textContent = t('login.missing'); errBox.hidden = false; return; }
  await once(async () => {
    try {
      const r = await api('POST', '/auth/login', { user, secret });
      app.token = r.token;
      app.user = r.user;
      sessionStorage.setItem('courtav.token', r.token);
      sessionStorage.setItem('courtav.user', JSON.stringify(r.user));
      localStorage.setItem('courtav.last_user', user);
      $('login-pin').value = '';
      await start();
    } catch (e) {
      $('login-pin').value = '';
      showError(e, errBox);
    }
  });
}

function logout(tellServer, message) {
  const token = app.token;
  app.token = null;
  app.user = null;
  sessionStorage.removeItem('courtav.token');
  sessionStorage.removeItem('courtav.user');
  stopLive();
  if (tellServer && token)
    fetch(`${API}/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
      .catch(() => {});
  $('login-user').value = localStorage.getItem('courtav.last_user') || '';
  show('login');
  if (message) { $('login-error').textContent = message; $('login-error').hidden = false; }
}

// ---- status, alarms, recording indicator ---------------------------------

async function refreshStatus() {
  if (!app.token) return;
  try {
    app.status = await api('GET', '/status');
    app.statusAt = performance.now();
  } catch (e) {
    if (e.status === 0) toast(t('error.network'), true);
    return;
  }
  renderTop();
  renderAlarms();
  const h = app.status.hearing;
  if (app.hearingId && h && h.id === app.hearingId && app.hearing && app.hearing.state !== h.state)
    await loadHearing();
}

function renderTop() {
  const s = app.status;
  if (!s) return;
  $('room').textContent = `${s.room.court ? s.room.court + ' ' : ''}${s.room.name}`;
  const hours = s.disk && typeof s.disk.hours_left === 'number' ? s.disk.hours_left : null;
  $('storage').textContent = hours === null ? t('top.storage_unknown')
    : t('top.storage', { h: hours >= 100 ? Math.round(hours) : hours.toFixed(1) });
  $('storage').className = s.disk && s.disk.low ? 'low' : '';
  tickRec();
}

// The indicator: red and ticking while the room records, amber when the open
// hearing is paused, grey otherwise.
function tickRec() {
  const s = app.status;
  const rec = $('rec');
  const h = s && s.hearing;
  let cls = 'idle', label = t('rec.idle'), time = '';
  if (h && h.state === 'recording' && s.recording) {
    cls = 'recording';
    label = t('rec.recording');
    time = fmtDuration(h.recorded_s + (performance.now() - app.statusAt) / 1000);
  } else if (h && h.state === 'paused') {
    cls = 'paused';
    label = `${t('rec.paused')}（${t('reason.' + h.pause_reason)}）`;
    time = fmtDuration(h.recorded_s);
  }
  rec.className = `rec ${cls}`;
  $('rec-label').textContent = label;
  $('rec-time').textContent = time;
}

function renderAlarms() {
  const list = (app.status && app.status.alarms) || [];
  const box = $('alarms');
  box.replaceChildren(...list.map((a) => el('div', { class: 'alarm', 'data-code': a.code },
    el('strong', { text: `⚠ ${t('alarm.title')}` }), ' ',
    el('span', { text: getLang() === 'en' ? a.message : a.message_zh }))));
  box.hidden = list.length === 0;
}

// ---- live events (WebSocket) ------------------------------------------------

function connectEvents() {
  if (!app.token || app.ws) return;
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}${API}/events`, ['cav.v1', `cav.token.${app.token}`]);
  app.ws = ws;
  ws.onopen = () => { app.wsRetry = 0; };
  ws.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    if (ev.type === 'state' || ev.type === 'alarm') refreshStatus();
    else if (ev.type === 'levels') renderLevels(ev.data);
    else if (ev.type === 'source') refreshStatus();
    else if (ev.type === 'job') onJobEvent(ev.data);
    else if (ev.type === 'evidence') onEvidenceEvent(ev.data);
    else if (ev.type === 'warning') toast(getLang() === 'en' ? ev.data.message : ev.data.message_zh, true);
  };
  ws.onclose = () => {
    if (app.ws !== ws) return;
    app.ws = null;
    if (!app.token) return;
    app.wsRetry = Math.min(app.wsRetry + 1, 5);
    setTimeout(connectEvents, 1000 * app.wsRetry);
  };
}

function stopLive() {
  for (const id of app.timers) clearInterval(id);
  app.timers = [];
  if (app.ws) { const ws = app.ws; app.ws = null; ws.close(); }
  app.hearingId = null;
}

// ---- cases ----------------------------------------------------------------

async function loadCases() {
  let cases, hearings;
  try {
    [cases, hearings] = await Promise.all([api('GET', '/cases'), api('GET', '/hearings')]);
  } catch (e) { showError(e); return; }
  const open = new Map();
  for (const h of hearings.hearings)
    if (['idle', 'recording', 'paused'].includes(h.state)) open.set(h.case_id, h);
  const today = todayBJ();
  const rows = cases.cases.filter((c) => app.showAll || open.has(c.id) ||
    (c.created_bj || '').startsWith(today));
  $('case-list').replaceChildren(...rows.map((c) => {
    const h = open.get(c.id);
    const button = h
      ? el('button', { class: 'primary big', 'data-case': c.number, text: t('cases.continue'),
        onclick: () => openHearingScreen(h.id) })
      : el('button', { class: 'go big', 'data-case': c.number, text: t('cases.open'),
        onclick: () => once(() => openHearing(c.id)) });
    return el('li', {}, el('div', {},
      el('div', { class: 'case-number', text: c.number }),
      el('div', { class: 'muted', text: [c.title, c.cause].filter(Boolean).join(' · ') })),
      h ? el('span', { class: `badge ${h.state}`, text: t('state.' + h.state) }) : null,
      el('button', { class: 'small', 'data-disc': c.number, text: t('cases.disc'),
        onclick: () => openDisc(c.id, c.number) }), button);
  }));
  $('cases-none').hidden = rows.length > 0;
  $('cases-toggle').textContent = app.showAll ? t('cases.today') : t('cases.all');
}

async function createCase(ev) {
  ev.preventDefault();
  const errBox = $('case-error');
  errBox.hidden = true;
  const body = {
    number: $('case-number').value.trim(),
    title: $('case-title').value.trim(),
    public: $('case-public').checked,
  };
  const cause = $('case-cause').value.trim();
  if (cause) body.cause = cause;
  await once(async () => {
    try {
      await api('POST', '/cases', body);
      for (const id of ['case-number', 'case-title', 'case-cause']) $(id).value = '';
      toast(t('cases.created'));
      await loadCases();
    } catch (e) { showError(e, errBox); }
  });
}

async function openHearing(caseId) {
  try {
    const r = await api('POST', '/hearings', { case_id: caseId, start: true });
    await refreshStatus();
    await openHearingScreen(r.hearing.id);
  } catch (e) { showError(e); }
}

// ---- hearing control --------------------------------------------------------

async function openHearingScreen(id) {
  app.hearingId = id;
  show('hearing');
  $('report').hidden = true;
  await Promise.all([loadHearing(), loadLayout(), loadLevels(), buildPreviews(), loadEvidence()]);
}

async function loadHearing() {
  try {
    const r = await api('GET', `/hearings/${app.hearingId}`);
    app.hearing = r.hearing;
  } catch (e) { showError(e); return; }
  renderHearing();
}

function renderHearing() {
  const h = app.hearing;
  $('h-case').textContent = h.case_number;
  const reason = h.state === 'paused' && h.pause_reason ? `（${t('reason.' + h.pause_reason)}）` : '';
  $('h-state').textContent = t('state.' + h.state) + reason;
  $('h-state').className = `state ${h.state}`;
  $('btn-start').hidden = h.state !== 'idle';
  $('btn-pause').hidden = h.state !== 'recording';
  $('btn-resume').hidden = h.state !== 'paused';
  $('btn-close').hidden = !['idle', 'recording', 'paused'].includes(h.state);
  const live = ['recording', 'paused'].includes(h.state);
  for (const b of $('marks').querySelectorAll('button')) b.disabled = !live;
  $('mark-add').disabled = !live;
  $('mark-list').replaceChildren(...h.marks.slice().reverse().map((m) =>
    el('li', {}, el('span', { class: 'muted', text: (m.at_bj || '').slice(11) }), ' ', m.label)));
  const closed = ['closed', 'sealed'].includes(h.state);
  if (closed) renderReport(h);
  $('report').hidden = !closed;
  $('screen-hearing').classList.toggle('closed', closed);
  renderEvidence();
}

function renderReport(h) {
  const row = (...cells) => el('tr', {}, ...cells.map((c) => el('td', { text: c })));
  $('report-intervals').replaceChildren(...h.intervals.map((i) => row(
    i.kind === 'recording' ? t('report.recording') : `${t('report.paused')}（${t('reason.' + i.reason)}）`,
    `${(i.start_bj || '').slice(11)} – ${(i.end_bj || '').slice(11)}`,
    fmtDuration(((i.end_us || 0) - i.start_us) / 1e6))));
  $('report-tracks').replaceChildren(...h.tracks.map((tr) =>
    row(tr.name, t('report.segments', { n: tr.segments, size: fmtBytes(tr.bytes || 0) }))));
  $('report-marks').replaceChildren(...h.marks.map((m) => row((m.at_bj || '').slice(11), m.label)));
  loadQuality(h.id, row);
}

// The quality report (GET /hearings/{id}/report): coverage, gaps, silent
// microphones, A/V offset, switches. Stored by the daemon when the hearing closes.
async function loadQuality(id, row) {
  let r;
  try { r = (await api('GET', `/hearings/${id}/report`)).report; } catch (e) { return; }
  const av = r.av && typeof r.av.worst_offset_ms === 'number' ? `${r.av.worst_offset_ms.toFixed(1)} ms` : '–';
  $('report-quality-summary').replaceChildren(
    row(t('report.quality'), t('report.verdict.' + (r.verdict === 'ok' ? 'ok' : 'problems'))),
    row(t('report.recorded'), fmtDuration(r.recorded_s || 0)),
    row(t('report.av'), av),
    row(t('report.dropped'), String(r.dropped_frames ?? '–')),
    row(t('report.silent'), fmtDuration(r.silent_s || 0)),
    row(t('layout.title'), t('report.switches', {
      layouts: r.layout ? r.layout.changes : 0, speakers: r.speakers ? r.speakers.switches : 0 })));
  $('report-quality-tracks').replaceChildren(...(r.tracks || []).map((tr) =>
    row(tr.name, `${t('report.coverage')} ${tr.coverage_pct}%`)));
  $('report-problems').replaceChildren(...(r.problems || []).map((p) => el('li', { text: p })));
  $('report-note').hidden = true;
  $('report-quality').hidden = false;
}

async function transition(verb, body) {
  await once(async () => {
    try {
      const r = await api('POST', `/hearings/${app.hearingId}/${verb}`, body);
      app.hearing = r.hearing;
      renderHearing();
      await refreshStatus();
      if (verb === 'resume' || verb === 'start') await loadLayout();
      await loadEvidence(); // a pause or close ends the use
    } catch (e) { showError(e); }
  });
}

async function addMark(label) {
  await once(async () => {
    try {
      await api('POST', `/hearings/${app.hearingId}/marks`, { label });
      toast(t('marks.added', { label }));
      await loadHearing();
    } catch (e) { showError(e); }
  });
}

function buildMarks() {
  $('marks').replaceChildren(...MARKS.map((m) => el('button', {
    class: 'mark', 'data-mark': m, text: getLang() === 'en' ? `${m} ${t('mark.' + m)}` : m,
    onclick: () => addMark(m),
  })));
}

async function loadLayout() {
  let r;
  try { r = await api('GET', '/layout'); } catch (e) { showError(e); return; }
  renderLayout(r);
}

function renderLayout(r) {
  $('layouts').replaceChildren(...r.available.map((name) => el('button', {
    class: name === r.layout ? 'seg on' : 'seg', 'data-layout': name,
    'aria-pressed': name === r.layout ? 'true' : 'false', text: t('layout.' + name),
    onclick: () => once(async () => {
      try {
        const res = await api('POST', '/layout', { layout: name });
        renderLayout(res);
        toast(t('layout.saved', { name: t('layout.' + name) }) + (res.applies === 'now' ? ` ${t('layout.now')}` : ''));
      } catch (e) { showError(e); }
    }),
  })));
  $('layout-note').hidden = r.applies !== 'next-start';
  const voice = $('voice');
  voice.hidden = !r.voice_available;
  voice.textContent = t(r.voice ? 'voice.on' : 'voice.off');
  voice.className = r.voice ? 'seg on' : 'seg';
  voice.setAttribute('aria-pressed', r.voice ? 'true' : 'false');
  voice.onclick = () => once(async () => {
    try { renderLayout(await api('POST', '/layout', { voice: !r.voice })); } catch (e) { showError(e); }
  });
}

// ---- levels ---------------------------------------------------------------------

let mics = [];
async function loadLevels() {
  let r;
  try { r = await api('GET', '/levels'); } catch (e) { return; }
  mics = r.mics;
  $('levels').replaceChildren(...mics.map((m) => el('div', { class: 'meter', 'data-mic': m.id },
    el('span', { class: 'meter-label', text: m.role ? t('role.' + m.role) : (m.label || m.id) }),
    el('span', { class: 'meter-bar' }, el('span', { class: 'meter-fill' })))));
  renderLevels(r.live ? r : null);
}

// Meters stay hidden until the capture pipeline reports levels.
function renderLevels(data) {
  const live = !!(data && data.mics && data.mics.some((m) => typeof m.rms_db === 'number'));
  $('levels').hidden = !live;
  $('levels-none').hidden = live;
  if (!live) return;
  for (const m of data.mics) {
    const row = $('levels').querySelector(`[data-mic="${CSS.escape(m.id)}"] .meter-fill`);
    if (!row || typeof m.rms_db !== 'number') continue;
    const pct = Math.max(0, Math.min(100, ((m.rms_db + 60) / 60) * 100));
    row.style.width = `${pct}%`;
    row.classList.toggle('hot', m.peak_db > -3);
  }
}

// ---- previews -------------------------------------------------------------------

async function buildPreviews() {
  let r;
  try { r = await api('GET', '/sources'); } catch (e) { return; }
  const names = r.sources.filter((s) => s.kind === 'camera').map((s) => ({ id: s.id, label: s.label || s.id }));
  names.push({ id: 'program', label: t('previews.program') });
  $('previews').replaceChildren(...names.map((n) => el('figure', { class: n.id === 'program' ? 'preview program' : 'preview' },
    el('img', { 'data-preview': n.id, alt: n.label }),
    el('figcaption', { text: n.label }))));
  for (const n of names) refreshPreview(n.id);
}

// One request in flight per picture; a new frame every 700 ms keeps what
// the clerk sees under a second old.
async function refreshPreview(id) {
  if (app.previewBusy[id] || !app.token || !app.hearingId) return;
  app.previewBusy[id] = true;
  try {
    const res = await api('GET', `/preview/${id}`, undefined, true);
    const blob = await res.blob();
    const img = document.querySelector(`img[data-preview="${CSS.escape(id)}"]`);
    if (img) {
      const url = URL.createObjectURL(blob);
      if (app.previewUrls[id]) URL.revokeObjectURL(app.previewUrls[id]);
      app.previewUrls[id] = url;
      img.src = url;
    }
  } catch (e) { /* shown as a stale picture; the status bar reports the network */ }
  app.previewBusy[id] = false;
}

function tickPreviews() {
  if ($('screen-hearing').hidden) return;
  for (const img of document.querySelectorAll('img[data-preview]')) refreshPreview(img.dataset.preview);
}

// ---- wiring ---------------------------------------------------------------------

async function start() {
  show('cases');
  await refreshStatus();
  connectEvents();
  app.timers.push(setInterval(refreshStatus, 2000));
  app.timers.push(setInterval(tickRec, 250));
  app.timers.push(setInterval(tickPreviews, 700));
  const h = app.status && app.status.hearing;
  if (h) await openHearingScreen(h.id);
  else await loadCases();
}

function relabel() {
  applyI18n();
  for (const k of $('keypad').querySelectorAll('.fn'))
    k.textContent = k.dataset.key === 'clear' ? t('login.clear') : t('login.back');
  buildMarks();
  renderTop();
  renderAlarms();
  if (app.hearing && !$('screen-hearing').hidden) { renderHearing(); loadLayout(); loadLevels(); }
  if (!$('screen-cases').hidden) loadCases();
}

function init() {
  applyI18n();
  buildKeypad();
  buildMarks();
  $('lang').addEventListener('click', () => { setLang(getLang() === 'en' ? 'zh-CN' : 'en'); relabel(); });
  $('logout').addEventListener('click', () => logout(true));
  $('login-form').addEventListener('submit', login);
  $('case-form').addEventListener('submit', createCase);
  $('cases-toggle').addEventListener('click', () => { app.showAll = !app.showAll; loadCases(); });
  $('btn-start').addEventListener('click', () => transition('start'));
  $('btn-resume').addEventListener('click', () => transition('resume'));
  $('btn-pause').addEventListener('click', () => { $('pause-detail').value = ''; $('dlg-pause').returnValue = ''; $('dlg-pause').showModal(); });
  $('dlg-pause').addEventListener('close', () => {
    const reason = $('dlg-pause').returnValue;
    if (!reason) return;
    const detail = $('pause-detail').value.trim();
    transition('pause', detail ? { reason, detail } : { reason });
  });
  $('btn-close').addEventListener('click', () => { $('dlg-close').returnValue = ''; $('dlg-close').showModal(); });
  $('dlg-close').addEventListener('close', () => {
    if ($('dlg-close').returnValue === 'close') transition('close');
  });
  $('mark-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const label = $('mark-free').value.trim();
    if (label) { $('mark-free').value = ''; addMark(label); }
  });
  $('btn-back').addEventListener('click', () => { app.hearingId = null; app.hearing = null; show('cases'); loadCases(); });
  initEvidence({ api, el, showError, toast, once, t, $,
    recording: () => !!app.hearing && app.hearing.state === 'recording' });
  initDisc({ api, el, show, showError, toast, once, t, fmtBytes, $, lang: getLang,
    back: () => { show('cases'); loadCases(); } });
  if (app.token) start();
  else logout(false);
}

init();
