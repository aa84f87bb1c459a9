// Browser tests for the built app (../dist): a static server, Debian's chromium through
// playwright-core, a fresh profile, and a few checks of the automation contract (design §5).
// Prints one line per check, the navigation-to-interactive time, and `N passed, N failed`.
//
//   node run.mjs            (after `trunk build --release` at the repo root)
//   DIST=/path/to/dist CHROMIUM=/usr/bin/chromium node run.mjs

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, process.env.DIST ?? '../dist');
const screenshots = join(here, 'screenshots');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = 15_000;
const TIMING_RUNS = 5;

const results = [];
const consoleErrors = [];
let server;
let context;
let profile;

function record(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

async function check(name, fn) {
  try {
    const detail = await fn();
    record(name, true, detail ?? '');
  } catch (err) {
    record(name, false, String(err?.message ?? err).split('\n')[0]);
  }
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function startServer() {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html not found: run \`trunk build --release\` first`);
  }
  const port = await freePort();
  server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '-d', dist], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (server.exitCode !== null) throw new Error(`http.server exited: ${stderr}`);
    try {
      if ((await fetch(url)).ok) return url;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`http.server did not answer on ${url}`);
}

function stopServer() {
  if (server && server.exitCode === null) {
    try { process.kill(server.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
}

// Records (in the page) when the terminal input first exists: Yew attaches its listeners as it
// renders, so from then on the terminal takes input. performance.now() counts from navigation.
function markInteractive() {
  const mark = () => {
    if (!window.__kpInteractiveMs && document.querySelector('[data-testid="terminal-input"]')) {
      window.__kpInteractiveMs = performance.now();
      return true;
    }
    return false;
  };
  if (!mark()) {
    new MutationObserver((_, obs) => { if (mark()) obs.disconnect(); })
      .observe(document, { childList: true, subtree: true });
  }
}

async function timeToInteractive(page, url) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__kpInteractiveMs, null, { timeout: TIMEOUT_MS });
  return page.evaluate(() => window.__kpInteractiveMs);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  mkdirSync(screenshots, { recursive: true });
  const url = await startServer();
  profile = mkdtempSync(join(tmpdir(), 'kubeplay-e2e-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 720 },
  });
  await context.addInitScript(markInteractive);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => consoleErrors.push(`request failed: ${req.url()}`));

  // First visit with a fresh profile: nothing cached.
  const firstMs = await timeToInteractive(page, url);

  await check('shell renders terminal-input and cluster-view', async () => {
    await page.getByTestId('terminal-input').waitFor();
    await page.getByTestId('cluster-view').waitFor();
  });

  await check('cluster view shows 4 nodes', async () => {
    const nodes = page.getByTestId('node');
    await nodes.nth(3).waitFor();
    const names = await nodes.evaluateAll((els) => els.map((e) => e.dataset.name));
    if (names.length !== 4) throw new Error(`expected 4 nodes, got ${names.length}: ${names}`);
    if (names.some((n) => !n)) throw new Error(`node without data-name: ${names}`);
    return names.join(', ');
  });
  await page.screenshot({ path: join(screenshots, 'shell.png') });

  await check('`kubectl version` prints "Client Version:" in terminal-output', async () => {
    const input = page.getByTestId('terminal-input');
    await input.click();
    await input.fill('kubectl version');
    await input.press('Enter');
    const output = page.getByTestId('terminal-output');
    await output.filter({ hasText: 'Client Version:' }).waitFor();
    const text = await output.textContent();
    if (!text.startsWith('$ kubectl version\n')) throw new Error(`transcript starts ${JSON.stringify(text.slice(0, 40))}`);
    if ((await input.inputValue()) !== '') throw new Error('prompt not cleared after Enter');
  });

  await check('↑ recalls the last command, Ctrl-L clears the terminal', async () => {
    const input = page.getByTestId('terminal-input');
    await input.press('ArrowUp');
    const recalled = await input.inputValue();
    if (recalled !== 'kubectl version') throw new Error(`↑ gave ${JSON.stringify(recalled)}`);
    await input.fill('');
    await input.press('Control+l');
    const text = await page.getByTestId('terminal-output').textContent();
    if (text !== '') throw new Error(`output not cleared: ${JSON.stringify(text.slice(0, 40))}`);
  });

  await check('user text reaches the DOM as text, not markup', async () => {
    const input = page.getByTestId('terminal-input');
    await input.fill('<b id="injected">x</b>');
    await input.press('Enter');
    await page.getByTestId('terminal-output').filter({ hasText: '<b id="injected">' }).waitFor();
    if (await page.locator('#injected').count()) throw new Error('markup was interpreted');
  });

  await check('play advances the virtual clock, pause stops it', async () => {
    const clock = page.getByTestId('virtual-clock');
    const before = await clock.textContent();
    await page.getByTestId('speed').selectOption('1000');
    await page.getByTestId('play-pause').click();
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid="virtual-clock"]').textContent !== b, before);
    await page.getByTestId('play-pause').click();
    const paused = await clock.textContent();
    await page.waitForTimeout(400);
    const later = await clock.textContent();
    if (later !== paused) throw new Error(`clock moved while paused: ${paused} -> ${later}`);
    return `${before} -> ${later}`;
  });
  await page.getByTestId('terminal-input').fill('kubectl version');
  await page.getByTestId('terminal-input').press('Enter');
  await page.screenshot({ path: join(screenshots, 'after-command.png') });

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Repeat visits with the HTTP cache disabled, for a steadier figure than one sample.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const runs = [];
  for (let i = 0; i < TIMING_RUNS; i++) runs.push(await timeToInteractive(page, url));
  console.log(`navigation to interactive terminal: first visit ${Math.round(firstMs)} ms; ` +
    `median of ${TIMING_RUNS} uncached reloads ${Math.round(median(runs))} ms ` +
    `(${runs.map(Math.round).join(', ')})`);

  await check('no console errors, page errors or failed requests', async () => {
    if (consoleErrors.length) throw new Error(consoleErrors.join(' | '));
  });
}

try {
  await main();
} catch (err) {
  record('test run', false, String(err?.stack ?? err));
} finally {
  await context?.close().catch(() => {});
  stopServer();
  if (profile) rmSync(profile, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
