// Convoy decisions in the town's event log (`town_events`, src/town/events.ts), with de-duplication.
import type { Store } from '../../beads/index.ts';
import type { TownEventData, TownEventKind } from '../../kernel/index.ts';
import { lastTownEvent, recordTownEvent, type NewTownEvent } from '../../town/index.ts';

/** Record a decision (inside the caller's write, or in its own). */
export function recordEvent<K extends TownEventKind>(
  store: Store,
  e: { actor: string; kind: K; subject?: string | null; reason?: string | null; data?: TownEventData[K] },
): void {
  recordTownEvent(store, {
    actor: e.actor,
    kind: e.kind,
    ...(e.subject ? { subject: e.subject } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.data !== undefined ? { data: e.data } : {}),
  } as NewTownEvent);
}

/** The reason of the newest event of `kind` about `subject`, to log a repeated decision only when it changes. */
export function lastReason(store: Store, kind: TownEventKind, subject: string): string | null | undefined {
  const r = lastTownEvent(store, { kind, subject });
  return r ? r.reason : undefined;
}
