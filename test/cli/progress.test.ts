import { describe, expect, it } from 'vitest';
import { Progress, renderBar } from '../../src/cli/progress.js';
import { captureIo } from '../helpers/io.js';

describe('renderBar', () => {
  it.each([
    [0, 200, 0, 0, '[····················] 0/200 hosts  0 ok  0 failed  0.0s'],
    [100, 200, 2, 4100, '[##########··········] 100/200 hosts  98 ok  2 failed  4.1s'],
    [200, 200, 0, 9000, '[####################] 200/200 hosts  200 ok  0 failed  9.0s'],
    [0, 0, 0, 0, '[####################] 0/0 hosts  0 ok  0 failed  0.0s'],
  ])('%i of %i, %i failed', (done, total, failed, ms, expected) => expect(renderBar(done, total, failed, ms)).toBe(expected));
});

describe('Progress', () => {
  it('writes one timestamped log line per host off a terminal, no bar', () => {
    const io = captureIo('/', () => Date.parse('2026-11-22T04:00:00Z'));
    const progress = new Progress(io, 2);
    progress.host({ host: 'f4', level: 'INFO', message: 'ok in 0.20s' });
    progress.host({ host: 'f5', level: 'ERROR', message: 'unreachable after 0.01s: connect ECONNREFUSED' });
    progress.finish();
    expect(io.stderr()).toBe('2026-11-22T04:00:00.000Z INFO [f4] ok in 0.20s\n2026-11-22T04:00:00.000Z ERROR [f5] unreachable after 0.01s: connect ECONNREFUSED\n');
  });

  it('on a terminal draws a bar, prints failures above it, and clears it at the end', () => {
    const io = { ...captureIo('/', () => 0), isTty: true };
    let err = '';
    const tty = { ...io, err: (text: string) => void (err += text) };
    const progress = new Progress(tty, 2);
    progress.host({ host: 'f4', level: 'INFO', message: 'ok' });
    progress.host({ host: 'f5', level: 'ERROR', message: 'auth refused' });
    progress.finish();
    progress.finish();
    const screen = err.split('\r\x1b[2K').filter(Boolean);
    expect(screen).toEqual([
      '[····················] 0/2 hosts  0 ok  0 failed  0.0s',
      '[##########··········] 1/2 hosts  1 ok  0 failed  0.0s',
      'ERROR [f5] auth refused\n',
      '[####################] 2/2 hosts  1 ok  1 failed  0.0s',
    ]);
    expect(err.endsWith('\r\x1b[2K')).toBe(true);
    expect(err).not.toContain('INFO [f4]');
  });
});
