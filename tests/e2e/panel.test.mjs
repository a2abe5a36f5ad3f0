// panel.test.mjs — the clerk's day on the touch panel, in a real browser.
// Run by run.sh, which starts courtavd and checks the database afterwards.
// Fails on any browser console error or uncaught page error.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

const URL = process.env.CAV_URL;
const ART = process.env.CAV_ARTIFACTS;
const CASE = '（2026）兵0101刑初88号';
const errors = [];
// Chromium logs every 4xx answer as a console error; the one refusal the
// test provokes on purpose is allowed, once.
let allowed400 = 0;
const t0 = Date.now();
const step = (s) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);

function watch(page, name) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (allowed400 > 0 && /status of 400/.test(m.text())) { allowed400--; return; }
    errors.push(`${name} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${name} page error: ${e.message}`));
}

const ctx = await chromium.launchPersistentContext(process.env.CAV_PROFILE, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
  locale: 'zh-CN',
});
let failed = false;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  watch(page, 'panel');
  page.setDefaultTimeout(15000);
  const shot = (name) => page.screenshot({ path: path.join(ART, name) });

  step('PIN login');
  await page.goto(`${URL}/panel/`);
  await page.locator('#screen-login').waitFor();
  await page.fill('#login-user', process.env.CAV_USER);
  for (const d of process.env.CAV_PIN) await page.click(`#keypad [data-key="${d}"]`);
  await shot('login-zh.png');
  await page.click('#login-submit');
  await page.locator('#screen-cases').waitFor();

  step('a wrong case number is explained, not dumped');
  await page.fill('#case-number', '2026-12');
  await page.fill('#case-title', '张某盗窃案');
  allowed400 = 1;
  await page.click('#case-create');
  await page.locator('#case-error').waitFor();
  const err = await page.textContent('#case-error');
  if (/[{}]|HTTP|\b400\b/.test(err) || !/案号/.test(err)) throw new Error(`error shown as: ${err}`);

  step('create a case');
  await page.fill('#case-number', CASE);
  await page.click('#case-create');
  await page.locator(`button[data-case="${CASE}"]`).waitFor();
  await shot('cases-zh.png');

  step('open the hearing (records at once)');
  await page.click(`button[data-case="${CASE}"]`);
  await page.locator('#screen-hearing').waitFor();
  await page.locator('#rec.recording').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('img[data-preview]')]
    .every((i) => i.complete && i.naturalWidth > 0));

  step('marks');
  await page.click('[data-mark="开庭"]');
  await page.locator('#mark-list li', { hasText: '开庭' }).waitFor();
  await page.click('[data-mark="法庭调查"]');
  await page.locator('#mark-list li', { hasText: '法庭调查' }).waitFor();
  await page.fill('#mark-free', '证人出庭');
  await page.click('#mark-add');
  await page.locator('#mark-list li', { hasText: '证人出庭' }).waitFor();
  await page.waitForTimeout(1500);
  await shot('panel-recording-zh.png');

  step('show an exhibit (recorded while shown), then end it');
  await page.locator('#evidence-card').waitFor();
  await page.selectOption('select[data-evidence-file="doc"]', '物证1.png');
  await page.click('[data-evidence="doc"]');
  await page.locator('#evidence-active', { hasText: '正在展示 证据文件 物证1.png' }).waitFor();
  if (!(await page.locator('[data-evidence="doc"]').isDisabled()))
    throw new Error('a second exhibit can be started while one is shown');
  await page.waitForTimeout(2500);
  await shot('evidence-zh.png');
  await page.click('#evidence-stop');
  await page.locator('#evidence-active', { hasText: '未展示证据' }).waitFor();

  step('in-room status page while recording');
  const wall = await ctx.newPage();
  watch(wall, 'status');
  await wall.setViewportSize({ width: 1280, height: 720 });
  await wall.goto(`${URL}/panel/status.html`);
  await wall.waitForFunction(() => document.body.className === 'recording');
  const wallText = await wall.textContent('body');
  if (!wallText.includes('正在录制') || !wallText.includes('RECORDING') || !wallText.includes(CASE))
    throw new Error(`status page: ${wallText}`);
  await wall.screenshot({ path: path.join(ART, 'status-recording.png') });

  step('English, and the 1920×1080 panel');
  await page.click('#lang');
  await page.locator('#rec-label', { hasText: 'RECORDING' }).waitFor();
  await shot('panel-recording-en.png');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shot('panel-recording-en-1920.png');
  await page.click('#lang');
  await page.locator('#rec-label', { hasText: '正在录制' }).waitFor();
  await page.setViewportSize({ width: 1280, height: 800 });
  // Every control is a touch target of at least 48 px.
  const small = await page.evaluate(() => [...document.querySelectorAll('button')]
    .filter((b) => b.offsetParent !== null)
    .map((b) => [b.textContent.trim(), b.getBoundingClientRect()])
    .filter(([, r]) => r.height < 48 || r.width < 48).map(([n]) => n));
  if (small.length) throw new Error(`buttons under 48 px: ${small.join(', ')}`);

  step('pause for 休庭');
  await page.click('#btn-pause');
  await page.locator('#dlg-pause').waitFor();
  await page.click('#dlg-pause button[value="recess"]');
  await page.locator('#rec.paused').waitFor();
  await page.locator('#h-state', { hasText: '休庭' }).waitFor();

  step('switch the layout');
  await page.click('[data-layout="pip"]');
  await page.locator('[data-layout="pip"][aria-pressed="true"]').waitFor();

  step('resume');
  await page.click('#btn-resume');
  await page.locator('#rec.recording').waitFor();
  await wall.waitForFunction(() => document.body.className === 'recording');

  step('alarm banner: a camera is lost');
  await page.locator('#alarms .alarm[data-code="source-lost:cam2"]').waitFor({ timeout: 20000 });
  const lost = await page.textContent('#alarms');
  if (!/信号中断/.test(lost)) throw new Error(`source alarm text: ${lost}`);
  await shot('source-lost-zh.png');

  step('alarm banner: the disk fills up');
  const fd = fs.openSync(process.env.CAV_BALLAST, 'w');
  const mb = Buffer.alloc(1 << 20);
  for (let i = 0; i < 120; i++) fs.writeSync(fd, mb);
  fs.closeSync(fd);
  await page.locator('#alarms .alarm[data-code="disk-low"]').waitFor();
  const alarm = await page.textContent('#alarms');
  if (!/存储空间不足/.test(alarm)) throw new Error(`alarm text: ${alarm}`);
  await shot('alarm-zh.png');
  await page.click('#lang');
  await page.locator('#alarms', { hasText: 'Recording space is low' }).waitFor();
  await shot('alarm-en.png');
  await page.click('#lang');

  step('close, with confirmation');
  await page.click('[data-mark="宣判"]');
  await page.locator('#mark-list li', { hasText: '宣判' }).waitFor();
  await page.click('#btn-close');
  await page.click('#dlg-close button[value=""]'); // cancel: nothing happens
  if (!(await page.locator('#rec.recording').count())) throw new Error('cancel closed the hearing');
  await page.click('#btn-close');
  await page.click('#dlg-close button[value="close"]');
  await page.locator('#report').waitFor({ timeout: 30000 });
  await page.locator('#report-quality').waitFor({ timeout: 10000 }); // GET /hearings/{id}/report
  await page.locator('#rec.idle').waitFor();
  await shot('report-zh.png');
  await wall.waitForFunction(() => document.body.className === 'idle');
  await wall.screenshot({ path: path.join(ART, 'status-idle.png') });
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
  for (const p of ctx.pages()) await p.screenshot({ path: path.join(ART, `failure-${ctx.pages().indexOf(p)}.png`) }).catch(() => {});
} finally {
  await ctx.close();
}
for (const e of errors) console.error(`FAIL: ${e}`);
step(failed || errors.length ? 'failed' : 'passed');
process.exit(failed || errors.length ? 1 : 0);
