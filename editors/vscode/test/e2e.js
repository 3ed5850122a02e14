// The dockward extension in real VS Code: code-server in Debian's chromium, driven by playwright-core.
// tests/clients/run.sh (suite `vscode`) installs the .vsix into code-server, starts it on a copy of
// fixtures/editors/workspace and runs this script; it can also be run by hand against a running
// code-server:
//   node editors/vscode/test/e2e.js BASE_URL WORKSPACE_DIR SHOT_DIR [FAILURE_FILE]
// It plays the user: opens the Dockerfile from the Explorer, waits for the squiggle, reads the Problems
// panel, applies the quick fix for `RNU` from the Quick Fix menu (Ctrl+.), checks the text changed, runs
// `dockward: Fix All` from the Command Palette on a typed unused suppression comment, then lists `.env`
// in .dockerignore and checks that the Dockerfile's DW301 problem goes away.
// Screenshots of every step go to SHOT_DIR (a fail.png on failure); the reason of a failure is also
// written to FAILURE_FILE when given.
// Exit codes: 0 pass, 1 a check failed or timed out, 2 bad usage.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [base, folder, shots, failureFile] = process.argv.slice(2);
if (!base || !folder || !shots) {
  console.log('usage: node e2e.js BASE_URL WORKSPACE_DIR SHOT_DIR');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ROWS = '.markers-panel .monaco-list-row';

let step = 0;
async function shot(page, name) {
  step += 1;
  await page.screenshot({ path: path.join(shots, `${String(step).padStart(2, '0')}-${name}.png`) });
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

async function problems(page) {
  return (await page.locator(ROWS).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/** The editor's visible text, one string per line, in order (Monaco renders lines absolutely). */
async function editorLines(page) {
  return page.$$eval('.monaco-editor .view-lines .view-line', (els) =>
    els
      .map((e) => ({ top: parseFloat(e.style.top || '0'), text: e.textContent.replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
}

async function openFromExplorer(page, name) {
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first().click();
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('.tabs-container .tab.active')].some((t) => t.textContent.includes(n)),
    name,
    { timeout: 30000 },
  );
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });
}

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dockward-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 850 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let rc = 1;
  const page = browser.pages()[0] || (await browser.newPage());
  try {
    const t0 = Date.now();
    const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    console.log(`workbench up after ${since()}`);

    // 1. Diagnostics: the squiggle under `RNU`, and Problems entries with dockward's codes.
    await openFromExplorer(page, 'Dockerfile');
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
    console.log(`squiggle after ${since()}`);
    await page.waitForTimeout(500);
    await shot(page, 'squiggle');

    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector(ROWS, { timeout: 30000 });
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 3, ROWS, { timeout: 30000 });
    await page.waitForTimeout(500);
    const before = await problems(page);
    console.log('PROBLEMS:\n  ' + before.join('\n  '));
    await shot(page, 'problems');
    check(before.some((p) => /RNU/.test(p) && /dockward/.test(p) && /DW002/.test(p) && /\[Ln 3, Col 1\]/.test(p)),
      'Problems lists DW002 for `RNU` at Ln 3, Col 1, from dockward');
    check(before.some((p) => /DW301/.test(p) && /\[Ln 5, Col 6\]/.test(p)),
      'Problems lists DW301 (the context carries .env) at Ln 5, Col 6');

    // The status bar item shows the running server.
    const item = page.locator('.statusbar-item', { hasText: 'dockward' }).first();
    await item.waitFor({ timeout: 15000 });
    const running = await item
      .locator('.codicon-check')
      .waitFor({ timeout: 15000 })
      .then(() => true, () => false);
    check(running, 'the status bar item shows the server running');

    // 2. Quick fix through the UI: cursor on `RNU`, Ctrl+., pick the fix.
    const rnu = page.locator('.monaco-editor .view-line', { hasText: 'RNU' }).first();
    await rnu.click({ position: { x: 8, y: 5 } });
    // Under load the first Ctrl+. can arrive before the editor has settled; try again a few times.
    let opened = false;
    for (let attempt = 1; attempt <= 4 && !opened; attempt++) {
      await page.keyboard.press('Control+.');
      opened = await page
        .waitForSelector('.action-widget .monaco-list-row', { timeout: 8000 })
        .then(() => true, () => false);
      if (!opened) {
        console.log(`Quick Fix menu not open after Ctrl+. (attempt ${attempt})`);
        await page.keyboard.press('Escape');
        await rnu.click({ position: { x: 8, y: 5 } });
      }
    }
    check(opened, 'Ctrl+. opens the Quick Fix menu');
    await page.waitForTimeout(500);
    const menu = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((s) => s.trim());
    console.log('QUICK FIX MENU:', JSON.stringify(menu));
    await shot(page, 'quickfix-menu');
    const fixTitle = menu.find((t) => /RUN/.test(t) && !/ignore/i.test(t));
    check(fixTitle !== undefined, 'the Quick Fix menu offers the `RUN` fix');
    await page.locator('.action-widget .monaco-list-row', { hasText: fixTitle }).first().click();
    await page.waitForFunction(
      () => [...document.querySelectorAll('.monaco-editor .view-line')]
        .some((l) => l.textContent.replace(/\u00a0/g, ' ').startsWith('RUN apt-get')),
      null,
      { timeout: 15000 },
    );
    const lines = await editorLines(page);
    console.log('LINES AFTER FIX:\n  ' + lines.join('\n  '));
    check(lines[2].startsWith('RUN apt-get update') && !lines.some((l) => l.startsWith('RNU')),
      'the document text changed: line 3 now starts with RUN');
    await page.waitForFunction(
      (sel) => ![...document.querySelectorAll(sel)].some((r) => r.textContent.includes('DW002')),
      ROWS,
      { timeout: 15000 },
    );
    check(true, 'the DW002 problem left the Problems panel');
    await shot(page, 'fixed');

    // 3. The Fix All command from the Command Palette: an unused suppression comment (DW902, safe fix)
    //    typed above WORKDIR is removed again.
    await page.locator('.monaco-editor .view-line', { hasText: 'WORKDIR' }).first().click({ position: { x: 2, y: 5 } });
    await page.keyboard.press('Home');
    await page.keyboard.type('# dockward ignore=DW003\n');
    await page.waitForFunction(
      (sel) => [...document.querySelectorAll(sel)].some((r) => r.textContent.includes('DW902')),
      ROWS,
      { timeout: 20000 },
    );
    check(true, 'the typed suppression comment is reported as DW902');
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
    await page.keyboard.type('dockward: Fix All');
    const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fix All Problems in This File' }).first();
    await entry.waitFor({ timeout: 15000 });
    await shot(page, 'fix-all-command');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => ![...document.querySelectorAll('.monaco-editor .view-line')]
        .some((l) => l.textContent.replace(/\u00a0/g, ' ').includes('dockward ignore')),
      null,
      { timeout: 15000 },
    );
    const fixedAll = await editorLines(page);
    check(fixedAll[3] === 'WORKDIR /app', 'dockward: Fix All removed the unused suppression comment');
    await page.waitForFunction(
      (sel) => ![...document.querySelectorAll(sel)].some((r) => r.textContent.includes('DW902')),
      ROWS,
      { timeout: 15000 },
    );
    await shot(page, 'fix-all-done');

    // 4. Editing .dockerignore (unsaved) re-checks the Dockerfile: listing .env removes DW301.
    check((await problems(page)).some((p) => /DW301/.test(p)), 'DW301 is still listed before the edit');
    await openFromExplorer(page, '.dockerignore');
    await page.locator('.monaco-editor .view-line').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n**/.env*\n');
    await page.waitForFunction(
      (sel) => ![...document.querySelectorAll(sel)].some((r) => r.textContent.includes('DW301')),
      ROWS,
      { timeout: 20000 },
    );
    await page.waitForTimeout(500);
    const after = await problems(page);
    console.log('PROBLEMS AFTER .dockerignore EDIT:\n  ' + after.join('\n  '));
    check(await page.locator('.markers-panel').isVisible(), 'the Problems panel is still open');
    check(!after.some((p) => /DW301/.test(p)), 'listing **/.env* in the unsaved .dockerignore removed the Dockerfile\'s DW301');
    await shot(page, 'dockerignore');
    console.log(`done after ${since()}`);
    rc = 0;
  } catch (e) {
    const reason = String(e && e.message ? e.message : e).split('\n')[0];
    console.log('FAIL:', reason);
    if (failureFile) fs.writeFileSync(failureFile, reason);
    try {
      await page.screenshot({ path: path.join(shots, 'fail.png') });
    } catch {
      // the page is gone; nothing to capture
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(rc);
})();
