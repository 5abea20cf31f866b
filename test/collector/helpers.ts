import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nacl from 'tweetnacl';
import { SEAL_TAG, type HostKeyFile, type Report, type Sample } from '../../client-script/src/protocol.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = join(REPO, 'test/fixtures/collector');
export const BUNDLE_NAME = 'metrix-collector.js';

export const fixture = (relative: string): string => readFileSync(join(FIXTURES, relative), 'utf8');

/** What a fake statfs helper answers for each mount of the fixture /proc: frsize blocks bfree bavail files ffree. */
export const FIXTURE_STATFS: Readonly<Record<string, string>> = {
  '/': '4096 1000000 250000 250000 1000000 750000',
  '/boot': '4096 262144 196608 196608 524288 524000',
  '/data/run 2024': '4096 1000000 100000 50000 0 0',
  '/dev/shm': '4096 4194304 209715 209715 4194304 4194000',
  '/home': '1048576 1000000 600000 600000 2000000 1500000',
  '/lustre': '4096 10000000 5000000 5000000 1000000 900000',
  '/run': '4096 3290000 3280000 3280000 4100000 4099000',
  '/scratch': '4096 2000000 1000000 900000 1000000 1000000',
  '/tmp': '4096 1000000 900000 900000 1000000 999000',
};
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');


/**
 * Builds the collector as the project does, into a private folder, and copies only the
 * bundle into a fresh empty directory: nothing beside it, not even a package.json.
 */
export function buildIntoTempDir(): string {
  const build = mkdtempSync(join(tmpdir(), 'metrix-collector-build-'));
  execFileSync(process.execPath, ['scripts/build-collector.js', '--outfile', join(build, BUNDLE_NAME)], { cwd: REPO, stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'metrix-collector-'));
  copyFileSync(join(build, BUNDLE_NAME), join(dir, BUNDLE_NAME));
  rmSync(build, { recursive: true, force: true });
  return dir;
}

export interface TestKeys {
  readonly poller: nacl.BoxKeyPair;
  readonly host: nacl.BoxKeyPair;
}

export function writeKeyFile(path: string, hostName: string, keys: TestKeys): void {
  const file: HostKeyFile = { v: 1, host: hostName, secretKey: b64(keys.host.secretKey), pollerPublicKey: b64(keys.poller.publicKey) };
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
}

/** An executable shell script, for fake statfs and nvidia-smi helpers. */
export function writeScript(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundle with this Node; kills it after `limitMs` so a hang fails the test instead of stalling it. */
export function runBundle(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, limitMs = 20_000): Promise<Run> {
  return runProgram(process.execPath, [join(dir, BUNDLE_NAME), ...args], dir, env, limitMs);
}

/** Runs `program` in `cwd` to its end, or kills it after `limitMs`; collects what it printed. */
export function runProgram(program: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env, limitMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Opens a sealed line the way the poller does, failing loudly at the first thing that is off. */
export function openLine(line: string, keys: TestKeys): Report {
  const parts = line.split(' ');
  if (parts.length !== 3 || parts[0] !== SEAL_TAG) throw new Error(`not a sealed line: ${line.slice(0, 60)}`);
  const opened = nacl.box.open(Buffer.from(parts[2]!, 'base64'), Buffer.from(parts[1]!, 'base64'), keys.host.publicKey, keys.poller.secretKey);
  if (opened === null) throw new Error('sealed line does not open with the test keys');
  return JSON.parse(Buffer.from(opened).toString('utf8')) as Report;
}

export const newKeys = (): TestKeys => ({ poller: nacl.box.keyPair(), host: nacl.box.keyPair() });

/** The value of metric `m` with labels `l` (none when omitted) in a list of samples. */
export function valueOf(samples: readonly Sample[], m: string, l?: Record<string, string>): number | undefined {
  const key = JSON.stringify(l ?? null);
  return samples.find((s) => s.m === m && JSON.stringify(s.l ?? null) === key)?.v;
}
