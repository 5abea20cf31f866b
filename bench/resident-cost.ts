/**
 * Host-side CPU of one warm poll: a resident collector (`--serve`, as `metrix run` keeps one
 * per host) started here on a pipe, asked N requests one after another, each answer opened and
 * checked. CPU from /proc: the collector's own (Node: collecting, sealing, starting helpers)
 * and its reaped children's (the `stat -f` helper for the mounts). Asserts nothing.
 *   node dist/bench/resident-cost.js [--requests 500] [--mounts] [--cpu-prof DIR]
 * --cpu-prof writes the resident's V8 profile (it exits when its stdin ends).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectMounts, parseMounts, readMounts } from '../client-script/src/collectors/mounts.js';
import { KeyStore } from '../src/crypto/key-store.js';
import { openSealed } from '../src/crypto/sealed.js';
import { TICK_MS } from './proc.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '20' },
    gap: { type: 'string', default: '0' },
    'no-mounts': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const requests = Number(values.requests);
const WARMUP_REQUESTS = Number(values.warmup);
const GAP_MS = Number(values.gap);
const HOST = 'bench-host';

function ticks(pid: number): { user: number; sys: number; own: number; children: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const [user, sys] = [Number(fields[11]), Number(fields[12])];
  return { user, sys, own: user + sys, children: Number(fields[13]) + Number(fields[14]) };
}

/** A /proc for the collector: the real files it reads, but an empty mount table. */
function procWithoutMounts(root: string): string {
  mkdirSync(join(root, 'self'), { recursive: true });
  for (const file of ['stat', 'meminfo', 'loadavg', 'uptime', 'diskstats', 'net']) symlinkSync(join('/proc', file), join(root, file));
  writeFileSync(join(root, 'self', 'mounts'), '');
  return root;
}

const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-resident-'));
try {
  const bundle = join(dir, 'metrix-collector.js');
  copyFileSync(fileURLToPath(new URL('../collector/metrix-collector.js', import.meta.url)), bundle);
  copyFileSync(fileURLToPath(new URL('../collector/package.json', import.meta.url)), join(dir, 'package.json'));
  const keys = KeyStore.open(join(dir, 'keys')).store;
  const hostKeys = keys.ensureHostKeys(HOST);
  const keyPath = keys.hostKeyPath(HOST);
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  const procRoot = values['no-mounts'] ? procWithoutMounts(join(dir, 'proc')) : '/proc';
  const args = [bundle, '--serve', '--key', keyPath, '--state', join(dir, 'state.json'), '--proc-root', procRoot];
  const child = spawn(process.execPath, [...profile, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout });
  const pending: Array<(line: string) => void> = [];
  answers.on('line', (line) => pending.shift()?.(line));
  let bytes = 0;
  const ask = async (n: number): Promise<void> => {
    const challenge = Buffer.from(`challenge-${n}-0123456789`).toString('base64');
    const line = await new Promise<string>((resolve) => {
      pending.push(resolve);
      child.stdin.write(`--challenge ${challenge} --deadline-ms 30000\n`);
    });
    bytes += line.length + 1;
    const opened = openSealed(`${line}\n`, { host: HOST, challenge, sharedKey: hostKeys.sharedKey });
    if (!opened.ok) throw new Error(`answer ${n} does not open: ${opened.failure.message}`);
  };
  for (let i = 0; i < WARMUP_REQUESTS; i++) await ask(i);
  bytes = 0;
  const before = ticks(child.pid!);
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    if (GAP_MS > 0) await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    await ask(WARMUP_REQUESTS + i);
  }
  const seconds = (performance.now() - started) / 1000 - (GAP_MS * requests) / 1000;
  const after = ticks(child.pid!);
  const mounts = selectMounts(parseMounts(readMounts(procRoot))).length;
  const perRequest = (t: number): string => ((t * TICK_MS) / requests).toFixed(2);
  console.log(`resident collector, ${requests} requests ${GAP_MS ? `${GAP_MS} ms apart` : 'one after another'} (after ${WARMUP_REQUESTS} not counted); ${process.version}; ${mounts} mount(s) polled here`);
  console.log(`  latency ${((seconds / requests) * 1000).toFixed(2)} ms a request; answer ${(bytes / requests).toFixed(0)} bytes`);
  console.log(
    `  CPU per request: collector (Node) ${perRequest(after.own - before.own)} ms (user ${perRequest(after.user - before.user)}, system ${perRequest(after.sys - before.sys)}), ` +
      `its child processes (statfs) ${perRequest(after.children - before.children)} ms`,
  );
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
