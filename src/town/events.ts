// The town's decision log (`town_events` in the town store): every decision of sling, done, the refinery, convoys
// and the daemon, with its reason. `gt status` and the dashboard read it.
import type { Store } from '../beads/index.ts';
import type { TownEventData, TownEventKind } from '../kernel/index.ts';

export interface TownEvent {
  id: number;
  at: string;
  actor: string;
  kind: string;
  subject: string | null;
  reason: string | null;
  data: unknown;
}

/** A new event: its kind (from TOWN_EVENTS, src/kernel/event-kinds.ts) decides the type of its `data`. */
export type NewTownEvent<K extends TownEventKind = TownEventKind> = K extends TownEventKind ? {
  /** Default: the store's actor. */
  actor?: string;
  kind: K;
  subject?: string | null;
  reason?: string;
} & (TownEventData[K] extends undefined ? { data?: undefined } : { data: TownEventData[K] }) : never;

export function recordTownEvent(store: Store, e: NewTownEvent): void {
  store.write(() =>
    store.db.run(
      'INSERT INTO town_events (at, actor, kind, subject, reason, data) VALUES (?, ?, ?, ?, ?, ?)',
      store.now(), e.actor ?? store.actor(), e.kind, e.subject ?? null, e.reason ?? null, e.data === undefined ? null : JSON.stringify(e.data),
    ),
  );
}

/** Events, oldest first: the newest `limit` (default 1000), narrowed by kind prefix and subject. */
export function listTownEvents(store: Store, opts: { kindPrefix?: string; subject?: string; limit?: number } = {}): TownEvent[] {
  const rows = store.db.all<Omit<TownEvent, 'data'> & { data: string | null }>(
    'SELECT id, at, actor, kind, subject, reason, data FROM town_events WHERE kind LIKE ? AND (? IS NULL OR subject = ?) ORDER BY id DESC LIMIT ?',
    `${opts.kindPrefix ?? ''}%`, opts.subject ?? null, opts.subject ?? null, opts.limit ?? 1000,
  );
  return rows.reverse().map((r) => ({ ...r, data: r.data === null ? null : (JSON.parse(r.data) as unknown) }));
}
