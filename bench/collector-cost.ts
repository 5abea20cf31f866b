/**
 * Host-side CPU of one cold collector run, as `metrix execute` starts it: a new Node process per
 * poll. For each case, N runs of the bundle copied alone into an empty directory (as on a host),
 * on this machine's /proc; each run's user+sys CPU comes from bash's `times` for its children
 * (node and the statfs helpers it waits for). Cases are interleaved run by run, so a burst of
 * load elsewhere hits them all alike. Prints mean and median per case; checks that every sealed
 * line opens, asserts nothing else.
 *   npm run bench:collector -- [--runs 30] [--bundle dist/collector/metrix-collector.js] [--node PATH]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HostKeyFile } from '../client-script/src/protocol.js';
import { KeyStore, serializeHostKeyFile } from '../src/crypto/key-store.js';
import { openSealed } from '../src/crypto/sealed.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    bundle: { type: 'string', default: fileURLToPath(new URL('../collector/metrix-collector.js', import.meta.url)) },
    node: { type: 'string', default: process.execPath },
  },
});
const runs = Number(values.runs);
const HOST = 'bench-host';
const CHALLENGE = 'q0lZ8r3Nf1mXJc2k9vT7yA==';

interface Case {
  readonly label: string;
  readonly args: readonly string[];
  /** Throws when the run's output is not what the case should print. */
  readonly check: (stdout: string) => void;
}

/** One run under bash; its last stderr line is `times`' children line: "0m0.081s 0m0.012s". */
function cpuMsOf(command: readonly string[], cwd: string): { ms: number; stdout: string } {
  const run = spawnSync('bash', ['-c', '"$@"; s=$?; times >&2; exit $s', 'bench', ...command], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${command.join(' ')} exited ${run.status}: ${run.stderr}`);
  const children = run.stderr.trimEnd().split('\n').pop() ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read the CPU times of ${command.join(' ')}: ${run.stderr}`);
  return { ms: (seconds[0]! + seconds[1]!) * 1000, stdout: run.stdout };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-collector-'));
try {
  const bundle = join(dir, 'metrix-collector.js');
  copyFileSync(values.bundle, bundle);
  const keys = KeyStore.open(join(dir, 'keys')).store.ensureHostKeys(HOST);
  // An old key file is the one upload placed before the shared key was in it; the precomputed
  // one carries it whether or not this KeyStore already writes it, so old bundles run here too.
  const { sharedKey: _dropped, ...oldFile } = keys.file as HostKeyFile & { sharedKey?: string };
  const withShared = { ...oldFile, sharedKey: Buffer.from(keys.sharedKey).toString('base64') };
  writeFileSync(join(dir, 'old.key'), serializeHostKeyFile(oldFile), { mode: 0o600 });
  writeFileSync(join(dir, 'shared.key'), serializeHostKeyFile(withShared as HostKeyFile), { mode: 0o600 });

  const opens = (stdout: string): void => {
    const opened = openSealed(stdout, { host: HOST, challenge: CHALLENGE, sharedKey: keys.sharedKey });
    if (!opened.ok) throw new Error(`sealed output does not open: ${opened.failure.message}`);
  };
  const sealed = (key: string): string[] => [bundle, '--challenge', CHALLENGE, '--key', join(dir, key), '--state', join(dir, 'state.json')];
  const cases: readonly Case[] = [
    { label: 'node -e 0', args: ['-e', '0'], check: () => undefined },
    { label: 'load only (--help)', args: [bundle, '--help'], check: (out) => { if (!out.startsWith('usage:')) throw new Error(`--help printed ${out.slice(0, 40)}`); } },
    { label: '--print', args: [bundle, '--print', '--state', join(dir, 'state.json')], check: (out) => void JSON.parse(out) },
    { label: 'sealed, old key file', args: sealed('old.key'), check: opens },
    { label: 'sealed, precomputed key', args: sealed('shared.key'), check: opens },
  ];

  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, k) => {
      const { ms, stdout } = cpuMsOf([values.node, ...c.args], dir);
      c.check(stdout);
      times[k]!.push(ms);
    });
  }

  console.log(`collector CPU (user+sys of node and its children), ${runs} runs each, ${values.node}`);
  console.log(`bundle ${values.bundle}: ${statSync(values.bundle).size} bytes`);
  const base = mean(times[0]!);
  cases.forEach((c, k) => {
    const xs = times[k]!;
    const extra = k === 0 ? '' : `, ${(mean(xs) - base).toFixed(1).padStart(5)} ms over node -e 0`;
    console.log(`${c.label.padEnd(25)} mean ${mean(xs).toFixed(1).padStart(5)} ms, median ${median(xs).toFixed(1).padStart(5)} ms${extra}`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
