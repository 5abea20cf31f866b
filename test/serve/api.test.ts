import { describe, expect, it } from 'vitest';
import type { ActiveAlert } from '../../src/alerts/evaluate.js';
import type { HostResponse, QueryResponse } from '../../src/serve/api-types.js';
import { MAX_QUERY_POINTS } from '../../src/serve/api-types.js';
import { rule } from '../alerts/fixtures.js';
import { runCli } from '../helpers/io.js';
import { addUser, bearer, down, json, project, request, start, storeRun, up, withStore, type Project } from './harness.js';

/** The API against real SQLite files: the same answers as the CLI's commands, JSON and CSV. */
const NOW = Date.parse('2026-11-22T08:00:00Z');
const MIN = 60_000;
const clock = (): number => NOW;

const HOSTILE = 'boom <script>alert(1)</script> "quoted", and\nnewline';

function fleet(): Project {
  const p = project([{ name: 'f4', groups: 'compute' }, { name: 'f5' }, { name: 'f10', groups: 'compute,gpu' }]);
  storeRun(p, up('f4', NOW - 10 * MIN, [{ m: 'cpu_percent', v: 20 }, { m: 'disk_used_percent', v: 50, l: { mount: '/scratch "x",y' } }]), up('f5', NOW - 10 * MIN), up('f10', NOW - 10 * MIN));
  storeRun(p, up('f4', NOW - 5 * MIN, [{ m: 'cpu_percent', v: 95 }, { m: 'disk_used_percent', v: 51, l: { mount: '/scratch "x",y' } }, { m: 'net_rx_bytes_total', v: 123456, l: { iface: 'eth0' } }]), down('f5', NOW - 5 * MIN), up('f10', NOW - 5 * MIN));
  withStore(p, (store) => {
    const alert: ActiveAlert = { rule: 'high-cpu', host: 'f4', labels: {}, code: '2540-CPU-f4', status: 'firing', activeSince: NOW - 5 * MIN, firingSince: NOW - 5 * MIN, clearingSince: undefined, value: 95 };
    store.alerts.save(rule({ name: 'high-cpu', metric: 'cpu_percent' }), [alert], [], []);
    store.writeRun({ startedAt: NOW - MIN, finishedAt: NOW - MIN, polls: [{ ...down('f5', NOW - MIN), failure: { reason: 'unreachable', message: HOSTILE } }] });
  });
  return p;
}

async function get(url: string, token: string, path: string, headers: Record<string, string> = {}) {
  return request(url, path, { headers: { ...bearer(token), ...headers } });
}

describe('GET /api/v1/hosts and /api/v1/hosts/:name', () => {
  it('the rows of `metrix hosts --format json`, problems first; CSV by ?format=csv or Accept equals `metrix hosts --format csv`', async () => {
    const p = fleet();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const reply = await get(server.url, token, '/api/v1/hosts');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(reply.body) as { generatedAt: string; hosts: Array<{ host: string; message: string | null }> };
    const cli = await runCli(p.dir, ['hosts', '--format', 'json'], clock);
    expect(body.hosts).toEqual(JSON.parse(cli.stdout));
    expect(body.hosts.map((h) => h.host)).toEqual(['f5', 'f4', 'f10']);
    expect(body.hosts[0]!.message).toBe(HOSTILE); // hostile text is data: JSON-encoded, intact
    const csvCli = (await runCli(p.dir, ['hosts', '--format', 'csv'], clock)).stdout;
    for (const csv of [await get(server.url, token, '/api/v1/hosts?format=csv'), await get(server.url, token, '/api/v1/hosts', { accept: 'text/csv' })]) {
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toBe(csvCli);
    }
    expect(csvCli).toContain(`"${HOSTILE.replace(/"/g, '""')}"`);
    expect((await get(server.url, token, '/api/v1/hosts?format=xml')).status).toBe(400);
  });

  it('one host: its row, its series, and the state bar of the last 24 h (down and alerting from polls and alerts)', async () => {
    const p = fleet();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const f4 = JSON.parse((await get(server.url, token, '/api/v1/hosts/f4')).body) as HostResponse;
    expect(f4.host.host).toBe('f4');
    expect(f4.series).toContainEqual({ metric: 'disk_used_percent', labels: { mount: '/scratch "x",y' }, counter: false });
    // The raw counters behind the rates are marked, so the page can fold them away.
    expect(f4.series).toContainEqual({ metric: 'net_rx_bytes_total', labels: { iface: 'eth0' }, counter: true });
    expect(f4.stateBar).toEqual({
      since: NOW - 24 * 60 * MIN,
      until: NOW,
      segments: [
        { from: NOW - 24 * 60 * MIN, to: NOW - 10 * MIN, state: 'unknown' },
        { from: NOW - 10 * MIN, to: NOW - 5 * MIN, state: 'up' },
        { from: NOW - 5 * MIN, to: NOW, state: 'alerting' },
      ],
    });
    const f5 = JSON.parse((await get(server.url, token, '/api/v1/hosts/f5')).body) as HostResponse;
    expect(f5.stateBar.segments.map((s) => s.state)).toEqual(['unknown', 'up', 'down']);
    expect((await get(server.url, token, '/api/v1/hosts/f4?format=csv')).body.split('\r\n')[1]).toMatch(/^f4,compute,up,/);
  });
});

describe('GET /api/v1/query', () => {
  function history(points: number, stepMs: number): Project {
    const p = project([{ name: 'f4' }]);
    withStore(p, (store) =>
      store.transaction(() => {
        for (let i = 0; i < points; i++) store.insertSamples('f4', NOW - (points - i) * stepMs, [{ m: 'mem_percent', v: i % 100 }, { m: 'disk_used_percent', v: i, l: { mount: '/' } }, { m: 'disk_used_percent', v: 2 * i, l: { mount: '/data' } }]);
      }),
    );
    return p;
  }

  it('the points `metrix query` prints, with the tier read; labels select; CSV as `metrix query --format csv`', async () => {
    const p = history(60, MIN);
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const path = '/api/v1/query?host=f4&metric=disk_used_percent&labels=mount=/data&since=30m';
    const body = JSON.parse((await get(server.url, token, path)).body) as QueryResponse;
    expect(body.tiers).toEqual([{ tier: 'raw', from: NOW - 30 * MIN, to: NOW + 1 }]);
    expect(body.step).toBeNull();
    expect(body.series).toHaveLength(1);
    expect(body.series[0]!.labels).toEqual({ mount: '/data' });
    const cli = JSON.parse((await runCli(p.dir, ['query', '-h', 'f4', '-m', 'disk_used_percent', '--labels', 'mount=/data', '--since', '30m', '--json'], clock)).stdout) as Array<{ ts: number; value: number }>;
    expect(body.series[0]!.points).toEqual(cli.map((row) => [row.ts, row.value]));
    const csv = await get(server.url, token, `${path}&format=csv`);
    expect(csv.body).toBe((await runCli(p.dir, ['query', '-h', 'f4', '-m', 'disk_used_percent', '--labels', 'mount=/data', '--since', '30m', '--format', 'csv'], clock)).stdout);
    const stepped = JSON.parse((await get(server.url, token, '/api/v1/query?host=f4&metric=mem_percent&since=1h&step=10m&agg=max')).body) as QueryResponse;
    expect(stepped.step).toBe(10 * MIN);
    expect(stepped.series[0]!.points.length).toBeLessThanOrEqual(7);
  });

  it(`at most ${MAX_QUERY_POINTS} points per series: raw points past it are read with a step (said in notes); a step too fine is 400`, async () => {
    const p = history(MAX_QUERY_POINTS + 500, 10_000);
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const body = JSON.parse((await get(server.url, token, '/api/v1/query?host=f4&metric=mem_percent&since=2d')).body) as QueryResponse;
    expect(body.step).toBe(1_000 * Math.ceil((2 * 86_400) / MAX_QUERY_POINTS / 60) * 60);
    expect(body.series[0]!.points.length).toBeLessThanOrEqual(MAX_QUERY_POINTS);
    expect(body.notes.join(' ')).toMatch(/step/);
    const tooFine = await get(server.url, token, '/api/v1/query?host=f4&metric=mem_percent&since=30d&step=1s');
    expect(tooFine.status).toBe(400);
    expect(JSON.parse(tooFine.body).error.message).toMatch(/at least/);
  });

  it.each([
    ['host=f4', /metric is required/],
    ['metric=mem_percent', /host is required/],
    ['host=f4&metric=mem_percent&since=yesterday', /since "yesterday"/],
    ['host=f4&metric=mem_percent&since=1h&until=2h', /since is after until/],
    ['host=f4&metric=mem_percent&step=0s', /step "0s"/],
    ['host=f4&metric=mem_percent&agg=median', /agg "median"/],
    ['host=f4&metric=mem_percent&labels=novalue', /labels "novalue"/],
    ['host=f4&metric=mem_percent&host=f5', /given more than once/],
    ['host=f4&metric=mem_percent&color=red', /unknown parameter "color"/],
    ['host=f4&metric=a%0Ab', /not a metric name/],
  ])('400 for %s', async (query, message) => {
    const p = history(2, MIN);
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const reply = await get(server.url, token, `/api/v1/query?${query}`);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toEqual({ code: 'bad_request', message: expect.stringMatching(message) });
  });
});

describe('alerts and silences', () => {
  it('GET /api/v1/alerts by state, with codes; CSV', async () => {
    const p = fleet();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const firing = JSON.parse((await get(server.url, token, '/api/v1/alerts?state=firing')).body) as { alerts: Array<{ code: string; state: string }> };
    expect(firing.alerts).toEqual([expect.objectContaining({ code: '2540-CPU-f4', state: 'firing', host: 'f4', rule: 'high-cpu' })]);
    expect(JSON.parse((await get(server.url, token, '/api/v1/alerts?state=resolved')).body)).toEqual({ alerts: [] });
    expect((await get(server.url, token, '/api/v1/alerts?format=csv')).body).toMatch(/^code,host,rule,series,state,value,since,until,severity,note\r\n2540-CPU-f4,f4,high-cpu,cpu_percent,firing,95,/);
    expect((await get(server.url, token, '/api/v1/alerts?state=burning')).status).toBe(400);
  });

  it('an admin adds a silence (checked as `metrix silence add` checks it), lists it, ends it; ending again is 404', async () => {
    const p = fleet();
    const admin = await addUser(p, 'root', 'admin');
    const server = await start(p, { clock });
    const post = (body: unknown) => request(server.url, '/api/v1/silences', { method: 'POST', ...json(body), headers: { 'content-type': 'application/json', ...bearer(admin) } });
    const bad = await post({ host: 'nope', for: '2h', until: 'tomorrow', comment: ' ' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/unknown host "nope".*exactly one of.*comment/);
    expect((await post({ host: 'f4', for: 2, comment: 'x' })).status).toBe(400);
    expect((await post({ host: 'f4', for: '2h', comment: 'x', evil: 1 })).status).toBe(400);
    const created = await post({ host: 'f4', labels: 'mount=/scratch', for: '2h', comment: 'disk swap' });
    expect(created.status).toBe(201);
    const silence = JSON.parse(created.body).silence;
    expect(silence).toEqual({ id: expect.any(Number), host: 'f4', labels: { mount: '/scratch' }, startsAt: NOW, endsAt: NOW + 2 * 60 * MIN, comment: 'disk swap', createdBy: 'root' });
    expect(JSON.parse((await get(server.url, admin, '/api/v1/silences')).body)).toEqual({ silences: [silence] });
    expect((await runCli(p.dir, ['silence', 'list', '--json'], clock)).stdout).toContain('"createdBy": "root"');
    const end = () => request(server.url, `/api/v1/silences/${silence.id}`, { method: 'DELETE', headers: bearer(admin) });
    expect((await end()).status).toBe(200);
    expect((await end()).status).toBe(404);
    expect((await request(server.url, '/api/v1/silences/abc', { method: 'DELETE', headers: bearer(admin) })).status).toBe(400);
    expect(JSON.parse((await get(server.url, admin, '/api/v1/silences')).body)).toEqual({ silences: [] });
  });
});
