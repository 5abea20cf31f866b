import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorsNeeded, fdLimits } from '../../src/cli/fd-limit.js';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { closedPort } from '../farm/hostile.js';
import { tempDir } from '../helpers/tmp.js';

/** `metrix run` under `prlimit --nofile=SOFT:HARD`, stopped after its first cycle; its stderr. */
async function runUnderLimit(dir: string, soft: number, hard: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('prlimit', [`--nofile=${soft}:${hard}`, '--', process.execPath, join(packageRoot(), 'bin', 'metrix.js'), 'run', '--every', '1h'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (/INFO cycle 1: /.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`run ended before its first cycle: ${stderr}`)));
  });
  child.kill('SIGTERM');
  return { code: await exited, stderr };
}

async function writeConfig(dir: string, hosts: number): Promise<void> {
  const port = await closedPort();
  const lines = Array.from({ length: hosts }, (_, i) => `<host name="n${i}" address="127.0.0.1" port="${port}"/>`);
  writeFileSync(join(dir, 'config.xml'), `<metrix><settings database="metrix.db" keys="keys" connectTimeout="2s" concurrency="50"/><hosts>${lines.join('')}</hosts><mail transport="file" dir="outbox" from="a@localhost" to="b@localhost"/></metrix>`);
}

describe('metrix run and the open-files limit', () => {
  it('runs quietly with a low soft limit under a hard one that fits: Node raises the soft one at start', async () => {
    const dir = tempDir();
    await writeConfig(dir, 100);
    const { code, stderr } = await runUnderLimit(dir, 128, 2048);
    expect(code).toBe(0);
    expect(stderr).toMatch(/INFO cycle 1: 100 hosts/);
    expect(stderr).not.toMatch(/above this process's limit/);
  }, 30_000);

  it('says plainly when the hosts need more descriptors than the hard limit allows', async () => {
    const dir = tempDir();
    await writeConfig(dir, 100);
    const { code, stderr } = await runUnderLimit(dir, 100, 128);
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`WARN 100 hosts keep about ${descriptorsNeeded(100, 0)} files open, above this process's limit of 128 \\(hard limit 128\\): .*raise LimitNOFILE=`));
  }, 30_000);

  it('reads this process\'s limits', () => {
    const limits = fdLimits();
    expect(limits?.soft).toBeGreaterThan(0);
    expect(limits!.hard).toBeGreaterThanOrEqual(limits!.soft);
  });
});
