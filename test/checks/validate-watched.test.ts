import { describe, expect, it } from 'vitest';
import { checkSpec, decodeSpec, encodeSpec, type WatchSpec } from '../../client-script/src/checks-spec.js';
import { parseArgs } from '../../client-script/src/args.js';
import { validateWatched } from '../../src/checks/validate-watched.js';

const SPEC: WatchSpec = {
  v: 1,
  checks: [{ name: 'disk', command: 'check_disk -w 10% -c 5% -p /', everyMs: 60_000, timeoutMs: 10_000 }],
  logs: [{ name: 'kern', path: '/var/log/kern.log', match: 'oom', ignoreCase: false }],
};
const good = { name: 'disk', status: 1, text: 'DISK WARNING', perf: [{ label: '/', value: 5e9 }], ranAt: 1, fresh: true };
const goodLog = { name: 'kern', matches: 2, lines: ['a oom', 'b oom'] };

describe('what a host sends back about its checks and logs', () => {
  it('becomes check_status, check_perf and log_matches samples with the texts beside them', () => {
    const watched = validateWatched({ checks: [good], logs: [goodLog] }, SPEC);
    expect(watched).toEqual({
      ok: true,
      value: {
        samples: [
          { m: 'check_status', v: 1, l: { check: 'disk' } },
          { m: 'check_perf', v: 5e9, l: { check: 'disk', label: '/' } },
          { m: 'log_matches', v: 2, l: { log: 'kern' } },
        ],
        checks: [{ check: 'disk', status: 1, text: 'DISK WARNING', fresh: true }],
        logs: [{ log: 'kern', matches: 2, lines: ['a oom', 'b oom'], note: undefined }],
      },
    });
  });

  it.each([
    [{ checks: [{ ...good, name: 'other' }] }, 'check "other" was not asked for'],
    [{ checks: [good, good] }, 'check "disk" comes twice'],
    [{ checks: [{ ...good, status: 4 }] }, 'check "disk": status is not 0, 1, 2 or 3'],
    [{ checks: [{ ...good, status: 1.5 }] }, 'check "disk": status is not 0, 1, 2 or 3'],
    [{ checks: [{ ...good, perf: [{ label: 'x', value: Infinity }] }] }, 'check "disk": a perf item is not {label, value}'],
    [{ checks: 'all fine' }, 'checks is not a list'],
    [{ logs: [{ ...goodLog, matches: -1 }] }, 'log "kern": matches is not a count'],
    [{ logs: [{ ...goodLog, lines: [1] }] }, 'log "kern": lines is not a list of strings'],
    [{ logs: [{ ...goodLog, name: '__proto__' }] }, 'log "__proto__" was not asked for'],
  ])('refuses %j', (report, why) => {
    expect(validateWatched(report, SPEC)).toEqual({ ok: false, failure: { reason: 'bad-output', message: `malformed report: ${why}` } });
  });

  it('refuses any result from a host that was asked for none', () => {
    expect(validateWatched({ checks: [good] }, undefined)).toMatchObject({ ok: false });
  });

  it('cuts long texts, strips control characters, keeps the last 5 lines and the first 50 perf items', () => {
    const perf = Array.from({ length: 80 }, (_, i) => ({ label: `p${i}`, value: i }));
    const watched = validateWatched(
      { checks: [{ ...good, text: `\u001b[31mred\u0007 ${'x'.repeat(5000)}`, perf }], logs: [{ ...goodLog, matches: 9, lines: ['1', '2', '3', '4', '5', '6\tsix\r\n'] }] },
      SPEC,
    );
    if (!watched.ok) throw new Error(watched.failure.message);
    expect(watched.value.checks[0]!.text).toMatch(/^\[31mred x+…$/);
    expect(watched.value.checks[0]!.text).toHaveLength(1000);
    expect(watched.value.samples.filter((s) => s.m === 'check_perf')).toHaveLength(50);
    expect(watched.value.logs[0]!.lines).toEqual(['2', '3', '4', '5', '6 six  ']);
  });
});

describe('the spec the collector is told', () => {
  it('travels as base64url and comes back the same', () => {
    expect(decodeSpec(encodeSpec(SPEC))).toEqual({ spec: SPEC });
  });

  it.each([
    [{ ...SPEC, v: 2 }, 'not a version 1 spec'],
    [{ ...SPEC, checks: [{ ...SPEC.checks[0]!, command: 'rm -rf /\nx' }] }, 'check "disk": command is not one line of at most 2048 characters'],
    [{ ...SPEC, checks: [{ ...SPEC.checks[0]!, timeoutMs: 0 }] }, 'check "disk": timeout is not 1000..600000 ms'],
    [{ ...SPEC, logs: [{ ...SPEC.logs[0]!, path: 'relative' }] }, 'log "kern": path is not an absolute path of at most 1024 characters'],
    [{ ...SPEC, logs: [{ ...SPEC.logs[0]!, match: '(a+)+' }] }, expect.stringMatching(/^log "kern": match repeats a group/)],
    [{ ...SPEC, logs: [SPEC.logs[0]!, SPEC.logs[0]!] }, 'log: name "kern" appears twice'],
  ])('the collector refuses %j', (spec, problem) => {
    expect(checkSpec(spec)).toEqual({ problem });
  });

  it('a bad --spec is a usage failure of the collector, not a stack trace', () => {
    expect(() => parseArgs(['--challenge', 'abc', '--spec', 'not*base64'], '/')).toThrow('--spec: not base64url');
    expect(() => parseArgs(['--challenge', 'abc', '--spec', Buffer.from('{"v":1}').toString('base64url')], '/')).toThrow('--spec: checks is not a list of at most 64');
  });
});
