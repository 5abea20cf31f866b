import { describe, expect, it } from 'vitest';
import type { EventItem, EventsResponse } from '../../src/serve/api-types.js';
import { MAX_API_EVENTS } from '../../src/serve/api-types.js';
import type { NewEvent } from '../../src/store/event-store.js';
import { runCli } from '../helpers/io.js';
import { addUser, bearer, json, project, request, start, withStore, type Project } from './harness.js';

/** GET /api/v1/events against real SQLite files: `metrix events` over HTTP, the same answers JSON and CSV. */
const NOW = Date.parse('2026-11-22T08:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const clock = (): number => NOW;

/** What a hostile host puts in a failure message: markup, CSV quoting, a terminal escape, a newline. */
const HOSTILE = 'ssh: <script>alert(1)</script> "quoted", a,b \u001b]0;pwned\u0007 and\nINFO forged';

function fleet(): Project {
  const p = project([{ name: 'f4', groups: 'compute' }, { name: 'f5', groups: 'compute' }, { name: 'f10', groups: 'gpu' }]);
  const events: NewEvent[] = [
    { ts: NOW - 3 * 24 * HOUR, host: 'f4', kind: 'host_up', severity: 'info', text: 'three days ago' },
    { ts: NOW - 5 * HOUR, host: 'f4', kind: 'host_down', severity: 'critical', text: `down: unreachable: ${HOSTILE}`, details: { reason: 'unreachable', message: HOSTILE } },
    { ts: NOW - 4 * HOUR, host: 'f5', kind: 'reboot', severity: 'warning', text: 'rebooted at about 2026-11-22T03:58:00Z' },
    { ts: NOW - 3 * HOUR, host: undefined, kind: 'silence_added', severity: 'info', text: 'silence #1 by bob until 2026-11-22T06:00:00Z: rule high-cpu: noisy' },
    { ts: NOW - 2 * HOUR, host: 'f10', kind: 'collector_upgraded', severity: 'info', text: 'collector 0.1.0 -> 0.2.0', details: { from: '0.1.0', to: '0.2.0' } },
    { ts: NOW - HOUR, host: 'f4', kind: 'host_up', severity: 'info', text: 'up again, last seen 4h before' },
  ];
  withStore(p, (store) => store.transaction(() => events.forEach((e) => store.events.add(e))));
  return p;
}

async function get(url: string, token: string, path: string, headers: Record<string, string> = {}) {
  return request(url, path, { headers: { ...bearer(token), ...headers } });
}

const texts = (body: string): string[] => (JSON.parse(body) as EventsResponse).events.map((e) => e.text);

describe('GET /api/v1/events', () => {
  it('the events `metrix events` lists for the same parameters, JSON and CSV; hostile text JSON-encoded and CSV-quoted, intact', async () => {
    const p = fleet();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const cases: ReadonlyArray<readonly [string, readonly string[]]> = [
      ['', []],
      ['?since=7d', ['--since', '7d']],
      ['?host=f4', ['-h', 'f4']],
      ['?group=compute&kind=reboot,host_down', ['-g', 'compute', '--kind', 'reboot,host_down']],
      ['?kind=host_up&kind=collector_upgraded&since=2026-11-19T00:00Z&until=2026-11-22T07:30Z', ['--kind', 'host_up', '--kind', 'collector_upgraded', '--since', '2026-11-19T00:00Z', '--until', '2026-11-22T07:30Z']],
      ['?host=f10&host=f5&limit=2', ['-h', 'f10', '-h', 'f5', '--limit', '2']],
    ];
    for (const [query, flags] of cases) {
      const reply = await get(server.url, token, `/api/v1/events${query}`);
      expect([query, reply.status]).toEqual([query, 200]);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = JSON.parse(reply.body) as EventsResponse;
      const cli = JSON.parse((await runCli(p.dir, ['events', ...flags, '--json'], clock)).stdout) as EventItem[];
      expect([query, body]).toEqual([query, { events: cli, truncated: false }]);
      const csv = await get(server.url, token, `/api/v1/events${query}${query ? '&' : '?'}format=csv`);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect([query, csv.body]).toEqual([query, (await runCli(p.dir, ['events', ...flags, '--format', 'csv'], clock)).stdout]);
    }
    // The fleet-wide silence comes with a host's events, as with `metrix events -h`.
    const f4 = (JSON.parse((await get(server.url, token, '/api/v1/events?host=f4')).body) as EventsResponse).events;
    expect(f4.map((e) => [e.host, e.kind])).toEqual([['f4', 'host_down'], [null, 'silence_added'], ['f4', 'host_up']]);
    // Stored with its control characters escaped; everything else exactly as the host sent it.
    const stored = `down: unreachable: ${HOSTILE.replace('\u001b', '\\x1b').replace('\u0007', '\\x07').replace('\n', '\\n')}`;
    expect(f4[0]!.text).toBe(stored);
    expect(f4[0]!.details).toEqual({ reason: 'unreachable', message: HOSTILE.replace('\u001b', '\\x1b').replace('\u0007', '\\x07').replace('\n', '\\n') });
    const raw = (await get(server.url, token, '/api/v1/events?host=f4&kind=host_down')).body;
    expect(raw).not.toMatch(/[\u0000-\u001f]/); // no raw control character reaches a client
    const csv = (await get(server.url, token, '/api/v1/events?host=f4&kind=host_down', { accept: 'text/csv' })).body;
    expect(csv.split('\r\n')).toEqual([
      'time,host,kind,severity,text,details',
      `2026-11-22T03:00:00Z,f4,host_down,critical,"${stored.replace(/"/g, '""')}","${JSON.stringify({ reason: 'unreachable', message: f4[0]!.details['message'] }).replace(/"/g, '""')}"`,
      '',
    ]);
  });

  it('an unchanged answer keeps its ETag (304); a new event changes it', async () => {
    const p = fleet();
    const token = await addUser(p, 'viewer', 'viewer');
    let now = NOW;
    const server = await start(p, { clock: () => now });
    const first = await get(server.url, token, '/api/v1/events?host=f4&since=24h');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    now += 30_000; // the window moved, nothing new in it
    const again = await get(server.url, token, '/api/v1/events?host=f4&since=24h', { 'if-none-match': etag });
    expect([again.status, again.body]).toEqual([304, '']);
    withStore(p, (store) => store.events.add({ ts: now - 1000, host: 'f4', kind: 'log_matched', severity: 'warning', text: 'kernel: EXT4-fs error' }));
    const changed = await get(server.url, token, '/api/v1/events?host=f4&since=24h', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(texts(changed.body).at(-1)).toBe('kernel: EXT4-fs error');
  });

  it(`at most ${MAX_API_EVENTS} events: without a limit the newest of them and truncated: true; a larger limit is a 400`, async () => {
    const p = project([{ name: 'f4' }]);
    const count = MAX_API_EVENTS + 5;
    withStore(p, (store) =>
      store.transaction(() => {
        for (let i = 0; i < count; i++) store.events.add({ ts: NOW - count * 1000 + i * 1000, host: 'f4', kind: 'log_matched', severity: 'warning', text: `line ${i}` });
      }),
    );
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const body = JSON.parse((await get(server.url, token, '/api/v1/events')).body) as EventsResponse;
    expect(body.truncated).toBe(true);
    expect(body.events).toHaveLength(MAX_API_EVENTS);
    expect([body.events[0]!.text, body.events.at(-1)!.text]).toEqual(['line 5', `line ${count - 1}`]);
    const limited = JSON.parse((await get(server.url, token, '/api/v1/events?limit=3')).body) as EventsResponse;
    expect(limited).toEqual({ events: [expect.objectContaining({ text: `line ${count - 3}` }), expect.anything(), expect.anything()], truncated: false });
    const tooMany = await get(server.url, token, `/api/v1/events?limit=${MAX_API_EVENTS + 1}`);
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body).error.message).toMatch(/^limit "10001": at most 10000/);
  });

  it.each([
    ['since=yesterday', /^since "yesterday": /],
    ['since=1h&until=2h', /^since is after until$/],
    ['kind=host_down,exploded', /^kind "exploded": expected one of host_down, host_up, /],
    ['kind=%3Cscript%3E%0Bx', /^kind "<script>\\x0bx": expected one of/],
    ['limit=0', /^limit "0": expected a whole number of events, at least 1$/],
    ['limit=ten', /^limit "ten": /],
    ['host=nope', /^host "nope": not in the config$/],
    ['group=nope&host=f4', /^group "nope": not in the config$/],
    ['since=1d&since=2d', /^parameter "since" given more than once$/],
    ['format=csv&format=json', /^parameter "format" given more than once$/],
    ['format=xml', /^format "xml": expected json or csv$/],
    ['color=red', /^unknown parameter "color" \(allowed: host, group, kind, since, until, limit, format\)$/],
    ['__proto__=x&constructor=y', /^unknown parameter "__proto__", "constructor" \(allowed: /],
    ['host=', /^host "": not in the config$/],
    ['since=yesterday&kind=nope&limit=-1', /^since "yesterday": .*; kind "nope": .*; limit "-1": /],
  ])('400 naming the parameter for %s', async (query, message) => {
    const p = fleet();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const reply = await get(server.url, token, `/api/v1/events?${query}`);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toEqual({ code: 'bad_request', message: expect.stringMatching(message) });
  });
});

describe('silences added and ended from the web', () => {
  it('record silence_added and silence_ended, as `metrix silence add` and `remove` do, by the signed-in user', async () => {
    const p = fleet();
    const admin = await addUser(p, 'root', 'admin');
    let now = NOW;
    const server = await start(p, { clock: () => now });
    const created = await request(server.url, '/api/v1/silences', { method: 'POST', ...json({ host: 'f5', rule: 'high-cpu', for: '2h', comment: 'BIOS <update>' }), headers: { 'content-type': 'application/json', ...bearer(admin) } });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { silence: { id: number } }).silence.id;
    now += 10 * MIN;
    expect((await request(server.url, `/api/v1/silences/${id}`, { method: 'DELETE', headers: bearer(admin) })).status).toBe(200);
    const body = JSON.parse((await get(server.url, admin, '/api/v1/events?kind=silence_added,silence_ended&host=f5&since=4h')).body) as EventsResponse;
    expect(body.events.map(({ ts, host, kind, severity, text, details }) => ({ ts, host, kind, severity, text, details }))).toEqual([
      { ts: NOW - 3 * HOUR, host: null, kind: 'silence_added', severity: 'info', text: expect.stringContaining('noisy'), details: {} },
      {
        ts: NOW, host: 'f5', kind: 'silence_added', severity: 'info',
        text: `silence #${id} by root until 2026-11-22T10:00:00Z: host f5, rule high-cpu: BIOS <update>`,
        details: { silence: id, rule: 'high-cpu', labels: '', by: 'root', ends: '2026-11-22T10:00:00Z' },
      },
      {
        ts: NOW + 10 * MIN, host: 'f5', kind: 'silence_ended', severity: 'info',
        text: `silence #${id} removed: host f5, rule high-cpu: BIOS <update>`,
        details: { silence: id, rule: 'high-cpu', labels: '', by: 'root', ends: '2026-11-22T10:00:00Z', removed: true },
      },
    ]);
    // The command line records the same for the same silence (only who made it differs).
    const cli = await runCli(p.dir, ['silence', 'add', '-h', 'f5', '--rule', 'high-cpu', '--for', '2h', '--comment', 'BIOS <update>'], () => now, { USER: 'root' });
    expect(cli.code, cli.stderr).toBe(0);
    const last = (JSON.parse((await get(server.url, admin, '/api/v1/events?kind=silence_added&limit=1')).body) as EventsResponse).events[0]!;
    expect(last.text).toBe(`silence #${id + 1} by root until 2026-11-22T10:10:00Z: host f5, rule high-cpu: BIOS <update>`);
  });
});
