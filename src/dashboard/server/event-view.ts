// What a town event means to the dashboard, by its domain (src/kernel/event-kinds.ts): the panels it may change and
// its tone in the feed. The page gets both with each event (live stream and /api/feed), so this map exists once.
import { townEventDomain, type TownEventDomain } from '../../kernel/index.ts';
import type { TownEvent } from '../../town/index.ts';

export const PANELS = [
  'status',
  'agents',
  'convoys',
  'hooks',
  'queue',
  'mail',
  'feed',
  'beads',
  'problems',
  'costs',
  'config',
] as const;
export type Panel = (typeof PANELS)[number];

/** The colour of an event in the feed (CSS class `t-<tone>`). */
export type Tone = 'ok' | 'bad' | 'work' | 'merge' | 'wait' | 'idle';

const BY_DOMAIN: Record<TownEventDomain, { panels: Panel[]; tone: Tone }> = {
  sling: { panels: ['agents', 'hooks', 'beads', 'convoys', 'status'], tone: 'work' },
  done: { panels: ['agents', 'hooks', 'beads', 'queue', 'convoys', 'status', 'problems'], tone: 'work' },
  hook: { panels: ['agents', 'hooks', 'beads', 'convoys', 'status'], tone: 'wait' },
  polecat: { panels: ['agents', 'hooks', 'status'], tone: 'idle' },
  repair: { panels: ['agents', 'hooks', 'beads', 'status'], tone: 'idle' },
  convoy: { panels: ['convoys', 'beads', 'status', 'mail'], tone: 'ok' },
  escalation: { panels: ['mail', 'problems'], tone: 'bad' },
  handoff: { panels: ['agents', 'mail', 'status'], tone: 'idle' },
  session: { panels: ['agents'], tone: 'idle' },
  refinery: { panels: ['queue', 'convoys', 'beads', 'hooks', 'problems', 'status'], tone: 'merge' },
  daemon: { panels: ['agents', 'hooks', 'problems', 'status'], tone: 'idle' },
  costs: { panels: ['costs', 'problems', 'status'], tone: 'bad' },
};

/** Panels a new event of `kind` may change (the live poller's fingerprints catch the rest). */
export function panelsOfKind(kind: string): Panel[] {
  const domain = townEventDomain(kind);
  return domain ? BY_DOMAIN[domain].panels : ['status'];
}

export function toneOfKind(kind: string): Tone {
  if (/failed|error|refused|rejected|escalat|unreachable|diverged/.test(kind)) return 'bad';
  if (/merged|landed|completed/.test(kind)) return 'ok';
  const domain = townEventDomain(kind);
  return domain ? BY_DOMAIN[domain].tone : 'idle';
}

/** An event as the page gets it: the row plus its panels and tone. */
export type EventView = TownEvent & { panels: Panel[]; tone: Tone };

export function viewOf(e: TownEvent): EventView {
  return { ...e, panels: panelsOfKind(e.kind), tone: toneOfKind(e.kind) };
}
