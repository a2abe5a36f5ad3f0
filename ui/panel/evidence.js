// evidence.js — the evidence card of the hearing screen (证据展示): each
// evidence input of the room with a button to show it (a file input with
// the file to show), the one in use with its start time and an end button.
// An input is recorded on its own track only while it is shown; the daemon
// ends the use when the hearing pauses or closes (docs/API.md "Evidence
// inputs"). Updates come from "evidence" events and from each state change.
//
// panel.js owns the page and hands its helpers in through initEvidence().

let ui = null;     // helpers from panel.js: api, el, showError, toast, once, t, $, recording()
let status = null; // the last GET /evidence .evidence

function $(id) { return ui.$(id); }

function hhmmss(us) {
  return new Date(us / 1000 + 8 * 3600e3).toISOString().slice(11, 19); // Beijing time
}

function label(id) {
  const input = status && status.inputs.find((i) => i.id === id);
  return input ? input.label : id;
}

async function showInput(input) {
  const body = {};
  if (input.backend === 'file') {
    const pick = document.querySelector(`select[data-evidence-file="${input.id}"]`);
    if (!pick || !pick.value) { ui.toast(ui.t('evidence.pick'), true); return; }
    body.file = pick.value;
  }
  await ui.once(async () => {
    try {
      status = (await ui.api('POST', `/evidence/${encodeURIComponent(input.id)}/start`, body)).evidence;
      render();
      ui.toast(ui.t('evidence.shown', { name: input.label }));
    } catch (e) { ui.showError(e); }
  });
}

async function stop() {
  await ui.once(async () => {
    try {
      status = (await ui.api('POST', '/evidence/stop')).evidence;
      render();
    } catch (e) { ui.showError(e); }
  });
}

function render() {
  const { el, t } = ui;
  const card = $('evidence-card');
  card.hidden = !status || !status.inputs.length;
  if (card.hidden) return;
  const live = ui.recording();
  const active = status.active;
  $('evidence-active').replaceChildren(...(active ? [
    el('span', { class: 'evidence-on', text: t('evidence.active', {
      name: label(active.id), file: active.file || '', time: hhmmss(active.since_us) }) }),
    el('button', { id: 'evidence-stop', class: 'warn', text: t('evidence.stop'), onclick: stop }),
  ] : [el('span', { class: 'muted', text: live ? t('evidence.none') : t('evidence.only_recording') })]));
  $('evidence-inputs').replaceChildren(...status.inputs.map((input) => {
    const files = input.backend === 'file'
      ? el('select', { 'data-evidence-file': input.id, 'aria-label': t('evidence.file') },
        ...(input.files || []).map((f) => el('option', { value: f, text: f })))
      : null;
    return el('div', { class: 'row evidence-row' },
      el('span', { class: 'evidence-label', text: input.label }), files,
      el('button', {
        class: 'primary', 'data-evidence': input.id, text: t('evidence.show'),
        disabled: !live || !!active || (files && !(input.files || []).length),
        onclick: () => showInput(input),
      }));
  }));
}

export async function loadEvidence() {
  try { status = (await ui.api('GET', '/evidence')).evidence; } catch (e) { return; }
  render();
}

// "evidence" events from the panel's WebSocket: someone (or the daemon) changed it.
export function onEvidenceEvent() {
  if (ui) loadEvidence();
}

// The hearing's state changed (buttons follow it) or the language did.
export function renderEvidence() {
  if (ui && status) render();
}

export function initEvidence(helpers) {
  ui = helpers;
}
