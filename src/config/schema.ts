import { DURATION_RANGES, type DurationRange } from './duration.js';

/**
 * The shape of config.xml in one table: which elements may appear where and how often,
 * which attributes each takes and what kind of value each attribute holds.
 */
export type AttrSpec =
  | { readonly kind: 'text' }
  /** a local file or directory; resolved later against the config file's directory */
  | { readonly kind: 'path' }
  /** a directory on the remote hosts: must be absolute */
  | { readonly kind: 'remote-dir' }
  /** a host, group or rule name: letters, digits, . _ -, at most MAX_NAME_LENGTH */
  | { readonly kind: 'name' }
  /** a network address: host name, IPv4 or IPv6 literal */
  | { readonly kind: 'host' }
  | { readonly kind: 'names' }
  | { readonly kind: 'env-name' }
  | { readonly kind: 'address' }
  /** an http:// or https:// URL; its path and query are never shown in messages (they may hold a token) */
  | { readonly kind: 'url' }
  | { readonly kind: 'addresses' }
  | { readonly kind: 'labels' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'number' }
  /** bounded by `range` (zero allowed only when the range says so); a timeout's range when not given */
  | { readonly kind: 'duration'; readonly range?: DurationRange }
  | { readonly kind: 'size' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

export type AttrSpecs = Readonly<Record<string, AttrSpec>>;

/** The parsed value of an attribute of the given spec. */
export type AttrValue<S extends AttrSpec> = S extends { kind: 'int' | 'number' | 'duration' | 'size' }
  ? number
  : S extends { kind: 'bool' }
    ? boolean
    : S extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : S extends { kind: 'names' | 'addresses' }
        ? readonly string[]
        : S extends { kind: 'labels' }
          ? Readonly<Record<string, string>>
          : string;

/** What an element's attributes parse into; absent or invalid attributes are undefined. */
export type Attrs<T extends AttrSpecs> = { readonly [K in keyof T]?: AttrValue<T[K]> };

const port = { kind: 'int', min: 1, max: 65535 } as const;
const hostKeyPolicy = { kind: 'enum', values: ['strict', 'accept-new'] } as const;

export const SETTINGS_ATTRS = {
  concurrency: { kind: 'int', min: 1, max: 1000 },
  connectTimeout: { kind: 'duration', range: DURATION_RANGES.timeout },
  commandTimeout: { kind: 'duration', range: DURATION_RANGES.timeout },
  database: { kind: 'path' },
  keys: { kind: 'path' },
  remoteDir: { kind: 'remote-dir' },
  retention: { kind: 'duration', range: DURATION_RANGES.retention },
  rollupRetention: { kind: 'duration', range: DURATION_RANGES.retention },
  hourlyRetention: { kind: 'duration', range: DURATION_RANGES.retention },
  maxOutput: { kind: 'size' },
  maxSamples: { kind: 'int', min: 100, max: 1_000_000 },
} as const satisfies AttrSpecs;

export const DEFAULTS_ATTRS = {
  user: { kind: 'text' },
  port,
  identityFile: { kind: 'path' },
  passphraseEnv: { kind: 'env-name' },
  knownHosts: { kind: 'path' },
  hostKeyPolicy,
  node: { kind: 'text' },
  remoteDir: { kind: 'remote-dir' },
} as const satisfies AttrSpecs;

export const HOST_ATTRS = {
  name: { kind: 'name' },
  transport: { kind: 'enum', values: ['ssh', 'local'] },
  address: { kind: 'host' },
  groups: { kind: 'names' },
  proxyJump: { kind: 'name' },
  ...DEFAULTS_ATTRS,
} as const satisfies AttrSpecs;

/** Host attributes that only mean something over SSH; a local host may not carry them. */
export const SSH_ONLY_HOST_ATTRS: readonly (keyof typeof HOST_ATTRS)[] = [
  'address', 'port', 'user', 'proxyJump', 'identityFile', 'passphraseEnv', 'knownHosts', 'hostKeyPolicy', 'node', 'remoteDir',
];

export const MAIL_ATTRS = {
  transport: { kind: 'enum', values: ['smtp', 'file'] },
  from: { kind: 'address' },
  to: { kind: 'addresses' },
  host: { kind: 'host' },
  port,
  security: { kind: 'enum', values: ['none', 'starttls', 'tls'] },
  user: { kind: 'text' },
  passwordEnv: { kind: 'env-name' },
  caFile: { kind: 'path' },
  dir: { kind: 'path' },
  giveUpAfter: { kind: 'duration', range: DURATION_RANGES.giveUpAfter },
  timeout: { kind: 'duration' },
} as const satisfies AttrSpecs;

export const SMTP_ONLY_MAIL_ATTRS: readonly (keyof typeof MAIL_ATTRS)[] = ['host', 'port', 'security', 'user', 'passwordEnv', 'caFile', 'timeout'];
export const FILE_ONLY_MAIL_ATTRS: readonly (keyof typeof MAIL_ATTRS)[] = ['dir'];

export const ALERT_ATTRS = {
  name: { kind: 'name' },
  metric: { kind: 'text' },
  labels: { kind: 'labels' },
  op: { kind: 'enum', values: ['>', '>=', '<', '<=', '==', '!='] },
  value: { kind: 'number' },
  window: { kind: 'duration', range: DURATION_RANGES.window },
  for: { kind: 'duration', range: DURATION_RANGES.hold },
  keepFiringFor: { kind: 'duration', range: DURATION_RANGES.hold },
  clear: { kind: 'number' },
  repeat: { kind: 'duration', range: DURATION_RANGES.repeat },
  severity: { kind: 'enum', values: ['info', 'warning', 'critical'] },
  sendResolved: { kind: 'bool' },
  hosts: { kind: 'names' },
  groups: { kind: 'names' },
  to: { kind: 'addresses' },
} as const satisfies AttrSpecs;

export const HEARTBEAT_ATTRS = {
  url: { kind: 'url' },
  every: { kind: 'duration', range: DURATION_RANGES.heartbeatEvery },
  timeout: { kind: 'duration', range: DURATION_RANGES.heartbeatTimeout },
} as const satisfies AttrSpecs;

/** `metrix serve`: where it listens, its TLS files, and whether plain HTTP may leave loopback. */
export const WEB_ATTRS = {
  listen: { kind: 'text' },
  cert: { kind: 'path' },
  key: { kind: 'path' },
  insecure: { kind: 'bool' },
  hosts: { kind: 'text' },
} as const satisfies AttrSpecs;

export const REMOTE_WRITE_ATTRS = {
  url: { kind: 'url' },
  timeout: { kind: 'duration', range: DURATION_RANGES.remoteWriteTimeout },
  bearerTokenEnv: { kind: 'env-name' },
  user: { kind: 'text' },
  passwordEnv: { kind: 'env-name' },
  caFile: { kind: 'path' },
  maxQueued: { kind: 'int', min: 100, max: 1_000_000_000 },
  labels: { kind: 'labels' },
} as const satisfies AttrSpecs;

/** <check>: a Nagios-compatible plugin the collector runs on the hosts it selects (resolve-checks.ts). */
export const CHECK_ATTRS = {
  name: { kind: 'name' },
  command: { kind: 'text' },
  every: { kind: 'duration', range: DURATION_RANGES.checkEvery },
  timeout: { kind: 'duration', range: DURATION_RANGES.checkTimeout },
  hosts: { kind: 'names' },
  groups: { kind: 'names' },
} as const satisfies AttrSpecs;

/** <log>: a file on the hosts it selects, followed by the collector, lines matching `match` counted. */
export const LOG_ATTRS = {
  name: { kind: 'name' },
  path: { kind: 'text' },
  match: { kind: 'text' },
  ignoreCase: { kind: 'bool' },
  hosts: { kind: 'names' },
  groups: { kind: 'names' },
} as const satisfies AttrSpecs;

export interface ElementSpec {
  readonly attributes: AttrSpecs;
  readonly required: readonly string[];
  /** Child element name -> whether it may repeat. */
  readonly children: Readonly<Record<string, 'once' | 'many'>>;
}

export const ROOT_ELEMENT = 'metrix';

export const ELEMENTS: Readonly<Record<string, ElementSpec>> = {
  metrix: {
    attributes: {},
    required: [],
    children: { settings: 'once', defaults: 'once', hosts: 'once', mail: 'once', alerts: 'once', heartbeat: 'once', web: 'once', remoteWrite: 'once', checks: 'once', logs: 'once' },
  },
  settings: { attributes: SETTINGS_ATTRS, required: [], children: {} },
  defaults: { attributes: DEFAULTS_ATTRS, required: [], children: {} },
  hosts: { attributes: {}, required: [], children: { host: 'many' } },
  host: { attributes: HOST_ATTRS, required: ['name'], children: {} },
  mail: { attributes: MAIL_ATTRS, required: [], children: {} },
  alerts: { attributes: {}, required: [], children: { alert: 'many' } },
  alert: { attributes: ALERT_ATTRS, required: ['name', 'metric', 'op', 'value'], children: {} },
  heartbeat: { attributes: HEARTBEAT_ATTRS, required: ['url'], children: {} },
  web: { attributes: WEB_ATTRS, required: [], children: {} },
  remoteWrite: { attributes: REMOTE_WRITE_ATTRS, required: ['url'], children: {} },
  checks: { attributes: {}, required: [], children: { check: 'many' } },
  check: { attributes: CHECK_ATTRS, required: ['name', 'command'], children: {} },
  logs: { attributes: {}, required: [], children: { log: 'many' } },
  log: { attributes: LOG_ATTRS, required: ['name', 'path', 'match'], children: {} },
};
