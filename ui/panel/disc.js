// disc.js — the panel's disc screen (一案一刻): pick a case, see its plan
// (which medium, how many discs, which hearings on each), choose drives,
// burn, watch the progress, and see each copy's read-back verification.
// Talks to courtavd's /cases/{id}/disc and /disc API (docs/API.md "Discs");
// progress comes from "job" events on the panel's WebSocket and, in case
// the socket is down, from polling the job once a second.
//
// panel.js owns the page and hands its helpers in through initDisc(), so
// this screen shows errors and switches screens exactly like the others.

let ui = null;        // helpers from panel.js: api, el, show, showError, toast, once, t, fmtBytes, $
const disc = {
  caseId: null,
  caseNumber: '',
  jobId: null,
  poll: 0,
};

function $(id) { return ui.$(id); }


function renderPlan(plan) {
  const { el, t, fmtBytes } = ui;
  const box = $('disc-plan');
  const rows = plan.discs.map((d) => el('tr', {},
    el('td', { text: t('disc.number', { n: d.number }) }),
    el('td', { text: d.hearings.map((h) => (h.whole ? h.dir : `${h.dir} ${t('disc.part')}`)).join('  ') }),
    el('td', { text: fmtBytes(d.need_bytes) }),
    el('td', { text: `${Math.max(1, Math.round(d.fill * 100))}%` })));
  const parts = [
    el('p', { class: 'big-line', text: t('disc.plan_line', {
      n: plan.discs.length, medium: plan.medium_label, size: fmtBytes(plan.payload) }) }),
    el('table', { class: 'disc-plan' },
      el('tr', {}, ...['disc.col_disc', 'disc.col_hearings', 'disc.col_size', 'disc.col_fill']
        .map((k) => el('th', { text: t(k) }))), ...rows),
  ];
  for (const w of plan.warnings || [])
    parts.push(el('p', { class: 'warn-line', text: ui.lang() === 'en' ? w.message : w.message_zh }));
  if ((plan.unsealed || []).length)
    parts.push(el('p', { class: 'muted', text: t('disc.unsealed', {
      ids: plan.unsealed.map((h) => h.id).join(', ') }) }));
  box.replaceChildren(...parts);
  $('disc-sealed-only').checked = (plan.unsealed || []).length > 0;
}

async function loadPlan() {
  const errBox = $('disc-error');
  errBox.hidden = true;
  const medium = $('disc-medium').value;
  try {
    const r = await ui.api('GET', `/cases/${disc.caseId}/disc/plan?medium=${medium}`);
    renderPlan(r.plan);
    $('disc-burn').disabled = false;
  } catch (e) {
    $('disc-plan').replaceChildren();
    $('disc-burn').disabled = true;
    ui.showError(e, errBox);
  }
}

async function loadDrives() {
  const { el, t, fmtBytes } = ui;
  const box = $('disc-drives');
  let r;
  try { r = await ui.api('GET', '/disc/drives'); } catch (e) { ui.showError(e, $('disc-error')); return; }
  if (!r.drives.length) {
    box.replaceChildren(el('p', { class: 'muted', text: t('disc.no_drive') }));
    return;
  }
  // Up to two drives ticked: two drives, two copies.
  box.replaceChildren(...r.drives.map((d, i) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', 'data-drive': d.address, checked: i < 2 && d.medium !== 'none' }),
    el('span', { text: `${d.address}  ${d.vendor} ${d.product}  ·  ${t('disc.medium_' + d.medium)}` +
      (d.free_bytes ? `  ·  ${fmtBytes(d.free_bytes)}` : '') }))));
}

function chosenDrives() {
  return [...document.querySelectorAll('#disc-drives input[data-drive]:checked')]
    .map((i) => i.dataset.drive);
}

function setProgress(p) {
  const { t } = ui;
  if (!p) return;
  $('disc-bar').value = p.percent || 0;
  const rate = p.mb_per_s ? `  ${p.mb_per_s.toFixed(1)} MB/s` : '';
  const left = p.eta_s > 0 ? `  ${t('disc.left', { s: Math.round(p.eta_s) })}` : '';
  $('disc-status').textContent = `${t('disc.phase_' + p.phase)}  ${Math.round(p.percent || 0)}%${rate}${left}  ${p.drive || ''}`;
}

function renderJob(job) {
  const { el, t } = ui;
  $('disc-job').hidden = false;
  if (job.state === 'running') {
    setProgress(job.progress);
    return;
  }
  $('disc-bar').value = 100;
  const ok = job.state === 'done';
  const err = job.error ? (ui.lang() === 'en' ? job.error.message : job.error.message_zh) : '';
  $('disc-status').className = ok ? 'ok-line' : 'error';
  $('disc-status').textContent = ok ? t('disc.done') : `${t('disc.failed')} ${err}`;
  $('disc-copies').replaceChildren(...job.copies.map((c) => el('li', {},
    el('strong', { text: c.drive }), ' ',
    el('span', { class: c.verify === 'ok' ? 'ok-line' : 'error',
      text: c.verify === 'ok' ? t('disc.copy_ok', { sessions: c.sessions })
        : c.error ? (ui.lang() === 'en' ? c.error.message : c.error.message_zh) : t('disc.copy_bad') }),
    ...(c.findings || []).map((f) => el('div', { class: 'muted', text: `${f.kind}: ${f.file || ''} — ${f.detail}` })))));
  $('disc-burn').disabled = false;
  clearInterval(disc.poll);
  disc.poll = 0;
}

async function pollJob() {
  if (!disc.jobId) return;
  try {
    const r = await ui.api('GET', `/disc/jobs/${disc.jobId}`);
    renderJob(r.job);
  } catch (e) { /* the next tick tries again */ }
}

async function burn() {
  const errBox = $('disc-error');
  errBox.hidden = true;
  const drives = chosenDrives();
  if (!drives.length) { errBox.textContent = ui.t('disc.pick_drive'); errBox.hidden = false; return; }
  const body = { drives, medium: $('disc-medium').value, close: $('disc-close').checked,
    sealed_only: $('disc-sealed-only').checked };
  try {
    const r = await ui.api('POST', `/cases/${disc.caseId}/disc/burn`, body);
    disc.jobId = r.job.id;
    $('disc-copies').replaceChildren();
    $('disc-status').className = '';
    $('disc-burn').disabled = true;
    renderJob(r.job);
    clearInterval(disc.poll);
    disc.poll = setInterval(pollJob, 1000);
  } catch (e) { ui.showError(e, errBox); }
}

// "job" events from the panel's WebSocket.
export function onJobEvent(data) {
  if (!ui || data.id !== disc.jobId) return;
  if (data.state === 'running') setProgress(data);
  else pollJob();
}

// The case's newest job, so a burn started elsewhere (or before) shows its
// progress or its result here too.
async function loadLastJob() {
  let r;
  try { r = await ui.api('GET', `/disc/jobs?case_id=${disc.caseId}`); } catch (e) { return; }
  const job = r.jobs[0];
  if (!job) return;
  disc.jobId = job.id;
  renderJob(job);
  if (job.state === 'running') {
    $('disc-burn').disabled = true;
    disc.poll = setInterval(pollJob, 1000);
  }
}

export async function openDisc(caseId, caseNumber) {
  disc.caseId = caseId;
  disc.caseNumber = caseNumber;
  disc.jobId = null;
  clearInterval(disc.poll);
  $('disc-case').textContent = caseNumber;
  $('disc-job').hidden = true;
  $('disc-copies').replaceChildren();
  $('disc-status').textContent = '';
  $('disc-close').checked = false;
  ui.show('disc');
  await Promise.all([loadPlan(), loadDrives()]);
  await loadLastJob();
}

export function initDisc(helpers) {
  ui = helpers;
  $('disc-medium').addEventListener('change', loadPlan);
  $('disc-burn').addEventListener('click', () => ui.once(burn));
  $('disc-back').addEventListener('click', () => {
    clearInterval(disc.poll);
    helpers.back();
  });
}
