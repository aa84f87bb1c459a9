// Browser tests for the built app (../dist): a static server, Debian's chromium through
// playwright-core, a fresh profile, and a few checks of the automation contract (design §5).
// Prints one line per check, the navigation-to-interactive time, and `N passed, N failed`.
//
//   node run.mjs            (after `trunk build --release` at the repo root)
//   DIST=/path/to/dist CHROMIUM=/usr/bin/chromium node run.mjs

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
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
  // Leave first: a goto to the URL the page is on differs only in its fragment, which the
  // browser treats as a same-document jump, so the page would not load again.
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__kpInteractiveMs, null, { timeout: TIMEOUT_MS });
  return page.evaluate(() => window.__kpInteractiveMs);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];


const deployment = (name, replicas, image) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: main
        image: ${image}
        ports:
        - containerPort: 80
`;

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
`;

// Names of the pods drawn in the cluster view (default namespace), sorted.
const podNames = (page) => page.getByTestId('pod').evaluateAll(
  (els) => els.map((e) => e.dataset.name).sort());

// Waits until `n` pods whose name starts with `prefix` are Running and ready.
async function waitRunning(page, prefix, n, timeout = TIMEOUT_MS) {
  await page.waitForFunction(([prefix, n]) => {
    const pods = [...document.querySelectorAll('[data-testid="pod"]')]
      .filter((e) => e.dataset.name.startsWith(prefix));
    return pods.length === n && pods.every((e) => e.dataset.phase === 'Running' && e.dataset.ready === 'true');
  }, [prefix, n], { timeout });
}

async function applyFromEditor(page, yaml) {
  await page.getByTestId('tab-editor').click();
  await page.getByTestId('yaml-editor').fill(yaml);
  await page.getByTestId('apply-button').click();
  return page.getByTestId('apply-result').textContent();
}

async function run(page, line) {
  await page.getByTestId('tab-terminal').click();
  const input = page.getByTestId('terminal-input');
  await input.fill(line);
  await input.press('Enter');
}

// Session time shown by the clock, in seconds.
const clockSeconds = async (page) => {
  const t = (await page.getByTestId('virtual-clock').textContent()).replace('t=', '').split(':').map(Number);
  // t=HH:MM:SS.d
  return t[0] * 3600 + t[1] * 60 + t[2];
};

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

async function sessionTests(page, url) {
  await page.getByRole('button', { name: /Reset cluster/ }).click();

  await check('apply a Deployment from the editor: 3 pods reach Running', async () => {
    const out = await applyFromEditor(page, deployment('web', 3, 'nginx:1.27'));
    if (!out.includes('deployment.apps/web created')) throw new Error(`apply said ${JSON.stringify(out)}`);
    await page.getByTestId('speed').selectOption('1000');
    await page.getByTestId('play-pause').click();
    await waitRunning(page, 'web-', 3);
    await page.getByTestId('play-pause').click();
    return (await podNames(page)).join(', ');
  });
  await page.screenshot({ path: join(screenshots, 'deployment.png') });

  await check('a broken manifest shows the error with its message', async () => {
    const out = await applyFromEditor(page, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n');
    const cls = await page.getByTestId('apply-result').getAttribute('class');
    if (!cls.includes('bad') || !/error/i.test(out)) throw new Error(`result ${cls}: ${out}`);
    return out.trim().split('\n')[0].slice(0, 90);
  });
  await page.screenshot({ path: join(screenshots, 'editor-error.png') });

  await check('a Service shows its ready endpoints', async () => {
    const out = await applyFromEditor(page, service);
    if (!out.includes('service/web created')) throw new Error(out);
    await page.waitForFunction(() => document.querySelector('[data-testid="service"][data-name="web"]')
      ?.dataset.readyEndpoints === '3');
  });

  await check('the Service has a line to each ready endpoint; a request travels along one', async () => {
    await page.waitForFunction(() =>
      document.querySelectorAll('[data-testid="wire"][data-state="ready"]').length === 3);
    const [first] = await podNames(page);
    await run(page, `kubectl exec ${first} -- curl -s http://web`);
    await page.waitForSelector('[data-testid="request"]', { timeout: 2_000 });
    await page.screenshot({ path: join(screenshots, 'request.png') });
    await page.waitForFunction(() => !document.querySelector('[data-testid="request"]'), null, { timeout: 3_000 });
    return '3 lines, 1 request animated';
  });

  await check('scale up via the terminal (apply with 5 replicas): 5 pods Running', async () => {
    await page.getByTestId('tab-editor').click();
    await page.getByRole('tab', { name: 'web.yaml' }).click().catch(() => {});
    await page.getByTestId('yaml-editor').fill(deployment('web', 5, 'nginx:1.27'));
    await run(page, 'kubectl apply -f web.yaml');
    const out = page.getByTestId('terminal-output');
    await out.filter({ hasText: 'deployment.apps/web configured' }).waitFor({ timeout: 3000 }).catch(async () => {
      throw new Error(`terminal: ${JSON.stringify((await out.textContent()).slice(-300))}`);
    });
    await page.getByTestId('play-pause').click();
    await waitRunning(page, 'web-', 5);
    await page.getByTestId('play-pause').click();
    return `${(await podNames(page)).length} pods`;
  });

  await check('Tab completes kubectl words and pod names', async () => {
    await run(page, '');
    const input = page.getByTestId('terminal-input');
    await input.fill('kubectl desc');
    await input.press('Tab');
    const a = await input.inputValue();
    await input.fill('kubectl logs web-');
    await input.press('Tab');
    await input.press('Tab');
    await page.getByTestId('completions').waitFor();
    await input.press('Control+c');
    if (a !== 'kubectl describe ') throw new Error(`got ${JSON.stringify(a)}`);
    if ((await input.inputValue()) !== '') throw new Error('Ctrl-C did not clear the line');
  });

  await check('clicking a pod shows its kubectl describe', async () => {
    await page.getByTestId('pod').first().click();
    await page.getByTestId('detail-text').filter({ hasText: 'Name:' }).waitFor();
  });
  await page.screenshot({ path: join(screenshots, 'describe.png') });
  await page.keyboard.press('Escape');

  await check('step-button jumps virtual time to the next event', async () => {
    await applyFromEditor(page, deployment('web', 6, 'nginx:1.27'));
    const before = await page.getByTestId('virtual-clock').textContent();
    for (let i = 0; i < 5; i++) await page.getByTestId('step-button').click();
    const after = await page.getByTestId('virtual-clock').textContent();
    if (before === after) throw new Error(`clock stayed at ${before}`);
    return `${before} -> ${after}`;
  });
  await page.getByTestId('play-pause').click();
  await waitRunning(page, 'web-', 6);
  await page.getByTestId('play-pause').click();

  await check('speed and pause change how fast virtual time moves', async () => {
    const rate = async (pct) => {
      await page.getByTestId('speed').selectOption(String(pct));
      const a = await clockSeconds(page);
      await page.getByTestId('play-pause').click();
      await page.waitForTimeout(2000);
      await page.getByTestId('play-pause').click();
      return (await clockSeconds(page)) - a;
    };
    const slow = await rate(25);
    const fast = await rate(5000);
    const paused = await clockSeconds(page);
    await page.waitForTimeout(500);
    if ((await clockSeconds(page)) !== paused) throw new Error('clock moved while paused');
    if (!(slow <= 2 && fast >= 40)) throw new Error(`0.25x: ${slow}s, 50x: ${fast}s in 2 s`);
    return `2 s wall: 0.25x -> ${slow} s, 50x -> ${fast} s virtual`;
  });

  const names = await podNames(page);
  let shareUrl;
  await check('share-button gives a #/play?seed=&s= link', async () => {
    await page.getByTestId('share-button').click();
    shareUrl = await page.getByTestId('share-url').inputValue();
    if (!/#\/play\?seed=\d+&s=/.test(shareUrl)) throw new Error(shareUrl);
    return `${shareUrl.length} chars`;
  });

  await check('reload keeps the session (same pods)', async () => {
    await page.reload();
    await waitRunning(page, 'web-', 6);
    const again = await podNames(page);
    if (again.join() !== names.join()) throw new Error(`${again} != ${names}`);
  });

  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    const other = await fresh.newPage();
    other.setDefaultTimeout(TIMEOUT_MS);
    other.on('pageerror', (err) => consoleErrors.push(`page error (fresh context): ${err.message}`));
    await check('share link in a fresh browser context replays the same pod names', async () => {
      await other.goto(shareUrl);
      await waitRunning(other, 'web-', 6);
      const theirs = await podNames(other);
      if (theirs.join() !== names.join()) throw new Error(`${theirs} != ${names}`);
      return theirs.slice(0, 3).join(', ') + ', ...';
    });
    await other.screenshot({ path: join(screenshots, 'shared.png') });
    await check('"Run on a real cluster" downloads the shared session as a bash script', async () => {
      const [download] = await Promise.all([
        other.waitForEvent('download'),
        other.getByTestId('export-button').click(),
      ]);
      if (download.suggestedFilename() !== 'kubeplay-session.sh') throw new Error(download.suggestedFilename());
      const text = readFileSync(await download.path(), 'utf8');
      for (const want of [/^#!\/usr\/bin\/env bash\n/, /\nkind: Deployment\n/, /\nkubectl apply -f /, /kind create cluster --name kubeplay/]) {
        if (!want.test(text)) throw new Error(`no ${want} in:\n${text.slice(0, 2000)}`);
      }
      return `${text.split('\n').length} lines`;
    });
    await check('a corrupt link shows error-banner and a clean cluster', async () => {
      await other.goto(`${url}#/play?seed=1&s=%E2%98%83garbage!!*()`);
      await other.reload();
      await other.getByTestId('error-banner').waitFor();
      await other.getByTestId('node').nth(3).waitFor();
      const pods = await other.getByTestId('pod').count();
      if (pods !== 0) throw new Error(`${pods} pods on a clean cluster`);
      return (await other.getByTestId('error-banner').textContent()).slice(0, 80);
    });
    await other.screenshot({ path: join(screenshots, 'corrupt-link.png') });
    await check('a hostile link (huge) is refused, not decoded', async () => {
      await other.goto(`${url}#/play?seed=1&s=${'A'.repeat(100000)}`);
      await other.reload();
      await other.getByTestId('error-banner').filter({ hasText: 'too long' }).waitFor();
    });
    await check('an unknown lesson shows a placeholder, not a blank page', async () => {
      await other.goto(`${url}#/lesson/ch99-nowhere/1`);
      await other.getByTestId('placeholder').waitFor();
    });
    await fresh.close();
  } finally {
    await browser.close();
  }

  await check('presenter mode toggles (large type, captions)', async () => {
    await page.getByTestId('presenter-toggle').click();
    await page.locator('.shell.presenter').waitFor();
    await page.getByTestId('step-button').click().catch(() => {});
    await applyFromEditor(page, deployment('web', 6, 'nginx:1.27-alpine'));
    await page.getByTestId('captions').waitFor();
    await page.screenshot({ path: join(screenshots, 'presenter.png') });
    await page.getByTestId('presenter-toggle').click();
    if (await page.locator('.shell.presenter').count()) throw new Error('still in presenter mode');
  });

  await check('frame times while 100 pods roll to a new image', async () => {
    await applyFromEditor(page, deployment('big', 100, 'nginx:1.27'));
    await page.getByTestId('namespace').selectOption('default');
    await page.getByTestId('speed').selectOption('1000');
    await page.getByTestId('play-pause').click();
    await waitRunning(page, 'big-', 100, 60_000);
    await applyFromEditor(page, deployment('big', 100, 'nginx:1.28'));
    await page.evaluate(() => { window.__kpTicks = []; window.__kpLoop = []; });
    const deltas = await page.evaluate(() => new Promise((res) => {
      const out = [];
      let last = performance.now();
      const end = last + 5000;
      const tick = (t) => {
        out.push(t - last);
        last = t;
        if (t < end) requestAnimationFrame(tick); else res(out);
      };
      requestAnimationFrame(tick);
    }));
    await page.screenshot({ path: join(screenshots, 'rollout-100.png') });
    await page.getByTestId('play-pause').click();
    const probe = await page.evaluate(() => {
      const max = (xs, i) => Math.max(0, ...(xs ?? []).map((x) => x[i]));
      return [max(window.__kpTicks, 0), max(window.__kpTicks, 1), max(window.__kpLoop, 0), (window.__kpLoop ?? []).length];
    });
    console.log(`play ticks (max over the session): engine advance ${probe[0]} ms, snapshot ${probe[1]} ms, ` +
      `whole tick incl. render ${probe[2]} ms (${probe[3]} ticks)`);
    const p50 = percentile(deltas, 0.5);
    const p95 = percentile(deltas, 0.95);
    const pods = await page.getByTestId('pod').count();
    console.log(`frame times while 100 pods roll (10x, ${deltas.length} frames, ${pods} pods drawn): ` +
      `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...deltas).toFixed(1)} ms`);
    return `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`;
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'rollout-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
}

// Commands that wait: a watch streams while time plays, the editor's Apply shows up in it,
// Ctrl-C ends it; rollout status ends by itself; so does a shell loop; a share link replays the
// same transcript.
async function streamTests(page) {
  await page.getByRole('button', { name: /Reset cluster/ }).click();
  const output = page.getByTestId('terminal-output');
  const text = () => output.textContent();

  await check('`kubectl get pods -w` waits with no prompt', async () => {
    await run(page, 'kubectl get pods -w');
    await output.filter({ hasText: 'No resources found in default namespace.' }).waitFor();
    await page.getByTestId('job-hint').waitFor();
    if (await page.getByTestId('terminal-input').count()) throw new Error('prompt shown while waiting');
  });

  await check('the editor\'s Apply runs beside the watch; its pods stream in as time plays', async () => {
    const out = await applyFromEditor(page, deployment('stream', 2, 'nginx:1.27'));
    if (!out.includes('deployment.apps/stream created')) throw new Error(out);
    await page.getByTestId('tab-terminal').click();
    await page.getByTestId('speed').selectOption('200');
    await page.getByTestId('play-pause').click();
    await page.waitForFunction(() => /stream-\S+\s+0\/1\s+ContainerCreating/.test(
      document.querySelector('[data-testid="terminal-output"]').textContent));
    const early = (await text()).split('\n').length;
    await page.waitForFunction(() => /stream-\S+\s+1\/1\s+Running/.test(
      document.querySelector('[data-testid="terminal-output"]').textContent));
    await page.screenshot({ path: join(screenshots, 'watch-streaming.png') });
    const later = (await text()).split('\n').length;
    if (!(later > early)) throw new Error(`no new lines: ${early} -> ${later}`);
    if (await page.getByTestId('terminal-input').count()) throw new Error('prompt back while waiting');
    return `${early} -> ${later} lines while playing`;
  });

  await check('Ctrl-C ends the watch: ^C and the prompt come back', async () => {
    await page.keyboard.press('Control+c');
    await page.getByTestId('terminal-input').waitFor();
    await page.getByTestId('play-pause').click();
    const t = await text();
    if (!t.endsWith('^C\n')) throw new Error(JSON.stringify(t.slice(-120)));
    if (!t.startsWith('$ kubectl get pods -w\nNo resources found')) throw new Error(t.slice(0, 80));
  });

  await check('`kubectl rollout status` streams and ends by itself', async () => {
    await run(page, 'kubectl set image deployment/stream main=nginx:1.28');
    await run(page, 'kubectl rollout status deployment/stream');
    await output.filter({ hasText: 'Waiting for deployment "stream" rollout to finish' }).waitFor();
    if (await page.getByTestId('terminal-input').count()) throw new Error('prompt shown while waiting');
    await page.getByTestId('play-pause').click();
    await output.filter({ hasText: 'deployment "stream" successfully rolled out' }).waitFor();
    await page.getByTestId('terminal-input').waitFor();
    await page.getByTestId('play-pause').click();
    await page.screenshot({ path: join(screenshots, 'rollout-status.png') });
    const waits = (await text()).split('\n').filter((l) => l.startsWith('Waiting for deployment')).length;
    return `${waits} waiting lines`;
  });

  await check('a `while true` loop prints as time plays; Ctrl-C ends it', async () => {
    await run(page, 'while true; do kubectl get deploy stream --no-headers; sleep 5; done');
    await page.getByTestId('job-hint').waitFor();
    if (await page.getByTestId('terminal-input').count()) throw new Error('prompt shown while looping');
    const rows = async () => (await text()).split('\n').filter((l) => /^stream\s+2\/2/.test(l)).length;
    const first = await rows();
    await page.getByTestId('play-pause').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="terminal-output"]')
      .textContent.split('\n').filter((l) => /^stream\s+2\/2/.test(l)).length >= n + 3, first);
    await page.getByTestId('play-pause').click();
    await page.keyboard.press('Control+c');
    await page.getByTestId('terminal-input').waitFor();
    const t = await text();
    if (!t.endsWith('^C\n')) throw new Error(JSON.stringify(t.slice(-120)));
    return `${first} -> ${await rows()} rows while playing`;
  });

  const transcript = await text();
  const names = await podNames(page);
  await page.getByTestId('share-button').click();
  const shareUrl = await page.getByTestId('share-url').inputValue();
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const other = await fresh.newPage();
    other.setDefaultTimeout(TIMEOUT_MS);
    other.on('pageerror', (err) => consoleErrors.push(`page error (stream replay): ${err.message}`));
    await check('a share link of the session replays the same transcript and pods', async () => {
      await other.goto(shareUrl);
      // The replay ends where the session was paused, old pods possibly still terminating:
      // wait for its last line, not for a pod count.
      await other.getByTestId('terminal-output')
        .filter({ hasText: 'deployment "stream" successfully rolled out' }).waitFor();
      await other.getByTestId('terminal-input').waitFor();
      const theirs = await other.getByTestId('terminal-output').textContent();
      if (theirs !== transcript) {
        const i = [...theirs].findIndex((c, k) => c !== transcript[k]);
        throw new Error(`differs at ${i}: ${JSON.stringify(theirs.slice(i - 40, i + 40))} vs ${JSON.stringify(transcript.slice(i - 40, i + 40))}`);
      }
      const pods = await podNames(other);
      if (pods.join() !== names.join()) throw new Error(`${pods} != ${names}`);
      return `${transcript.split('\n').length} lines, ${pods.join(', ')}`;
    });
    await other.screenshot({ path: join(screenshots, 'watch-replayed.png') });
    await fresh.close();
  } finally {
    await browser.close();
  }
}

// `kubectl edit`: the file opens in the editor while the terminal waits; Save and close patches
// the object, Cancel changes nothing, a reload replays the edit.
async function editTests(page) {
  await page.getByRole('button', { name: /Reset cluster/ }).click();
  const output = page.getByTestId('terminal-output');
  const text = () => output.textContent();
  await applyFromEditor(page, deployment('web', 2, 'nginx:1.27'));
  await page.getByTestId('speed').selectOption('1000');
  await page.getByTestId('play-pause').click();
  await waitRunning(page, 'web-', 2);
  await page.getByTestId('play-pause').click();

  await check('`kubectl edit deploy web` opens the object in the editor; the terminal waits', async () => {
    await run(page, 'kubectl edit deploy web');
    await page.getByTestId('edit-save').waitFor();
    const yaml = await page.getByTestId('yaml-editor').inputValue();
    if (!yaml.startsWith('# Please edit the object below.')) throw new Error(yaml.slice(0, 120));
    if (!yaml.includes('\n  replicas: 2\n')) throw new Error(yaml);
    const tab = await page.locator('.editor .file-tab').textContent();
    if (!/^kubectl-edit-\d+\.yaml$/.test(tab.trim())) throw new Error(`tab ${tab}`);
    await page.screenshot({ path: join(screenshots, 'edit-open.png') });
    await page.getByTestId('tab-terminal').click();
    await page.getByTestId('job-hint').filter({ hasText: 'kubectl edit waits for its editor' }).waitFor();
    if (await page.getByTestId('terminal-input').count()) throw new Error('prompt shown while editing');
    return tab.trim();
  });

  await check('Save and close: `deployment.apps/web edited`, the pods scale to 4', async () => {
    await page.getByTestId('tab-editor').click();
    const editor = page.getByTestId('yaml-editor');
    await editor.fill((await editor.inputValue()).replace('\n  replicas: 2\n', '\n  replicas: 4\n'));
    await page.getByTestId('edit-save').click();
    await output.filter({ hasText: 'deployment.apps/web edited' }).waitFor();
    await page.getByTestId('terminal-input').waitFor();
    await page.getByTestId('play-pause').click();
    await waitRunning(page, 'web-', 4);
    await page.getByTestId('play-pause').click();
    return (await podNames(page)).join(', ');
  });

  await check('Cancel: `Edit cancelled, no changes made.`', async () => {
    await run(page, 'kubectl edit deployment/web');
    await page.getByTestId('edit-cancel').click();
    await page.getByTestId('terminal-input').waitFor();
    const t = await text();
    if (!t.endsWith('$ kubectl edit deployment/web\nEdit cancelled, no changes made.\n')) {
      throw new Error(JSON.stringify(t.slice(-160)));
    }
  });

  await check('reload replays the edits: same transcript, same pods', async () => {
    const transcript = await text();
    const names = await podNames(page);
    await page.reload();
    await waitRunning(page, 'web-', 4);
    const again = await page.getByTestId('terminal-output').textContent();
    if (again !== transcript) throw new Error(`${JSON.stringify(again.slice(-200))} != ${JSON.stringify(transcript.slice(-200))}`);
    const pods = await podNames(page);
    if (pods.join() !== names.join()) throw new Error(`${pods} != ${names}`);
    return `${pods.length} pods`;
  });
}

const checkState = (page) => page.getByTestId('check-status').getAttribute('data-state');

async function waitCheck(page, state, timeout = TIMEOUT_MS) {
  await page.waitForFunction((s) => document.querySelector('[data-testid="check-status"]')?.dataset.state === s,
    state, { timeout });
}

async function lessonTests(page, url) {
  const lesson = 'ch02-first-steps';
  await check('the home page lists every chapter\'s lesson with its steps and progress', async () => {
    await page.goto(`${url}#/`);
    await page.getByTestId('home').waitFor();
    const cards = await page.getByTestId('lesson-card').evaluateAll((els) => els.map((e) => ({
      id: e.dataset.id, steps: Number(e.dataset.steps), text: e.textContent,
    })));
    const chapters = cards.map((c) => Number(/Chapter (\d+)/.exec(c.text)?.[1]));
    if (chapters.join() !== '1,2,3,4,5,6,7,8,9') throw new Error(`chapters ${chapters}`);
    if (cards.some((c) => !(c.steps > 0) || !c.text.includes(`0 / ${c.steps} steps passed`))) {
      throw new Error(JSON.stringify(cards.map((c) => c.text.slice(0, 80))));
    }
    if (!(await page.getByTestId('sandbox-link').getAttribute('href')).endsWith('#/play')) throw new Error('no sandbox link');
    return cards.map((c) => `${c.id} (${c.steps})`).join(', ');
  });
  await page.screenshot({ path: join(screenshots, 'home.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'home-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  await check('the home page is keyboard reachable (Tab reaches the sandbox and a lesson)', async () => {
    const seen = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => document.activeElement?.getAttribute('href') ?? document.activeElement?.tagName));
    }
    if (!seen.includes('#/play') || !seen.some((h) => h?.startsWith('#/lesson/'))) throw new Error(seen.join(' '));
  });

  await check('ch02 step 1: Show solution, Run all, the check turns passed', async () => {
    await page.locator(`[data-testid="lesson-card"][data-id="${lesson}"] [data-testid="continue"]`).click();
    await page.waitForFunction(() => location.hash === '#/lesson/ch02-first-steps/1');
    await page.locator('[data-testid="lesson-step"][data-step="1"]').waitFor();
    await waitCheck(page, 'pending');
    if (await page.getByTestId('solution').count()) throw new Error('solution shown before asked for');
    await page.getByTestId('show-solution').click();
    await page.getByTestId('run-solution').click();
    await waitCheck(page, 'passed');
    const out = await page.getByTestId('terminal-output').textContent();
    if (!out.includes('$ kubectl run kubia --image=luksa/kubia --port=8080')) throw new Error(out.slice(0, 200));
    // The check's own commands are not in the transcript.
    if (out.includes('{.status.phase}')) throw new Error('the check ran in the visible terminal');
    return (await page.getByTestId('check-status').textContent()).trim();
  });
  await page.screenshot({ path: join(screenshots, 'lesson-passed.png') });

  await check('the check runs neither into the history nor the share link', async () => {
    const input = page.getByTestId('terminal-input');
    await input.click();
    await input.press('ArrowUp');
    const last = await input.inputValue();
    await input.fill('');
    if (last !== 'kubectl get pods') throw new Error(`↑ gave ${JSON.stringify(last)}`);
  });

  await check('next-step goes to step 2; its Run buttons make its check pass', async () => {
    await page.getByTestId('next-step').click();
    await page.locator('[data-testid="lesson-step"][data-step="2"]').waitFor();
    await waitCheck(page, 'pending');
    const runs = page.getByTestId('lesson-step').getByTestId('run-block');
    const n = await runs.count();
    for (let i = 0; i < n; i++) await runs.nth(i).click();
    await waitCheck(page, 'passed');
    return `${n} Run buttons`;
  });

  let lessonLink;
  await check('a lesson share link has the lesson form', async () => {
    await page.getByTestId('share-button').click();
    lessonLink = await page.getByTestId('share-url').inputValue();
    if (!/#\/lesson\/ch02-first-steps\/2\?s=/.test(lessonLink)) throw new Error(lessonLink);
    return `${lessonLink.length} chars`;
  });

  await check('reload keeps the lesson step, its cluster and its progress', async () => {
    await page.reload();
    await page.locator('[data-testid="lesson-step"][data-step="2"]').waitFor();
    await waitCheck(page, 'passed');
    await page.goto(`${url}#/`);
    const card = page.locator(`[data-testid="lesson-card"][data-id="${lesson}"]`);
    await card.filter({ hasText: '2 / 6 steps passed' }).waitFor();
    const next = await card.getByTestId('continue').getAttribute('href');
    if (next !== `#/lesson/${lesson}/3`) throw new Error(`continue goes to ${next}`);
  });
  await page.screenshot({ path: join(screenshots, 'home-progress.png') });

  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    const other = await fresh.newPage();
    other.setDefaultTimeout(TIMEOUT_MS);
    other.on('pageerror', (err) => consoleErrors.push(`page error (fresh context): ${err.message}`));
    other.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(`console (fresh context): ${msg.text()}`); });
    await check('the lesson link replays the session in a fresh browser (same pods, check passed)', async () => {
      await other.goto(lessonLink);
      await other.locator('[data-testid="lesson-step"][data-step="2"]').waitFor();
      await waitCheck(other, 'passed');
      const pods = await podNames(other);
      if (!pods.includes('kubia')) throw new Error(`pods ${pods}`);
      if (!(await other.evaluate(() => location.hash)).startsWith('#/lesson/ch02-first-steps/2')) throw new Error('hash');
      return pods.join(', ');
    });
    await check('opening step 3 directly replays steps 1-2 first', async () => {
      // Leave the lesson (its session is saved on the way out), forget it, then open step 3.
      await other.goto(`${url}#/`);
      await other.getByTestId('home').waitFor();
      await other.evaluate(() => localStorage.removeItem('kubeplay.lesson'));
      await other.goto(`${url}#/lesson/${lesson}/3`);
      await other.locator('[data-testid="lesson-step"][data-step="3"]').waitFor();
      await other.locator('[data-testid="pod"][data-name="kubia"]').waitFor();
      await waitCheck(other, 'pending');
      const out = await other.getByTestId('terminal-output').textContent();
      if (!out.includes('steps 1–2 already done')) throw new Error(out.slice(0, 200));
    });
    await check('Open in editor puts the file block into the editor', async () => {
      await other.getByTestId('open-file').first().click();
      const text = await other.getByTestId('yaml-editor').inputValue();
      if (!text.includes('kind: ReplicationController')) throw new Error(text.slice(0, 100));
      await other.getByTestId('apply-button').click();
      await other.getByTestId('apply-result').filter({ hasText: 'created' }).waitFor();
      await run(other, 'kubectl delete pod kubia');
      await other.getByTestId('speed').selectOption('1000');
      await other.getByTestId('play-pause').click();
      await waitCheck(other, 'passed', 30_000);
      await other.getByTestId('play-pause').click();
    });
    await other.screenshot({ path: join(screenshots, 'lesson-editor.png') });
    await check('presenter mode keeps the lesson; → goes to the next step', async () => {
      await other.getByTestId('presenter-toggle').click();
      await other.evaluate(() => document.activeElement?.blur());
      await other.keyboard.press('ArrowRight');
      await other.locator('[data-testid="lesson-step"][data-step="4"]').waitFor();
      await other.screenshot({ path: join(screenshots, 'lesson-presenter.png') });
      await other.getByTestId('presenter-toggle').click();
      await other.getByTestId('prev-step').click();
      await other.locator('[data-testid="lesson-step"][data-step="3"]').waitFor();
    });
    await other.getByTestId('show-hint').click();
    await other.emulateMedia({ colorScheme: 'dark' });
    await other.screenshot({ path: join(screenshots, 'lesson-dark.png') });
    await check('corrupt saved progress gives a message and the lessons, not a blank page', async () => {
      await other.evaluate(() => localStorage.setItem('kubeplay.progress', 'kubeplay-progress v1\n<img src=x> 1'));
      await other.goto(`${url}#/`);
      await other.getByTestId('error-banner').waitFor();
      const cards = await other.getByTestId('lesson-card').count();
      if (cards !== 9) throw new Error(`${cards} lessons listed`);
      return (await other.getByTestId('error-banner').textContent()).trim();
    });
    await check('corrupt saved progress inside a lesson gives the banner, and the step still works', async () => {
      await other.evaluate(() => localStorage.setItem('kubeplay.progress', 'not progress'));
      await other.goto(`${url}#/lesson/ch02-first-steps/1`);
      await other.getByTestId('error-banner').filter({ hasText: 'progress' }).waitFor();
      await other.locator('[data-testid="lesson-step"][data-step="1"]').waitFor();
      await other.getByTestId('check-status').waitFor();
    });
    await fresh.close();
  } finally {
    await browser.close();
  }
}

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
    acceptDownloads: true,
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
  const play = `${url}#/play`;
  const firstMs = await timeToInteractive(page, play);

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

  await sessionTests(page, url);
  await streamTests(page);
  await editTests(page);
  await lessonTests(page, url);
  // A clean session for the timing runs (reset also clears the saved session).
  await page.goto(play);
  await page.getByRole('button', { name: /Reset cluster/ }).click();

  // Repeat visits with the HTTP cache disabled, for a steadier figure than one sample.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const runs = [];
  for (let i = 0; i < TIMING_RUNS; i++) runs.push(await timeToInteractive(page, play));
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
