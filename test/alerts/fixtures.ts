import type { Silence } from '../../src/alerts/silences.js';
import type { AlertRule } from '../../src/config/types.js';
import type { AlertRecord } from '../../src/store/alert-store.js';

/** The alert tests' fixed clock and the records they vary one field at a time. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const NOW = Date.parse('2026-11-22T04:00:00Z');

/** `cpu_percent > 90`, no window, for or clear: each case overrides what it is about. */
export const rule = (overrides: Partial<AlertRule> = {}): AlertRule => ({
  name: 'high-cpu', metric: 'cpu_percent', labels: {}, op: '>', value: 90, windowMs: 0, forMs: 0, keepFiringForMs: 0, clear: undefined,
  repeatMs: 4 * HOUR, severity: 'warning', sendResolved: true, hosts: [], groups: [], to: undefined, ...overrides,
});

/** A stored alert of that rule on f4, firing for 5 of its 10 minutes and not yet mailed. */
export const alertRecord = (overrides: Partial<AlertRecord> = {}): AlertRecord => ({
  rule: 'high-cpu', host: 'f4', labels: {}, code: 'C1', status: 'firing', activeSince: NOW - 10 * MIN, firingSince: NOW - 5 * MIN, clearingSince: undefined,
  value: 95, metric: 'cpu_percent', severity: 'warning', state: 'firing', resolvedAt: undefined, notifiedAt: undefined, muted: undefined, ...overrides,
});

/** A silence of f4 from an hour ago to an hour ahead. */
export const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id: 3, host: 'f4', rule: undefined, labels: {}, startsAt: NOW - HOUR, endsAt: NOW + HOUR, comment: 'kernel update', createdBy: 'root', ...overrides,
});
