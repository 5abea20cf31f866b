import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFarm, type Farm } from '../farm/farm.js';
import { startSilentServer, type SilentServer } from '../farm/hostile.js';
import { sshdMissing } from '../farm/sshd.js';
import { makeTransport, noSecrets } from './helpers.js';

const HOUR_MS = 3_600_000;

let farm: Farm;
let silent: SilentServer;

beforeAll(async () => {
  farm = await startFarm({ servers: 1 });
  silent = await startSilentServer();
});

afterAll(async () => {
  await silent?.stop();
  await farm?.stop();
});

describe.skipIf(sshdMissing())('close() while hosts are still connecting', () => {
  it('abandons every dial under way at once, whatever connectTimeout says, and warns about no listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const hosts = Array.from({ length: 25 }, (_, i) => farm.host(`stuck${i}`, { port: silent.port }));
      const { transport } = makeTransport(hosts, noSecrets, HOUR_MS);
      const outcomes = hosts.map((host) => transport.runCommand(host, ['true'], { timeoutMs: HOUR_MS, maxOutputBytes: 1024 }));
      await expect.poll(() => silent.accepted()).toBe(25);
      await transport.close();
      const settled = await Promise.all(outcomes);
      for (const outcome of settled) {
        expect(outcome.ok ? 'connected' : `${outcome.failure.reason}: ${outcome.failure.message}`).toMatch(/^ssh: SSH connection to stuck\d+ .*abandoned: the run is stopping/);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
