// The town's event log (`town_events`): every decision of the daemon with its reason; `gt status` reads the tail.
import type { Store } from '../beads/index.ts';
import { TOWN_EVENTS, type TownEventKind } from '../kernel/index.ts';
import {
  lastEventAtBy,
  latestBySubject,
  listTownEvents,
  recordTownEvent,
  type NewTownEvent,
  type TownEvent,
} from '../town/index.ts';

export type { TownEvent } from '../town/index.ts';
export type NewEvent = NewTownEvent;

export const DAEMON_ACTOR = 'daemon';

export function recordEvent(store: Store, e: NewEvent): void {
  recordTownEvent(store, { ...e, actor: e.actor ?? DAEMON_ACTOR });
}

/** The last `n` events, oldest first; `kindPrefix` narrows them (e.g. "daemon."). */
export function recentEvents(store: Store, n: number, kindPrefix = ''): TownEvent[] {
  return listTownEvents(store, { limit: n, kindPrefix });
}

/**
 * When `actor` last did anything the log records (its own gt calls: done, handoff …), in ms. Escalations are left
 * out: the daemon files its own in the agent's name, and an agent that escalated is waiting, not working.
 */
export function lastEventBy(store: Store, actor: string): number | undefined {
  const at = lastEventAtBy(store, actor, [TOWN_EVENTS.escalation.filed]);
  return at ? Date.parse(at) : undefined;
}

/** Subjects with an event of `kind` at or after `sinceIso` (so an escalation is sent once per episode). */
export function subjectsWith(store: Store, kind: TownEventKind, sinceIso: string): Set<string> {
  return new Set(latestBySubject(store, { kind, since: sinceIso }).map((e) => e.subject!));
}
