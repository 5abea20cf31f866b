import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, parseRequest } from '../../client-script/src/serve.js';
import { COLLECTOR_EXIT, HOST_KEY_FILE, REPLACED_EXIT } from '../../client-script/src/protocol.js';
import { buildIntoTempDir, BUNDLE_NAME, FIXTURES, newKeys, openLine, writeKeyFile, writeScript } from './helpers.js';

const HOST = 'serve-test';
const keys = newKeys();
let dir = '';
const running = new Set<ChildProcessWithoutNullStreams>();

/** The resident collector on fixture /proc and /sys, with a statfs stand-in that answers at once (or sleeps). */
function startResident(statfs = 'echo 4096 1000 500 400 100 50', extra: readonly string[] = []): Resident {
  const helper = writeScript(join(dir, `statfs-${running.size}`), statfs);
  const child = spawn(
    process.execPath,
    [join(dir, BUNDLE_NAME), '--serve', '--proc-root', join(FIXTURES, 'proc'), '--sys-root', join(FIXTURES, 'sys'), '--statfs-cmd', helper, '--statfs-timeout-ms', '60000', ...extra],
    { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  running.add(child);
  return new Resident(child);
}

class Resident {
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  #stdout = '';
  #waiting: Array<(line: string) => void> = [];
  #stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.#stdout += chunk.toString('utf8');
      for (let nl = this.#stdout.indexOf('\n'); nl >= 0 && this.#waiting.length > 0; nl = this.#stdout.indexOf('\n')) {
        const line = this.#stdout.slice(0, nl);
        this.#stdout = this.#stdout.slice(nl + 1);
        this.#waiting.shift()!(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stderr: this.#stderr });
    }));
  }

  /** Resolves with the next answer line. */
  expect(): Promise<string> {
    return new Promise<string>((resolve) => this.#waiting.push(resolve));
  }

  /** Writes one request and resolves with the one line that answers it. */
  ask(request: string): Promise<string> {
    const answer = this.expect();
    this.child.stdin.write(`${request}\n`);
    return answer;
  }

  /** What it printed that no answer took. */
  unread(): string {
    return this.#stdout;
  }
}

beforeAll(() => {
  dir = buildIntoTempDir();
  writeKeyFile(join(dir, HOST_KEY_FILE), HOST, keys);
});
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  // Helpers of a collector that gave up are its own children's business in production (they are
  // abandoned on purpose); here they are plain sleeps, and the test run must not leave them.
  const sleepers = join(dir, 'sleepers');
  if (existsSync(sleepers)) for (const pid of readFileSync(sleepers, 'utf8').split('\n').filter(Boolean)) killQuietly(Number(pid));
  rmSync(sleepers, { force: true });
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the resident collector (--serve)', () => {
  it('answers each request line with one sealed report for that request\'s challenge', async () => {
    const resident = startResident();
    const challenges = ['c2VydmUtMQ==', 'c2VydmUtMg==', 'c2VydmUtMw=='];
    const lines: string[] = [];
    for (const challenge of challenges) lines.push(await resident.ask(`--challenge ${challenge} --deadline-ms 20000`));
    const reports = lines.map((line) => openLine(line, keys));
    expect(reports.map((report) => report.challenge)).toEqual(challenges);
    expect(reports.every((report) => report.host === HOST && report.gauges.some((g) => g.m === 'disk_used_percent'))).toBe(true);
    // A fresh nonce per answer: the same process never repeats one.
    expect(new Set(lines.map((line) => line.split(' ')[1])).size).toBe(3);
    resident.child.stdin.end();
    expect((await resident.exited).code).toBe(0);
  });

  it('reads counters twice when a request asks for a warm-up', async () => {
    const resident = startResident();
    const report = openLine(await resident.ask('--challenge d2FybQ== --deadline-ms 20000 --warmup-ms 50'), keys);
    expect(report.baseline?.counters.length).toBeGreaterThan(0);
    resident.child.stdin.end();
    await resident.exited;
  });

  it('answers requests written in one chunk, in order, and a request split across chunks', async () => {
    const resident = startResident();
    const answers = [resident.expect(), resident.expect(), resident.expect()];
    resident.child.stdin.write('--challenge b25l --deadline-ms 20000\n--challenge dHdv --deadline-ms 20000\n--chall');
    resident.child.stdin.write('enge dGhyZWU= --deadline-ms 20000\n');
    expect((await Promise.all(answers)).map((line) => openLine(line, keys).challenge)).toEqual(['b25l', 'dHdv', 'dGhyZWU=']);
    resident.child.stdin.end();
    await resident.exited;
  });

  it('exits with its own status instead of answering once a new collector is renamed into place (a new upload)', async () => {
    const resident = startResident();
    await resident.ask('--challenge YmVmb3Jl --deadline-ms 20000');
    copyFileSync(join(dir, BUNDLE_NAME), join(dir, 'next.js'));
    renameSync(join(dir, 'next.js'), join(dir, BUNDLE_NAME));
    resident.child.stdin.write('--challenge YWZ0ZXI= --deadline-ms 20000\n');
    const { code } = await resident.exited;
    expect(code).toBe(REPLACED_EXIT);
    expect(resident.unread()).toBe('');
  });

  it('exits by itself when no request comes within --idle-ms (a poller gone without closing)', async () => {
    const resident = startResident(undefined, ['--idle-ms', '300']);
    await resident.ask('--challenge aWRsZQ== --deadline-ms 20000');
    expect((await resident.exited).code).toBe(0);
  });

  it('finishes the answer under way when told to stop, then exits', async () => {
    const resident = startResident();
    await resident.ask('--challenge cmVhZHk= --deadline-ms 20000'); // up and serving
    const answer = resident.expect();
    // A warm-up keeps this poll under way for 3 s: the signal comes in its middle.
    resident.child.stdin.write('--challenge c3RvcA== --deadline-ms 20000 --warmup-ms 3000\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    resident.child.kill('SIGTERM');
    expect(openLine(await answer, keys).challenge).toBe('c3RvcA==');
    expect((await resident.exited).code).toBe(0);
  });

  it('exits at once when told to stop while idle', async () => {
    const resident = startResident();
    await resident.ask('--challenge aWRsZQ== --deadline-ms 20000');
    resident.child.kill('SIGTERM');
    expect((await resident.exited).code).toBe(0);
  });

  it('gives up a poll past its deadline with the one-shot run\'s status', async () => {
    const resident = startResident();
    const exited = resident.exited;
    resident.child.stdin.write('--challenge c2xvdw== --deadline-ms 300 --warmup-ms 5000\n');
    const { code, stderr } = await exited;
    expect(code).toBe(COLLECTOR_EXIT.deadline);
    expect(stderr).toMatch(/^metrix-collector: gave up after 300 ms/);
  });

  it.each([
    ['an option that is not per poll', '--key /etc/shadow --challenge YQ==', /request: unexpected "--key"/],
    ['no challenge', '--deadline-ms 100', /--challenge is required/],
    ['a bad challenge', '--challenge a!b', /--challenge must be base64/],
  ])('stops with a usage failure on %s', async (_name, request, message) => {
    const resident = startResident();
    resident.child.stdin.write(`${request}\n`);
    const { code, stderr } = await resident.exited;
    expect(code).toBe(COLLECTOR_EXIT.usage);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('stops on a request line longer than any poller would write', async () => {
    const resident = startResident();
    // Room for a spec of checks and logs (checks-spec.ts), and not a byte more.
    resident.child.stdin.write('x'.repeat(MAX_REQUEST_BYTES + 1));
    const { code, stderr } = await resident.exited;
    expect(code).toBe(COLLECTOR_EXIT.usage);
    expect(stderr).toMatch(new RegExp(`request line longer than ${MAX_REQUEST_BYTES} bytes`));
  });

  it('fails at start, before any request, when its key file is missing', async () => {
    rmSync(join(dir, 'other'), { recursive: true, force: true });
    const child = spawn(process.execPath, [join(dir, BUNDLE_NAME), '--serve', '--key', join(dir, 'other', 'none.key')], { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    const { code, stderr } = await new Resident(child).exited;
    expect(code).toBe(COLLECTOR_EXIT.keys);
    expect(stderr).toMatch(/key file .*none\.key not found/);
  });
});

describe('parseRequest', () => {
  it('takes the per-poll options', () => {
    expect(parseRequest('--challenge YQ== --deadline-ms 1500 --warmup-ms 300')).toEqual({ challenge: 'YQ==', deadlineMs: 1500, warmupMs: 300 });
  });
});
