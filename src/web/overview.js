// The fleet overview: every host, problems first, refreshed in place every few seconds.
// /api/v1/hosts is polled with If-None-Match: a 304 costs nothing to draw. Rows are made once
// per host and updated in place; one listener serves the filter, none sits on a row.
import { age, api, el, figure, notify, run, startPage, toMs, utc } from './common.js';

const POLL_MS = 5000;
/** After this long without an answer the page says its figures are stale. */
const STALE_MS = 3 * POLL_MS;

const tbody = document.querySelector('#hosts tbody');
const filterBox = document.getElementById('filter');
/** host name -> { tr, cells, key } */
const rows = new Map();
let etag;
let data;
/** When the data was last confirmed current (200 or 304), by this browser's clock. */
let confirmedAt = 0;
/** The server's clock (its Date header) minus this browser's: ages are counted on the server's time. */
let clockSkew = 0;
let failing = false;

const problemClass = (h) => (h.state === 'down' ? 'down' : h.state === 'up' && h.alerts.length > 0 ? 'alerting' : '');

function stateBadge(h) {
  const alerting = h.state === 'up' && h.alerts.length > 0;
  const cls = h.state === 'never polled' ? 'never' : alerting ? 'alerting' : h.state;
  return el('span', { class: `state ${cls}` }, alerting ? 'alerting' : h.state);
}

/** A percentage with a thin bar; the bar's width is set through the CSSOM, which the CSP allows. */
function percent(value) {
  if (value === null || value === undefined) return '';
  const bar = el('span');
  bar.style.width = `${Math.max(0, Math.min(100, value))}%`;
  const cls = value >= 90 ? 'pct crit' : value >= 80 ? 'pct hot' : 'pct';
  return el('span', { class: cls }, figure(value), el('span', { class: 'bar' }, bar));
}

function alertsCell(h) {
  return h.alerts.map((a) => el('span', { title: `${a.rule} ${a.severity}${a.muted ? ` (${a.muted})` : ''}` }, el('span', { class: 'code' }, a.code), a.rule, ' '));
}

function why(h) {
  if (h.state === 'down') return [h.reason, h.message].filter(Boolean).join(': ');
  return h.warnings || '';
}

/** A row's content depends on these fields only: unchanged rows are not touched. */
const rowKey = (h) => JSON.stringify([h.groups, h.state, h.reason, h.message, h.warnings, h.last_seen, h.cpu_percent, h.mem_percent, h.disk_used_percent, h.disk_mount, h.load1, h.alerts]);

function makeRow(h) {
  const link = el('a', { href: `/host/${encodeURIComponent(h.host)}` }, h.host);
  const cells = {
    host: el('td', {}, link),
    groups: el('td', { class: 'muted' }),
    state: el('td'),
    cpu: el('td', { class: 'num' }),
    mem: el('td', { class: 'num' }),
    disk: el('td', { class: 'num' }),
    mount: el('td', { class: 'mount' }),
    load: el('td', { class: 'num' }),
    seen: el('td', { class: 'num' }),
    alerts: el('td', { class: 'alerts-cell' }),
    why: el('td', { class: 'why' }),
  };
  const tr = el('tr', { 'data-host': h.host }, Object.values(cells));
  return { tr, cells, key: '', search: '' };
}

function fillRow(row, h) {
  const key = rowKey(h);
  row.search = `${h.host} ${h.groups.join(' ')}`.toLowerCase();
  if (key === row.key) return;
  row.key = key;
  const c = row.cells;
  row.tr.className = problemClass(h);
  c.groups.textContent = h.groups.join(', ');
  c.state.replaceChildren(stateBadge(h));
  c.cpu.replaceChildren(percent(h.cpu_percent));
  c.mem.replaceChildren(percent(h.mem_percent));
  c.disk.replaceChildren(percent(h.disk_used_percent));
  c.mount.textContent = h.disk_mount ?? '';
  c.mount.title = h.disk_mount ?? '';
  c.load.textContent = figure(h.load1);
  c.seen.title = h.last_seen ? utc(toMs(h.last_seen)) : 'never answered';
  c.alerts.replaceChildren(...alertsCell(h));
  c.why.textContent = why(h);
}

/** Ages move on every tick even when nothing else changed. */
function fillAges() {
  const now = Date.now() + clockSkew;
  for (const h of data.hosts) {
    const seen = toMs(h.last_seen);
    rows.get(h.host).cells.seen.textContent = seen === undefined ? 'never' : `${age(now - seen)} ago`;
  }
}

function render() {
  performance.mark('metrix:render');
  const fragment = document.createDocumentFragment();
  const names = new Set();
  for (const h of data.hosts) {
    names.add(h.host);
    let row = rows.get(h.host);
    if (!row) rows.set(h.host, (row = makeRow(h)));
    fillRow(row, h);
    fragment.append(row.tr);
  }
  for (const name of [...rows.keys()]) if (!names.has(name)) rows.delete(name);
  tbody.replaceChildren(fragment);
  applyFilter();
  fillAges();
  summarize();
  // How long a redraw takes, for whoever looks (the devtools' Performance panel, the tests).
  performance.measure('metrix:render', 'metrix:render');
}

function summarize() {
  const hosts = data.hosts;
  const down = hosts.filter((h) => h.state === 'down').length;
  const alerting = hosts.filter((h) => h.state === 'up' && h.alerts.length > 0).length;
  const never = hosts.filter((h) => h.state === 'never polled').length;
  const summary = document.getElementById('summary');
  summary.replaceChildren(
    `${hosts.length} hosts · `,
    el('span', { class: down ? 'down' : '' }, `${down} down`),
    ' · ',
    el('span', { class: alerting ? 'alerting' : '' }, `${alerting} alerting`),
    never ? ` · ${never} never polled` : '',
  );
}

function applyFilter() {
  const words = filterBox.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const row of rows.values()) {
    const match = words.every((word) => row.search.includes(word));
    row.tr.hidden = !match;
    if (match) shown++;
  }
  document.getElementById('shown').textContent = words.length ? `${shown} shown` : '';
}

function showFreshness() {
  const updated = document.getElementById('updated');
  if (!confirmedAt) return;
  const since = Date.now() - confirmedAt;
  updated.textContent = `updated ${utc(confirmedAt + clockSkew)} (${age(since)} ago)`;
  const notice = document.getElementById('notice');
  const stale = failing && since > STALE_MS;
  notice.hidden = !stale;
  if (stale) {
    notice.className = 'notice stale';
    notice.textContent = `The server has not answered for ${age(since)}: these figures are from ${utc(confirmedAt + clockSkew)} and may be out of date.`;
  }
}

async function refresh() {
  try {
    const answer = await api('/api/v1/hosts', {
      etag,
      onHeaders: (headers) => {
        if (headers.get('ETag')) etag = headers.get('ETag');
        const serverNow = toMs(headers.get('Date') ?? undefined);
        if (serverNow !== undefined) clockSkew = serverNow - Date.now();
      },
    });
    failing = false;
    confirmedAt = Date.now();
    if (answer) {
      data = answer;
      render();
      document.body.dataset.generatedAt = answer.generatedAt;
    } else if (data) {
      fillAges();
    }
  } catch (err) {
    failing = true;
    if (!data) notify('error', `Could not read the hosts: ${err.message}`);
  } finally {
    showFreshness();
    document.body.dataset.refreshed = String((Number(document.body.dataset.refreshed) || 0) + 1);
    // The next poll starts when this one is over: a slow server never has two at once.
    setTimeout(refresh, POLL_MS);
  }
}

run(async () => {
  await startPage('overview');
  filterBox.addEventListener('input', applyFilter);
  await refresh();
  setInterval(showFreshness, 1000);
});
