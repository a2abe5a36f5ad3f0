// status.js — the in-room "recording" display. No login: it reads only
// GET /api/v1/public/status (room, whether it records, the case number)
// every second and shows Beijing time from the appliance's own clock.
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);
let offsetMs = 0; // appliance clock minus this browser's clock

function label(zhKey) {
  // The wall display is always bilingual: Chinese large, English below.
  const zh = t(zhKey), prev = localStorage.getItem('courtav.lang');
  localStorage.setItem('courtav.lang', 'en');
  const en = t(zhKey);
  if (prev === null) localStorage.removeItem('courtav.lang'); else localStorage.setItem('courtav.lang', prev);
  return [zh, en];
}

function render(s) {
  let key = 'status.not_recording', cls = 'idle';
  if (s && s.recording) { key = 'status.recording'; cls = 'recording'; }
  else if (s && s.state === 'paused') { key = 'status.paused'; cls = 'paused'; }
  const [zh, en] = label(key);
  $('label-zh').textContent = zh;
  $('label-en').textContent = en;
  document.body.className = s ? cls : `${cls} offline`;
  if (s) {
    $('court').textContent = [s.court, s.room].filter(Boolean).join(' ');
    $('case').textContent = s.case_number ? `${s.case_number}${s.case_title ? '  ' + s.case_title : ''}` : '';
    document.title = `${zh} / ${en}`;
  }
}

async function poll() {
  try {
    const res = await fetch('/api/v1/public/status', { cache: 'no-store' });
    const s = await res.json();
    offsetMs = s.now_us / 1000 - Date.now();
    render(s);
  } catch (e) {
    render(null);
  }
}

function tick() {
  const bj = new Date(Date.now() + offsetMs + 8 * 3600e3).toISOString();
  $('clock').textContent = `${bj.slice(0, 10)} ${bj.slice(11, 19)}`;
}

poll();
tick();
setInterval(poll, 1000);
setInterval(tick, 250);
