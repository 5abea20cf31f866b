import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatConfig } from '../../src/config/format.js';
import { shownUrl } from '../../src/config/http-url.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { configOf, doc, problemsOf } from './helpers.js';

/** The token every URL below carries: no message may show it. */
const TOKEN = 'S3CRET-T0KEN';
const beat = (attrs: string): string => doc(`<heartbeat ${attrs}/>`);

// One bad <heartbeat> per line, and the one message it must give.
const CASES: readonly [string, string, string][] = [
  ['missing url', beat('every="5m"'), '<heartbeat> missing required attribute "url"'],
  ['ftp scheme', beat(`url="ftp://hc.example.org/${TOKEN}"`), '<heartbeat> url="ftp://hc.example.org/…": scheme "ftp" not allowed (allowed: http, https)'],
  ['file scheme', beat(`url="file:///etc/${TOKEN}"`), '<heartbeat> url="file:///…": scheme "file" not allowed (allowed: http, https)'],
  ['no scheme', beat(`url="hc.example.org/${TOKEN}"`), '<heartbeat> url="hc.example.org/…": not a URL (expected an http:// or https:// URL)'],
  ['user and password', beat(`url="https://metrix:${TOKEN}@hc.example.org/ping"`), '<heartbeat> url="https://…@hc.example.org/…": a user or password in the URL is not allowed'],
  ['a fragment', beat(`url="https://hc.example.org/ping#${TOKEN}"`), '<heartbeat> url="https://hc.example.org/…": a "#" part is never sent to the server'],
  ['empty url', beat('url=" "'), '<heartbeat> url="": empty value (expected an http:// or https:// URL)'],
  ['every without unit', beat(`url="https://hc.example.org/${TOKEN}" every="300"`), '<heartbeat> every="300": not a duration'],
  ['every negative', beat(`url="https://hc.example.org/${TOKEN}" every="-5m"`), '<heartbeat> every="-5m": not a duration'],
  ['every over a day', beat(`url="https://hc.example.org/${TOKEN}" every="2d"`), '<heartbeat> every="2d": out of range (allowed: 0, or 1s..1d)'],
  ['timeout zero', beat(`url="https://hc.example.org/${TOKEN}" timeout="0s"`), '<heartbeat> timeout="0s": must be longer than 0 (allowed: 1s..1m)'],
  ['timeout too short', beat(`url="https://hc.example.org/${TOKEN}" timeout="100ms"`), '<heartbeat> timeout="100ms": out of range (allowed: 1s..1m)'],
  ['timeout too long', beat(`url="https://hc.example.org/${TOKEN}" timeout="2m"`), '<heartbeat> timeout="2m": out of range (allowed: 1s..1m)'],
  ['misspelt attribute', beat(`url="https://hc.example.org/${TOKEN}" evry="5m"`), '<heartbeat> unknown attribute "evry" (allowed: url, every, timeout; did you mean "every"?)'],
  ['twice', doc(`<heartbeat url="https://a.example.org/${TOKEN}"/><heartbeat url="https://b.example.org/${TOKEN}"/>`), '<metrix> element <heartbeat> may appear only once (found 2)'],
  ['text inside', doc(`<heartbeat url="https://hc.example.org/x">https://hc.example.org/${TOKEN}</heartbeat>`), '<heartbeat> unexpected text'],
];

describe('<heartbeat> mistakes', () => {
  test.each(CASES)('%s', (_label, xml, expected) => {
    const problems = problemsOf(xml);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
    if (!expected.includes('unexpected text')) expect(problems[0]).not.toContain(TOKEN);
  });

  test('metrix config check exits 2 and prints no token', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.xml'), beat(`url="gopher://hc.example.org/${TOKEN}" every="1y"`));
    const run = await runCli(dir, ['config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('<heartbeat> url="gopher://hc.example.org/…": scheme "gopher" not allowed');
    expect(run.stderr).toContain('<heartbeat> every="1y": not a duration');
    expect(run.stderr).not.toContain(TOKEN);
  });
});

describe('<heartbeat> resolved', () => {
  test('absent: no heartbeat', () => {
    expect(configOf(doc()).heartbeat).toBeUndefined();
  });

  test('defaults: at most once a minute, 10s to answer', () => {
    expect(configOf(beat(`url="https://hc.example.org/${TOKEN}"`)).heartbeat).toEqual({ url: `https://hc.example.org/${TOKEN}`, everyMs: 60_000, timeoutMs: 10_000 });
  });

  test('given: every and timeout in ms, the URL as the WHATWG parser writes it', () => {
    expect(configOf(beat(`url=" HTTPS://HC.Example.org:443/ping/${TOKEN}?rid=1 " every="5m" timeout="2500ms"`)).heartbeat).toEqual({
      url: `https://hc.example.org/ping/${TOKEN}?rid=1`,
      everyMs: 300_000,
      timeoutMs: 2500,
    });
  });

  test('every="0": after every good run', () => {
    expect(configOf(beat(`url="http://10.0.0.9:8000/${TOKEN}" every="0"`)).heartbeat?.everyMs).toBe(0);
  });

  test.each([
    ['https://hc-ping.com/0d2c0a4e-7b0b-4d4e-9f3a-1f5e0c2a9d11', 'https://hc-ping.com/…'],
    ['https://hc.example.org/', 'https://hc.example.org'],
    ['https://hc.example.org', 'https://hc.example.org'],
    ['http://[::1]:8000/ping?key=abc', 'http://[::1]:8000/…'],
    ['https://hc.example.org?key=abc', 'https://hc.example.org/…'],
    ['https://u:p@hc.example.org/x', 'https://…@hc.example.org/…'],
    ['hc.example.org/abc', 'hc.example.org/…'],
  ])('shownUrl(%s) is %s', (url, shown) => {
    expect(shownUrl(url)).toBe(shown);
  });
});

describe('metrix config check', () => {
  test('shows the heartbeat as resolved, the URL cut to scheme and host', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.xml'), beat(`url="https://hc-ping.com/${TOKEN}" every="5m"`));
    const run = await runCli(dir, ['config', 'check']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\nheartbeat\n  GET https://hc-ping.com/… after a good run, at most every 5m, timeout 10s\n');
    expect(run.stdout).not.toContain(TOKEN);
  });

  test.each([
    [beat(`url="http://10.0.0.9:8000/${TOKEN}" every="0" timeout="3s"`), '  GET http://10.0.0.9:8000/… after every good run, timeout 3s'],
    [doc(), '  none'],
  ])('%s', (xml, line) => {
    const lines = formatConfig(configOf(xml)).split('\n');
    expect(lines[lines.indexOf('heartbeat') + 1]).toBe(line);
  });
});
