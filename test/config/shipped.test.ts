import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig } from '../../src/config/sample.js';
import { ELEMENTS, ROOT_ELEMENT } from '../../src/config/schema.js';
import { commandProblems, shownCommands } from '../helpers/readme-commands.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { ENV } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIPPED = path.join(ROOT, 'config.xml');

describe('the shipped config.xml', () => {
  const config = loadConfig(SHIPPED, ENV);

  test('watches this machine without SSH', () => {
    expect(config.hosts.map((h) => [h.name, h.transport])).toEqual([['localhost', 'local']]);
  });

  test('keeps its data beside itself and writes mail to ./outbox', () => {
    expect(config.settings.database).toBe(path.join(ROOT, 'metrix.db'));
    expect(config.settings.keysDir).toBe(path.join(ROOT, 'keys'));
    expect(config.mail).toMatchObject({ transport: 'file', dir: path.join(ROOT, 'outbox') });
  });

  test('has the example rules on cpu, memory, the root disk and host_up', () => {
    expect(config.alerts.map((r) => [r.metric, r.labels])).toEqual([
      ['cpu_percent', {}],
      ['mem_percent', {}],
      ['disk_used_percent', { mount: '/' }],
      ['host_up', {}],
    ]);
  });

  test('passes metrix config check', async () => {
    const run = await runCli(ROOT, ['config', 'check', '-c', SHIPPED]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/: OK\n$/);
    expect(run.code).toBe(0);
  });
});

describe('README.md', () => {
  const shown = shownCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  test('shows the commands', () => {
    expect(shown.map((c) => c.words[0])).toEqual(expect.arrayContaining(['init', 'config', 'upload', 'execute', 'query', 'alerts', 'silence', 'mail']));
  });

  test.each(shown.map((c) => [c.where, c]))('%s: every command, option and choice exists in the CLI', async (_where, command) => {
    expect(await commandProblems(command)).toEqual([]);
  });

  test.each([
    ['metrix execute --parallel 4', ['metrix execute: no option --parallel']],
    ['metrix purge --all', ['metrix: no command purge', 'metrix: no option --all']],
    ['metrix query -h f4 -m load1 --format xml|csv', ['metrix query: --format does not take xml (choices: table, csv, json)']],
    ['metrix silence -h f4', ['metrix silence: needs a subcommand (add, list, remove, help)', 'metrix silence: no option -h']],
    ['metrix upload f4', ['metrix upload: unexpected argument f4']],
  ])('the check catches %s', async (line, problems) => {
    const [command] = shownCommands(`\`${line}\``);
    expect(await commandProblems(command!)).toEqual(problems);
  });
});

describe('sampleConfig()', () => {
  const text = sampleConfig();
  const comments = [...text.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1] ?? '');
  // Each element is explained in the comment that opens with `<settings>:`, `<hosts>:` (for <host>) and so on.
  const commentFor = (element: string): string => comments.find((c) => new RegExp(`^\\s*<${element}s?>:`).test(c)) ?? '';

  test('loads cleanly from where metrix init writes it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'metrix-sample-'));
    const file = path.join(dir, 'config.xml');
    writeFileSync(file, text);
    const config = loadConfig(file, ENV);
    expect(config.hosts.map((h) => h.transport)).toEqual(['local']);
    expect(config.settings.database).toBe(path.join(dir, 'metrix.db'));
    expect(config.mail).toMatchObject({ transport: 'file', dir: path.join(dir, 'outbox') });
    expect(config.alerts.length).toBeGreaterThanOrEqual(4);
  });

  test('is what metrix init writes, and passes metrix config check', async () => {
    const dir = tempDir();
    expect((await runCli(dir, ['init'])).code).toBe(0);
    expect(readFileSync(path.join(dir, 'config.xml'), 'utf8')).toBe(text);
    const run = await runCli(dir, ['config', 'check']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/config\.xml: OK\n$/);
    expect(run.code).toBe(0);
  });

  test.each(Object.keys(ELEMENTS).filter((name) => name !== ROOT_ELEMENT))('documents <%s> in a comment', (element) => {
    expect(commentFor(element)).not.toBe('');
  });

  test.each(Object.entries(ELEMENTS).flatMap(([element, spec]) => Object.keys(spec.attributes).map((attr) => [element, attr])))(
    'documents <%s %s> in a comment',
    (element, attr) => {
      // A doc line starts with the attribute (or a comma list of them) followed by its description.
      expect(commentFor(element)).toMatch(new RegExp(`^ +(?:\\w+, )*${attr}(?:,|:| {2,})`, 'm'));
    },
  );
});
