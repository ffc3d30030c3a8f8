// The activity feed: town events after an id (what SSE and `gt feed --follow` poll), or the newest N.
import type { Store } from '../../beads/index.ts';
import { listTownEvents, type TownEvent } from '../../town/index.ts';

interface Row { id: number; at: string; actor: string; kind: string; subject: string | null; reason: string | null; data: string | null }

/** Events with an id above `after`, oldest first, at most `limit`; one indexed range scan on the primary key. */
export function eventsAfter(store: Store, after: number, opts: { limit?: number; kindPrefix?: string } = {}): TownEvent[] {
  const rows = store.db.all<Row>(
    'SELECT id, at, actor, kind, subject, reason, data FROM town_events WHERE id > ? AND kind LIKE ? ORDER BY id LIMIT ?',
    after, `${opts.kindPrefix ?? ''}%`, opts.limit ?? 1000,
  );
  return rows.map((r) => ({ ...r, data: r.data === null ? null : parseData(r.data) }));
}

/** The newest `limit` events (oldest first), or those after `after`. */
export function feedEvents(store: Store, opts: { after?: number; limit?: number; kindPrefix?: string }): TownEvent[] {
  if (opts.after !== undefined) return eventsAfter(store, opts.after, opts);
  return listTownEvents(store, { limit: opts.limit ?? 100, ...(opts.kindPrefix ? { kindPrefix: opts.kindPrefix } : {}) });
}

export function lastEventId(store: Store): number {
  return store.db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM town_events')?.id ?? 0;
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
