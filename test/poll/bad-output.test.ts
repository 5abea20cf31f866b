import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { collectorBundlePath } from '../../src/poll/collector-bundle.js';
import { LocalTransport } from '../../src/poll/local-transport.js';
import { pollHosts } from '../../src/poll/run.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Each host runs a wrapper around the real collector that spoils its output one way.
 * The wrapper gets the same argv the collector would: --key FILE --challenge C [...].
 */
const SPOILERS: Record<string, string> = {
  good: 'process.stdout.write(run(args))',
  garbage: "process.stdout.write('Segmentation fault (core dumped)\\n')",
  empty: '',
  flood: "const chunk = 'x'.repeat(1 << 20); for (let i = 0; i < 10; i++) process.stdout.write(chunk)",
  tampered: "{ const [t, n, b] = run(args).trim().split(' '); const box = Buffer.from(b, 'base64'); box[5] ^= 1; process.stdout.write(`${t} ${n} ${box.toString('base64')}\\n`) }",
  truncated: 'process.stdout.write(run(args).slice(0, 80))',
  replayed: "process.stdout.write(run(args.map((a, i) => (args[i - 1] === '--challenge' ? 'an-old-challenge' : a))))",
  'other-key': "process.stdout.write(run(args.map((a, i) => (args[i - 1] === '--key' ? a.replace(/[^/]+\\.key$/, 'good.key') : a))))",
  crash: "process.stderr.write('metrix-collector: cannot read /proc/stat\\n'); process.exit(4)",
};

function wrapper(dir: string, name: string, body: string): string {
  const path = join(dir, `${name}.cjs`);
  writeFileSync(
    path,
    `const { execFileSync } = require('child_process');
const args = process.argv.slice(2);
const run = (argv) => execFileSync(process.execPath, [${JSON.stringify(collectorBundlePath())}, ...argv]).toString();
${body};
`,
  );
  return path;
}

describe('collector output that must not be trusted', () => {
  it('rejects each spoiled output with its own reason, stores nothing from it, and keeps the good host', async () => {
    const dir = tempDir();
    const hosts = Object.keys(SPOILERS).map((name) => `<host name="${name}" transport="local"/>`).join('\n');
    writeFileSync(join(dir, 'config.xml'), `<metrix><settings maxOutput="1MB"/><hosts>${hosts}</hosts></metrix>`);
    const config = loadConfig(join(dir, 'config.xml'));
    const keys = KeyStore.open(config.settings.keysDir).store;
    const transports = new Map(config.hosts.map((host) => [host.name, new LocalTransport(wrapper(dir, host.name, SPOILERS[host.name]!), (h) => keys.hostKeyPath(h))]));
    const store = Store.open(config.settings.database);
    const run = await pollHosts(config.hosts, {
      settings: config.settings,
      keys,
      transportOf: (host) => transports.get(host.name)!,
      lastCounters: (host) => store.lastCounters(host),
      clock: Date.now,
    }, { concurrency: 4 });
    store.writeRun(run);
    store.close();

    const failures = Object.fromEntries(run.polls.map((poll) => [poll.host, poll.failure ? `${poll.failure.reason}: ${poll.failure.message}` : 'ok']));
    expect(failures).toEqual({
      good: 'ok',
      garbage: 'bad-output: not sealed metrix output: "Segmentation fault (core dumped)"',
      empty: 'bad-output: empty output: the collector printed nothing',
      flood: expect.stringMatching(/^output-too-large: collector printed more than 1048576 bytes; killed$/),
      tampered: 'bad-output: sealed output does not open with the keys of host "tampered": tampered in transit, or made with another host\'s key',
      truncated: expect.stringMatching(/^bad-output: truncated output: 80 bytes with no end of line/),
      replayed: "bad-output: report carries a stale or foreign challenge: a replayed output, not this run's",
      'other-key': expect.stringMatching(/^bad-output: (sealed output does not open|report names host "good")/),
      crash: 'collector-failed: collector exited with status 4: metrix-collector: cannot read /proc/stat',
    });

    const db = new Database(config.settings.database, { readonly: true });
    const metricsOf = (host: string): string[] =>
      (db.prepare('SELECT DISTINCT metric FROM series JOIN hosts h ON h.id = host_id WHERE h.name = ? ORDER BY metric').all(host) as Array<{ metric: string }>).map((r) => r.metric);
    for (const host of Object.keys(SPOILERS).filter((name) => name !== 'good')) {
      expect(metricsOf(host), host).toEqual(['host_up', 'poll_duration_sec']);
    }
    expect(metricsOf('good')).toEqual(expect.arrayContaining(['cpu_percent', 'mem_percent', 'load1', 'host_up']));
    db.close();
    const reader = Store.open(config.settings.database, { readonly: true });
    const upValues = Object.keys(SPOILERS)
      .sort()
      .flatMap((host) => reader.range({ host, metric: 'host_up', since: 0, until: Date.now() + 86_400_000 }).flatMap((s) => s.points.map((p) => ({ host, value: p.value }))));
    reader.close();
    expect(upValues).toEqual(Object.keys(SPOILERS).sort().map((host) => ({ host, value: host === 'good' ? 1 : 0 })));
  });
});
