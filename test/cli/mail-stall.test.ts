import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { startSilentServer } from '../mail/smtp-server.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A mail server that accepts the connection and then stalls must not keep metrix alive:
 * the real CLI (dist/, as cron runs it) against servers that never greet, greet and then
 * fall silent, or trickle an answer that never ends. Each must exit with a clear error; a
 * process that hangs fails the test by its timeout and is killed here. The timeout is generous
 * (the machine may be busy): it is a guard against a hang, not a measure of speed.
 */
const children = new Set<ChildProcess>();
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function stallingServer(kind: 'silent' | 'greets' | 'trickles'): Promise<number> {
  const server = await startSilentServer(kind === 'silent' ? undefined : '220 stall.example ESMTP', { trickle: kind === 'trickles' });
  stops.push(server.stop);
  return server.port;
}

function project(port: number): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <hosts><host name="localhost" transport="local"/></hosts>
  <mail host="127.0.0.1" port="${port}" security="none" timeout="2s" from="metrix@example.org" to="ops@example.org"/>
  <alerts><alert name="mem-any" metric="mem_percent" op="&gt;" value="0"/></alerts>
</metrix>`,
  );
  return dir;
}

/** Runs bin/metrix.js and resolves when the process has exited (never on a timer). */
function metrix(dir: string, args: readonly string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'metrix.js'), ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close': the process has exited and its stderr is drained.
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stderr });
    }),
  );
}

const EXPECTED = {
  silent: /sent no SMTP greeting within 2s/,
  greets: /went silent for 4s in the middle of the session/,
  trickles: /answers too slowly: no complete SMTP session within 8s/,
} as const;

describe('a stalling SMTP server cannot keep metrix running', () => {
  it.each(['silent', 'greets', 'trickles'] as const)('mail test against a server that %s: exit 1 with the reason', async (kind) => {
    const dir = project(await stallingServer(kind));
    const run = await metrix(dir, ['mail', 'test']);
    expect(run).toMatchObject({ code: 1, signal: null });
    expect(run.stderr).toMatch(/^metrix: mail test failed \(connection\): 127\.0\.0\.1:\d+ /m);
    expect(run.stderr).toMatch(EXPECTED[kind]);
  }, 120_000);

  it.each(['silent', 'greets', 'trickles'] as const)('execute sending an alert to a server that %s: logs the failure and exits', async (kind) => {
    const dir = project(await stallingServer(kind));
    const run = await metrix(dir, ['execute']);
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stderr).toMatch(/ERROR .*mail ".*" not sent \(connection\): 127\.0\.0\.1:\d+ /);
    expect(run.stderr).toMatch(EXPECTED[kind]);
  }, 120_000);
});
