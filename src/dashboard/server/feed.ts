// The activity feed: town events after an id (what SSE and `gt feed --follow` poll), or the newest N.
import type { Store } from '../../beads/index.ts';
import { lastTownEventId, listTownEvents, townEventsAfter, type TownEvent } from '../../town/index.ts';

/** Events with an id above `after`, oldest first, at most `limit`; one indexed range scan on the primary key. */
export function eventsAfter(
  store: Store,
  after: number,
  opts: { limit?: number; kindPrefix?: string } = {},
): TownEvent[] {
  return townEventsAfter(store, after, opts);
}

/** The newest `limit` events (oldest first), or those after `after`. */
export function feedEvents(store: Store, opts: { after?: number; limit?: number; kindPrefix?: string }): TownEvent[] {
  if (opts.after !== undefined) return eventsAfter(store, opts.after, opts);
  return listTownEvents(store, {
    limit: opts.limit ?? 100,
    ...(opts.kindPrefix ? { kindPrefix: opts.kindPrefix } : {}),
  });
}

export function lastEventId(store: Store): number {
  return lastTownEventId(store);
}
