import { describe, expect, it } from 'vitest';
import type { QueryResponse } from '../../src/serve/api-types.js';
import { MAX_QUERY_ANSWER_POINTS, MAX_QUERY_SERIES } from '../../src/serve/api-types.js';
import { addUser, bearer, project, request, start, withStore, type Project } from './harness.js';

const NOW = Date.parse('2026-11-22T08:00:00Z');
const MIN = 60_000;
const clock = (): number => NOW;

/** One host storing `series` mounts of disk_used_percent, `points` samples each, `stepMs` apart (a hostile host may store thousands). */
function mounts(series: number, points: number, stepMs: number): Project {
  const p = project([{ name: 'f4' }]);
  const samples = Array.from({ length: series }, (_, i) => ({ m: 'disk_used_percent', v: i % 100, l: { mount: `/m${String(i).padStart(4, '0')}` } }));
  withStore(p, (store) => store.transaction(() => {
    for (let i = 0; i < points; i++) store.insertSamples('f4', NOW - (points - i) * stepMs, samples);
  }));
  return p;
}

const points = (body: QueryResponse): number => body.series.reduce((sum, s) => sum + s.points.length, 0);

describe('/api/v1/query answers are bounded in all, not only per series', () => {
  it(`at most ${MAX_QUERY_ANSWER_POINTS} points in one answer: 300 series × 2 days of 2-minute samples are read with a coarser step, said in notes; JSON and CSV agree`, async () => {
    const p = mounts(300, 1440, 2 * MIN);
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const reply = await request(server.url, '/api/v1/query?host=f4&metric=disk_used_percent&since=2d', { headers: bearer(token) });
    expect(reply.status, reply.body).toBe(200);
    const body = JSON.parse(reply.body) as QueryResponse;
    expect(body.series).toHaveLength(300);
    expect(points(body)).toBeLessThanOrEqual(MAX_QUERY_ANSWER_POINTS);
    expect(body.step).toBe(Math.ceil((2 * 86_400_000 * 300) / (MAX_QUERY_ANSWER_POINTS - 300) / MIN) * MIN);
    expect(body.notes).toContain(`more than ${MAX_QUERY_ANSWER_POINTS} points in all (300 series): read with a step of ${body.step! / 1000}s (avg)`);
    const csv = await request(server.url, '/api/v1/query?host=f4&metric=disk_used_percent&since=2d&format=csv', { headers: bearer(token) });
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(points(body) + 1);
    // A step that would give too many points in all is refused with the step that would do.
    const fine = await request(server.url, '/api/v1/query?host=f4&metric=disk_used_percent&since=2d&step=2m', { headers: bearer(token) });
    expect(fine.status).toBe(413);
    expect(JSON.parse(fine.body).error).toEqual({ code: 'payload_too_large', message: expect.stringMatching(/300 series × 1440 points, more than 200000 in one answer; use a step of at least \d+s, or fewer series \(labels=\)/) });
    expect((await request(server.url, '/api/v1/query?host=f4&metric=disk_used_percent&since=2d&step=30m', { headers: bearer(token) })).status).toBe(200);
  });

  it(`at most ${MAX_QUERY_SERIES} series: the first by labels, a note says how many were left out`, async () => {
    const p = mounts(MAX_QUERY_SERIES + 120, 2, MIN);
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { clock });
    const body = JSON.parse((await request(server.url, '/api/v1/query?host=f4&metric=disk_used_percent&since=1h', { headers: bearer(token) })).body) as QueryResponse;
    expect(body.series).toHaveLength(MAX_QUERY_SERIES);
    expect(body.series[0]!.labels).toEqual({ mount: '/m0000' });
    expect(body.series.at(-1)!.labels).toEqual({ mount: `/m${String(MAX_QUERY_SERIES - 1).padStart(4, '0')}` });
    expect(body.notes).toContain(`${MAX_QUERY_SERIES + 120} series match: the first ${MAX_QUERY_SERIES} by labels are given, 120 left out (narrow with labels=)`);
    const csv = await request(server.url, '/api/v1/query?host=f4&metric=disk_used_percent&since=1h&format=csv', { headers: bearer(token) });
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(MAX_QUERY_SERIES * 2 + 1);
  });
});
