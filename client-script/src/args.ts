import { dirname, join } from 'path';
import { decodeSpec, type WatchSpec } from './checks-spec.js';
import { usageFailure } from './failure.js';
import { HOST_KEY_FILE, STATE_FILE } from './protocol.js';

export interface Options {
  readonly challenge: string | undefined;
  readonly keyPath: string;
  readonly warmupMs: number;
  readonly procRoot: string;
  readonly sysRoot: string;
  readonly statfsTimeoutMs: number;
  /** A replacement statfs helper (tests); undefined means `stat -f`. */
  readonly statfsCmd: string | undefined;
  /** Where the collector keeps what it must remember between polls (hung statfs helpers, ...). */
  readonly statePath: string;
  readonly print: boolean;
  /** Stay up: answer one request line from stdin per poll (metrix run). */
  readonly serve: boolean;
  /** With --serve: exit when no request came for this long (0 = never). */
  readonly idleMs: number;
  readonly help: boolean;
  /** Give up after this long (0 = never): the poller's command timeout, enforced here too. */
  readonly deadlineMs: number;
  /** The checks and logs the poller asks for in this poll (checks-spec.ts); undefined: none. */
  readonly spec: WatchSpec | undefined;
  /** `--spec -`: the spec comes on stdin (one-shot polls: kept out of `ps`), read by runCollector. */
  readonly specOnStdin: boolean;
}

export const USAGE = `usage: metrix-collector --challenge <base64> [--key <path>] [--state <path>] [--warmup-ms N]
         [--proc-root DIR] [--sys-root DIR] [--statfs-timeout-ms N] [--statfs-cmd PATH] [--deadline-ms N] [--print]
       metrix-collector --serve [--key <path>] [--state <path>] [...]
Collects this host's metrics and prints them as one sealed line for the metrix poller.
  --challenge <base64>    the poller's fresh challenge, carried in the sealed report
  --key <path>            host key file (default: ${HOST_KEY_FILE} beside this script)
  --state <path>          file kept between polls (default: ${STATE_FILE} beside the key file)
  --serve                 stay up: read one request line per poll from stdin, answer one line on stdout
  --idle-ms N             with --serve: exit when no request came for N ms (a poller gone without closing)
  --warmup-ms N           read the counters twice, N ms apart, so rates exist at once
  --proc-root DIR         read /proc from DIR (default /proc)
  --sys-root DIR          read /sys from DIR (default /sys)
  --statfs-timeout-ms N   give up on a mount whose statfs takes longer (default 2000)
  --statfs-cmd PATH       run PATH <mount> instead of stat -f; it prints "frsize blocks bfree bavail files ffree"
  --spec <base64url>|-    checks to run and logs to read in this poll, from the poller's config (- : one line on stdin)
  --deadline-ms N         exit (status 5) if not done after N ms; the poller passes its command timeout
  --print                 print the report as readable JSON instead of sealing it (no key needed)
  --help                  show this text`;

const MAX_MS = 60000;
// The poller's challenges are random bytes in base64 or base64url; anything far longer is not one.
const CHALLENGE = /^[A-Za-z0-9+/_-]{1,1024}={0,2}$/;

type Spec = { readonly flag: true } | { readonly flag: false; readonly name: string };
const SPECS: Readonly<Record<string, Spec>> = {
  '--challenge': { flag: false, name: 'challenge' },
  '--key': { flag: false, name: 'key' },
  '--state': { flag: false, name: 'state' },
  '--warmup-ms': { flag: false, name: 'warmup-ms' },
  '--proc-root': { flag: false, name: 'proc-root' },
  '--sys-root': { flag: false, name: 'sys-root' },
  '--statfs-timeout-ms': { flag: false, name: 'statfs-timeout-ms' },
  '--statfs-cmd': { flag: false, name: 'statfs-cmd' },
  '--deadline-ms': { flag: false, name: 'deadline-ms' },
  '--spec': { flag: false, name: 'spec' },
  '--idle-ms': { flag: false, name: 'idle-ms' },
  '--print': { flag: true },
  '--serve': { flag: true },
  '--help': { flag: true },
};

function toMs(option: string, text: string | undefined, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw usageFailure(`${option} wants a whole number of milliseconds from ${min} to ${max}, got "${text}"`);
  return value;
}

/** Reads the command line (without `node` and the script path); `scriptDir` locates the default key file. */
export function parseArgs(argv: readonly string[], scriptDir: string): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const option = arg.indexOf('--') === 0 && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = SPECS[option];
    if (spec === undefined) throw usageFailure(`unknown argument "${arg}" (see --help)`);
    if (spec.flag) {
      if (option !== arg) throw usageFailure(`${option} takes no value`);
      flags.add(option);
      continue;
    }
    const value = option !== arg ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw usageFailure(`${option} needs a value`);
    values.set(spec.name, value);
  }
  const print = flags.has('--print');
  const help = flags.has('--help');
  const serve = flags.has('--serve');
  const challenge = values.get('challenge');
  if (serve && (print || challenge !== undefined)) throw usageFailure('--serve takes its challenges from stdin, one request per line; --challenge and --print do not go with it');
  if (challenge === undefined && !print && !help && !serve) throw usageFailure('--challenge is required: the poller passes a fresh one on every run');
  if (challenge !== undefined && !CHALLENGE.test(challenge)) throw usageFailure('--challenge must be base64 or base64url');
  const keyPath = values.get('key') || join(scriptDir, HOST_KEY_FILE);
  const specText = values.get('spec');
  const decoded = specText === undefined || specText === '-' ? undefined : decodeSpec(specText);
  if (decoded !== undefined && 'problem' in decoded) throw usageFailure(`--spec: ${decoded.problem}`);
  return {
    challenge,
    keyPath,
    statePath: values.get('state') || join(dirname(keyPath), STATE_FILE),
    warmupMs: toMs('--warmup-ms', values.get('warmup-ms'), 0, MAX_MS, 0),
    procRoot: values.get('proc-root') || '/proc',
    sysRoot: values.get('sys-root') || '/sys',
    statfsTimeoutMs: toMs('--statfs-timeout-ms', values.get('statfs-timeout-ms'), 1, MAX_MS, 2000),
    statfsCmd: values.get('statfs-cmd'),
    print,
    serve,
    help,
    deadlineMs: toMs('--deadline-ms', values.get('deadline-ms'), 0, 24 * 3600 * 1000, 0),
    idleMs: toMs('--idle-ms', values.get('idle-ms'), 0, 7 * 24 * 3600 * 1000, 0),
    spec: decoded === undefined ? undefined : decoded.spec,
    specOnStdin: specText === '-',
  };
}
