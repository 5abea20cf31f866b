import { formatLabels } from '../metrics/labels.js';
import { ALERT_DEFAULTS } from './resolve-alerts.js';
import { formatDuration } from './duration.js';
import { shownUrl } from './http-url.js';
import { formatSize } from './size.js';
import { formatWatches } from './format-checks.js';
import type { AlertRule, Config, HeartbeatConfig, Host, HostSelection, MailConfig, RemoteWriteConfig, WebConfig } from './types.js';

/** The config as resolved, for `metrix config check`: settings, hosts, groups, mail, alert rules, heartbeat. Never shows secrets. */
export function formatConfig(config: Config): string {
  return [
    `config ${config.path}`,
    '',
    ...formatSettings(config),
    '',
    `hosts (${config.hosts.length})`,
    ...table(config.hosts.map(hostColumns)).map((line) => `  ${line}`),
    '',
    `groups (${config.groups.size})`,
    ...(config.groups.size === 0 ? ['  none'] : [...config.groups].map(([group, hosts]) => `  ${group}: ${hosts.join(', ')}`)),
    '',
    'mail',
    ...formatMail(config.mail).map((line) => `  ${line}`),
    '',
    `alerts (${config.alerts.length})`,
    ...(config.alerts.length === 0 ? ['  none'] : config.alerts.map((rule) => `  ${formatRule(rule)}`)),
    '',
    'heartbeat',
    `  ${config.heartbeat ? formatHeartbeat(config.heartbeat) : 'none'}`,
    '',
    'web',
    `  ${config.web ? formatWeb(config.web) : 'none (metrix serve listens on 127.0.0.1:8080 unless told by its flags)'}`,
    '',
    'remote write',
    `  ${config.remoteWrite ? formatRemoteWrite(config.remoteWrite) : 'none'}`,
    '',
    ...formatWatches(config),
  ].join('\n');
}

function formatSettings({ settings }: Config): string[] {
  return [
    'settings',
    `  concurrency ${settings.concurrency}, connectTimeout ${formatDuration(settings.connectTimeoutMs)}, ` +
      `commandTimeout ${formatDuration(settings.commandTimeoutMs)}, retention ${formatDuration(settings.retentionMs)}, ` +
      `maxOutput ${formatSize(settings.maxOutputBytes)}, maxSamples ${settings.maxSamples}`,
    `  rollupRetention ${formatDuration(settings.rollupRetentionMs)}, hourlyRetention ${formatDuration(settings.hourlyRetentionMs)}`,
    `  database  ${settings.database}`,
    `  keys      ${settings.keysDir}`,
    `  remoteDir ${settings.remoteDir}`,
  ];
}

function hostColumns(host: Host): string[] {
  if (host.transport === 'local') return [host.name, 'local', '(this machine)', groupsPart(host)];
  const extras = [
    groupsPart(host),
    host.proxyJump === undefined ? '' : `proxyJump=${host.proxyJump}`,
    host.hostKeyPolicy === 'strict' ? '' : `hostKeyPolicy=${host.hostKeyPolicy}`,
    host.identityFile === undefined ? 'key=ssh-agent' : `key=${host.identityFile}`,
    `remoteDir=${host.remoteDir}`,
  ];
  return [host.name, 'ssh', `${host.user}@${host.address}:${host.port}`, extras.filter(Boolean).join(' ')];
}

function groupsPart(host: Host): string {
  return host.groups.length === 0 ? '' : `groups=${host.groups.join(',')}`;
}

function formatMail(mail: MailConfig): string[] {
  const route = `from ${mail.from} to ${mail.to.join(', ')}`;
  if (mail.transport === 'file') return [`file: one .eml per message in ${mail.dir}`, route];
  const login = mail.user === undefined ? 'no login' : `login ${mail.user}, password from $${mail.passwordEnv ?? '?'}`;
  const ca = mail.caFile === undefined ? '' : `, extra CAs from ${mail.caFile}`;
  return [`smtp: ${mail.host}:${mail.port} security=${mail.security}, ${login}${ca}`, route];
}

/** `GET https://hc-ping.com/… after a good run, at most every 5m, timeout 10s`: the URL's path and query may hold its token. */
export function formatHeartbeat(heartbeat: HeartbeatConfig): string {
  const when = heartbeat.everyMs === 0 ? 'after every good run' : `after a good run, at most every ${formatDuration(heartbeat.everyMs)}`;
  return `GET ${shownUrl(heartbeat.url)} ${when}, timeout ${formatDuration(heartbeat.timeoutMs)}`;
}

/** `https://0.0.0.0:8443, certificate /etc/metrix/tls.crt, names monitor.example.org`: how metrix serve listens. */
export function formatWeb(web: WebConfig): string {
  const host = web.listen.host.includes(':') ? `[${web.listen.host}]` : web.listen.host;
  const tls = web.cert !== undefined && web.key !== undefined;
  const parts = [`${tls ? 'https' : 'http'}://${host}:${web.listen.port}`];
  if (tls) parts.push(`certificate ${web.cert}, key ${web.key}`);
  if (web.insecure) parts.push('plain HTTP allowed beyond loopback (insecure)');
  if (web.hostNames.length > 0) parts.push(`names ${web.hostNames.join(',')}`);
  return parts.join(', ');
}

/** `POST https://mimir.example.org/… bearer token from $MIMIR_TOKEN, timeout 10s, queue at most 5000000 samples`: no path, no secret. */
export function formatRemoteWrite(remoteWrite: RemoteWriteConfig): string {
  const { auth } = remoteWrite;
  const login = auth.kind === 'bearer' ? `bearer token from $${auth.tokenEnv}` : auth.kind === 'basic' ? `login ${auth.user}, password from $${auth.passwordEnv}` : 'no login';
  const labels = Object.keys(remoteWrite.labels).length === 0 ? '' : `, labels ${formatLabels(remoteWrite.labels)}`;
  const ca = remoteWrite.caFile === undefined ? '' : `, extra CAs from ${remoteWrite.caFile}`;
  return `POST ${shownUrl(remoteWrite.url)} ${login}, timeout ${formatDuration(remoteWrite.timeoutMs)}, queue at most ${remoteWrite.maxQueued} samples${labels}${ca}`;
}

/** `scope all hosts`, or `scope hosts=f4 groups=compute`: the hosts a rule, check or log applies to. */
export function formatScope(scope: HostSelection): string {
  const named = [scope.hosts.length === 0 ? '' : `hosts=${scope.hosts.join(',')}`, scope.groups.length === 0 ? '' : `groups=${scope.groups.join(',')}`].filter(Boolean);
  return `scope ${named.length === 0 ? 'all hosts' : named.join(' ')}`;
}

/** One line per rule: `high-cpu: avg(cpu_percent, 5m) > 90 for 3m [warning] scope groups=compute`. */
export function formatRule(rule: AlertRule): string {
  const series = Object.keys(rule.labels).length === 0 ? rule.metric : `${rule.metric}{${formatLabels(rule.labels)}}`;
  const value = rule.windowMs === 0 ? `last(${series})` : `avg(${series}, ${formatDuration(rule.windowMs)})`;
  const parts = [
    `${rule.name}: ${value} ${rule.op} ${rule.value}`,
    rule.forMs === 0 ? '' : `for ${formatDuration(rule.forMs)}`,
    rule.keepFiringForMs === 0 ? '' : `keepFiringFor ${formatDuration(rule.keepFiringForMs)}`,
    rule.clear === undefined ? '' : `clear ${rule.clear}`,
    `[${rule.severity}]`,
    formatScope(rule),
    rule.repeatMs === ALERT_DEFAULTS.repeatMs ? '' : `repeat ${formatDuration(rule.repeatMs)}`,
    rule.sendResolved ? '' : 'no resolved mail',
    rule.to === undefined ? '' : `to ${rule.to.join(', ')}`,
  ];
  return parts.filter(Boolean).join(' ');
}

/** Left-aligned columns, trailing blanks trimmed. */
function table(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}
