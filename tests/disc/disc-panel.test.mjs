// disc-panel.test.mjs — the panel's disc screen in a real browser: from the
// case list to the case's plan, the drives, and the result of the burn that
// disc-panel.sh made beforehand (read-back verified), in Chinese and
// English. Fails on any browser console error or uncaught page error.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

const URL = process.env.CAV_URL;
const ART = process.env.CAV_ARTIFACTS;
const errors = [];

const ctx = await chromium.launchPersistentContext(process.env.CAV_PROFILE, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
  locale: 'zh-CN',
});
let failed = false;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.setDefaultTimeout(15000);

  await page.goto(`${URL}/panel/`);
  await page.fill('#login-user', process.env.CAV_USER);
  for (const d of process.env.CAV_PIN) await page.click(`#keypad [data-key="${d}"]`);
  await page.click('#login-submit');
  await page.locator('#screen-cases').waitFor();
  await page.click('#cases-toggle');
  await page.click(`button[data-disc="${process.env.CAV_CASE}"]`);
  await page.locator('#screen-disc').waitFor();

  await page.locator('#disc-plan table').waitFor();
  const plan = await page.textContent('#disc-plan');
  if (!plan.includes('需要 1 张 DVD-5') || !plan.includes('h1')) throw new Error(`plan: ${plan}`);
  const drives = await page.textContent('#disc-drives');
  if (!drives.includes('未找到刻录机')) throw new Error(`drives: ${drives}`);
  await page.locator('#disc-copies li').waitFor();
  const status = await page.textContent('#disc-status');
  if (!status.includes('完成')) throw new Error(`job status: ${status}`);
  const copies = await page.textContent('#disc-copies');
  if (!copies.includes('校验无误')) throw new Error(`copies: ${copies}`);
  await page.screenshot({ path: path.join(ART, 'disc-zh.png') });

  // Burning with no drive chosen is refused on the page, before any request.
  await page.click('#disc-burn');
  await page.locator('#disc-error').waitFor();
  if (!(await page.textContent('#disc-error')).includes('请至少选择一台刻录机'))
    throw new Error('no drive chosen was not explained');

  await page.click('#lang');
  await page.click('#disc-back');
  await page.click(`button[data-disc="${process.env.CAV_CASE}"]`);
  await page.locator('#disc-copies li').waitFor();
  const en = await page.textContent('#screen-disc');
  if (!en.includes('1 × DVD-5') || !en.includes('every copy was read back and verified'))
    throw new Error(`English: ${en}`);
  await page.screenshot({ path: path.join(ART, 'disc-en.png') });
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
