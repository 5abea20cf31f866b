import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { pollHost, type PollContext } from '../../src/poll/poll-host.js';
import type { Transport } from '../../src/poll/transport.js';
import { tempDir } from '../helpers/tmp.js';

/** Surprises that no real part produces on demand (a bug, a broken store): pollHost still resolves with the host's failure. */
describe('pollHost never throws', () => {
  const setup = (transport: Partial<Transport>, lastCounters: PollContext['lastCounters'] = () => undefined) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="h1" transport="local"/></hosts></metrix>');
    const config = loadConfig(join(dir, 'config.xml'));
    let now = 5000;
    const ctx: PollContext = {
      settings: config.settings,
      keys: KeyStore.open(config.settings.keysDir).store,
      transportOf: () => ({ release: async () => undefined, close: async () => undefined, exec: async () => ({ ok: true, value: { stdout: '', stderr: '' } }), ...transport }),
      lastCounters,
      clock: () => (now += 10),
    };
    return { host: config.hosts[0]!, ctx };
  };

  it.each([
    ['a transport that rejects', () => setup({ exec: () => Promise.reject(new Error('socket exploded')) }), 'cannot use what the host sent: socket exploded'],
    ['a transport that throws', () => setup({ exec: () => { throw new TypeError("Cannot read properties of undefined (reading 'find')"); } }), "cannot use what the host sent: Cannot read properties of undefined (reading 'find')"],
    ['a store that throws', () => setup({}, () => { throw new Error('database is locked'); }), 'cannot use what the host sent: database is locked'],
  ])('%s', async (_case, make, message) => {
    const { host, ctx } = make();
    const record = await pollHost(host, ctx);
    expect(record).toEqual({ host: 'h1', ts: 5020, durationMs: 10, failure: { reason: 'bad-output', message }, collector: undefined, samples: [{ m: 'host_up', v: 0 }, { m: 'poll_duration_sec', v: 0.01 }] });
  });
});
