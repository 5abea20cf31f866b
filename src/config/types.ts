/**
 * The resolved configuration: every default filled in, every path absolute, every
 * duration in milliseconds. Everything after config loading sees only this, read-only.
 */
export type Transport = 'ssh' | 'local';
export type HostKeyPolicy = 'strict' | 'accept-new';
export type Severity = 'info' | 'warning' | 'critical';
export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface Settings {
  readonly concurrency: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** Absolute path of the SQLite file. */
  readonly database: string;
  /** Absolute path of the keys directory. */
  readonly keysDir: string;
  readonly remoteDir: string;
  /** How long raw samples are kept. */
  readonly retentionMs: number;
  /** How long 5-minute roll-ups are kept (at least retentionMs). */
  readonly rollupRetentionMs: number;
  /** How long hourly roll-ups are kept (at least rollupRetentionMs). */
  readonly hourlyRetentionMs: number;
  /** Largest collector stdout accepted, bytes. */
  readonly maxOutputBytes: number;
  /** Most samples accepted from one host's poll (like Prometheus's sample_limit); a poll over it fails alone. */
  readonly maxSamples: number;
}

export interface Host {
  readonly name: string;
  readonly transport: Transport;
  /** Address to connect to; the name when not given. */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** Absolute path, `~` expanded; undefined when auth goes through ssh-agent only. */
  readonly identityFile: string | undefined;
  /** Name of the environment variable holding the identity file's passphrase. */
  readonly passphraseEnv: string | undefined;
  readonly knownHosts: string;
  readonly hostKeyPolicy: HostKeyPolicy;
  /** Node binary on the host. */
  readonly node: string;
  readonly remoteDir: string;
  /** Name of another host to jump through, or undefined. */
  readonly proxyJump: string | undefined;
  readonly groups: readonly string[];
}

/** What every mail transport has: sender, recipients, and how long the outbox keeps trying. */
interface MailCommon {
  readonly from: string;
  readonly to: readonly string[];
  /** A message still unsent this long after it was queued is given up (logged, kept in the outbox table). */
  readonly giveUpAfterMs: number;
}

export type MailConfig =
  | (MailCommon & {
      readonly transport: 'smtp';
      readonly host: string;
      readonly port: number;
      readonly security: 'none' | 'starttls' | 'tls';
      readonly user: string | undefined;
      readonly passwordEnv: string | undefined;
      /** Absolute path of a PEM file with extra CAs to trust. */
      readonly caFile: string | undefined;
      /** Longest wait to connect and for the greeting, ms; a silence later gets 2×, a whole message 4×. */
      readonly timeoutMs: number;
    })
  | (MailCommon & {
      readonly transport: 'file';
      /** Absolute path of the directory where .eml files are written. */
      readonly dir: string;
    });

export interface AlertRule {
  readonly name: string;
  readonly metric: string;
  /** Label matchers, all must equal: {mount: "/"}. */
  readonly labels: Readonly<Record<string, string>>;
  readonly op: CompareOp;
  readonly value: number;
  /** Averaging window, ms; 0 means the last sample. */
  readonly windowMs: number;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** Hysteresis: once firing, resolve only when the averaged value passes this limit. */
  readonly clear: number | undefined;
  readonly repeatMs: number;
  readonly severity: Severity;
  readonly sendResolved: boolean;
  /** Scope: host names (empty = all). */
  readonly hosts: readonly string[];
  /** Scope: group names (empty = all). */
  readonly groups: readonly string[];
  /** Recipients for this rule; the mail `to` when not given. */
  readonly to: readonly string[] | undefined;
}

/** A dead-man's switch: a GET to `url` after good runs, so a watcher outside notices when metrix stops. */
export interface HeartbeatConfig {
  /** The whole URL, token and all: only the ping sends it; logs and `config check` show its origin (http-url.ts). */
  readonly url: string;
  /** At most one ping per this long, ms (measured from run start to run start); 0: after every good run. */
  readonly everyMs: number;
  /** Deadline for the whole ping, redirects included, ms. */
  readonly timeoutMs: number;
}

/** `metrix serve` (config <web>; its flags override each). */
export interface WebConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** Absolute paths of the PEM certificate (chain) and private key; HTTPS when both are given. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  /** Plain HTTP on an address other hosts can reach: refused unless this is set. */
  readonly insecure: boolean;
  /** Names (lower case) a request's Host may give besides IP addresses and localhost: see src/serve/host-check.ts. */
  readonly hostNames: readonly string[];
}

/** How remote write logs in: not at all, a bearer token, or HTTP Basic; secrets come from the environment only. */
export type RemoteWriteAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly tokenEnv: string }
  | { readonly kind: 'basic'; readonly user: string; readonly passwordEnv: string };

/** Pushing stored samples to a Prometheus-compatible store (remote write 1.0), from a queue in the database. */
export interface RemoteWriteConfig {
  /** The whole URL: only requests send it; logs and `config check` show its origin (http-url.ts). */
  readonly url: string;
  /** Deadline of one request, answer included, ms. */
  readonly timeoutMs: number;
  readonly auth: RemoteWriteAuth;
  /** Absolute path of a PEM file with extra CAs to trust (https). */
  readonly caFile: string | undefined;
  /** Most samples waiting in the queue; beyond it the oldest are dropped (and counted). */
  readonly maxQueued: number;
  /** Labels added to every series sent (a series' own labels and `host` win). */
  readonly labels: Readonly<Record<string, string>>;
}

/** Which hosts a check or log applies to: named hosts plus members of named groups; every host when both are empty. */
export interface HostSelection {
  readonly hosts: readonly string[];
  readonly groups: readonly string[];
}

/** A Nagios-compatible plugin run by the collector on the hosts it selects. */
export interface CheckConfig extends HostSelection {
  readonly name: string;
  /** One shell command line, run by /bin/sh -c on the host. */
  readonly command: string;
  readonly everyMs: number;
  readonly timeoutMs: number;
}

/** A log file followed by the collector on the hosts it selects. */
export interface LogConfig extends HostSelection {
  readonly name: string;
  /** Absolute path on the host. */
  readonly path: string;
  /** A regular expression from the safe subset (client-script/src/logs-pattern.ts). */
  readonly match: string;
  readonly ignoreCase: boolean;
}

export interface Config {
  /** Absolute path of the config file this was read from. */
  readonly path: string;
  readonly settings: Settings;
  readonly hosts: readonly Host[];
  /** group name -> host names, in config order. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly mail: MailConfig;
  readonly alerts: readonly AlertRule[];
  /** Absent without a <heartbeat> element. */
  readonly heartbeat?: HeartbeatConfig;
  /** `metrix serve`'s listen address and TLS files, defaults filled in; absent without a <web> element. */
  readonly web?: WebConfig;
  /** Absent without a <remoteWrite> element. */
  readonly remoteWrite?: RemoteWriteConfig;
  readonly checks: readonly CheckConfig[];
  readonly logs: readonly LogConfig[];
}
