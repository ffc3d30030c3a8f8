// The town's decision log (`town_events` in the town store): every decision of sling, done, the refinery, convoys
// and the daemon, with its reason. `gt status` and the dashboard read it. This module owns the table: its schema part
// and every query on it.
import type { SchemaPart, Store } from '../beads/index.ts';
import type { TownEventData, TownEventKind } from '../kernel/index.ts';

/** The table as the store's migration 4 created it (adopted as it is in towns made before schema parts). */
export const TOWN_EVENTS_PART: SchemaPart = {
  name: 'town_events',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS town_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT,
  reason TEXT,
  data TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS town_events_at ON town_events(at);
`,
    },
  ],
};

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
export type NewTownEvent<K extends TownEventKind = TownEventKind> = K extends TownEventKind
  ? {
      /** Default: the store's actor. */
      actor?: string;
      kind: K;
      subject?: string | null;
      reason?: string;
    } & (TownEventData[K] extends undefined ? { data?: undefined } : { data: TownEventData[K] })
  : never;

export function recordTownEvent(store: Store, e: NewTownEvent): void {
  store.write(() =>
    store
      .use(TOWN_EVENTS_PART)
      .run(
        'INSERT INTO town_events (at, actor, kind, subject, reason, data) VALUES (?, ?, ?, ?, ?, ?)',
        store.now(),
        e.actor ?? store.actor(),
        e.kind,
        e.subject ?? null,
        e.reason ?? null,
        e.data === undefined ? null : JSON.stringify(e.data),
      ),
  );
}

/** Events, oldest first: the newest `limit` (default 1000), narrowed by kind prefix and subject. */
export function listTownEvents(
  store: Store,
  opts: { kindPrefix?: string; subject?: string; limit?: number } = {},
): TownEvent[] {
  const rows = store
    .use(TOWN_EVENTS_PART)
    .all<Omit<TownEvent, 'data'> & { data: string | null }>(
      'SELECT id, at, actor, kind, subject, reason, data FROM town_events WHERE kind LIKE ? AND (? IS NULL OR subject = ?) ORDER BY id DESC LIMIT ?',
      `${opts.kindPrefix ?? ''}%`,
      opts.subject ?? null,
      opts.subject ?? null,
      opts.limit ?? 1000,
    );
  return rows.reverse().map(decode);
}

type Raw = Omit<TownEvent, 'data'> & { data: string | null };
const COLS = 'id, at, actor, kind, subject, reason, data';

function decode(r: Raw): TownEvent {
  let data: unknown = null;
  if (r.data !== null) {
    try {
      data = JSON.parse(r.data) as unknown;
    } catch {
      data = r.data;
    }
  }
  return { ...r, data };
}

/** Events with an id above `after`, oldest first, at most `limit` (default 1000): one range scan on the primary key. */
export function townEventsAfter(
  store: Store,
  after: number,
  opts: { limit?: number; kindPrefix?: string } = {},
): TownEvent[] {
  return store
    .use(TOWN_EVENTS_PART)
    .all<Raw>(
      `SELECT ${COLS} FROM town_events WHERE id > ? AND kind LIKE ? ORDER BY id LIMIT ?`,
      after,
      `${opts.kindPrefix ?? ''}%`,
      opts.limit ?? 1000,
    )
    .map(decode);
}

/** The id of the newest event (0 when there is none). */
export function lastTownEventId(store: Store): number {
  return store.use(TOWN_EVENTS_PART).get<{ id: number | null }>('SELECT MAX(id) AS id FROM town_events')?.id ?? 0;
}

export interface EventMatch {
  /** One kind, or any of several. */
  kind?: string | readonly string[];
  subject?: string;
  actor?: string;
  /** The polecat address in the event's data (`data.polecat`). */
  polecat?: string;
  /** Only events with an id above this. */
  afterId?: number;
  /** Only events at or after this time (ISO). */
  since?: string;
}

function where(m: EventMatch): { sql: string; params: (string | number)[] } {
  const w: string[] = [];
  const params: (string | number)[] = [];
  const kinds = m.kind === undefined ? [] : typeof m.kind === 'string' ? [m.kind] : m.kind;
  if (kinds.length) {
    w.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  const add = (cond: string, v: string | number | undefined): void => {
    if (v === undefined) return;
    w.push(cond);
    params.push(v);
  };
  add('subject = ?', m.subject);
  add('actor = ?', m.actor);
  add("json_extract(data, '$.polecat') = ?", m.polecat);
  add('id > ?', m.afterId);
  add('at >= ?', m.since);
  return { sql: w.length ? `WHERE ${w.join(' AND ')}` : '', params };
}

/** The newest event matching, if any. */
export function lastTownEvent(store: Store, m: EventMatch): TownEvent | undefined {
  const q = where(m);
  const r = store
    .use(TOWN_EVENTS_PART)
    .get<Raw>(`SELECT ${COLS} FROM town_events ${q.sql} ORDER BY id DESC LIMIT 1`, ...q.params);
  return r ? decode(r) : undefined;
}

/** Every event matching, oldest first (no limit: for narrow matches). */
export function townEventsMatching(store: Store, m: EventMatch): TownEvent[] {
  const q = where(m);
  return store
    .use(TOWN_EVENTS_PART)
    .all<Raw>(`SELECT ${COLS} FROM town_events ${q.sql} ORDER BY id`, ...q.params)
    .map(decode);
}

/** How many events match. */
export function countTownEvents(store: Store, m: EventMatch): number {
  const q = where(m);
  return (
    store.use(TOWN_EVENTS_PART).get<{ n: number }>(`SELECT COUNT(*) AS n FROM town_events ${q.sql}`, ...q.params)?.n ??
    0
  );
}

/** For each subject with a matching event: its newest event (newest subject first). */
export function latestBySubject(store: Store, m: EventMatch): TownEvent[] {
  const q = where(m);
  const cond = `${q.sql ? `${q.sql} AND` : 'WHERE'} subject IS NOT NULL`;
  return store
    .use(TOWN_EVENTS_PART)
    .all<Raw>(
      `SELECT ${COLS} FROM town_events WHERE id IN (SELECT MAX(id) FROM town_events ${cond} GROUP BY subject) ORDER BY id DESC`,
      ...q.params,
    )
    .map(decode);
}

/**
 * When `actor` last did anything the log records, leaving out the kinds in `except` (the newest `at`).
 */
export function lastEventAtBy(store: Store, actor: string, except: readonly string[] = []): string | undefined {
  const not = except.length ? ` AND kind NOT IN (${except.map(() => '?').join(', ')})` : '';
  return (
    store
      .use(TOWN_EVENTS_PART)
      .get<{ at: string | null }>(`SELECT MAX(at) AS at FROM town_events WHERE actor = ?${not}`, actor, ...except)
      ?.at ?? undefined
  );
}
