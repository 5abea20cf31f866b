/**
 * Alert replay: 200 hosts × 24 h of synthetic samples at 1-minute steps with injected
 * incidents, run through the real evaluation, planning and outbox minute by minute.
 * Prints how many mails went out, which incidents they covered, and how many a stateless
 * "mail whenever a sample is over the limit" rule (the seed's behaviour) would have sent.
 *   npm run bench:replay -- [--hosts 200] [--hours 24]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Sample } from '../client-script/src/protocol.js';
import type { AlertRule, Config, Host } from '../src/config/types.js';
import { compare } from '../src/alerts/condition.js';
import { runAlerting } from '../src/notify/alerting.js';
import { Store } from '../src/store/store.js';
import type { PollRecord } from '../src/poll/records.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '200' }, hours: { type: 'string', default: '24' } } });
const HOSTS = Number(values.hosts);
const MINUTES = Number(values.hours) * 60;
const MIN = 60_000;
const START = Date.parse('2026-11-01T00:00:00Z');
const names = Array.from({ length: HOSTS }, (_, i) => `n${String(i).padStart(3, '0')}`);

interface Incident {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly from: number; // minute
  readonly to: number;
  /** What the incident does to a host's sample at a minute; undefined leaves it as is. */
  readonly effect: (metric: string, minute: number) => number | undefined;
}

const range = (from: number, count: number): string[] => names.slice(from, from + count);
const INCIDENTS: Incident[] = [
  { name: 'rack of 40 overheats, CPUs pinned', hosts: range(0, 40), from: 120, to: 170, effect: (m) => (m === 'cpu_percent' ? 97 : undefined) },
  { name: 'one node goes down for 20 min', hosts: range(50, 1), from: 200, to: 220, effect: (m) => (m === 'host_up' ? 0 : undefined) },
  { name: 'switch failure: 20 nodes unreachable for 12 min', hosts: range(60, 20), from: 300, to: 312, effect: (m) => (m === 'host_up' ? 0 : undefined) },
  { name: 'scratch disk fills on one node and stays full', hosts: range(90, 1), from: 360, to: MINUTES, effect: (m, t) => (m === 'disk_used_percent' ? Math.min(99, 80 + (t - 360) / 5) : undefined) },
  { name: 'memory leak on 5 nodes for 2 h', hosts: range(100, 5), from: 420, to: 540, effect: (m) => (m === 'mem_percent' ? 95 : undefined) },
  { name: 'one node flapping across the CPU limit every minute for 3 h', hosts: range(110, 1), from: 600, to: 780, effect: (m, t) => (m === 'cpu_percent' ? (t % 2 === 0 ? 96 : 88) : undefined) },
  { name: 'short 2-min CPU spike on 10 nodes (not worth a page)', hosts: range(120, 10), from: 800, to: 802, effect: (m) => (m === 'cpu_percent' ? 99 : undefined) },
  { name: 'batch job saturates 60 nodes for 90 min', hosts: range(130, 60), from: 900, to: 990, effect: (m) => (m === 'cpu_percent' ? 95 : undefined) },
  { name: 'one node down for 3 h overnight', hosts: range(195, 1), from: 1000, to: 1180, effect: (m) => (m === 'host_up' ? 0 : undefined) },
  { name: 'mem pressure on 3 nodes, one missed poll in the middle', hosts: range(10, 3), from: 1200, to: 1300, effect: (m) => (m === 'mem_percent' ? 93 : undefined) },
];

const rule = (name: string, metric: string, value: number, extra: Partial<AlertRule> = {}): AlertRule => ({
  name, metric, labels: {}, op: '>', value, windowMs: 0, forMs: 0, keepFiringForMs: 0, clear: undefined, repeatMs: 4 * 60 * MIN,
  severity: 'warning', sendResolved: true, hosts: [], groups: [], to: undefined, ...extra,
});
const RULES: AlertRule[] = [
  rule('high-cpu', 'cpu_percent', 90, { windowMs: 5 * MIN, forMs: 3 * MIN, keepFiringForMs: 5 * MIN, clear: 80 }),
  rule('high-mem', 'mem_percent', 90, { forMs: 5 * MIN }),
  rule('disk-full', 'disk_used_percent', 90, { severity: 'critical' }),
  rule('host-down', 'host_up', 0, { op: '==', forMs: 2 * MIN, severity: 'critical' }),
];

const host = (name: string): Host => ({
  name, transport: 'ssh', address: name, port: 22, user: 'monitor', identityFile: undefined, passphraseEnv: undefined, knownHosts: '',
  hostKeyPolicy: 'strict', node: 'node', remoteDir: '/tmp/metrix', proxyJump: undefined, groups: [],
});

const dir = mkdtempSync(join(tmpdir(), 'metrix-replay-'));
const config: Config = {
  path: join(dir, 'config.xml'),
  settings: { concurrency: 20, connectTimeoutMs: 10_000, commandTimeoutMs: 30_000, database: join(dir, 'metrix.db'), keysDir: join(dir, 'keys'), remoteDir: '/tmp/metrix', retentionMs: 30 * 24 * 60 * MIN, rollupRetentionMs: 365 * 24 * 60 * MIN, hourlyRetentionMs: 1825 * 24 * 60 * MIN, maxOutputBytes: 1 << 20, maxSamples: 5000 },
  hosts: names.map(host),
  groups: new Map(),
  mail: { transport: 'file', from: 'metrix@example.org', to: ['ops@example.org'], dir: join(dir, 'outbox'), giveUpAfterMs: 2 * 24 * 60 * MIN },
  alerts: RULES,
  checks: [],
  logs: [],
};

const baseline = (metric: string, h: number, t: number): number =>
  metric === 'cpu_percent' ? 30 + 25 * Math.sin(t / 90 + h) : metric === 'mem_percent' ? 55 + 10 * Math.sin(t / 300 + h) : metric === 'disk_used_percent' ? 60 + (h % 20) : 1;

const store = Store.open(config.settings.database);
let stateless = 0;
const mails: Array<{ minute: number; hosts: Set<string>; kinds: string[] }> = [];
const t0 = process.hrtime.bigint();

for (let minute = 0; minute < MINUTES; minute++) {
  const now = START + minute * MIN;
  const polls: PollRecord[] = names.map((name, h) => {
    const value = (metric: string): number => {
      let v = baseline(metric, h, minute);
      for (const incident of INCIDENTS) {
        if (minute >= incident.from && minute < incident.to && incident.hosts.includes(name)) v = incident.effect(metric, minute) ?? v;
      }
      return v;
    };
    const missed = name === 'n011' && minute === 1250; // the missed poll of the last incident
    const up = value('host_up') === 1 && !missed;
    const samples: Sample[] = up
      ? [{ m: 'cpu_percent', v: value('cpu_percent') }, { m: 'mem_percent', v: value('mem_percent') }, { m: 'disk_used_percent', v: value('disk_used_percent'), l: { mount: '/' } }, { m: 'host_up', v: 1 }]
      : [{ m: 'host_up', v: 0 }];
    // The seed's rule: one mail per sample over a limit, every run.
    stateless += samples.filter((s) => RULES.some((r) => r.metric === s.m && compare(s.v, r.op, r.value))).length;
    return { host: name, ts: now, durationMs: 100, failure: up ? undefined : { reason: 'unreachable', message: 'connect ECONNREFUSED' }, collector: 'replay', samples };
  });
  store.writeRun({ startedAt: now, finishedAt: now, polls });
  await runAlerting({
    config, store, now, polls,
    // Counting, not rendering: a chart per alert for a day of mail would only slow the replay.
    compose: async (notification) => {
      mails.push({ minute, hosts: new Set([...notification.alerts.map((a) => a.host), ...notification.hostsDown.map((d) => d.host)]), kinds: notification.alerts.map((a) => (a.reminder ? 'reminder' : a.state)) });
      return { messageId: `<${notification.id}@metrix>`, sender: 'metrix@example.org', recipients: notification.to, subject: notification.id, raw: Buffer.from('') };
    },
  });
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
store.close();

console.log(`replay: ${HOSTS} hosts × ${MINUTES} minutes, ${RULES.length} rules, ${INCIDENTS.length} incidents, ${seconds.toFixed(0)} s`);
for (const incident of INCIDENTS) {
  const covering = mails.filter((m) => m.minute >= incident.from && m.minute <= incident.to + 15 && incident.hosts.some((h) => m.hosts.has(h)));
  console.log(`  ${covering.length > 0 ? 'mailed ' : 'silent '} ${incident.name}: ${covering.length} mail(s)`);
}
const covered = INCIDENTS.filter((i) => mails.some((m) => m.minute >= i.from && m.minute <= i.to + 15 && i.hosts.some((h) => m.hosts.has(h)))).length;
console.log(`metrix: ${mails.length} mails (${mails.flatMap((m) => m.kinds).filter((k) => k === 'firing').length} firing, ${mails.flatMap((m) => m.kinds).filter((k) => k === 'resolved').length} resolved, ${mails.flatMap((m) => m.kinds).filter((k) => k === 'reminder').length} reminders listed), covering ${covered} of ${INCIDENTS.length} incidents`);
console.log(`stateless "mail when over the limit" (the seed): ${stateless} mails`);
rmSync(dir, { recursive: true, force: true });
