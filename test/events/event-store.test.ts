import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prune } from '../../src/retention/prune.js';
import { EVENTS_KEEP_MS, policyOf } from '../../src/retention/policy.js';
import { SETTINGS_DEFAULTS } from '../../src/config/resolve.js';
import type { Settings } from '../../src/config/types.js';
import { MAX_DETAILS_JSON, MAX_EVENT_TEXT, type NewEvent } from '../../src/store/event-store.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const D = 86_400_000;

const event = (over: Partial<NewEvent>): NewEvent => ({ ts: T0, host: 'n1', kind: 'host_down', severity: 'critical', text: 'down', ...over });

function openStore(): Store {
  return Store.open(join(tempDir(), 'metrix.db'));
}

describe('event store', () => {
  it('filters by host, kind and time, oldest first, the newest `limit` of them', () => {
    const store = openStore();
    store.transaction(() => {
      store.events.add(event({ ts: T0, host: 'n1', kind: 'host_down' }));
      store.events.add(event({ ts: T0 + 1000, host: 'n2', kind: 'reboot', severity: 'warning', text: 'rebooted' }));
      store.events.add(event({ ts: T0 + 2000, host: 'n1', kind: 'host_up', severity: 'info', text: 'up' }));
      store.events.add(event({ ts: T0 + 3000, host: undefined, kind: 'silence_added', severity: 'info', text: 'silence #1' }));
    });
    expect(store.events.list().map((e) => e.kind)).toEqual(['host_down', 'reboot', 'host_up', 'silence_added']);
    expect(store.events.list({ hosts: ['n1'] }).map((e) => e.kind)).toEqual(['host_down', 'host_up']);
    expect(store.events.list({ hosts: ['n1'], fleet: true }).map((e) => e.kind)).toEqual(['host_down', 'host_up', 'silence_added']);
    expect(store.events.list({ kinds: ['reboot', 'host_up'] }).map((e) => e.ts)).toEqual([T0 + 1000, T0 + 2000]);
    expect(store.events.list({ since: T0 + 1000, until: T0 + 2000 }).map((e) => e.kind)).toEqual(['reboot', 'host_up']);
    expect(store.events.list({ limit: 2 }).map((e) => e.kind)).toEqual(['host_up', 'silence_added']);
    expect(store.events.list({ hosts: [] })).toEqual([]);
    const [first] = store.events.list({ limit: 1, hosts: ['n2'] });
    expect(first).toMatchObject({ host: 'n2', kind: 'reboot', severity: 'warning', text: 'rebooted', details: {} });
    store.close();
  });

  it('escapes and caps host text and details, and refuses unknown kinds', () => {
    const store = openStore();
    const id = store.events.add(
      event({ text: `evil\n2026-01-01 INFO forged\u001b[31m${'x'.repeat(5000)}`, details: { reason: 'a\u202eb', blob: 'y'.repeat(10_000), n: Infinity } }),
    );
    const [stored] = store.events.list();
    expect(stored!.id).toBe(id);
    expect(stored!.text.startsWith('evil\\n2026-01-01 INFO forged\\x1b[31m')).toBe(true);
    expect(stored!.text.length).toBe(MAX_EVENT_TEXT);
    expect(stored!.details['reason']).toBe('a\\u202eb');
    expect(String(stored!.details['blob']).length).toBeLessThanOrEqual(300);
    expect(stored!.details['n']).toBeNull();
    const many = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'z'.repeat(299)]));
    store.events.add(event({ details: many }));
    expect(JSON.stringify(store.events.list().at(-1)!.details).length).toBeLessThanOrEqual(MAX_DETAILS_JSON);
    expect(() => store.events.add(event({ kind: 'nonsense' as never }))).toThrow(/unknown event kind/);
    store.close();
  });

  it('is rolled back with the transaction it was added in', () => {
    const store = openStore();
    expect(() =>
      store.transaction(() => {
        store.events.add(event({}));
        throw new Error('run died');
      }),
    ).toThrow('run died');
    expect(store.events.list()).toEqual([]);
    store.close();
  });

  it('retention removes events older than the events limit (365 days by default)', () => {
    const store = openStore();
    const now = T0 + 400 * D;
    store.transaction(() => {
      store.events.add(event({ ts: now - 366 * D, text: 'old' }));
      store.events.add(event({ ts: now - 364 * D, text: 'kept' }));
      store.events.add(event({ ts: now, text: 'new' }));
    });
    const policy = policyOf({ ...SETTINGS_DEFAULTS } as unknown as Settings);
    expect(policy.eventsMs).toBe(EVENTS_KEEP_MS);
    expect(EVENTS_KEEP_MS).toBe(365 * D);
    const result = prune(store.retention, { now, policy, clock: () => now });
    expect(result.counts.events).toBe(1);
    expect(store.events.list().map((e) => e.text)).toEqual(['kept', 'new']);
    store.close();
  });
});
