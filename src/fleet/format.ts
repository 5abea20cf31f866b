import { formatDuration, formatNumber, truncate } from '../mail/format.js';
import { csvLines, textTable, type OutputFormat } from '../query/format.js';
import { escapeControl } from '../text/escape.js';
import { formatUtcExact } from '../text/time.js';
import type { HostOverview } from './overview.js';

/** Longest failure or warning text in a table cell; CSV and JSON carry it whole. */
export const TABLE_MESSAGE_MAX = 100;

const time = (ms: number | undefined): string => (ms === undefined ? '' : formatUtcExact(ms));
const number = (value: number | undefined): string => (value === undefined ? '' : String(value));
const ruleNames = (line: HostOverview): string[] => [...new Set(line.alerts.map((alert) => alert.rule))];

/** `42s ago`, `2d 3h ago`; `never` for a host polled but never seen up. */
function age(line: HostOverview, now: number): string {
  if (line.lastSeen === undefined) return line.state === 'never polled' ? '' : 'never';
  return `${formatDuration(now - line.lastSeen)} ago`;
}

function why(line: HostOverview): string {
  const text = line.failure ? `${line.failure.reason}: ${line.failure.message}` : line.warnings ? `warning: ${line.warnings}` : '';
  // Cut once escaped, so the cut bounds what is shown (an escape may grow a character to six); the table's own escaping then finds nothing left.
  return truncate(escapeControl(text), TABLE_MESSAGE_MAX);
}

const TABLE = ['host', 'groups', 'state', 'last seen', 'cpu%', 'mem%', 'fullest disk', 'load1', 'alerts', 'why'] as const;

function tableCells(line: HostOverview, now: number): string[] {
  const shown = (value: number | undefined): string => (value === undefined ? '' : formatNumber(value));
  const disk = line.fullestDisk ? `${formatNumber(line.fullestDisk.usedPercent)}% ${line.fullestDisk.mount}` : '';
  const alerts = line.alerts.length > 0 ? `${line.alerts.length}: ${ruleNames(line).join(', ')}` : '';
  return [line.host, line.groups.join(','), line.state, age(line, now), shown(line.cpuPercent), shown(line.memPercent), disk, shown(line.load1), alerts, why(line)];
}

const CSV = [
  'host', 'groups', 'state', 'reason', 'message', 'warnings', 'last_seen', 'last_poll',
  'cpu_percent', 'mem_percent', 'disk_used_percent', 'disk_mount', 'load1', 'alerts', 'alert_rules',
] as const;

function csvCells(line: HostOverview): string[] {
  return [
    line.host, line.groups.join(','), line.state, line.failure?.reason ?? '', line.failure?.message ?? '', line.warnings ?? '',
    time(line.lastSeen), time(line.lastPoll), number(line.cpuPercent), number(line.memPercent),
    number(line.fullestDisk?.usedPercent), line.fullestDisk?.mount ?? '', number(line.load1), String(line.alerts.length), ruleNames(line).join(','),
  ];
}

/** One line as `metrix hosts --format json` prints it (the API serves the same rows). */
export function jsonLine(line: HostOverview): object {
  return {
    host: line.host,
    groups: line.groups,
    state: line.state,
    reason: line.failure?.reason ?? null,
    message: line.failure?.message ?? null,
    warnings: line.warnings ?? null,
    last_seen: line.lastSeen === undefined ? null : time(line.lastSeen),
    last_poll: line.lastPoll === undefined ? null : time(line.lastPoll),
    cpu_percent: line.cpuPercent ?? null,
    mem_percent: line.memPercent ?? null,
    disk_used_percent: line.fullestDisk?.usedPercent ?? null,
    disk_mount: line.fullestDisk?.mount ?? null,
    load1: line.load1 ?? null,
    alerts: line.alerts.map((alert) => ({
      code: alert.code,
      rule: alert.rule,
      metric: alert.metric,
      labels: alert.labels,
      severity: alert.severity,
      value: alert.value,
      firing_since: time(alert.firingSince ?? alert.activeSince),
      muted: alert.muted ?? null,
    })),
  };
}

/** The overview as `metrix hosts` prints it; `now` gives the table's ages. */
export function formatOverview(lines: readonly HostOverview[], format: OutputFormat, now: number): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(lines.map(jsonLine), null, 2)}\n`;
    case 'csv':
      return csvLines([[...CSV], ...lines.map(csvCells)]);
    case 'table':
      return textTable(TABLE, lines.map((line) => tableCells(line, now)), new Set([4, 5, 7]));
  }
}
