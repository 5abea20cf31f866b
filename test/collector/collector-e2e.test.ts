import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMounts, selectMounts } from '../../client-script/src/collectors/mounts.js';
import { HOST_KEY_FILE, REPORT_VERSION, type Report } from '../../client-script/src/protocol.js';
import { metricInfo } from '../../src/metrics/catalog.js';
import { buildIntoTempDir, BUNDLE_NAME, fixture, FIXTURE_STATFS, FIXTURES, newKeys, openLine, REPO, runBundle, valueOf, writeKeyFile, writeScript, type Run } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

const HOST = 'f4-test';
const CHALLENGE = 'q0lZ8r3Nf1mXJc2k9vT7yA==';
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const keys = newKeys();
let dir = '';

// What the fake statfs helper answers per fixture mount: frsize blocks bfree bavail files ffree.
const STATFS = FIXTURE_STATFS;

/** A statfs stand-in; the `hang` mount sleeps a minute like a dead NFS server, recording its pid. */
function fakeStatfs(at: string, hang?: string): string {
  const cases = Object.entries(STATFS).map(([mount, answer]) =>
    mount === hang ? `  '${mount}') echo $$ > '${at}/hung.pid'; exec sleep 60 ;;` : `  '${mount}') echo '${answer}' ;;`);
  return writeScript(join(at, 'fake-statfs'), `for m; do :; done\ncase "$m" in\n${cases.join('\n')}\n  *) echo "no answer for $m" >&2; exit 1 ;;\nesac`);
}

/** A PATH whose nvidia-smi prints the sample CSV, but only when asked the collector's query. */
function pathWithFakeNvidiaSmi(at: string): string {
  const csv = join(FIXTURES, 'samples/nvidia-smi.csv');
  writeScript(join(at, 'nvidia-smi'), `[ "$1" = "--query-gpu=index,utilization.gpu,memory.used,memory.total,temperature.gpu" ] || exit 9\ncat '${csv}'`);
  return `${at}:${process.env.PATH ?? ''}`;
}

const fixtureArgs = (statfs: string): string[] =>
  ['--challenge', CHALLENGE, '--proc-root', join(FIXTURES, 'proc'), '--sys-root', join(FIXTURES, 'sys'), '--statfs-cmd', statfs];

function sealedReport(run: Run): Report {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  return openLine(run.stdout.trimEnd(), keys);
}

beforeAll(() => {
  dir = buildIntoTempDir();
  writeKeyFile(join(dir, HOST_KEY_FILE), HOST, keys);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled collector on this machine', () => {
  it('prints one sealed line carrying host, challenge, version and plausible real metrics', async () => {
    const before = Date.now();
    const report = sealedReport(await runBundle(dir, ['--challenge', CHALLENGE]));
    expect(report).toMatchObject({ v: REPORT_VERSION, host: HOST, challenge: CHALLENGE, collector: VERSION, errors: [] });
    expect(report.ts).toBeGreaterThanOrEqual(before);
    expect(report.ts).toBeLessThanOrEqual(Date.now());
    // The counters are read before the slower gauges finish, and timed on their own.
    expect(report.countersAt).toBeGreaterThanOrEqual(before);
    expect(report.countersAt).toBeLessThanOrEqual(report.ts);
    expect(report.baseline).toBeUndefined();
    for (const s of report.gauges) expect(metricInfo(s.m)?.kind, s.m).toBe('gauge');
    for (const s of report.counters) expect(metricInfo(s.m)?.kind, s.m).toBe('counter');

    const gauge = (m: string, l?: Record<string, string>): number => valueOf(report.gauges, m, l) ?? Number.NaN;
    const counter = (m: string): number => valueOf(report.counters, m) ?? Number.NaN;
    expect(gauge('mem_total_bytes')).toBeGreaterThan(64 * 1024 * 1024);
    expect(gauge('mem_percent')).toBeGreaterThan(0);
    expect(gauge('mem_percent')).toBeLessThanOrEqual(100);
    expect(gauge('uptime_sec')).toBeGreaterThan(0);
    expect(gauge('load1')).toBeGreaterThanOrEqual(0);
    expect(gauge('procs_total')).toBeGreaterThanOrEqual(gauge('procs_running'));
    expect(counter('cpu_total_jiffies')).toBeGreaterThan(counter('cpu_idle_jiffies'));
    expect(counter('cpu_idle_jiffies')).toBeGreaterThan(0);
    // Every real mount of this machine answers through the default `stat -f` helper.
    for (const mount of selectMounts(loadMounts('/proc'))) {
      const used = gauge('disk_used_percent', { mount: mount.mountPoint });
      expect(used, mount.mountPoint).toBeGreaterThanOrEqual(0);
      expect(used, mount.mountPoint).toBeLessThanOrEqual(100);
    }
  });

  it('with --warmup-ms, adds an earlier reading of the same counters as the baseline', async () => {
    const report = sealedReport(await runBundle(dir, ['--challenge', CHALLENGE, '--warmup-ms', '200']));
    const baseline = report.baseline!;
    expect(baseline.counters.map((s) => s.m)).toEqual(report.counters.map((s) => s.m));
    expect(report.ts - baseline.ts).toBeGreaterThanOrEqual(150);
    const cpu = (samples: Report['counters']): number => valueOf(samples, 'cpu_total_jiffies') ?? Number.NaN;
    expect(cpu(report.counters)).toBeGreaterThan(cpu(baseline.counters));
  });

  it('with --print, writes the report as readable JSON under this host name, no key needed', async () => {
    const run = await runBundle(dir, ['--print', '--key', '/nonexistent/key']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.host).toBe(hostname());
    expect(run.stdout.split('\n').length).toBeGreaterThan(10);
    expect(valueOf(report.gauges, 'mem_total_bytes')).toBeGreaterThan(0);
  });

  it('is one file that Node 12 can parse and run: no ?? or ?. syntax, no newer APIs', () => {
    const bundle = readFileSync(join(dir, BUNDLE_NAME), 'utf8');
    for (const banned of ['??', '?.', 'Object.fromEntries', '.flat(', 'TextEncoder', 'fs.promises', 'statfs(', 'allSettled', 'require("node:']) {
      expect(bundle.includes(banned), banned).toBe(false);
    }
    expect(bundle.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('the bundled collector on fixture trees', () => {
  it('reports exactly the samples the fixture /proc, /sys, statfs and nvidia-smi give', async () => {
    const work = tempDir();
    const run = await runBundle(dir, fixtureArgs(fakeStatfs(work)), { ...process.env, PATH: pathWithFakeNvidiaSmi(work) });
    const report = sealedReport(run);
    const expected = JSON.parse(fixture('expected-report.json')) as Pick<Report, 'gauges' | 'counters'>;
    expect(report.gauges).toEqual(expected.gauges);
    expect(report.counters).toEqual(expected.counters);
    expect(report.errors).toEqual([]);
  });

  it('reports a hung mount as timed out, returns every other metric and exits without waiting for it', async () => {
    const work = tempDir();
    const run = await runBundle(dir, [...fixtureArgs(fakeStatfs(work, '/lustre')), '--statfs-timeout-ms', '300']);
    // runBundle kills the collector after 20 s, well before the 60 s sleep ends: a collector
    // that waited for its statfs child would show up here as killed, not as exit 0.
    const report = sealedReport(run);
    expect(run.signal).toBeNull();
    expect(report.errors).toEqual([{ collector: 'filesystem', message: '/lustre: statfs timed out after 300ms' }]);
    const mounts = report.gauges.filter((s) => s.m === 'disk_used_percent').map((s) => s.l?.mount);
    expect(mounts).toEqual(['/dev/shm', '/run', '/', '/boot', '/data/run 2024', '/home', '/tmp', '/scratch']);
    expect(valueOf(report.gauges, 'mem_percent')).toBe(75);
    expect(valueOf(report.counters, 'cpu_total_jiffies')).toBe(95100);
    // The sleeping helper was killed, not left behind: gone, or a zombie awaiting its reaper.
    const pid = readFileSync(join(work, 'hung.pid'), 'utf8').trim();
    const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });

  it('gives up at its own deadline, exit 5 and one line on stderr, when the poll would outlast it', async () => {
    const work = tempDir();
    const run = await runBundle(dir, [...fixtureArgs(fakeStatfs(work)), '--warmup-ms', '5000', '--deadline-ms', '400']);
    expect(run.code).toBe(5);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("metrix-collector: gave up after 400 ms (the poller's command timeout)\n");
  });

  it('keeps a mount\'s statfs limit within half the deadline, so a hung mount is reported, not the whole poll lost', async () => {
    const work = tempDir();
    const report = sealedReport(await runBundle(dir, [...fixtureArgs(fakeStatfs(work, '/lustre')), '--statfs-timeout-ms', '50000', '--deadline-ms', '1000', '--state', join(work, 'state.json')]));
    expect(report.errors).toEqual([{ collector: 'filesystem', message: '/lustre: statfs timed out after 500ms' }]);
    expect(valueOf(report.gauges, 'disk_used_percent', { mount: '/' })).toBe(75);
  });

  it('lists a broken collector in errors while the others still report', async () => {
    const work = tempDir();
    cpSync(join(FIXTURES, 'proc'), join(work, 'proc'), { recursive: true });
    writeFileSync(join(work, 'proc/diskstats'), '   8       0 sda 1 2\n');
    const args = fixtureArgs(fakeStatfs(work)).map((arg) => (arg === join(FIXTURES, 'proc') ? join(work, 'proc') : arg));
    const report = sealedReport(await runBundle(dir, args));
    expect(report.errors).toEqual([{ collector: 'diskstats', message: 'bad /proc/diskstats line: "   8       0 sda 1 2"' }]);
    expect(report.counters.filter((s) => s.m.startsWith('disk_'))).toEqual([]);
    expect(valueOf(report.counters, 'net_rx_bytes_total', { iface: 'eth0' })).toBe(5000000000);
    expect(valueOf(report.gauges, 'disk_used_percent', { mount: '/' })).toBe(75);
  });
});

describe('the bundled collector failing as a whole', () => {
  const keyArgs = (name: string, content: string): string[] => {
    const path = join(tempDir(), name);
    writeFileSync(path, content, { mode: 0o600 });
    return ['--challenge', CHALLENGE, '--key', path];
  };
  const cases: Array<[string, () => string[], number, RegExp]> = [
    ['no --challenge', () => [], 2, /^metrix-collector: --challenge is required/],
    ['an unknown option', () => ['--challenge', CHALLENGE, '--frobnicate'], 2, /^metrix-collector: unknown argument "--frobnicate"/],
    ['a missing key file', () => ['--challenge', CHALLENGE, '--key', join(dir, 'nope.key')], 3, /^metrix-collector: key file .*nope\.key not found/],
    ['a malformed key file', () => keyArgs('bad.key', '{"v":1,"host":'), 3, /^metrix-collector: key file .*bad\.key is not valid JSON/],
    ['a key of the wrong length', () => keyArgs('short.key', JSON.stringify({ v: 1, host: HOST, secretKey: 'AAAA', pollerPublicKey: 'AAAA' })),
      3, /^metrix-collector: key file .*short\.key: "secretKey" must be the base64 of a 32-byte key/],
    ['no Linux /proc', () => ['--challenge', CHALLENGE, '--proc-root', tempDir()], 4, /^metrix-collector: needs Linux \/proc: cannot read .*\/stat \(ENOENT\)/],
  ];
  it.each(cases)('exits with a one-line message and nothing on stdout for %s', async (_name, args, code, message) => {
    const run = await runBundle(dir, args());
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
