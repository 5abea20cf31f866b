import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('metrix init', () => {
  it('writes a commented sample config that checks clean, and the poller key', async () => {
    const dir = tempDir();
    const run = await runCli(dir, ['init']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote .*config.xml: a commented sample/);
    expect(run.stdout).toMatch(/created the poller key pair in .*keys \(0600 files in a 0700 directory\)/);
    expect(readFileSync(join(dir, 'config.xml'), 'utf8')).toContain('<!--');
    expect(mode(join(dir, 'keys'))).toBe(0o700);
    expect(mode(join(dir, 'keys', 'poller.key'))).toBe(0o600);
    const check = await runCli(dir, ['config', 'check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/config.xml: OK\n$/);
  });

  it('keeps an existing config and key unless told otherwise', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="mine" transport="local"/></hosts></metrix>');
    const first = await runCli(dir, ['init']);
    expect(first.stdout).toMatch(/config.xml exists; kept it/);
    const key = readFileSync(join(dir, 'keys', 'poller.key'), 'utf8');
    const second = await runCli(dir, ['init']);
    expect(second.stdout).toMatch(/keys in .* kept/);
    expect(readFileSync(join(dir, 'keys', 'poller.key'), 'utf8')).toBe(key);
    expect(readFileSync(join(dir, 'config.xml'), 'utf8')).toContain('name="mine"');

    const renewed = await runCli(dir, ['init', '--new-keys']);
    expect(renewed.stdout).toMatch(/the old key was kept beside it as poller.key.*\.old: run "metrix upload" to every host now/);
    expect(readFileSync(join(dir, 'keys', 'poller.key'), 'utf8')).not.toBe(key);
    const forced = await runCli(dir, ['init', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'config.xml'), 'utf8')).not.toContain('name="mine"');
  });

  it('reports a bad config with every problem and exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><settings concurrency="0" retention="forever"/><hosts/></metrix>');
    const run = await runCli(dir, ['config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^metrix: .*config.xml: \d+ problems in config\n/);
    expect(run.stderr).toMatch(/concurrency="0"/);
    expect(run.stderr).toMatch(/retention="forever": not a duration/);
  });

  it('answers --help without taking -h for help', async () => {
    const help = await runCli(tempDir(), ['execute', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/-h, --host <name>\s+poll this host \(repeatable\)/);
    const usage = await runCli(tempDir(), ['query', '-m', 'cpu_percent']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '-h, --host <name>' not specified/);
  });
});
