// The town store's `sling_queue` table: beads slung while the caps were full, waiting in line for a free polecat
// (docs/work-loop.md). This module owns the table: its schema part and every query on it.
import type { SchemaPart, Store } from '../../beads/index.ts';

/** The table as the store's migration 4 created it (adopted as it is in towns made before schema parts). */
export const SLING_QUEUE_PART: SchemaPart = {
  name: 'sling_queue',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS sling_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bead TEXT NOT NULL UNIQUE,
  rig TEXT NOT NULL,
  agent TEXT,
  options TEXT,
  created_at TEXT NOT NULL
) STRICT;
`,
    },
  ],
};

export interface QueueEntry {
  bead: string;
  rig: string;
  agent: string | null;
  /** The sling's options as JSON (the polecat asked for, the agent, the merge mode …), or null. */
  options: string | null;
  created_at: string;
}

const COLS = 'bead, rig, agent, options, created_at';

/** The queue in line order (oldest first). */
export function queuedSlings(store: Store): QueueEntry[] {
  return store.use(SLING_QUEUE_PART).all<QueueEntry>(`SELECT ${COLS} FROM sling_queue ORDER BY id`);
}

export function queuedSling(store: Store, bead: string): QueueEntry | undefined {
  return store.use(SLING_QUEUE_PART).get<QueueEntry>(`SELECT ${COLS} FROM sling_queue WHERE bead = ?`, bead);
}

/** Put a bead in line (at the end); a bead already waiting keeps its place and its options. */
export function enqueueSling(
  store: Store,
  e: { bead: string; rig: string; agent?: string | null; options?: string | null },
): void {
  store.write(() =>
    store
      .use(SLING_QUEUE_PART)
      .run(
        'INSERT INTO sling_queue (bead, rig, agent, options, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(bead) DO NOTHING',
        e.bead,
        e.rig,
        e.agent ?? null,
        e.options ?? null,
        store.now(),
      ),
  );
}

/** New wishes for a waiting bead (rig, agent, options); its place in line stays. */
export function updateQueuedSling(
  store: Store,
  e: { bead: string; rig: string; agent?: string | null; options?: string | null },
): void {
  store.write(() =>
    store
      .use(SLING_QUEUE_PART)
      .run(
        'UPDATE sling_queue SET rig = ?, agent = ?, options = ? WHERE bead = ?',
        e.rig,
        e.agent ?? null,
        e.options ?? null,
        e.bead,
      ),
  );
}

/** Take a bead out of line (slung, released or unslung); nothing when it was not waiting. */
export function dequeueSling(store: Store, bead: string): void {
  store.write(() => store.use(SLING_QUEUE_PART).run('DELETE FROM sling_queue WHERE bead = ?', bead));
}

/** The beads waiting in line. */
export function queuedBeads(store: Store): Set<string> {
  return new Set(
    store
      .use(SLING_QUEUE_PART)
      .all<{ bead: string }>('SELECT bead FROM sling_queue')
      .map((r) => r.bead),
  );
}
