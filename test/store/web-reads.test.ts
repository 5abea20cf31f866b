import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

describe('WebReads.dataVersion', () => {
  it('is read once per turn of the event loop, and sees another connection\'s commit at the next turn', async () => {
    const path = join(tempDir(), 'metrix.db');
    const writer = Store.open(path);
    const reader = Store.open(path, { readonly: true });
    try {
      const before = reader.web.dataVersion();
      writer.silences.add({ host: 'f4', rule: undefined, labels: {}, startsAt: 0, endsAt: 1, comment: 'c', createdBy: 'me' }, 0);
      // Same turn: the answer already read (a request's token check and answer cache agree).
      expect(reader.web.dataVersion()).toBe(before);
      await nextTurn();
      expect(reader.web.dataVersion()).not.toBe(before);
    } finally {
      reader.close();
      writer.close();
    }
  });
});
