// One host: its facts, the stacked state bar of its last 24 h (as RASSMon draws it: one bar,
// coloured by state over time), its firing alerts, its events over the range, newest first, and
// a uPlot chart per metric over the range in the URL (?range=1h|24h|7d|30d, so a view can be
// shared and reloaded).
import { age, api, el, figure, labelText, notify, run, seriesText, startPage, svg, toMs, utc } from './common.js';

const RANGES = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const DEFAULT_RANGE = '24h';
/** Steps a chart may ask for, in seconds: the smallest giving at most one point per 2 pixels. */
const STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const COLORS = ['#1f6fd1', '#e0590b', '#2e8540', '#9c27b0', '#c62828', '#00838f', '#6d4c41', '#5c6bc0', '#c0a000', '#757575'];
const BAR_STATES = ['up', 'alerting', 'down', 'unknown'];

const name = decodeURIComponent(location.pathname.replace(/^\/host\//, ''));
/** metric -> { uplot, box } of the charts on the page. */
const charts = new Map();
let drawGeneration = 0;
/** The server's clock (its Date header) minus this browser's: "3m ago" is counted on the server's time. */
let clockSkew = 0;
const readHost = () =>
  api(`/api/v1/hosts/${encodeURIComponent(name)}`, {
    onHeaders: (headers) => {
      const serverNow = toMs(headers.get('Date') ?? undefined);
      if (serverNow !== undefined) clockSkew = serverNow - Date.now();
    },
  });
/** What the server said about the tiers behind the charts (roll-ups used, a step picked). */
const notes = new Set();
/** The facts, the state bar and the events are read again this often; the charts when the range changes. */
const REFRESH_MS = 30_000;
/** The events panel shows the newest this many of the range; the CSV link has them all. */
const EVENTS_SHOWN = 50;
/** The events request last drawn and its ETag: polling it again costs a 304 while nothing happened. */
let eventsShown = { path: '', etag: undefined };

function currentRange() {
  const range = new URLSearchParams(location.search).get('range');
  return range && Object.hasOwn(RANGES, range) ? range : DEFAULT_RANGE;
}

function fact(label, ...value) {
  return el('div', {}, el('dt', {}, label), el('dd', {}, ...value));
}

function showHost(info) {
  const h = info.host;
  document.title = `${h.host} · metrix`;
  document.getElementById('name').textContent = h.host;
  const alerting = h.state === 'up' && h.alerts.length > 0;
  const badge = document.getElementById('state');
  badge.className = `state ${h.state === 'never polled' ? 'never' : alerting ? 'alerting' : h.state}`;
  badge.textContent = alerting ? 'alerting' : h.state;
  const now = Date.now() + clockSkew;
  const when = (iso) => {
    const ms = toMs(iso);
    return ms === undefined ? 'never' : `${age(now - ms)} ago (${utc(ms)})`;
  };
  const pct = (v) => (v === null || v === undefined ? '—' : `${figure(v)} %`);
  document.getElementById('facts').replaceChildren(...[
    fact('groups', h.groups.join(', ') || '—'),
    fact('last seen', when(h.last_seen)),
    fact('last poll', when(h.last_poll)),
    fact('cpu', pct(h.cpu_percent)),
    fact('memory', pct(h.mem_percent)),
    fact('load1', h.load1 === null ? '—' : figure(h.load1)),
    fact('fullest disk', h.disk_used_percent === null ? '—' : `${figure(h.disk_used_percent)} % ${h.disk_mount ?? ''}`),
    h.state === 'down' ? fact('why down', [h.reason, h.message].filter(Boolean).join(': ')) : null,
    h.warnings ? fact('warnings', h.warnings) : null,
  ].filter(Boolean));
  const section = document.getElementById('alerts-section');
  section.hidden = h.alerts.length === 0;
  document.querySelector('#alerts tbody').replaceChildren(
    ...h.alerts.map((a) =>
      el('tr', {},
        el('td', { class: 'mono' }, a.code),
        el('td', {}, a.rule),
        el('td', { class: 'mono wrap' }, seriesText(a.metric, a.labels)),
        el('td', { class: `sev-${a.severity}` }, a.severity),
        el('td', { class: 'num' }, figure(a.value)),
        el('td', {}, utc(toMs(a.firing_since))),
        el('td', { class: 'muted' }, a.muted || ''),
      ),
    ),
  );
}

/** Neighbouring segments of one state as one (RASSMon merges intervals whose state did not change). */
function mergeSegments(segments) {
  const merged = [];
  for (const s of [...segments].sort((a, b) => a.from - b.from)) {
    const last = merged[merged.length - 1];
    if (last && last.state === s.state && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else merged.push({ from: s.from, to: s.to, state: s.state });
  }
  return merged;
}

/** The bar: one rectangle per segment, a title on each, hour marks under it, shares in the legend. */
function showStateBar(bar) {
  const box = document.getElementById('statebar');
  const span = bar.until - bar.since;
  const totals = { up: 0, alerting: 0, down: 0, unknown: 0 };
  const chart = svg('svg', { viewBox: '0 0 1000 28', preserveAspectRatio: 'none', 'shape-rendering': 'crispEdges', role: 'img', 'aria-label': 'state over the last 24 hours' });
  for (const s of mergeSegments(bar.segments)) {
    const from = Math.max(s.from, bar.since);
    const to = Math.min(s.to, bar.until);
    if (!(to > from) || !Object.hasOwn(totals, s.state)) continue;
    totals[s.state] += to - from;
    const x = ((from - bar.since) / span) * 1000;
    const width = ((to - from) / span) * 1000;
    chart.append(
      svg('rect', { class: s.state, x: x.toFixed(3), y: 0, width: Math.max(width, 0.5).toFixed(3), height: 28, 'data-state': s.state },
        svg('title', {}, `${s.state} from ${utc(from)} to ${utc(to)} (${age(to - from)})`)),
    );
  }
  const marks = [];
  for (let i = 0; i <= 4; i++) marks.push(el('span', {}, utc(bar.since + (span * i) / 4).slice(11, 16) + 'Z'));
  const legend = el('div', { class: 'legend' },
    BAR_STATES.map((state) =>
      el('span', { 'data-legend': state }, el('span', { class: `swatch ${state}` }), `${state} ${figure((totals[state] / span) * 100)} %`),
    ),
  );
  box.replaceChildren(chart, el('div', { class: 'axis' }, marks), legend);
}

/**
 * The host's events over the page's range (and the fleet-wide ones, a silence of a rule),
 * newest first. Their text may quote the host: it goes in as text nodes, like every string here.
 */
async function showEvents() {
  const range = currentRange();
  const params = new URLSearchParams({ host: name, since: range });
  const path = `/api/v1/events?${params}&limit=${EVENTS_SHOWN}`;
  let etag;
  const answer = await api(path, {
    etag: eventsShown.path === path ? eventsShown.etag : undefined,
    onHeaders: (headers) => (etag = headers.get('ETag') ?? undefined),
  });
  // A 304 (nothing new), or the range changed while this was on its way.
  if (!answer || range !== currentRange()) return;
  eventsShown = { path, etag };
  const events = [...answer.events].reverse();
  document.getElementById('events-title').textContent = `Events of the last ${range}`;
  document.querySelector('#events tbody').replaceChildren(
    ...events.map((e) =>
      el('tr', { 'data-kind': e.kind, 'data-event': e.id, class: e.host === null ? 'fleet' : null },
        el('td', {}, utc(e.ts)),
        el('td', { class: 'mono' }, e.kind),
        el('td', { class: `sev-${e.severity}` }, e.severity),
        el('td', { class: 'wrap' }, e.host === null ? el('span', { class: 'scope', title: 'concerns no host in particular' }, 'all hosts') : null, e.text),
      ),
    ),
  );
  document.getElementById('events').hidden = events.length === 0;
  const empty = document.getElementById('no-events');
  empty.hidden = events.length > 0;
  empty.textContent = `No events in the last ${range}.`;
  const csv = `/api/v1/events?${params}&format=csv`;
  document.getElementById('events-note').replaceChildren(
    events.length === EVENTS_SHOWN ? `the newest ${EVENTS_SHOWN} · ` : '',
    el('a', { href: csv, download: `events-${name}-${range}.csv` }, 'as CSV'),
  );
  document.getElementById('events-section').dataset.range = range;
}

/** Units read from the metric's name (the catalogue names every metric with its unit). */
function unitOf(metric) {
  if (metric.endsWith('_percent')) return '%';
  if (metric.endsWith('_bytes_per_sec')) return 'B/s';
  if (metric.endsWith('_bytes')) return 'B';
  if (metric.endsWith('_sec')) return 's';
  if (metric.endsWith('_c')) return '°C';
  return '';
}

/** 1.5 k, 2.3 M, … for bytes and rates; plain figures otherwise. */
function axisValue(unit) {
  const binary = unit === 'B' || unit === 'B/s';
  return (u, values) =>
    values.map((v) => {
      if (v === null || v === undefined) return '';
      if (!binary) return si(v);
      const prefixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
      let i = 0;
      let x = Math.abs(v);
      while (x >= 1024 && i < prefixes.length - 1) {
        x /= 1024;
        i++;
      }
      return `${figure(Math.sign(v) * x)} ${prefixes[i]}`;
    });
}

/** 12.5 k, 3.2 M, … for large plain figures, so axis marks keep within the axis. */
function si(v) {
  const prefixes = ['', ' k', ' M', ' G', ' T', ' P'];
  let i = 0;
  let x = Math.abs(v);
  while (x >= 10000 && i < prefixes.length - 1) {
    x /= 1000;
    i++;
  }
  return `${figure(Math.sign(v) * x)}${prefixes[i]}`;
}

/** Time marks in UTC, as every time on these pages: 14:00 within a day, 11-30 or 11-30 12:00 beyond. */
function timeLabels(rangeMs) {
  return (u, splits) =>
    splits.map((seconds) => {
      const text = utc(seconds * 1000);
      const day = text.slice(5, 10);
      const time = text.slice(11, 16);
      if (rangeMs <= RANGES['24h']) return time;
      return time === '00:00' ? day : `${day} ${time}`;
    });
}

const withUnit = (text, unit) => (unit === 'B' || unit === 'B/s' ? `${text}${unit}` : unit ? `${text} ${unit}` : text);

/** Points of every label set on one time axis (uPlot's shape): x in seconds, null where a set has none. */
function align(seriesList) {
  const times = new Set();
  for (const s of seriesList) for (const [t] of s.points) times.add(t);
  const xs = withGaps([...times].sort((a, b) => a - b));
  const index = new Map(xs.map((t, i) => [t, i]));
  const columns = seriesList.map((s) => {
    const ys = new Array(xs.length).fill(null);
    for (const [t, v] of s.points) ys[index.get(t)] = v;
    return ys;
  });
  return [xs.map((t) => t / 1000), ...columns];
}

/**
 * A time with no point of any series in the middle of each gap three times longer than the usual
 * spacing (a host that was down, a poller that stopped): the line breaks there instead of
 * drawing a straight line across hours nobody measured.
 */
function withGaps(xs) {
  if (xs.length < 3) return xs;
  const deltas = xs.slice(1).map((t, i) => t - xs[i]).sort((a, b) => a - b);
  const usual = deltas[Math.floor(deltas.length / 2)];
  const out = [xs[0]];
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] - xs[i - 1] > 3 * usual) out.push((xs[i] + xs[i - 1]) / 2);
    out.push(xs[i]);
  }
  return out;
}

function stepFor(rangeMs, widthPx) {
  const wanted = rangeMs / 1000 / Math.max(100, widthPx / 2);
  return STEPS.find((step) => step >= wanted) || STEPS[STEPS.length - 1];
}

async function drawChart(metric, box, range, generation) {
  const plot = box.querySelector('.plot');
  const width = Math.max(300, plot.clientWidth);
  const params = new URLSearchParams({ host: name, metric, since: range, until: 'now', agg: 'avg' });
  // The last hour is drawn from raw samples; longer ranges ask for a step of about 2 pixels.
  if (RANGES[range] > RANGES['1h']) params.set('step', `${stepFor(RANGES[range], width)}s`);
  const answer = await api(`/api/v1/query?${params}`);
  if (generation !== drawGeneration) return;
  for (const note of answer.notes || []) notes.add(note);
  document.getElementById('rangenote').textContent = [...notes].join(' ');
  const list = answer.series.filter((s) => s.points.length > 0);
  const old = charts.get(metric);
  if (old) old.destroy();
  charts.delete(metric);
  if (list.length === 0) {
    plot.replaceChildren(el('div', { class: 'nodata' }, 'no samples in this range'));
    box.dataset.points = '0';
    return;
  }
  const unit = unitOf(metric);
  const nowS = Date.now() / 1000;
  const opts = {
    width,
    // Cursor and legend times in UTC too.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    height: 200,
    series: [
      {},
      ...list.map((s, i) => ({
        label: labelText(s.labels) || metric,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: false,
        // Points where a line would be too short to see (few samples in the range).
        points: { show: s.points.length <= 60, size: 5 },
        value: (u, v) => (v === null || v === undefined ? '—' : withUnit(axisValue(unit)(u, [v])[0], unit)),
      })),
    ],
    scales: {
      x: { time: true, range: () => [nowS - RANGES[range] / 1000, nowS] },
      y: { range: (u, min, max) => (unit === '%' ? [0, Math.max(100, max ?? 0)] : [Math.min(0, min ?? 0), max > 0 ? max * 1.1 : 1]) },
    },
    axes: [{ values: timeLabels(RANGES[range]) }, { values: axisValue(unit), size: 60 }],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
  plot.replaceChildren();
  // uPlot builds its canvas and legend with DOM calls; the legend's labels are set as text.
  charts.set(metric, new uPlot(opts, align(list), plot));
  box.dataset.points = String(list.reduce((n, s) => n + s.points.length, 0));
  box.dataset.step = answer.step === null ? 'raw' : String(answer.step);
}

/** Charted first, in this order: what the overview shows. The rest follow by name. */
const KEY_METRICS = ['cpu_percent', 'mem_percent', 'load1', 'disk_used_percent', 'host_up'];
const chartOrder = (a, b) => {
  const ka = KEY_METRICS.indexOf(a);
  const kb = KEY_METRICS.indexOf(b);
  if (ka !== kb) return (ka === -1 ? KEY_METRICS.length : ka) - (kb === -1 ? KEY_METRICS.length : kb);
  return a < b ? -1 : a > b ? 1 : 0;
};

function chartBox(metric) {
  const unit = unitOf(metric);
  return el('section', { class: 'chart', 'data-metric': metric },
    el('h3', {}, metric, unit ? el('span', { class: 'unit' }, ` (${unit})`) : null),
    el('div', { class: 'plot' }, el('div', { class: 'nodata' }, 'loading…')));
}

/** Draws the charts of `metrics` into their boxes, a few at a time (20 metrics must not make 20 queries compete with the overview's users). */
async function drawAll(metrics, boxes, range, generation) {
  const queue = metrics.map((metric, i) => [metric, boxes[i]]);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await drawChart(next[0], next[1], range, generation);
      } catch (err) {
        if (generation === drawGeneration) next[1].querySelector('.plot').replaceChildren(el('div', { class: 'nodata' }, `could not read: ${err.message}`));
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

async function drawCharts(info) {
  const range = currentRange();
  const generation = ++drawGeneration;
  notes.clear();
  document.getElementById('rangenote').textContent = '';
  for (const link of document.querySelectorAll('#ranges a')) link.setAttribute('aria-current', String(link.dataset.range === range));
  const container = document.getElementById('charts');
  container.dataset.range = range;
  container.dataset.ready = 'false';
  // The raw counters behind the rates (cpu jiffies, bytes since boot…) mean little as lines:
  // they wait, folded, until asked for.
  const isCounter = new Map(info.series.map((s) => [s.metric, s.counter === true]));
  const all = [...isCounter.keys()].sort(chartOrder);
  const metrics = all.filter((metric) => !isCounter.get(metric));
  const counters = all.filter((metric) => isCounter.get(metric));
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  const boxes = metrics.map(chartBox);
  container.replaceChildren(...boxes);
  if (all.length === 0) container.append(el('p', { class: 'empty' }, 'No samples stored for this host yet.'));
  if (counters.length > 0) {
    const counterBoxes = counters.map(chartBox);
    const folded = el('details', { class: 'counters', id: 'counters' },
      el('summary', {}, `Raw counters behind the rates (${counters.length})`),
      el('div', { class: 'charts' }, ...counterBoxes));
    let drawn = false;
    folded.addEventListener('toggle', () => {
      if (!folded.open || drawn) return;
      drawn = true;
      void drawAll(counters, counterBoxes, range, generation);
    });
    container.append(folded);
  }
  await drawAll(metrics, boxes, range, generation);
  if (generation === drawGeneration) container.dataset.ready = 'true';
}

function watchResize() {
  const container = document.getElementById('charts');
  let width = container.clientWidth;
  new ResizeObserver(() => {
    if (container.clientWidth === width) return;
    width = container.clientWidth;
    for (const [metric, chart] of charts) {
      const plot = container.querySelector(`[data-metric="${CSS.escape(metric)}"] .plot`);
      if (plot) chart.setSize({ width: Math.max(300, plot.clientWidth), height: 200 });
    }
  }).observe(container);
}

/** What the range changes: the events and the charts. */
async function redraw(info) {
  const events = showEvents().catch((err) => notify('error', `Could not read the events: ${err.message}`));
  await Promise.all([events, drawCharts(info)]);
}

run(async () => {
  await startPage('host');
  let info;
  try {
    info = await readHost();
  } catch (err) {
    document.getElementById('name').textContent = name;
    if (err.status === 404) return notify('error', `No host "${name}" in the configuration.`);
    throw err;
  }
  showHost(info);
  showStateBar(info.stateBar);
  // The range links change the URL without a reload; back and forward redraw too.
  document.getElementById('ranges').addEventListener('click', (event) => {
    const link = event.target.closest('a[data-range]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (link.dataset.range === currentRange()) return;
    const url = new URL(location.href);
    url.searchParams.set('range', link.dataset.range);
    history.pushState(null, '', url);
    redraw(info);
  });
  window.addEventListener('popstate', () => redraw(info));
  watchResize();
  setInterval(async () => {
    try {
      const fresh = await readHost();
      showHost(fresh);
      showStateBar(fresh.stateBar);
      await showEvents();
    } catch {
      // The overview says when the server is away; here the last facts simply stay.
    }
  }, REFRESH_MS);
  await redraw(info);
});
