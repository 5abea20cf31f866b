import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { launchBrowser, type Browser } from './browser.js';
import { ALERTING, DOWN, fire, HOST_COUNT, HOSTILE_EVENT, HOSTILE_MESSAGE, HOSTILE_MOUNT, HOSTILE_MOUNT_HOST, HOSTILE_WARNING, poll, writeConfig, writeHistory } from './fleet.js';
import { metrixCommand, startServe, type Serve } from './serve.js';

/**
 * The pages of `metrix serve` in Debian's Chromium, against the real server over a real
 * database of 200 hosts with a month of history. The tests run in order, as one person would
 * use the pages: log in, watch the overview, open a host, silence an alert, log out, log in as
 * a viewer. Screenshots go to $METRIX_WEB_SCREENSHOTS when set (to look at), else a temp dir.
 */
const NOW = Date.now();
const WAIT = 60_000;
const ADMIN = { user: 'alice', password: 'correct horse battery' };
const VIEWER = { user: 'victor', password: 'viewer staple battery' };
/** The first line colour of every chart (host.js COLORS[0]): what a drawn line is made of. */
const LINE_RGB = [0x1f, 0x6f, 0xd1];

// The little of the DOM that the functions run inside the page use (this project's tests are
// typed for Node, without lib "dom").
declare const document: { querySelectorAll(selector: string): { readonly length: number } };

/** The rows of the host page's events panel: [kind, severity, what], top to bottom. */
const eventRows = (): Promise<string[][]> =>
  page.$$eval('#events tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(1).map((td) => td.textContent ?? '')));
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { readonly data: Uint8ClampedArray } } | null;
}

let dir: string;
let shots: string;
let serve: Serve;
let browser: Browser;
let page: Page;
/** Script errors and Content-Security-Policy refusals on any page: there must be none. */
const problems: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metrix-web-'));
  shots = process.env['METRIX_WEB_SCREENSHOTS'] ?? join(dir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  writeConfig(dir);
  writeHistory(dir, NOW);
  await metrixCommand(dir, ['user', 'add', ADMIN.user, '--role', 'admin'], `${ADMIN.password}\n`);
  await metrixCommand(dir, ['user', 'add', VIEWER.user, '--role', 'viewer'], `${VIEWER.password}\n`);
  serve = await startServe(dir);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function logIn(who: { user: string; password: string }): Promise<void> {
  await page.fill('#user', who.user);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL(`${serve.base}/`), page.click('button[type=submit]')]);
}

const hostOrder = (): Promise<string[]> => page.$$eval('#hosts tbody tr', (rows) => rows.map((row) => row.getAttribute('data-host')!));
const natural = (names: readonly string[]): string[] => [...names].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));

/** Pixels of the canvas under `selector` that are the first line's colour: a drawn line, not an empty frame. */
function linePixels(selector: string): Promise<number> {
  return page.$eval(
    `${selector} canvas`,
    (canvas, rgb) => {
      const c = canvas as unknown as Canvas;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - rgb[0]!) < 40 && Math.abs(data[i + 1]! - rgb[1]!) < 40 && Math.abs(data[i + 2]! - rgb[2]!) < 40 && data[i + 3]! > 128) n++;
      }
      return n;
    },
    LINE_RGB,
  );
}

describe('the pages of metrix serve, in Chromium', () => {
  it('sends a newcomer to the login page, refuses a wrong password, then shows the overview of 200 hosts, problems first', async () => {
    const first = await page.goto(`${serve.base}/`);
    // The pages are built for a CSP without 'unsafe-inline': every script and style is a file.
    expect(first!.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    expect(first!.headers()['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.fill('#user', ADMIN.user);
    await page.fill('#password', 'not the password');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.status() === 401), page.click('button[type=submit]')]);
    await page.waitForSelector('#notice:not([hidden])');
    expect(await page.textContent('#notice')).toBe('Wrong user or password.');
    await page.screenshot({ path: join(shots, 'login.png') });
    await logIn(ADMIN);
    await page.waitForFunction((n) => document.querySelectorAll('#hosts tbody tr').length === n, HOST_COUNT);
    const order = await hostOrder();
    // Down hosts first, then hosts up with firing alerts (high-cpu, and n7's disk-full), then the rest.
    expect(order.slice(0, DOWN.length)).toEqual(natural(DOWN));
    expect(order.slice(DOWN.length, DOWN.length + ALERTING.length + 1)).toEqual(natural([...ALERTING, HOSTILE_MOUNT_HOST]));
    expect(await page.textContent('#summary')).toBe(`${HOST_COUNT} hosts · ${DOWN.length} down · ${ALERTING.length + 1} alerting`);
    expect(await page.textContent('.topbar .who')).toContain('alice');
    expect(await page.textContent('.topbar .who .role')).toBe('admin');
    expect(await page.textContent('tr[data-host="n5"] .alerts-cell')).toContain('high-cpu');
    expect(await page.textContent('#updated')).toMatch(/^updated \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    await page.screenshot({ path: join(shots, 'overview.png') });
  });

  it('updates in place when a new poll is stored: 304 while nothing changes, the new state once it does', async () => {
    await page.waitForResponse((r) => r.url().endsWith('/api/v1/hosts') && r.status() === 304);
    const store = Store.open(join(dir, 'metrix.db'));
    try {
      store.writeRun({ startedAt: NOW, finishedAt: NOW, polls: [poll('n2', 2, NOW, true, NOW)] });
    } finally {
      store.close();
    }
    await page.waitForSelector('tr[data-host="n2"].down');
    expect(await page.textContent('#summary')).toBe(`${HOST_COUNT} hosts · ${DOWN.length + 1} down · ${ALERTING.length + 1} alerting`);
    expect((await hostOrder())[0]).toBe('n2');
    expect(await page.textContent('tr[data-host="n2"] .why')).toBe('unreachable: ssh: connect ECONNREFUSED');
  });

  it('filters by name or group without asking the server', async () => {
    await page.fill('#filter', 'rack5 gpu');
    const visible = await page.$$eval('#hosts tbody tr:not([hidden])', (rows) => rows.map((row) => row.getAttribute('data-host')));
    // rack5 holds n161…n200, gpu every tenth host; n180 is alerting, so first.
    expect(visible).toEqual(['n180', 'n170', 'n190', 'n200']);
    await page.fill('#filter', '');
  });

  it('shows what hosts sent as text: markup in a mount, a failure message and a warning runs nothing', async () => {
    expect(await page.textContent(`tr[data-host="${HOSTILE_MOUNT_HOST}"] td.mount`)).toBe(HOSTILE_MOUNT);
    expect(await page.textContent(`tr[data-host="${HOSTILE_MOUNT_HOST}"] td.why`)).toBe(HOSTILE_WARNING);
    expect(await page.textContent('tr[data-host="n40"] td.why')).toBe(`unreachable: ${HOSTILE_MESSAGE}`);
    await page.goto(`${serve.base}/host/${HOSTILE_MOUNT_HOST}`);
    await page.waitForSelector('#charts[data-ready="true"]');
    expect(await page.textContent('#alerts tbody')).toContain(HOSTILE_MOUNT);
    expect(await page.textContent('[data-metric="disk_used_percent"] .u-legend')).toContain(HOSTILE_MOUNT);
    await page.goto(`${serve.base}/alerts?state=firing`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('tr[data-code="D1"]')).toContain(HOSTILE_MOUNT);
    expect(await page.evaluate(() => [document.querySelectorAll('main img, main svg[onload]').length, (globalThis as { __pwned?: unknown }).__pwned])).toEqual([0, undefined]);
  });

  it('opens a host: facts, the 24 h state bar, charts; a new range changes the URL and redraws them', async () => {
    await page.goto(`${serve.base}/`);
    await Promise.all([page.waitForURL(`${serve.base}/host/n3`), page.click('tr[data-host="n3"] a')]);
    await page.waitForSelector('#charts[data-ready="true"][data-range="24h"]');
    expect(await page.textContent('#state')).toBe('down');
    expect(await page.textContent('#facts')).toContain('why down');
    // n3 was down for two hours some 20 hours ago and for the last ten: both show on the bar.
    const bar = await page.$$eval('#statebar rect', (rects) => rects.map((r) => r.getAttribute('data-state')));
    expect(bar).toEqual(expect.arrayContaining(['up', 'down']));
    expect(bar.filter((state) => state === 'down').length).toBeGreaterThanOrEqual(2);
    const metrics = await page.$$eval('.chart[data-metric]', (boxes) => boxes.map((b) => b.getAttribute('data-metric')));
    // What the overview shows comes first; the raw counter waits, folded, until asked for.
    expect(metrics).toEqual(['cpu_percent', 'mem_percent', 'load1', 'disk_used_percent', 'host_up', 'net_rx_bytes_per_sec', 'net_rx_bytes_total']);
    expect(await page.isVisible('[data-metric="net_rx_bytes_total"]')).toBe(false);
    expect(await page.getAttribute('[data-metric="net_rx_bytes_total"]', 'data-points')).toBe(null);
    await page.click('#counters summary');
    await page.waitForSelector('[data-metric="net_rx_bytes_total"][data-points]');
    expect(await linePixels('[data-metric="net_rx_bytes_total"]')).toBeGreaterThan(200);
    expect(await linePixels('[data-metric="cpu_percent"]')).toBeGreaterThan(200);
    const legend = await page.textContent('[data-metric="net_rx_bytes_per_sec"] .u-legend');
    expect(legend).toContain('iface="eth0"');
    expect(legend).toContain('iface="ib0"');
    const step24h = Number(await page.getAttribute('[data-metric="cpu_percent"]', 'data-step'));
    // Its events of the last 24 h, newest first: the hostile log line as text, the fleet-wide
    // silence marked so, the outages the runs recorded; the reboot of 3 days ago is not in range.
    await page.waitForSelector('#events-section[data-range="24h"]');
    expect(await page.textContent('#events-title')).toBe('Events of the last 24h');
    const down = ['host_down', 'critical', 'down: unreachable: ssh: connect ECONNREFUSED'];
    expect(await eventRows()).toEqual([
      ['log_matched', 'warning', HOSTILE_EVENT],
      ['silence_added', 'info', 'all hostssilence #90 by bob until tomorrow: rule disk-full: storage migration'],
      down,
      ['host_up', 'info', 'up again, last seen 2h 5m before'],
      down,
    ]);
    expect(await page.$$eval('#events tbody tr td:first-child', (tds) => tds.map((td) => td.textContent))).toEqual(Array(5).fill(expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)));
    expect(await page.evaluate(() => [document.querySelectorAll('main img').length, (globalThis as { __pwned?: unknown }).__pwned])).toEqual([0, undefined]);
    await page.screenshot({ path: join(shots, 'host-24h.png'), fullPage: true });

    await page.click('#ranges a[data-range="7d"]');
    await page.waitForSelector('#charts[data-ready="true"][data-range="7d"]');
    expect(new URL(page.url()).searchParams.get('range')).toBe('7d');
    expect(Number(await page.getAttribute('[data-metric="cpu_percent"]', 'data-step'))).toBeGreaterThan(step24h);
    expect(await linePixels('[data-metric="cpu_percent"]')).toBeGreaterThan(200);
    await page.waitForSelector('#events-section[data-range="7d"]');
    expect((await eventRows()).map((row) => row[0])).toEqual(['log_matched', 'silence_added', 'host_down', 'host_up', 'host_down', 'reboot']);
    await page.screenshot({ path: join(shots, 'host-7d.png'), fullPage: true });

    // The range is in the URL: a reload (or a shared link) shows the same.
    await page.reload();
    await page.waitForSelector('#charts[data-ready="true"][data-range="7d"]');
    expect(await page.getAttribute('#ranges a[data-range="7d"]', 'aria-current')).toBe('true');
    await page.goBack();
    await page.waitForSelector('#charts[data-ready="true"][data-range="24h"]');
  });

  it('lets an admin add a silence from the alerts page and end it', async () => {
    await page.goto(`${serve.base}/alerts`);
    await page.waitForSelector('body[data-ready="true"]');
    const addSilence = async (host: string, comment: string): Promise<void> => {
      await page.fill('#silence-form [name=host]', host);
      await page.fill('#silence-form [name=rule]', 'high-cpu');
      await page.fill('#silence-form [name=for]', '2h');
      await page.fill('#silence-form [name=comment]', comment);
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/silences') && r.request().method() === 'POST'), page.click('#silence-form button[type=submit]')]);
      await page.waitForSelector(`#silences tr:has-text("${comment}")`);
    };
    await addSilence('n5', 'kernel update on n5');
    await addSilence('n12', 'disk swap on n12');
    const rows = await page.$$eval('#silences tbody tr', (trs) => trs.map((tr) => tr.textContent));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/n5.*high-cpu.*kernel update on n5.*alice/);
    await page.screenshot({ path: join(shots, 'alerts-admin.png'), fullPage: true });

    const id = await page.getAttribute('#silences tr:has-text("kernel update on n5")', 'data-silence');
    await page.click(`#silences button[data-end="${id}"]`);
    await page.waitForSelector(`#silences tr[data-silence="${id}"]`, { state: 'detached' });
    expect(await page.textContent('#notice')).toBe(`Silence #${id} ended.`);
    expect(await page.$$eval('#silences tbody tr', (trs) => trs.length)).toBe(1);

    // Added from the page, recorded as from the command line: an event on the host.
    await page.goto(`${serve.base}/host/n12`);
    await page.waitForSelector('#events-section[data-range="24h"]');
    expect((await eventRows())[0]).toEqual(['silence_added', 'info', expect.stringMatching(/^silence #\d+ by alice until .*: host n12, rule high-cpu: disk swap on n12$/)]);
  });

  it('reads the host\'s events again with its facts (every 30 s): what happened meanwhile comes on top', async () => {
    // The page's clock is Playwright's: 30 s pass at once instead of waited for.
    const clocked = await page.context().newPage();
    try {
      await clocked.clock.install();
      await clocked.goto(`${serve.base}/host/n12`);
      await clocked.waitForSelector('#events-section[data-range="24h"]');
      const store = Store.open(join(dir, 'metrix.db'));
      try {
        store.events.add({ ts: Date.now(), host: 'n12', kind: 'check_changed', severity: 'critical', text: 'check ib_link: OK -> CRITICAL: port 1 down' });
      } finally {
        store.close();
      }
      expect(await clocked.$$('#events tbody tr[data-kind="check_changed"]')).toHaveLength(0);
      await clocked.clock.runFor(31_000);
      await clocked.waitForSelector('#events tbody tr:first-child[data-kind="check_changed"]');
      const first = await clocked.$$eval('#events tbody tr:first-child td', (tds) => tds.slice(1).map((td) => td.textContent ?? ''));
      expect(first).toEqual(['check_changed', 'critical', 'check ib_link: OK -> CRITICAL: port 1 down']);
    } finally {
      await clocked.close();
    }
  });

  it('updates the alerts page live: 304 while nothing changes, a new alert appears once it is stored', async () => {
    await page.goto(`${serve.base}/alerts?state=firing`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForResponse((r) => r.url().endsWith('/api/v1/alerts?state=firing') && r.status() === 304);
    expect(await page.$$('tr[data-code="L1"]')).toHaveLength(0);
    const store = Store.open(join(dir, 'metrix.db'));
    try {
      fire(store, 'high-cpu', 'n20', 'L1', {}, Date.now());
    } finally {
      store.close();
    }
    await page.waitForSelector('tr[data-code="L1"]');
    expect(await page.textContent('#updated')).toMatch(/^updated \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(await page.textContent('tr[data-code="L1"]')).toMatch(/^L1firingn20high-cpucpu_percent/);
    // Newest first: it became active last.
    expect(await page.getAttribute('#alerts tbody tr:first-child', 'data-code')).toBe('L1');
    await page.screenshot({ path: join(shots, 'alerts-live.png'), fullPage: true });
  });

  it('logs out; a viewer sees silences without buttons, and a forced POST or DELETE is refused with 403', async () => {
    await Promise.all([page.waitForURL(/\/login/), page.click('#logout')]);
    await logIn(VIEWER);
    await page.goto(`${serve.base}/alerts`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('.topbar .who .role')).toBe('viewer');
    expect(await page.$$eval('#silences tbody tr', (trs) => trs.length)).toBe(1);
    expect(await page.$$('#silences button, #add-silence, form')).toHaveLength(0);
    const id = await page.getAttribute('#silences tbody tr', 'data-silence');
    const statuses = await page.evaluate(async (silence) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const csrf = { 'X-CSRF-Token': session.csrfToken };
      const post = await fetch('/api/v1/silences', { method: 'POST', headers: { ...csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ host: 'n5', rule: 'high-cpu', for: '1h', comment: 'viewer tries' }) });
      const del = await fetch(`/api/v1/silences/${silence}`, { method: 'DELETE', headers: csrf });
      return [post.status, del.status];
    }, id);
    expect(statuses).toEqual([403, 403]);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.$$eval('#silences tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-silence')))).toEqual([id]);
    await page.screenshot({ path: join(shots, 'alerts-viewer.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('says the figures are stale when the server stops answering, and keeps showing them', async () => {
    await page.clock.install();
    await page.goto(`${serve.base}/`);
    await page.waitForFunction((n) => document.querySelectorAll('#hosts tbody tr').length === n, HOST_COUNT);
    await serve.stop();
    // Past the 15 s the page allows, on its own clock: each 5 s poll meets a closed server.
    for (let s = 0; s < 4; s++) await page.clock.runFor(5_000);
    await page.waitForSelector('#notice.stale:not([hidden])');
    expect(await page.textContent('#notice')).toMatch(/^The server has not answered for \d+s: these figures are from \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ and may be out of date\.$/);
    expect(await page.$$eval('#hosts tbody tr', (rows) => rows.length)).toBe(HOST_COUNT);
    await page.screenshot({ path: join(shots, 'overview-stale.png') });
  });
});
