import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/text/escape.js';

describe('escapeControl', () => {
  it.each([
    ['plain text stays', 'collector on h1 exited with status 3', 'collector on h1 exited with status 3'],
    ['newline', 'a\nb', 'a\\nb'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['forged log line', 'oops\n2026-11-22T04:00:00.000Z INFO [h2] ok', 'oops\\n2026-11-22T04:00:00.000Z INFO [h2] ok'],
    ['NUL', 'a\u0000b', 'a\\x00b'],
    ['ESC of a CSI sequence', '\u001b[2J', '\\x1b[2J'],
    ['BEL ending an OSC title', '\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
    ['DEL', 'a\u007fb', 'a\\x7fb'],
    ['C1 CSI', 'a\u009bb', 'a\\x9bb'],
    ['C1 NEL', 'a\u0085b', 'a\\x85b'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['paragraph separator', 'a\u2029b', 'a\\u2029b'],
    ['right-to-left override', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
    ['left-to-right embedding', '\u202aa', '\\u202aa'],
    ['first isolate', '\u2066a\u2069', '\\u2066a\\u2069'],
    ['right-to-left mark', 'a\u200fb', 'a\\u200fb'],
    ['backslash stays', 'C:\\temp \\n', 'C:\\temp \\n'],
    ['non-ASCII letters stay', 'Grüße 温度 ✓', 'Grüße 温度 ✓'],
    ['no-break space stays', 'a\u00a0b', 'a\u00a0b'],
    ['zero-width joiner stays', 'a\u200db', 'a\u200db'],
    ['empty', '', ''],
  ])('%s', (_case, input, expected) => expect(escapeControl(input)).toBe(expected));
});

describe('a warning from inside a sealed report, as the log prints it', () => {
  it('stays on its host\'s one line, with escapes shown', async () => {
    const { Progress } = await import('../../src/cli/progress.js');
    const { captureIo } = await import('../helpers/io.js');
    const io = captureIo('/', () => Date.parse('2026-11-22T04:00:00Z'));
    new Progress(io, 1).note({ host: 'h1', level: 'WARN', message: 'gpu: nvidia-smi: x\n2026-11-22T04:00:00.000Z INFO [h2] ok\u001b[8m' });
    expect(io.stderr()).toBe('2026-11-22T04:00:00.000Z WARN [h1] gpu: nvidia-smi: x\\n2026-11-22T04:00:00.000Z INFO [h2] ok\\x1b[8m\n');
  });
});
