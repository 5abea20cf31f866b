import nacl from 'tweetnacl';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_KEY_FILE, type HostKeyFile } from '../../client-script/src/protocol.js';
import { loadConfig } from '../../src/config/load.js';
import { KeyStore, serializeHostKeyFile } from '../../src/crypto/key-store.js';
import { pollHost } from '../../src/poll/poll-host.js';
import type { PollRecord } from '../../src/poll/records.js';
import type { Transport } from '../../src/poll/transport.js';
import { fail, ok } from '../../src/result.js';
import { Store } from '../../src/store/store.js';
import { buildIntoTempDir, FIXTURES, runBundle, writeScript } from '../collector/helpers.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The real bundle, given the key file a KeyStore makes (or an altered one) as upload would place
 * it, polled by the real poller (pollHost, openSealed) into a real Store.
 */
let bundleDir = '';
beforeAll(() => void (bundleDir = buildIntoTempDir()));
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Runs the bundle with `keyFile` the way a host holding it would, on the fixture /proc and /sys. */
function hostWith(dir: string, keyFile: string): Transport {
  writeFileSync(join(dir, HOST_KEY_FILE), keyFile, { mode: 0o600 });
  const statfs = writeScript(join(dir, 'statfs'), 'echo 4096 1000000 250000 250000 1000000 750000');
  return {
    async exec(_host, request) {
      const args = ['--key', join(dir, HOST_KEY_FILE), '--state', join(dir, 'state.json'), '--proc-root', join(FIXTURES, 'proc'), '--sys-root', join(FIXTURES, 'sys'), '--statfs-cmd', statfs];
      const run = await runBundle(bundleDir, [...args, ...request.args]);
      return run.code === 0 ? ok({ stdout: run.stdout, stderr: run.stderr }) : fail('collector-failed', `exit ${run.code}: ${run.stderr}`);
    },
    release: async () => undefined,
    close: async () => undefined,
  };
}

/** One poll of host f4 holding the key file `alter` makes of the one its KeyStore made, stored as execute stores it. */
async function pollWith(alter: (file: HostKeyFile) => object): Promise<{ record: PollRecord; stored: string[] }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="f4" transport="local"/></hosts></metrix>');
  const config = loadConfig(join(dir, 'config.xml'));
  const keys = KeyStore.open(config.settings.keysDir).store;
  const transport = hostWith(dir, serializeHostKeyFile(alter(keys.ensureHostKeys('f4').file) as HostKeyFile));
  const store = Store.open(config.settings.database);
  try {
    const record = await pollHost(config.hosts[0]!, { settings: config.settings, keys, transportOf: () => transport, lastCounters: (h) => store.lastCounters(h), clock: Date.now });
    store.writeRun({ startedAt: record.ts, finishedAt: record.ts, polls: [record] });
    return { record, stored: store.metricsOf('f4') };
  } finally {
    store.close();
  }
}

describe('the shared key in the host key file, end to end', () => {
  it('is what the KeyStore writes, and the bundle seals with it a report the poller opens and stores', async () => {
    const { record, stored } = await pollWith((file) => {
      expect(file.sharedKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      return file;
    });
    expect(record.failure).toBeUndefined();
    expect(stored).toEqual(expect.arrayContaining(['host_up', 'mem_total_bytes', 'cpu_total_jiffies', 'disk_used_percent']));
  }, 30_000);

  it('is not needed: a key file placed before it existed still works', async () => {
    const { record, stored } = await pollWith(({ sharedKey: _dropped, ...old }) => old);
    expect(record.failure).toBeUndefined();
    expect(stored).toEqual(expect.arrayContaining(['host_up', 'mem_total_bytes']));
  }, 30_000);

  it('when it does not match the keys, the report does not open and nothing from it is stored', async () => {
    const { record, stored } = await pollWith((file) => ({ ...file, sharedKey: b64(nacl.box.before(nacl.box.keyPair().publicKey, nacl.box.keyPair().secretKey)) }));
    expect(record.failure).toEqual({ reason: 'bad-output', message: expect.stringMatching(/^sealed output does not open with the keys of host "f4"/) });
    expect(stored).toEqual(['host_up', 'poll_duration_sec']);
  }, 30_000);

  it('when malformed, the collector refuses the file with one line naming the field, no stack trace', async () => {
    const { record, stored } = await pollWith((file) => ({ ...file, sharedKey: 'c2hvcnQ=' }));
    expect(record.failure?.reason).toBe('collector-failed');
    expect(record.failure?.message).toMatch(
      /^exit 3: metrix-collector: key file \/\S+\/metrix-host\.key: "sharedKey" must be the base64 of a 32-byte key; place it again with "metrix upload"\n$/,
    );
    expect(stored).toEqual(['host_up', 'poll_duration_sec']);
  }, 30_000);
});
