// watch.test.mjs — the public watch page in headless Chromium, phone-sized:
// only the public hearing is listed; it plays (time advances, frames are not
// black: drawn to a canvas, luma variance checked); English switch; a
// recording plays on demand; the relay is killed and restarted (by the
// shell, on SIGUSR1 to CAV_SHELL_PID) and the page plays again within 10 s.
// Fails on any console error outside the restart window.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

const URL = process.env.CAV_URL;
const ART = process.env.CAV_ARTIFACTS;
const errors = [];
const TITLE = process.env.CAV_EXPECT_TITLE || '公开 张某盗窃案';
const WITH_VOD = !process.env.CAV_NO_VOD;
let restarting = false;
const t0 = Date.now();
const step = (s) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ctx = await chromium.launchPersistentContext(process.env.CAV_PROFILE, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required'],
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true,
  locale: 'zh-CN',
});

// The video's state and a sample of its picture (luma mean and variance).
async function sample(page) {
  return page.evaluate(() => {
    const v = document.querySelector('#video');
    const c = document.createElement('canvas');
    c.width = 160; c.height = 90;
    const g = c.getContext('2d', { willReadFrequently: true });
    let mean = 0, variance = 0;
    if (v.readyState >= 2) {
      g.drawImage(v, 0, 0, c.width, c.height);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let s = 0, s2 = 0;
      const n = d.length / 4;
      for (let i = 0; i < d.length; i += 4) {
        const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        s += y; s2 += y * y;
      }
      mean = s / n; variance = s2 / n - mean * mean;
    }
    return { t: v.currentTime, paused: v.paused, ready: v.readyState, mean, variance };
  });
}

async function waitPlaying(page, what, limitMs) {
  const start = Date.now();
  let first = null;
  for (;;) {
    const s = await sample(page);
    if (first === null && s.t > 0) first = s.t;
    if (first !== null && s.t > first + 1 && s.variance > 100 && s.mean > 20) return { ms: Date.now() - start, s };
    if (Date.now() - start > limitMs) throw new Error(`${what}: not playing after ${limitMs} ms: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

let failed = false;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' && !restarting) errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.setDefaultTimeout(15000);
  const segs = [];
  page.on('response', (r) => {
    const m = /\/s(\d{6})\.ts$/.exec(r.url());
    if (m && r.status() === 200) segs.push({ index: Number(m[1]), at: Date.now() });
  });
  const shot = (name) => page.screenshot({ path: path.join(ART, name) });

  step('the list: the public hearing only');
  await page.goto(`${URL}/watch/`);
  await page.locator('#live button').first().waitFor();
  if (WITH_VOD) await page.locator('#vod button').first().waitFor();
  const live = await page.locator('#live button').allTextContents();
  if (live.length !== 1 || !live[0].includes(TITLE) || /不公开/.test(live.join())) throw new Error(`live list: ${live}`);
  if (!/直播中/.test(live[0]) || !/测试人民法院/.test(live[0]) || !/盗窃罪/.test(live[0])) throw new Error(`card: ${live[0]}`);
  const box = await page.locator('#live button').first().boundingBox();
  if (box.height < 48) throw new Error(`tap target ${box.height} px`);
  await shot('watch-list-phone-zh.png');

  step('play the live hearing');
  await page.locator('#live button').first().tap();
  const p1 = await waitPlaying(page, 'live', 20000);
  step(`playing ${p1.ms} ms after the tap (luma mean ${p1.s.mean.toFixed(0)}, variance ${p1.s.variance.toFixed(0)})`);
  await shot('watch-playing-phone-zh.png');

  step('English');
  await page.click('#lang');
  await page.locator('h1', { hasText: 'Court hearings live' }).waitFor();
  await page.locator('#live .badge', { hasText: 'Live' }).waitFor();
  await shot('watch-playing-phone-en.png');

  step('kill -9 the relay and restart it');
  // Recovered means: a segment made after the restart reached the page,
  // and the picture moves on (not black) for 3 s after that.
  restarting = true;
  const killedAbove = Math.max(0, ...segs.map((x) => x.index));
  const killAt = Date.now();
  process.kill(Number(process.env.CAV_SHELL_PID), 'SIGUSR1');
  const fs = await import('node:fs');
  let restartedAt = null, newSeg = null, lastT = (await sample(page)).t, stallFrom = Date.now(), longestStall = 0;
  while (Date.now() - killAt < 20000) {
    await sleep(100);
    if (restartedAt === null && fs.existsSync(process.env.CAV_RESTARTED)) restartedAt = Number(fs.readFileSync(process.env.CAV_RESTARTED, 'utf8'));
    const s = await sample(page);
    if (s.t > lastT + 0.05) { longestStall = Math.max(longestStall, Date.now() - stallFrom); stallFrom = Date.now(); lastT = s.t; }
    if (restartedAt !== null && newSeg === null) newSeg = segs.find((x) => x.index > killedAbove && x.at > restartedAt) || null;
    if (newSeg !== null && Date.now() - newSeg.at > 3000) break;
  }
  longestStall = Math.max(longestStall, Date.now() - stallFrom);
  if (restartedAt === null) throw new Error('the shell did not restart the relay');
  if (newSeg === null || newSeg.at - restartedAt > 10000) throw new Error(`no new segment within 10 s of the restart (${JSON.stringify(segs.slice(-5))})`);
  const after = await waitPlaying(page, 'after restart', 5000);
  restarting = false;
  const recovery = newSeg.at - restartedAt;
  step(`recovered: segment ${newSeg.index} (made after the restart) loaded ${recovery} ms after it; longest picture stall ${longestStall} ms`);
  console.log(`RECOVERY_MS=${recovery} STALL_MS=${longestStall} FIRST_PLAY_MS=${p1.ms}`);
  if (after.s.variance < 100) throw new Error('black picture after recovery');

  if (WITH_VOD) {
  step('a recording, on demand');
  await page.click('#close');
  await page.locator('#vod button').first().click();
  await waitPlaying(page, 'on demand', 15000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await shot('watch-vod-desktop-en.png');
  }
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  failed = true;
} finally {
  await ctx.close();
}
if (errors.length) {
  console.error(errors.join('\n'));
  failed = true;
}
process.exit(failed ? 1 : 0);
