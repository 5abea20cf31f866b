import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from '../../client-script/src/protocol.js';
import type { ActiveAlert } from '../../src/alerts/evaluate.js';
import type { PollRecord } from '../../src/poll/records.js';
import type { NewEvent } from '../../src/store/event-store.js';
import { Store } from '../../src/store/store.js';
import { rule } from '../alerts/fixtures.js';

/**
 * A project of 200 hosts with a month of history, written through the Store as `execute`
 * writes it, for the browser tests: some hosts down, some alerting, and text from hosts (a
 * mount label, a failure message, a warning) that is HTML which would run if a page ever parsed
 * it. (Host names themselves cannot be: the config only takes letters, digits, ".", "_", "-".)
 */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A mount label a hostile host reports: markup that runs when parsed as HTML. */
export const HOSTILE_MOUNT = '/mnt/<img src=x onerror=window.__pwned=1>';
/** The failure message of a down host (what a host's sshd or collector said reaches it). */
export const HOSTILE_MESSAGE = 'collector: <img src=x onerror=window.__pwned=2>';
/** The warning of a host that is up. */
export const HOSTILE_WARNING = 'gpu: <svg onload=window.__pwned=3>';

/** The text of an event a hostile host caused (a log line it wrote, quoted by log watching). */
export const HOSTILE_EVENT = 'kernel: <img src=x onerror=window.__pwned=4> "quoted", a,b';

export const HOST_COUNT = 200;
export const hostName = (i: number): string => `n${i}`;
/** Down now: their latest poll failed. n3 went down 10 hours ago (and was down for two hours before), the others an hour ago. */
export const DOWN = ['n3', 'n40', 'n77', 'n120', 'n150', 'n199'];
/** Up with a firing alert (high-cpu). */
export const ALERTING = ['n5', 'n12', 'n64', 'n101', 'n180'];
/** Up, with the hostile mount its fullest disk. */
export const HOSTILE_MOUNT_HOST = 'n7';

/**
 * Events written beside the ones the runs record themselves (n3 down 20 h ago, up 18 h ago,
 * down 10 h ago; the DOWN hosts down an hour ago; the alerts firing): on n3 a log line with
 * markup 2 h ago and a reboot 3 days ago (beyond 24 h, inside 7 days), and a silence of a rule
 * on every host 5 h ago (host undefined: fleet-wide).
 */
export const EXTRA_EVENTS = (now: number): NewEvent[] => [
  { ts: now - 3 * DAY, host: 'n3', kind: 'reboot', severity: 'warning', text: `rebooted at about ${new Date(now - 3 * DAY - 4 * MIN).toISOString().slice(0, 19)}Z (up 4m; had been up 27d)` },
  { ts: now - 5 * HOUR, host: undefined, kind: 'silence_added', severity: 'info', text: 'silence #90 by bob until tomorrow: rule disk-full: storage migration' },
  { ts: now - 2 * HOUR, host: 'n3', kind: 'log_matched', severity: 'warning', text: HOSTILE_EVENT },
];

export const RULES = ['high-cpu', 'disk-full'];

const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Every host's name in config order: n1…n200. */
export function allHosts(): string[] {
  return Array.from({ length: HOST_COUNT }, (_, i) => hostName(i + 1));
}

function groupsOf(i: number): string {
  return [i % 10 === 0 ? 'gpu' : 'compute', `rack${1 + Math.floor((i - 1) / 40)}`].join(',');
}

/** config.xml: local hosts (no keys or SSH needed to load it) and two rules. */
export function writeConfig(dir: string): void {
  const hosts = allHosts().map((name, i) => `    <host name="${xml(name)}" transport="local" groups="${groupsOf(i + 1)}"/>`);
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <settings database="./metrix.db" keys="./keys"/>
  <hosts>
${hosts.join('\n')}
  </hosts>
  <alerts>
    <alert name="high-cpu" metric="cpu_percent" op="&gt;" value="90"/>
    <alert name="disk-full" metric="disk_used_percent" op="&gt;" value="95"/>
  </alerts>
</metrix>
`,
  );
}

/** Smooth, different per host, repeatable: no randomness in a test's data. */
const wave = (i: number, ts: number, period: number, lo: number, hi: number): number =>
  lo + ((hi - lo) * (1 + Math.sin((ts / period) * 2 * Math.PI + i))) / 2;

function samples(name: string, i: number, ts: number, now: number): Sample[] {
  const hot = ALERTING.includes(name) && ts > now - 2 * HOUR;
  const round = (v: number): number => Math.round(v * 100) / 100;
  return [
    { m: 'host_up', v: 1 },
    { m: 'cpu_percent', v: round(hot ? 96 + (i % 4) : wave(i, ts, 6 * HOUR, 3, 70)) },
    { m: 'mem_percent', v: round(wave(i + 1, ts, DAY, 20, 85)) },
    { m: 'load1', v: round(wave(i + 2, ts, 3 * HOUR, 0.1, 12)) },
    { m: 'disk_used_percent', v: round(30 + (i % 50)), l: { mount: '/' } },
    { m: 'disk_used_percent', v: round(wave(i, ts, 7 * DAY, 40, 88)), l: { mount: name === HOSTILE_MOUNT_HOST ? HOSTILE_MOUNT : '/scratch' } },
    { m: 'net_rx_bytes_per_sec', v: round(wave(i + 3, ts, 2 * HOUR, 1e4, 8e7)), l: { iface: 'eth0' } },
    { m: 'net_rx_bytes_per_sec', v: round(wave(i + 4, ts, 5 * HOUR, 0, 2e9)), l: { iface: 'ib0' } },
    // A raw counter behind the rate, as a real poll stores it: folded away on the host page.
    { m: 'net_rx_bytes_total', v: Math.round((ts - now + 30 * DAY) * 4e4), l: { iface: 'eth0' } },
  ];
}

/** Down at `ts`: the DOWN hosts lately, n3 also for two hours some 20 hours ago. */
function isDown(name: string, ts: number, now: number): boolean {
  if (name === 'n3') return ts > now - 10 * HOUR || (ts > now - 20 * HOUR && ts < now - 18 * HOUR);
  return DOWN.includes(name) && ts > now - HOUR;
}

export function poll(name: string, i: number, ts: number, down: boolean, now: number): PollRecord {
  if (down) {
    const message = name === 'n40' ? HOSTILE_MESSAGE : 'ssh: connect ECONNREFUSED';
    return { host: name, ts, durationMs: 2000, failure: { reason: 'unreachable', message }, collector: undefined, samples: [{ m: 'host_up', v: 0 }] };
  }
  const warnings = name === HOSTILE_MOUNT_HOST ? { warnings: [HOSTILE_WARNING] } : {};
  return { host: name, ts, durationMs: 300, failure: undefined, collector: '0.1.0', samples: samples(name, i, ts, now), ...warnings };
}

/** Run times: every 3 h for 30 days, then every 5 minutes for the last 24 h, the last one a minute ago. */
export function runTimes(now: number): number[] {
  const times: number[] = [];
  for (let t = now - 30 * DAY; t < now - DAY; t += 3 * HOUR) times.push(t);
  for (let t = now - DAY + 4 * MIN; t <= now - MIN; t += 5 * MIN) times.push(t);
  return times;
}

/** Fills `<dir>/metrix.db` with the fleet's history up to `now`. */
export function writeHistory(dir: string, now: number): void {
  const store = Store.open(join(dir, 'metrix.db'));
  try {
    const names = allHosts();
    for (const ts of runTimes(now)) {
      store.writeRun({ startedAt: ts, finishedAt: ts + 5000, polls: names.map((name, i) => poll(name, i + 1, ts, isDown(name, ts, now), now)) });
    }
    for (const [k, host] of ALERTING.entries()) fire(store, 'high-cpu', host, `C${k + 1}`, {}, now);
    fire(store, 'disk-full', HOSTILE_MOUNT_HOST, 'D1', { mount: HOSTILE_MOUNT }, now);
    // History: an alert that fired and resolved yesterday.
    const old = fire(store, 'high-cpu', 'n9', 'R1', {}, now - DAY);
    store.alerts.save(rule({ name: 'high-cpu' }), [], [{ kind: 'resolved', alert: old, resolvedAt: now - DAY + 40 * MIN, value: 40 }], []);
    for (const event of EXTRA_EVENTS(now)) store.events.add(event);
  } finally {
    store.close();
  }
}

export function fire(store: Store, name: string, host: string, code: string, labels: Record<string, string>, at: number): ActiveAlert {
  const alert: ActiveAlert = { rule: name, host, labels, code, status: 'firing', activeSince: at - 30 * MIN, firingSince: at - 25 * MIN, clearingSince: undefined, value: 97 };
  store.alerts.save(rule({ name, metric: name === 'disk-full' ? 'disk_used_percent' : 'cpu_percent' }), [alert], [], []);
  return alert;
}
