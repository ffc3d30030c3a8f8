import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTown, loadTown, openTownStore, type TownContext } from '../../town/index.ts';
import { ack, archive, insertMails, listInbox, markRead, resolveMailId, unreadFor } from './mailbox.ts';

describe('mailbox (town store)', () => {
  let dir = '';
  let town: TownContext;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gt mailbox '));
    installTown(join(dir, 'town'));
    town = loadTown(join(dir, 'town'), { BD_ACTOR: 'tester' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores mail in one thread, lists inboxes, and stamps read/ack/archive times once', () => {
    const store = openTownStore(town);
    try {
      const base = { from: 'overseer', subject: 's', body: '', priority: 2, type: 'message' as const };
      const [a, b] = insertMails(store, [
        { ...base, to: 'mayor' },
        { ...base, to: 'mayor', priority: 0 },
      ]);
      expect(b!.thread_id).toBe(a!.id);
      expect(listInbox(store, 'mayor').map((m) => m.id)).toEqual([b!.id, a!.id]);
      expect(unreadFor(store, { kind: 'mayor' }).map((m) => m.id)).toEqual([b!.id, a!.id]);
      const read = markRead(store, a!.id);
      expect(markRead(store, a!.id).read_at).toBe(read.read_at);
      expect(unreadFor(store, 'mayor').map((m) => m.id)).toEqual([b!.id]);
      const acked = ack(store, b!.id);
      expect(acked.read_at).toBe(acked.acked_at);
      expect(archive(store, [a!.id, a!.id])).toMatchObject({ archived: [{ id: a!.id }], already: [] });
      expect(listInbox(store, 'mayor').map((m) => m.id)).toEqual([b!.id]);
      expect(listInbox(store, 'mayor', { archived: true })).toHaveLength(2);
      expect(resolveMailId(store, a!.id.slice(8, 12).toUpperCase())).toBe(a!.id);
      expect(() => resolveMailId(store, '')).toThrow(/empty mail id/);
      expect(() => archive(store, [])).toThrow(/no mail id/);
    } finally {
      store.close();
    }
    expect(listInbox(town, 'mayor')).toHaveLength(1); // the town form opens and closes the store itself
  });
});
