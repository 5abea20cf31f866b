import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { configOf, doc, problemsOf } from '../config/helpers.js';

/** The token every URL below carries: no message may show it. */
const TOKEN = 'S3CRET-T0KEN';
const URL_OK = `https://mimir.example.org/api/v1/push?token=${TOKEN}`;
const rw = (attrs: string): string => doc(`<remoteWrite ${attrs}/>`);

// One bad <remoteWrite> per line, and the one message it must give.
const CASES: readonly [string, string, string][] = [
  ['missing url', rw('timeout="5s"'), '<remoteWrite> missing required attribute "url"'],
  ['ftp scheme', rw(`url="ftp://mimir.example.org/${TOKEN}"`), '<remoteWrite> url="ftp://mimir.example.org/…": scheme "ftp" not allowed (allowed: http, https)'],
  ['password in the URL', rw(`url="https://metrix:${TOKEN}@mimir.example.org/push"`), '<remoteWrite> url="https://…@mimir.example.org/…": a user or password in the URL is not allowed'],
  ['timeout too long', rw(`url="${URL_OK}" timeout="5m"`), '<remoteWrite> timeout="5m": out of range (allowed: 1s..1m)'],
  ['maxQueued too small', rw(`url="${URL_OK}" maxQueued="10"`), '<remoteWrite> maxQueued="10": out of range (allowed: 100..1000000000)'],
  ['maxQueued not a number', rw(`url="${URL_OK}" maxQueued="lots"`), '<remoteWrite> maxQueued="lots": not an integer'],
  ['password in the file', rw(`url="${URL_OK}" password="hunter2"`), '<remoteWrite> unknown attribute "password"'],
  ['user without passwordEnv', rw(`url="${URL_OK}" user="metrix"`), '<remoteWrite> user="metrix" needs passwordEnv="..."'],
  ['passwordEnv without user', rw(`url="${URL_OK}" passwordEnv="RW_PASSWORD"`), '<remoteWrite> passwordEnv="RW_PASSWORD" needs user="..."'],
  ['two ways to log in', rw(`url="${URL_OK}" bearerTokenEnv="T" user="u" passwordEnv="P"`), '<remoteWrite> bearerTokenEnv and user/passwordEnv: one way to log in, not both'],
  ['token env not a name', rw(`url="${URL_OK}" bearerTokenEnv="$TOKEN"`), '<remoteWrite> bearerTokenEnv="$TOKEN": not an environment variable name'],
  ['label name with a dash', rw(`url="${URL_OK}" labels="data-center=b"`), '<remoteWrite> labels: "data-center" is not a label name'],
  ['reserved label name', rw(`url="${URL_OK}" labels="__name__=x"`), '<remoteWrite> labels: "__name__" is not a label name'],
  ['the host label', rw(`url="${URL_OK}" labels="host=x"`), '<remoteWrite> labels: "host" is set by metrix on every series'],
  ['twice', doc(`<remoteWrite url="${URL_OK}"/><remoteWrite url="${URL_OK}"/>`), '<metrix> element <remoteWrite> may appear only once (found 2)'],
];

describe('<remoteWrite> mistakes', () => {
  test.each(CASES)('%s', (_label, xml, expected) => {
    const problems = problemsOf(xml);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
    expect(problems[0]).not.toContain(TOKEN);
  });
});

describe('<remoteWrite> resolved', () => {
  test('absent: no remote write', () => {
    expect(configOf(doc()).remoteWrite).toBeUndefined();
  });

  test('defaults: 10s a request, 5 million samples queued at most, no login, no labels', () => {
    expect(configOf(rw(`url="${URL_OK}"`)).remoteWrite).toEqual({ url: URL_OK, timeoutMs: 10_000, auth: { kind: 'none' }, caFile: undefined, maxQueued: 5_000_000, labels: {} });
  });

  test('everything given', () => {
    const config = configOf(rw(`url="${URL_OK}" timeout="30s" user="metrix" passwordEnv="RW_PASSWORD" caFile="ca.pem" maxQueued="1000000" labels="site=jinr,poller=m1"`));
    expect(config.remoteWrite).toMatchObject({ timeoutMs: 30_000, auth: { kind: 'basic', user: 'metrix', passwordEnv: 'RW_PASSWORD' }, maxQueued: 1_000_000, labels: { site: 'jinr', poller: 'm1' } });
    expect(path.isAbsolute(config.remoteWrite!.caFile!)).toBe(true);
  });

  test('metrix config check shows where samples go and how, never the path, query or a secret', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.xml'), rw(`url="${URL_OK}" bearerTokenEnv="MIMIR_TOKEN" labels="site=jinr"`));
    const run = await runCli(dir, ['config', 'check']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\nremote write\n  POST https://mimir.example.org/… bearer token from $MIMIR_TOKEN, timeout 10s, queue at most 5000000 samples, labels site=jinr\n');
    expect(run.stdout).not.toContain(TOKEN);
  });
});
