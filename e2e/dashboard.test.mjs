// Browser tests of the dashboard, run by DashboardIT against a node it started:
// NEXUS_URL, NEXUS_EMAIL, NEXUS_PASSWORD; screenshots go to NEXUS_SHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

const url = process.env.NEXUS_URL;
const email = process.env.NEXUS_EMAIL;
const password = process.env.NEXUS_PASSWORD;
const shots = process.env.NEXUS_SHOTS || 'target/screenshots';
// documents rendered by DashboardIT: an invoice, a re-compressed copy of it, and the facts printed on it
const fixtures = process.env.NEXUS_FIXTURES;
mkdirSync(shots, { recursive: true });

const ttlSeconds = Number(process.env.NEXUS_TOKEN_TTL_SECONDS || 300);

let browser;
let token;
let ledger;
// a page that signs in and then sleeps (its clock stopped) past its access token's end, and one that stays awake
let sleeper;
let watcher;
let sleepStarted;

async function api(method, path, body, again) {
  const r = await fetch(url + '/api/v1' + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 401 && token && !again) {
    // this helper's token lives NEXUS_TOKEN_TTL_SECONDS too: sign in again
    token = null;
    token = (await api('POST', '/auth/login', { email, password })).accessToken;
    return api(method, path, body, true);
  }
  const text = await r.text();
  if (!r.ok) throw new Error(method + ' ' + path + ' → ' + r.status + ' ' + text);
  return text ? JSON.parse(text) : null;
}

function post(description) {
  return api('POST', '/ledgers/' + ledger + '/entries', {
    bookingDate: '2026-03-02', description, counterparty: 'Browser Co',
    lines: [{ account: '1000', debit: '10.00', currency: 'EUR' }, { account: '4000', credit: '10.00', currency: 'EUR' }],
  });
}

/** The same amount paid to the same party on each date, then the duplicate-payment rule run over the ledger: the ended examination. */
async function paidTwice(description, counterparty, amount, dates) {
  await api('POST', '/ledgers/' + ledger + '/accounts', { code: '2000', name: 'Payables', type: 'liability' }).catch(() => {});
  for (const date of dates) {
    await api('POST', '/ledgers/' + ledger + '/entries', { bookingDate: date, description, counterparty,
      lines: [{ account: '2000', debit: amount, currency: 'EUR' }, { account: '1000', credit: amount, currency: 'EUR' }] });
  }
  let exam = await api('POST', '/ledgers/' + ledger + '/examinations', { rules: ['duplicate-payment'] });
  while (exam.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    exam = await api('GET', '/ledgers/' + ledger + '/examinations/' + exam.id);
  }
  return exam;
}

async function signedIn(name, { clock } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => console.log('page ' + m.type() + ': ' + m.text()));
  if (clock) await page.clock.install();
  await page.goto(url + '/');
  await page.screenshot({ path: `${shots}/${name}-0-login.png` });
  const login = page.getByRole('form', { name: 'Sign in' });
  await login.getByLabel('Email').fill(email);
  await login.getByLabel('Password').fill(password);
  await login.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection[data-state=open]').waitFor({ timeout: 10000 });
  // the first replay has told the page where the log ends: from here on nothing is missed
  await page.waitForFunction(() => window.nexus && window.nexus.feed.cursor && !window.nexus.feed.replaying);
  return { context, page };
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  token = (await api('POST', '/auth/login', { email, password })).accessToken;
  ledger = (await api('POST', '/ledgers', { name: 'Browser ' + Date.now(), currency: 'EUR' })).id;
  for (const [code, name, type] of [['1000', 'Bank', 'asset'], ['4000', 'Sales', 'revenue']]) {
    await api('POST', '/ledgers/' + ledger + '/accounts', { code, name, type });
  }
  // the session test (last) checks these two after the other tests, while they waited
  sleeper = await signedIn('session-sleeper', { clock: true });
  await sleeper.page.clock.pauseAt(new Date(Date.now() + 1000));
  sleepStarted = Date.now();
  watcher = await signedIn('session-watcher');
});

after(async () => {
  await browser?.close();
});

test('an entry posted through the API appears in the live feed within 1 s', async () => {
  const { context, page } = await signedIn('feed');
  const description = 'Live ' + Date.now();
  const started = Date.now();
  await post(description);
  await page.locator('#feed li', { hasText: description }).waitFor({ timeout: 1000 });
  const ms = Date.now() - started;
  console.log(`entry visible in the feed ${ms} ms after the POST was sent`);
  await page.screenshot({ path: `${shots}/feed-1-entry.png` });
  assert.ok(ms < 1000, `took ${ms} ms`);
  await context.close();
});

test('offline while 20 entries are posted: after reconnecting the feed shows all 20 once, in order', async () => {
  const { context, page } = await signedIn('reconnect');
  const run = 'Gap ' + Date.now();
  // the network goes away: nothing can connect, and the open socket breaks (Chromium's offline mode
  // alone leaves an open WebSocket standing, so the page is told its socket broke)
  await context.setOffline(true);
  await page.evaluate(() => window.nexus.bus.drop());
  await page.locator('#connection:not([data-state=open])').waitFor({ timeout: 15000 });
  await page.screenshot({ path: `${shots}/reconnect-1-offline.png` });
  for (let i = 1; i <= 20; i++) {
    await post(`${run} #${i}`);
  }
  await context.setOffline(false);
  await page.locator('#connection[data-state=open]').waitFor({ timeout: 15000 });
  await page.locator('#feed li', { hasText: `${run} #20` }).waitFor({ timeout: 10000 });
  await page.waitForTimeout(500); // anything duplicated would arrive by now
  const shown = await page.locator('#feed li', { hasText: run }).allTextContents();
  const numbers = shown.map((t) => Number(t.match(/#(\d+)/)[1]));
  await page.screenshot({ path: `${shots}/reconnect-2-back.png` });
  assert.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => 20 - i)); // newest first
  await context.close();
});

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

test('services map: a second node appears when it joins, its failing instance shows an open breaker, and it disappears when it stops', async () => {
  const { context, page } = await signedIn('services');
  await page.getByRole('button', { name: 'Services' }).click();
  await page.locator('#services tr[data-service=financial] .status-up').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('#nodes .node').count(), 1);
  await page.screenshot({ path: `${shots}/services-1-one-node.png` });

  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEXUS_')));
  const env = { ...inherited, NEXUS_SERVICES: 'financial', NEXUS_CLUSTER_NAME: process.env.NEXUS_TEST_CLUSTER_NAME,
    NEXUS_CLUSTER_PORT: String(port), NEXUS_CLUSTER_MEMBERS: process.env.NEXUS_TEST_CLUSTER_MEMBER + ',127.0.0.1:' + port,
    NEXUS_PG_URL: process.env.NEXUS_TEST_PG_URL, NEXUS_REDIS_URL: process.env.NEXUS_TEST_REDIS_URL,
    NEXUS_DATA_DIR: 'target/e2e-second-node', NEXUS_CLUSTER_SECRETS: process.env.NEXUS_TEST_CLUSTER_SECRETS,
    NEXUS_TEST_FAULTS: `${shots}/../second-node-faults.json` };
  writeFileSync(env.NEXUS_TEST_FAULTS, '{}');
  const log = openSync(`${shots}/../second-node.log`, 'w');
  const second = spawn('java', ['-Xmx512m', '-jar', process.env.NEXUS_NODE_JAR], { env, stdio: ['ignore', log, log] });
  try {
    const joined = Date.now();
    await page.locator('#nodes .node').nth(1).waitFor({ timeout: 90000 });
    console.log(`second node on the map ${Date.now() - joined} ms after it was started`);
    await page.locator('#services tr[data-service=financial] td:last-child', { hasText: ',' }).waitFor({ timeout: 10000 });
    await page.screenshot({ path: `${shots}/services-2-two-nodes.png` });
    // the second node's Financial fails every request: this gateway opens its breaker for that instance, and the map says so
    writeFileSync(env.NEXUS_TEST_FAULTS, '{"financial": {"failPercent": 100}}');
    await new Promise((r) => setTimeout(r, 500));
    await api('GET', '/me'); // a fresh token for the raw requests below
    for (let i = 0; i < 30; i++) {
      await fetch(url + '/api/v1/ledgers', { headers: { Authorization: 'Bearer ' + token } });
    }
    // announced on ui.system the moment it opens (the map's 5 s refresh is only a safety net)
    const opened = Date.now();
    await page.locator('#services tr[data-service=financial] td:last-child', { hasText: '(open)' }).waitFor({ timeout: 2000 });
    console.log(`open breaker on the map ${Date.now() - opened} ms after the last failed request`);
    assert.match(await page.locator('#services tr[data-service=financial] .status-degraded').textContent(), /degraded/);
    await page.screenshot({ path: `${shots}/services-3-breaker-open.png` });
    second.kill('SIGTERM');
    const left = Date.now();
    await page.waitForFunction(() => document.querySelectorAll('#nodes .node').length === 1, null, { timeout: 30000 });
    console.log(`second node gone from the map ${Date.now() - left} ms after SIGTERM`);
    await page.screenshot({ path: `${shots}/services-4-back-to-one.png` });
  } finally {
    second.kill('SIGKILL');
  }
  await context.close();
});

test('import a CSV: the progress bar reaches 100 % and the report lists the bad lines', async () => {
  const { context, page } = await signedIn('import');
  await page.getByRole('button', { name: 'Import' }).first().click();
  const header = 'entry,date,account,debit,credit,currency,description,counterparty,document\n';
  let rows = '';
  for (let i = 1; i <= 2000; i++) {
    rows += `E${i},2026-02-03,1000,${i}.50,,EUR,Sale ${i},Cust,\nE${i},2026-02-03,4000,,${i}.50,EUR,,,\n`;
  }
  rows += 'BAD1,2026-02-30,1000,1.00,,EUR,bad date,,\nBAD1,2026-02-30,4000,,1.00,EUR,,,\n';
  rows += 'BAD2,2026-02-03,9999,1.00,,EUR,unknown account,,\nBAD2,2026-02-03,4000,,1.00,EUR,,,\n';
  await page.locator('#import-ledger').selectOption(ledger);
  await page.getByLabel('CSV or JSON Lines file').setInputFiles({ name: 'books.csv', mimeType: 'text/csv',
    buffer: Buffer.from(header + rows) });
  await page.getByLabel('If a line is wrong').selectOption('valid-rows');
  await page.locator('#import-form button[type=submit]').click();
  await page.locator('#import-progress[data-done=true]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#import-progress').evaluate((p) => p.value), 100);
  const status = await page.locator('#import-status').textContent();
  assert.match(status, /Imported 2,000 entries/);
  const lines = await page.locator('#import-errors tbody tr td:first-child').allTextContents();
  assert.deepEqual(lines, ['4002', '4004']); // the header is line 1
  await page.screenshot({ path: `${shots}/import-1-report.png` });
  await context.close();
});

test('two people on one finding: each sees the other within a second; the second gets the conflict view and re-applies', async () => {
  await paidTwice('Payment', 'Twice Ltd', '777.00', ['2026-04-06', '2026-04-08']);
  const finding = (await api('GET', '/ledgers/' + ledger + '/findings?rule=duplicate-payment')).findings[0];
  assert.ok(finding, 'a finding to work on');

  const a = await signedIn('conflict-a');
  const b = await signedIn('conflict-b');
  for (const { page } of [a, b]) {
    await page.getByRole('button', { name: 'Findings' }).click();
    await page.locator('#findings-ledger').selectOption(ledger);
    await page.locator(`#findings button[data-finding="${finding.id}"]`).click();
    await page.locator('#finding[data-version="1"]').waitFor();
  }
  // the overview above the list draws the ledger's findings per rule, stacked by severity, from the summary
  const summary = await api('GET', '/ledgers/' + ledger + '/finding-summary');
  await a.page.waitForFunction(() => window.echarts && window.echarts.getInstanceByDom(document.getElementById('findings-overview')));
  const drawn = await a.page.evaluate(() => {
    const o = window.echarts.getInstanceByDom(document.getElementById('findings-overview')).getOption();
    return { rules: o.xAxis[0].data, severities: o.series.map((x) => x.name),
      total: o.series.reduce((n, x) => n + x.data.reduce((m, v) => m + v, 0), 0) };
  });
  assert.deepEqual(drawn.severities, ['high', 'medium', 'low']);
  assert.ok(drawn.rules.includes('duplicate-payment'), 'the overview names the rule');
  assert.equal(drawn.total, summary.total);
  await a.page.locator('#findings-overview').screenshot({ path: `${shots}/findings-1-overview.png` });
  // a duplicate payment has no digit distribution: that chart stays hidden
  assert.equal(await a.page.locator('#fd-distribution').isHidden(), true);
  // B starts typing an assignee; A escalates and saves first
  await b.page.getByRole('form', { name: 'Change the finding' }).getByLabel('Assignee').fill('bob');
  await a.page.locator('#fd-status').selectOption('escalated');
  await a.page.getByRole('button', { name: 'Save' }).click();
  await a.page.locator('#finding[data-version="2"]').waitFor({ timeout: 5000 });
  const seen = Date.now();
  await b.page.locator('#finding[data-stale=true]').waitFor({ timeout: 1000 });
  console.log(`B learned of A's change ${Date.now() - seen} ms after A's save returned`);
  await b.page.getByRole('button', { name: 'Save' }).click();
  await b.page.locator('#fd-conflict').waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await b.page.locator('#fd-conflict-text').textContent(), /escalated/);
  await b.page.screenshot({ path: `${shots}/conflict-1-b-sees-conflict.png` });
  await b.page.getByRole('button', { name: 'Re-apply my change' }).click();
  await b.page.locator('#finding[data-version="3"]').waitFor({ timeout: 5000 });
  assert.match(await b.page.locator('#fd-meta').textContent(), /escalated · assigned to bob/);
  // A, not editing, follows B's change within a second
  await a.page.locator('#fd-meta', { hasText: 'assigned to bob' }).waitFor({ timeout: 1000 });
  await a.page.screenshot({ path: `${shots}/conflict-2-a-sees-b.png` });
  await a.context.close();
  await b.context.close();
});

test('ledgers: post an entry in the form, find it, reverse it; the trial balance still balances', async () => {
  const { context, page } = await signedIn('ledgers');
  await page.getByRole('button', { name: 'Ledgers' }).click();
  await page.locator('#ledger-select').selectOption(ledger);
  await page.locator('#accounts tbody tr').first().waitFor();
  const form = page.getByRole('form', { name: 'Post an entry' });
  await form.getByLabel('Date').fill('2026-05-04');
  await form.getByLabel('Description').fill('Form entry');
  await form.getByLabel('Counterparty').fill('Form Co');
  await form.getByLabel('Debit account').fill('1000');
  await form.getByLabel('Credit account').fill('4000');
  await form.getByLabel('Amount').fill('123.45');
  await form.getByRole('button', { name: 'Post' }).click();
  await page.locator('#ledger-msg', { hasText: 'Posted entry' }).waitFor();
  const search = page.getByRole('form', { name: 'Search entries' });
  await search.getByLabel('Counterparty').fill('Form Co');
  await search.getByRole('button', { name: 'Search' }).click();
  const row = page.locator('#entries tbody tr', { hasText: 'Form entry' });
  await row.waitFor();
  assert.match(await row.textContent(), /1000 Dr 123\.45; 4000 Cr 123\.45/);
  await row.getByRole('button', { name: /Reverse entry/ }).click();
  await page.locator('#ledger-msg', { hasText: 'Entry reversed.' }).waitFor();
  await page.locator('#entries tbody tr', { hasText: 'Reversal of' }).waitFor();
  await page.getByRole('form', { name: 'Statements' }).getByLabel('As of').fill('2026-12-31');
  await page.getByRole('button', { name: 'Trial balance' }).click();
  await page.locator('#statement caption', { hasText: 'balanced' }).waitFor();
  assert.doesNotMatch(await page.locator('#statement caption').first().textContent(), /NOT/);
  await page.screenshot({ path: `${shots}/ledgers-1-entries.png`, fullPage: true });
  // a narrow window: the forms wrap, the tables stay readable
  await page.setViewportSize({ width: 420, height: 800 });
  await page.screenshot({ path: `${shots}/ledgers-2-narrow.png` });
  await context.close();
});

test('forecast: four years of monthly sales drawn with the forecast and both bands; the method and its held-out error named', async () => {
  const books = (await api('POST', '/ledgers', { name: 'Forecast ' + Date.now(), currency: 'EUR' })).id;
  for (const [code, name, type] of [['1000', 'Bank', 'asset'], ['4000', 'Sales', 'revenue']]) {
    await api('POST', '/ledgers/' + books + '/accounts', { code, name, type });
  }
  // a growing series with a spring peak and a little noise, one entry a month, 2022-2025
  for (let i = 0; i < 48; i++) {
    const noise = 0.06 * (((Math.sin(i * 12.9898) * 43758.5453) % 1 + 1) % 1 - 0.5);
    const amount = (1000 * (1 + i / 50) * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 12)) * (1 + noise)).toFixed(2);
    const month = String((i % 12) + 1).padStart(2, '0');
    await api('POST', '/ledgers/' + books + '/entries', {
      bookingDate: `${2022 + Math.floor(i / 12)}-${month}-15`, description: 'sales', counterparty: 'Customers',
      lines: [{ account: '1000', debit: amount, currency: 'EUR' }, { account: '4000', credit: amount, currency: 'EUR' }],
    });
  }
  const { context, page } = await signedIn('forecast');
  await page.getByRole('button', { name: 'Forecast' }).click();
  await page.locator('#fc-ledger').selectOption(books);
  await page.locator('#fc-account option[value="4000"]').waitFor({ state: 'attached' });
  await page.locator('#fc-account').selectOption('4000');
  const form = page.getByRole('form', { name: 'Forecast' });
  await form.getByLabel('Horizon').fill('12');
  await form.getByRole('button', { name: 'Forecast' }).click();
  await page.locator('#forecast-points tbody tr').nth(11).waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#forecast-points tbody tr').count(), 12);
  assert.match(await page.locator('#forecast-points tbody tr').first().textContent(), /^2026-01/);
  assert.match(await page.locator('#forecast-summary').textContent(), /held out: MAPE [0-9.]+ %, MASE [0-9.]+\. 48 months of history in EUR/);
  // the chart is drawn: a canvas with history, forecast and both bands in its option
  await page.locator('#forecast-chart canvas').waitFor();
  const series = await page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('forecast-chart'))
    .getOption().series.map((x) => x.name));
  assert.deepEqual([...new Set(series)].sort(), ['80 %', '95 %', 'forecast', 'history']);
  await page.screenshot({ path: `${shots}/forecast-1-chart.png`, fullPage: true });
  assert.match(await page.locator('#forecast-summary').textContent(), /^account 4000 · /);
  // the same sales as the customers' payments: the counterparty instead of the account
  await form.getByLabel('or counterparty').fill('Customers');
  await form.getByRole('button', { name: 'Forecast' }).click();
  await page.locator('#forecast-summary', { hasText: 'payments of Customers' }).waitFor();
  assert.match(await page.locator('#forecast-summary').textContent(), /48 months of history in EUR/);
  await form.getByLabel('or counterparty').fill('');
  // a series too short for any method: the reason is shown, not a broken chart
  await form.getByLabel('History from').fill('2025-10-01');
  await form.getByRole('button', { name: 'Forecast' }).click();
  await page.locator('#forecast-msg', { hasText: 'at least 6' }).waitFor();
  await context.close();
});

test('a benford finding shows the observed leading digits against the expected ones as a chart', async () => {
  const books = (await api('POST', '/ledgers', { name: 'Benford ' + Date.now(), currency: 'EUR' })).id;
  for (const [code, name, type] of [['1000', 'Bank', 'asset'], ['6000', 'Advisory', 'expense']]) {
    await api('POST', '/ledgers/' + books + '/accounts', { code, name, type });
  }
  // 400 made-up amounts, uniform between 100 and 999.99: their first digits do not follow Benford's law
  let seed = 7;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let csv = 'entry,date,account,debit,credit,currency,description,counterparty,document\n';
  for (let i = 1; i <= 400; i++) {
    const amount = (100 + next() * 899.99).toFixed(2);
    const day = String((i % 28) + 1).padStart(2, '0');
    csv += `F${i},2025-03-${day},6000,${amount},,EUR,Advice,Fabricated Ltd,\nF${i},2025-03-${day},1000,,${amount},EUR,,,\n`;
  }
  const imp = await api('POST', '/ledgers/' + books + '/imports', { format: 'csv' });
  const put = await fetch(url + '/api/v1/ledgers/' + books + '/imports/' + imp.id + '/file', { method: 'PUT', body: csv,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'text/csv' } });
  assert.equal(put.status, 200, await put.text());
  let exam = await api('POST', '/ledgers/' + books + '/examinations', { rules: ['benford'], from: '2025-01-01', to: '2025-12-31' });
  while (exam.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    exam = await api('GET', '/ledgers/' + books + '/examinations/' + exam.id);
  }
  const finding = (await api('GET', '/ledgers/' + books + '/findings?rule=benford')).findings
    .find((f) => f.title.includes('Fabricated Ltd'));
  assert.ok(finding, 'a benford finding for the made-up amounts');
  assert.equal(finding.distribution.length, 9);

  const { context, page } = await signedIn('benford');
  await page.getByRole('button', { name: 'Findings' }).click();
  await page.locator('#findings-ledger').selectOption(books);
  await page.locator(`#findings button[data-finding="${finding.id}"]`).click();
  await page.locator('#fd-distribution canvas').waitFor();
  const drawn = await page.evaluate(() => {
    const o = window.echarts.getInstanceByDom(document.getElementById('fd-distribution')).getOption();
    return { digits: o.xAxis[0].data, series: o.series.map((x) => x.name), observed: o.series[0].data };
  });
  assert.deepEqual(drawn.digits, ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(drawn.series, ['observed', 'expected (Benford)']);
  assert.equal(drawn.observed[0], Math.round(finding.distribution[0].observedShare * 1000) / 10);
  await page.locator('#finding').screenshot({ path: `${shots}/benford-1-finding.png` });
  await context.close();
});

test('risk: each entry\'s score beside it in the ledger view; a risk-score finding draws what made its score', async () => {
  const books = (await api('POST', '/ledgers', { name: 'Risk ' + Date.now(), currency: 'EUR' })).id;
  for (const [code, name, type] of [['1000', 'Bank', 'asset'], ['5000', 'Supplies', 'expense']]) {
    await api('POST', '/ledgers/' + books + '/accounts', { code, name, type });
  }
  const suppliers = ['Kestrel', 'Granite', 'Osprey', 'Birch', 'Lumen'];
  const pay = (date, who, amount, doc) => api('POST', '/ledgers/' + books + '/entries', {
    bookingDate: date, description: 'supplies', counterparty: who, documentNumber: doc,
    lines: [{ account: '5000', debit: amount, currency: 'EUR' }, { account: '1000', credit: amount, currency: 'EUR' }],
  });
  for (let i = 0; i < 200; i++) {
    const day = new Date(Date.UTC(2025, 0, 6) + Math.floor(i / 4) * 86400000);
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + (day.getUTCDay() === 6 ? 2 : 1));
    const s = i % suppliers.length;
    const amount = ((200 + 150 * s) * (1 + 0.1 * Math.sin(i * 7.3))).toFixed(2);
    await pay(day.toISOString().slice(0, 10), suppliers[s], amount, 'INV-' + (1000 + i));
  }
  let status;
  do {
    await new Promise((r) => setTimeout(r, 100));
    status = await api('GET', '/ledgers/' + books + '/risk-status');
  } while (status.entriesRead < 200);
  let model = await api('POST', '/models', { ledgerId: books, kind: 'isolation-forest' });
  while (model.state === 'training') {
    await new Promise((r) => setTimeout(r, 100));
    model = await api('GET', '/models/' + model.id);
  }
  assert.equal(model.state, 'trained', model.error);
  await api('POST', '/models/' + model.id + '/promote', {});
  // a new counterparty paid forty times the usual on a Sunday, with a document number far from the others
  const odd = await pay('2025-06-01', 'Nightjar Holdings', '25000.00', 'X-99');
  let finding;
  for (let i = 0; i < 200 && !finding; i++) {
    await new Promise((r) => setTimeout(r, 100));
    finding = (await api('GET', '/ledgers/' + books + '/findings?rule=risk-score&limit=500')).findings
      .find((f) => f.entryIds.includes(odd.id));
  }
  assert.ok(finding, 'a risk-score finding for the odd payment');
  const risk = await api('GET', '/ledgers/' + books + '/entries/' + odd.id + '/risk');

  const { context, page } = await signedIn('risk');
  await page.getByRole('button', { name: 'Ledgers' }).click();
  await page.locator('#ledger-select').selectOption(books);
  const search = page.getByRole('form', { name: 'Search entries' });
  await search.getByLabel('Counterparty').fill('Nightjar');
  await search.getByRole('button', { name: 'Search' }).click();
  // read in one go in the page: the table may be drawn again (live updates) between two separate reads
  const shown = await (await page.waitForFunction((id) => {
    const td = document.querySelector(`td[data-risk="${id}"]`);
    return td && td.classList.contains('risk-high') && td.title.startsWith('model') ? { text: td.textContent, title: td.title } : null;
  }, odd.id)).jsonValue();
  assert.equal(shown.text, risk.score.toFixed(2));
  assert.match(shown.title, new RegExp('model v' + risk.modelVersion + '[^]*' + risk.factors[0].feature));
  // an ordinary entry: scored, below the threshold
  await search.getByLabel('Counterparty').fill('Kestrel');
  await search.getByRole('button', { name: 'Search' }).click();
  await page.locator('#entries tbody td.risk', { hasText: /^0\.\d\d$/ }).first().waitFor();
  await page.screenshot({ path: `${shots}/risk-1-ledger.png`, fullPage: true });

  await page.getByRole('button', { name: 'Findings' }).click();
  // the rule filter lists every rule of the contracts, risk-score among them
  await page.locator('#f-rule option', { hasText: 'risk-score' }).waitFor({ state: 'attached' });
  await page.locator('#findings-ledger').selectOption(books);
  await page.locator(`#findings button[data-finding="${finding.id}"]`).click();
  await page.locator('#fd-risk-chart canvas').waitFor();
  assert.match(await page.locator('#fd-risk-meta').textContent(), new RegExp('model v' + risk.modelVersion));
  const drawn = await page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('fd-risk-chart'))
    .getOption().yAxis[0].data);
  assert.equal(drawn.length, risk.factors.length);
  assert.ok(drawn[drawn.length - 1].startsWith(risk.factors[0].feature), drawn.join(', '));
  await page.locator('#finding').screenshot({ path: `${shots}/risk-2-finding.png` });
  await context.close();
});

test('documents: an invoice dropped on the page uploads and is analysed with progress, its fields boxed on its image; it is matched to its payment; a re-compressed copy is shown side by side and reconciliation names the duplicate claim', async () => {
  const facts = JSON.parse(readFileSync(fixtures + '/invoice.json', 'utf8'));
  const entry = await api('POST', '/ledgers/' + ledger + '/entries', {
    bookingDate: facts.date, description: 'invoice paid', counterparty: facts.vendor, documentNumber: facts.invoiceNumber,
    lines: [{ account: '4000', debit: facts.total, currency: 'EUR' }, { account: '1000', credit: facts.total, currency: 'EUR' }],
  });
  const { context, page } = await signedIn('documents');
  await page.getByRole('button', { name: 'Documents', exact: true }).click();
  await page.locator('#doc-ledger').selectOption(ledger);
  // dropped, as a file dragged from the desktop is
  const invoice = readFileSync(fixtures + '/invoice.png').toString('base64');
  const dropped = await page.evaluateHandle(({ b64 }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'invoice.png', { type: 'image/png' }));
    return dt;
  }, { b64: invoice });
  // the bar's values as the page shows them, to see that it moved through the analysis
  await page.evaluate(() => {
    window.progressSeen = new Set();
    new MutationObserver(() => document.querySelectorAll('#doc-uploads progress').forEach((p) => window.progressSeen.add(p.value)))
      .observe(document.getElementById('doc-uploads'), { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.dispatchEvent('#doc-drop', 'drop', { dataTransfer: dropped });
  const first = page.locator('#doc-uploads li').first();
  await first.and(page.locator('[data-state=analysed]')).waitFor({ timeout: 60000 });
  assert.equal(await first.locator('progress').evaluate((p) => p.value), 100);
  const seen = await page.evaluate(() => [...window.progressSeen]);
  assert.ok(seen.some((v) => v >= 50 && v < 100), 'the bar showed the analysis in progress: ' + seen.join(', '));
  const id = await first.getAttribute('data-document');
  await page.locator(`#doc[data-document="${id}"][data-status=analysed]`).waitFor({ timeout: 10000 });
  // the image, with the words and the fields read from it boxed where they stand
  await page.waitForFunction(() => { const i = document.querySelector('#dd-pages img'); return i && i.complete && i.naturalWidth > 0; });
  assert.ok(await page.locator('#dd-pages rect.word').count() > 20);
  assert.ok(await page.locator('#dd-pages rect.field').count() >= 5);
  assert.equal(await page.locator('#dd-fields tr[data-field=total] td').nth(1).textContent(), facts.total);
  assert.equal(await page.locator('#dd-fields tr[data-field=invoiceNumber] td').nth(1).textContent(), facts.invoiceNumber);
  await page.locator('#dd-fields tr[data-field=total]').hover();
  assert.equal(await page.locator('#dd-pages rect.field.lit').count(), 1);
  // matched to the entry that pays it
  await page.locator(`#dd-matches li[data-entry="${entry.id}"]`).waitFor({ timeout: 15000 }).catch(async () => {
    await page.locator(`#docs button[data-document="${id}"]`).click();
    await page.locator(`#dd-matches li[data-entry="${entry.id}"]`).waitFor({ timeout: 10000 });
  });
  assert.match(await page.locator('#dd-matches').textContent(), new RegExp(facts.invoiceNumber));
  await page.screenshot({ path: `${shots}/documents-1-analysed.png`, fullPage: true });

  // the same receipt again, re-compressed: the two side by side
  await page.locator('#doc-file').setInputFiles(fixtures + '/copy.jpg');
  const copy = page.locator('#doc-uploads li').first();
  await copy.and(page.locator('[data-state=analysed]')).waitFor({ timeout: 60000 });
  const copyId = await copy.getAttribute('data-document');
  assert.notEqual(copyId, id);
  await page.locator(`#doc[data-document="${copyId}"]`).waitFor({ timeout: 10000 });
  await page.locator(`#dd-duplicates [data-duplicate="${id}"] img`).nth(1).waitFor({ timeout: 10000 });
  assert.equal(await page.locator(`#dd-duplicates [data-duplicate="${id}"] img`).count(), 2);

  // reconciled: the copy is a duplicate claim
  await page.locator('#rc-from').fill(facts.date);
  await page.locator('#rc-to').fill(facts.date);
  await page.getByRole('button', { name: 'Reconcile with the ledger' }).click();
  await page.locator('#doc-msg[data-state=completed]').waitFor({ timeout: 30000 });
  assert.match(await page.locator('#doc-msg').textContent(), /1 matched/);
  let claimed = false;
  for (let i = 0; i < 20 && !claimed; i++) {
    await page.locator(`#docs button[data-document="${copyId}"]`).click();
    await page.waitForTimeout(500);
    claimed = await page.locator('#dd-findings li[data-rule=duplicate-claim]').count() > 0;
  }
  assert.ok(claimed, 'the copy shows its duplicate-claim finding');
  await page.screenshot({ path: `${shots}/documents-2-duplicate.png`, fullPage: true });
  await context.close();
});

test('assistant: the header search marks the words it matched; a question is answered from the facts, its citation opens the finding; an examiner drafts the report', async () => {
  const exam = await paidTwice('Survey fee', 'Gannet Surveys', '2875.40', ['2026-05-04', '2026-05-06']);
  const finding = (await api('GET', '/ledgers/' + ledger + '/findings?rule=duplicate-payment&limit=50')).findings
    .find((f) => f.explanation.includes('Gannet'));
  assert.ok(finding, 'the duplicate-payment finding');
  // indexed and embedded before the page asks
  for (let i = 0; i < 300; i++) {
    const s = await api('GET', '/search/index');
    const hits = await api('GET', '/search?q=Gannet&kinds=finding');
    if (s.pending === 0 && s.behind === 0 && hits.results.some((r) => r.id === finding.id)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const { context, page } = await signedIn('assistant');
  await page.getByLabel("Search your organisation's facts").fill('Gannet Surveys');
  await page.keyboard.press('Enter');
  const hit = page.locator(`#search-results li[data-id="${finding.id}"]`);
  await hit.waitFor({ timeout: 10000 });
  const marked = await page.locator('#search-results mark').allTextContents();
  assert.ok(marked.some((m) => /gannet/i.test(m)), 'the matched words are marked: ' + marked.join(', '));

  await page.locator('#ask-ledger').selectOption(ledger);
  await page.getByLabel('Question').fill('which payments look duplicated?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await page.locator('#answer[data-state=done]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#answer').getAttribute('data-mode'), 'extractive');
  const cite = page.locator(`#answer-text button.cite[data-id="${finding.id}"]`);
  await cite.waitFor();
  assert.match(await page.locator('#answer-meta').textContent(), /every citation checked/);
  await page.screenshot({ path: `${shots}/assistant-1-answer.png`, fullPage: true });
  await cite.click();
  await page.locator('#findings-view').waitFor({ state: 'visible' });
  await page.waitForFunction((id) => document.getElementById('fd-title').textContent
    && !document.getElementById('finding').hidden, finding.id);
  assert.equal(await page.locator('#fd-title').textContent(), finding.title);

  await page.getByRole('button', { name: 'Assistant', exact: true }).click();
  await page.locator('#report-box summary').click();
  await page.locator('#report-ledger').selectOption(ledger);
  await page.waitForFunction(() => document.getElementById('report-exam').options.length > 0);
  await page.locator('#report-exam').selectOption(exam.id);
  await page.getByRole('button', { name: 'Draft report' }).click();
  await page.locator('#report-text:not([hidden])').waitFor();
  const md = await page.locator('#report-text').textContent();
  assert.ok(md.includes('# Examination report') && md.includes('[finding:' + finding.id + ']'), 'the report cites the finding');
  await page.screenshot({ path: `${shots}/assistant-2-report.png`, fullPage: true });
  await context.close();
});

test('admin: create a user, end their sessions, disable them, verify the audit chain, retry an event the live feed parked', async () => {
  const { context, page } = await signedIn('admin');
  await page.getByRole('button', { name: 'Admin' }).click();
  const form = page.getByRole('form', { name: 'Create a user' });
  const email = `dash-${Date.now()}@nexus.test`;
  await form.getByLabel('Name').fill('Dash User');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill('a-good-long-password');
  await form.getByLabel('Role').selectOption('analyst');
  await form.getByRole('button', { name: 'Create user' }).click();
  const userRow = page.locator('#users tbody tr', { hasText: email });
  await userRow.waitFor();
  // the new user signs in elsewhere; the admin ends that session, then disables the user
  const signIn = () => fetch(url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'a-good-long-password' }) });
  const theirs = (await (await signIn()).json()).accessToken;
  await userRow.getByRole('button', { name: 'End every session of Dash User' }).click();
  await page.locator('#admin-msg', { hasText: '1 session(s) of Dash User ended.' }).waitFor();
  assert.equal((await fetch(url + '/api/v1/me', { headers: { Authorization: 'Bearer ' + theirs } })).status, 401);
  page.once('dialog', (d) => d.accept());
  await userRow.getByRole('button', { name: 'Disable Dash User' }).click();
  await page.locator('#admin-msg', { hasText: 'Dash User is disabled' }).waitFor();
  await page.locator('#users tbody tr', { hasText: email }).getByText('disabled', { exact: true }).waitFor();
  assert.equal((await signIn()).status, 403);
  await page.getByRole('button', { name: 'Verify the audit chain' }).click();
  await page.locator('#audit-result', { hasText: 'Intact' }).waitFor();
  // an event of this org parked by the live feed (as if publishing it had failed): retried from the page,
  // it reaches the feed and leaves the list
  const sql = (q) => execFileSync('psql', [process.env.NEXUS_TEST_PG_URL, '-Atc', q]).toString().trim();
  const position = sql(`SELECT position FROM eventlog.events WHERE stream_id = 'ledger-${ledger}' ORDER BY position LIMIT 1`);
  sql(`INSERT INTO eventlog.parked_events (subscription, position, partition, attempts, reason) VALUES `
    + `('gateway.live-feed', ${position}, 0, 5, 'publish failed (test)')`);
  await page.getByRole('button', { name: 'Live feed' }).click();
  await page.getByRole('button', { name: 'Admin' }).click();
  const row = page.locator('#parked tbody tr', { hasText: 'publish failed (test)' });
  await row.waitFor();
  await row.getByRole('button', { name: /^Retry event/ }).click();
  await page.locator('#admin-msg', { hasText: `Event ${position} processed.` }).waitFor();
  await row.waitFor({ state: 'detached' });
  await page.screenshot({ path: `${shots}/admin-1.png`, fullPage: true });
  await context.close();
});

test('API docs: Swagger UI at /api/v1/docs renders every operation of the served document; only open ones need no token', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(r.status() + ' ' + r.url()); });
  await page.goto(url + '/api/v1/docs');
  await page.locator('.opblock').first().waitFor({ timeout: 20000 });
  const operations = await page.locator('.opblock').count();
  assert.ok(operations > 40, `operations shown: ${operations}`);
  await page.locator('.opblock-summary-path', { hasText: '/users/{id}/disable' }).first().waitFor();
  // security: [] comes from the open endpoint constants: login shows no lock, /me does
  const block = (path) => page.locator('.opblock').filter({ has: page.locator('.opblock-summary-path', { hasText: new RegExp('^' + path + '$') }) }).first();
  assert.equal(await block('/auth/login').locator('.authorization__btn').count(), 0);
  assert.equal(await block('/me').locator('.authorization__btn').count(), 1);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: `${shots}/api-docs-1.png` });
  await context.close();
});

test('keyboard and labels: sign in and switch views with the keyboard alone; every control is named; nothing scrolls sideways in a narrow window', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url + '/');
  const focused = () => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.textContent));
  const tabTo = async (name) => {
    for (let i = 0; i < 30 && (await focused()) !== name; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), name, `reached ${name} with Tab`);
  };
  await tabTo('email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.locator('#connection[data-state=open]').waitFor({ timeout: 10000 });

  // every view, reached from the keyboard: its visible controls all have an accessible name
  const views = ['Ledgers', 'Import', 'Findings', 'Forecast', 'Documents', 'Assistant', 'Services', 'Admin', 'Live feed'];
  const unnamed = async () => page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')
      && !(el.tagName === 'BUTTON' && el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 100)));
  for (const view of views) {
    await tabTo(view);
    await page.keyboard.press('Enter');
    const id = view === 'Live feed' ? 'feed' : view.toLowerCase();
    await page.locator(`#${id}-view`).waitFor({ state: 'visible', timeout: 5000 });
    await page.waitForTimeout(300);
    assert.deepEqual(await unnamed(), [], `controls without a name in ${view}`);
  }
  // a narrow window: each view wraps instead of scrolling sideways
  await page.setViewportSize({ width: 400, height: 800 });
  for (const view of views) {
    await page.getByRole('button', { name: view, exact: true }).first().click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${shots}/narrow-${view.toLowerCase().replace(' ', '-')}.png`, fullPage: true });
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= width, `${view} is ${scroll} px wide in a ${width} px window`);
  }
  await context.close();
});

test('a session outlives its access token: refreshed while awake; a page that slept past it refreshes on 401 and catches up', async () => {
  // long enough for the sleeper's token to be refused: its lifetime, the gateway's 30 s of clock skew, and a margin
  const wait = sleepStarted + (ttlSeconds + 35) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  console.log(`sleeper asleep for ${Math.round((Date.now() - sleepStarted) / 1000)} s, tokens live ${ttlSeconds} s`);

  // awake: tokens refreshed along the way, the live connection never dropped (its grant renewed with each token)
  const refreshes = await watcher.page.evaluate(() => window.nexus.refreshes());
  assert.ok(refreshes >= 3, `the awake page refreshed ${refreshes} times`);
  assert.equal(await watcher.page.evaluate(() => window.nexus.bus.opens), 1, 'the awake page connected once');
  await api('GET', '/me'); // this helper signs in again first if its own token ran out, so that is not timed
  const description = 'After sleep ' + Date.now();
  const started = Date.now();
  await post(description);
  await watcher.page.locator('#feed li', { hasText: description }).waitFor({ timeout: 1000 });
  console.log(`awake page: ${refreshes} refreshes, entry in the feed after ${Date.now() - started} ms`);
  await watcher.page.getByRole('button', { name: 'Ledgers' }).click();
  await watcher.page.locator(`#ledger-select option[value="${ledger}"]`).waitFor({ state: 'attached', timeout: 5000 });

  // asleep (no timers ran, so no refresh): the expired token gets a 401, the page refreshes and retries
  assert.equal(await sleeper.page.evaluate(() => window.nexus.refreshes()), 0);
  const answers = [];
  sleeper.page.on('response', (r) => answers.push(r.status() + ' ' + new URL(r.url()).pathname));
  await sleeper.page.getByRole('button', { name: 'Ledgers' }).click();
  for (let i = 0; i < 50 && !answers.includes('200 /api/v1/ledgers'); i++) await new Promise((r) => setTimeout(r, 100));
  console.log('sleeper, first answers after waking: ' + answers.slice(0, 4).join(', '));
  assert.deepEqual(answers.slice(0, 3), ['401 /api/v1/ledgers', '200 /api/v1/auth/refresh', '200 /api/v1/ledgers']);
  await sleeper.page.locator('#accounts tbody tr').first().waitFor({ timeout: 5000 });
  assert.equal(await sleeper.page.evaluate(() => window.nexus.refreshes()), 1, 'one refresh after the 401');
  assert.equal(await sleeper.page.locator('#app-view').isVisible(), true, 'still signed in');
  // it wakes: the lid opens, timers run; the connection comes back and the feed shows what it missed, once
  await sleeper.page.clock.fastForward(Date.now() - sleepStarted);
  await sleeper.page.clock.resume();
  await sleeper.page.getByRole('button', { name: 'Live feed' }).click();
  await sleeper.page.locator('#feed li', { hasText: description }).waitFor({ timeout: 15000 });
  await sleeper.page.locator('#connection[data-state=open]').waitFor({ timeout: 15000 });
  await sleeper.page.waitForTimeout(500);
  assert.equal(await sleeper.page.locator('#feed li', { hasText: description }).count(), 1);
  await sleeper.page.screenshot({ path: `${shots}/session-1-after-sleep.png` });
  await watcher.context.close();
  await sleeper.context.close();
});
