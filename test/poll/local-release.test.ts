import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { LocalTransport } from '../../src/poll/local-transport.js';
import { tempDir } from '../helpers/tmp.js';
import { isAlive } from '../farm/processes.js';

/** A collector that writes its pid, then never ends on its own. */
const HANG = "require('fs').writeFileSync(process.env.PID_FILE || require('path').join(__dirname, 'pid'), String(process.pid)); setInterval(() => {}, 1000);\n";


async function startHanging(dir: string, transport: LocalTransport, host: Host) {
  const running = transport.exec(host, { args: [], timeoutMs: 3_600_000, maxOutputBytes: 1024 });
  const pidFile = join(dir, 'pid');
  await expect.poll(() => { try { return Number(readFileSync(pidFile, 'utf8')); } catch { return 0; } }).toBeGreaterThan(0);
  return { running, pid: Number(readFileSync(pidFile, 'utf8')) };
}

describe('LocalTransport', () => {
  const host = { name: 'localhost' } as Host;

  for (const how of ['release', 'close'] as const) {
    it(`kills a collector still running when the run ${how === 'release' ? 'releases its host' : 'closes the transport'} (a stopped run must not wait for it)`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'hang.cjs'), HANG);
      const transport = new LocalTransport(join(dir, 'hang.cjs'), () => join(dir, 'no.key'));
      const { running, pid } = await startHanging(dir, transport, host);
      expect(isAlive(pid)).toBe(true);
      await (how === 'release' ? transport.release(host) : transport.close());
      const outcome = await running;
      expect(outcome.ok ? 'ok' : outcome.failure.message).toBe('collector stopped: the run is ending');
      await expect.poll(() => isAlive(pid)).toBe(false);
    });
  }
});
