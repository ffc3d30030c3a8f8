// The live feed behind GET /api/events: one poller per server (only while someone listens) reads new town events
// every 250 ms and cheap fingerprints of the tables the panels show, plus the agents' tmux states every 2 s, and
// fans out small messages: each new event, and "refresh these panels" when derived state changed.
import { beadsFingerprint, type Store } from '../../beads/index.ts';
import { messageOf } from '../../kernel/index.ts';
import { openTownStore, type TownContext, type TownEvent } from '../../town/index.ts';
import { agentsFingerprint, listAgents } from '../../work/sessions/index.ts';
import { inboxFingerprint } from '../../work/mail/index.ts';
import { PANELS, viewOf, type Panel, type Tone } from './event-view.ts';
import { eventsAfter, lastEventId } from './feed.ts';
import { OVERSEER } from './state.ts';
import { polecatsFingerprint } from '../../work/polecats/index.ts';
import { mrsFingerprint } from '../../work/merge-requests.ts';

export { PANELS, panelsOfKind, type Panel } from './event-view.ts';

export type LiveMessage =
  | {
      type: 'event';
      id: number;
      at: string;
      actor: string;
      kind: string;
      subject: string | null;
      reason: string | null;
      panels: Panel[];
      tone: Tone;
    }
  | { type: 'refresh'; panels: Panel[] };

/** `null` tells a listener the server is closing. */
export type Listener = (m: LiveMessage | null) => void;

export interface Live {
  subscribe(fn: Listener): () => void;
  /** The last event id the poller has seen (0 before it started). */
  lastId(): number;
  /** Tell every listener to refetch `panels` (changes the poller cannot see, e.g. config files). */
  hint(panels: Panel[]): void;
  close(): void;
}

const FINGERPRINTS: { panels: Panel[]; read: (store: Store) => string }[] = [
  { panels: ['agents', 'status', 'problems'], read: agentsFingerprint },
  { panels: ['hooks', 'agents', 'status'], read: polecatsFingerprint },
  { panels: ['queue', 'convoys', 'status', 'problems'], read: mrsFingerprint },
  { panels: ['beads', 'convoys', 'hooks'], read: beadsFingerprint },
  { panels: ['mail'], read: (s) => inboxFingerprint(s, OVERSEER) },
];

/** The stream's message for one event: the row's fields the page shows, with its panels and tone. */
export function eventMessage(e: TownEvent): Extract<LiveMessage, { type: 'event' }> {
  const v = viewOf(e);
  return {
    type: 'event',
    id: v.id,
    at: v.at,
    actor: v.actor,
    kind: v.kind,
    subject: v.subject,
    reason: v.reason,
    panels: v.panels,
    tone: v.tone,
  };
}

function fingerprints(store: Store): string[] {
  return FINGERPRINTS.map((f) => f.read(store));
}

export function createLive(
  town: () => TownContext,
  opts: { pollMs?: number; agentsMs?: number; onError?: (message: string) => void } = {},
): Live {
  const listeners = new Set<Listener>();
  let store: Store | undefined;
  let last = 0;
  let prints: string[] | undefined;
  let agentsPrint: string | undefined;
  let timers: NodeJS.Timeout[] = [];
  let busy = false;
  let agentsBusy = false;

  const send = (m: LiveMessage): void => {
    for (const fn of listeners) fn(m);
  };

  const open = (): Store => {
    if (!store) {
      store = openTownStore(town(), { actor: OVERSEER });
      if (prints === undefined) last = lastEventId(store);
    }
    return store;
  };

  const poll = (): void => {
    if (busy) return;
    busy = true;
    try {
      const s = open();
      const panels = new Set<Panel>();
      for (;;) {
        const events = eventsAfter(s, last, { limit: 500 });
        for (const e of events) {
          const m = eventMessage(e);
          send(m);
          last = e.id;
          panels.add('feed');
          for (const p of m.panels) panels.add(p);
        }
        if (events.length < 500) break;
      }
      const now = fingerprints(s);
      if (prints) now.forEach((f, i) => f !== prints![i] && FINGERPRINTS[i]!.panels.forEach((p) => panels.add(p)));
      prints = now;
      if (panels.size) send({ type: 'refresh', panels: PANELS.filter((p) => panels.has(p)) });
    } catch (e) {
      // The store may be mid-migration or gone for a moment; reopen on the next tick.
      store?.close();
      store = undefined;
      opts.onError?.(messageOf(e));
    } finally {
      busy = false;
    }
  };

  const pollAgents = async (): Promise<void> => {
    if (agentsBusy) return;
    agentsBusy = true;
    try {
      const print = (await listAgents(town())).map((a) => `${a.address}:${a.state}:${a.hooked_bead ?? ''}`).join(',');
      if (agentsPrint !== undefined && print !== agentsPrint)
        send({ type: 'refresh', panels: ['status', 'agents', 'problems'] });
      agentsPrint = print;
    } catch (e) {
      opts.onError?.(messageOf(e));
    } finally {
      agentsBusy = false;
    }
  };

  const start = (): void => {
    try {
      open();
    } catch (e) {
      opts.onError?.(messageOf(e));
    }
    poll();
    void pollAgents();
    timers = [setInterval(poll, opts.pollMs ?? 250), setInterval(() => void pollAgents(), opts.agentsMs ?? 2000)];
    for (const t of timers) t.unref();
  };

  const stop = (): void => {
    for (const t of timers) clearInterval(t);
    timers = [];
    store?.close();
    store = undefined;
    prints = undefined;
    agentsPrint = undefined;
  };

  return {
    subscribe(fn) {
      listeners.add(fn);
      if (listeners.size === 1) start();
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) stop();
      };
    },
    lastId: () => last,
    hint: (panels) => send({ type: 'refresh', panels }),
    close() {
      for (const fn of [...listeners]) fn(null);
      listeners.clear();
      stop();
    },
  };
}
