import { readAttributes } from './attributes.js';
import { resolveAlerts } from './resolve-alerts.js';
import { resolveChecks, resolveLogs } from './resolve-checks.js';
import { resolveHeartbeat } from './resolve-heartbeat.js';
import { resolveHosts } from './resolve-hosts.js';
import { resolveRemoteWrite } from './resolve-remote-write.js';
import { resolveMail } from './resolve-mail.js';
import { resolveWeb } from './resolve-web.js';
import { checkRules } from './rules.js';
import { ROOT_ELEMENT, SETTINGS_ATTRS } from './schema.js';
import { checkShape } from './shape.js';
import { makeContext, type ResolveContext, type ResolveOptions } from './context.js';
import type { Config, Host, Settings } from './types.js';
import type { XmlElement } from './xml.js';

export type ResolveResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: readonly string[] };

export type { ConfigEnv, ResolveOptions } from './context.js';

export const SETTINGS_DEFAULTS = {
  concurrency: 20,
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 30_000,
  database: './metrix.db',
  keys: './keys',
  remoteDir: '/tmp/metrix',
  retentionMs: 30 * 86_400_000,
  rollupRetentionMs: 365 * 86_400_000,
  hourlyRetentionMs: 5 * 365 * 86_400_000,
  maxOutputBytes: 1024 * 1024,
  maxSamples: 5000,
} as const;

/**
 * Turns the parsed document into the resolved config: shape check, then defaults, then
 * cross-field rules. Pure; every problem found is collected, none stops the others.
 */
export function resolveConfig(root: XmlElement, options: ResolveOptions): ResolveResult {
  const problems = checkShape(root);
  if (root.name !== ROOT_ELEMENT) return { ok: false, problems };
  const context = makeContext(options);
  const child = (name: string): XmlElement | undefined => root.children.find((element) => element.name === name);

  const settings = resolveSettings(child('settings'), context, problems);
  const hosts = resolveHosts(child('hosts'), child('defaults'), settings, context, problems);
  const heartbeat = resolveHeartbeat(child('heartbeat'), problems);
  const remoteWrite = resolveRemoteWrite(child('remoteWrite'), context, problems);
  const config: Config = {
    path: options.path,
    settings,
    hosts,
    groups: buildGroups(hosts),
    mail: resolveMail(child('mail'), context, problems),
    alerts: resolveAlerts(child('alerts'), problems),
    ...(heartbeat ? { heartbeat } : {}),
    ...(child('web') ? { web: resolveWeb(child('web'), context, problems) } : {}),
    ...(remoteWrite ? { remoteWrite } : {}),
    checks: resolveChecks(child('checks'), problems),
    logs: resolveLogs(child('logs'), problems),
  };
  problems.push(...checkRules(config));
  return problems.length === 0 ? { ok: true, config } : { ok: false, problems };
}

function resolveSettings(element: XmlElement | undefined, context: ResolveContext, problems: string[]): Settings {
  const attrs = readAttributes(element, SETTINGS_ATTRS, problems);
  const retentionMs = attrs.retention ?? SETTINGS_DEFAULTS.retentionMs;
  const rollupRetentionMs = attrs.rollupRetention ?? Math.max(SETTINGS_DEFAULTS.rollupRetentionMs, retentionMs);
  return {
    concurrency: attrs.concurrency ?? SETTINGS_DEFAULTS.concurrency,
    connectTimeoutMs: attrs.connectTimeout ?? SETTINGS_DEFAULTS.connectTimeoutMs,
    commandTimeoutMs: attrs.commandTimeout ?? SETTINGS_DEFAULTS.commandTimeoutMs,
    database: context.localPath(attrs.database ?? SETTINGS_DEFAULTS.database),
    keysDir: context.localPath(attrs.keys ?? SETTINGS_DEFAULTS.keys),
    remoteDir: attrs.remoteDir ?? SETTINGS_DEFAULTS.remoteDir,
    retentionMs,
    // A tier left at its default is kept at least as long as the finer one before it.
    rollupRetentionMs,
    hourlyRetentionMs: attrs.hourlyRetention ?? Math.max(SETTINGS_DEFAULTS.hourlyRetentionMs, rollupRetentionMs),
    maxOutputBytes: attrs.maxOutput ?? SETTINGS_DEFAULTS.maxOutputBytes,
    maxSamples: attrs.maxSamples ?? SETTINGS_DEFAULTS.maxSamples,
  };
}

/** Group name -> member host names, groups in order of first mention, hosts in config order. */
export function buildGroups(hosts: readonly Host[]): ReadonlyMap<string, readonly string[]> {
  const groups = new Map<string, string[]>();
  for (const host of hosts) {
    for (const group of host.groups) {
      const members = groups.get(group) ?? [];
      if (!members.includes(host.name)) members.push(host.name);
      groups.set(group, members);
    }
  }
  return groups;
}
