// Feeding convoys: each open convoy's ready tracked beads (bd ready semantics, nobody holding them, not waiting
// in the sling queue) are slung to the rig whose prefix their id carries. Caps and queueing are sling's business.
import { messageOf, TOWN_EVENTS } from '../../kernel/index.ts';
import { NON_WORK_TYPES, readyAmong, type Store } from '../../beads/index.ts';
import { allRigs, TOWN_PREFIX, type TownContext } from '../../town/index.ts';
import { lastReason, recordEvent } from './events.ts';
import { withTownStore } from './manage.ts';
import { listConvoyBeads, requireConvoy, trackedIds } from './read.ts';
import { rigState, townDown } from '../rig-state/index.ts';
import { convoyMeta } from './status.ts';
import { queuedBeads } from '../sling/queue.ts';

/**
 * The port to `sling` (src/work/sling, which records convoys and so is passed in, not imported); feeding asks for one
 * bead at a time.
 */
export type SlingFn = (
  town: TownContext,
  req: { beads: string[]; target: string; noConvoy: boolean; actor: string },
) => Promise<{
  results: readonly { status: string; polecat?: string; reason?: string }[];
}>;

export interface FeedOptions {
  /** Feed only this convoy (id or unique prefix); a closed one is refused. */
  convoy?: string;
  actor?: string;
  sling: SlingFn;
  /** Leave convoys younger than this alone, so a sling that is still hooking their beads is not raced (default 15 s). */
  graceMs?: number;
}

export interface FeedDecision {
  convoy: string;
  bead: string;
  rig: string | null;
  /** slung: sling started or queued it; skipped: nothing to do now (or sling answered already/refused); failed: sling threw. */
  action: 'slung' | 'skipped' | 'failed';
  status?: string;
  polecat?: string;
  reason: string;
}

export interface FeedResult {
  convoys: number;
  decisions: FeedDecision[];
}

const DEFAULT_GRACE_MS = 15_000;

/** Tracked beads that are ready to start: open, unblocked, not deferred, work (not bookkeeping), unassigned, not queued. */
function readyTracked(store: Store, convoyId: string): string[] {
  const queued = queuedBeads(store);
  return readyAmong(store, trackedIds(store, convoyId), NON_WORK_TYPES).filter((id) => !queued.has(id));
}

export interface StrandedConvoy {
  convoy: string;
  title: string;
  fed: boolean;
  /** Tracked beads ready to start that nobody holds and no sling waits for. */
  ready: string[];
}

/** Open convoys with ready work nobody is on: staged ones wait for a sling or gt convoy launch; fed ones for the daemon. */
export function strandedConvoys(town: TownContext): StrandedConvoy[] {
  return withTownStore(town, 'overseer', (store) =>
    listConvoyBeads(store)
      .filter((c) => c.status !== 'closed')
      .map((c) => ({ convoy: c.id, title: c.title, fed: convoyMeta(c).fed, ready: readyTracked(store, c.id) }))
      .filter((c) => c.ready.length > 0),
  );
}

function prefixOf(id: string): string {
  const at = id.indexOf('-');
  return at > 0 ? id.slice(0, at) : id;
}

export async function feedConvoys(town: TownContext, opts: FeedOptions): Promise<FeedResult> {
  const actor = opts.actor ?? 'daemon';
  if (townDown(town)) return { convoys: 0, decisions: [] }; // gt down: nothing is fed until gt up
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS;
  const plan = withTownStore(town, actor, (store) => {
    const convoys = opts.convoy ? [requireConvoy(store, opts.convoy)] : listConvoyBeads(store);
    const cutoff = new Date(Date.now() - grace).toISOString();
    const seen = new Set<string>();
    const todo: { convoy: string; bead: string }[] = [];
    for (const c of convoys) {
      // Staged convoys are tracked only; a launched one younger than the grace period may still be hooking its beads.
      if (c.status === 'closed' || c.created_at > cutoff || !convoyMeta(c).fed) continue;
      for (const bead of readyTracked(store, c.id))
        if (!seen.has(bead) && seen.add(bead)) todo.push({ convoy: c.id, bead });
    }
    return { convoys: convoys.length, todo };
  });
  const rigByPrefix = new Map(allRigs(town).map((r) => [r.prefix, r.name]));
  const decisions: FeedDecision[] = [];
  for (const { convoy, bead } of plan.todo) {
    const rig = rigByPrefix.get(prefixOf(bead)) ?? null;
    if (!rig) {
      decisions.push({
        convoy,
        bead,
        rig,
        action: 'skipped',
        reason:
          prefixOf(bead) === TOWN_PREFIX
            ? `${bead} is a town-level bead (prefix ${TOWN_PREFIX}-), fed to no rig; file rig work with bd create "<title>" --rig <rig>`
            : `no rig has the prefix "${prefixOf(bead)}"; sling it by hand: gt sling ${bead} <rig>`,
      });
      continue;
    }
    const mode = rigState(town, rig)?.mode;
    if (mode) {
      decisions.push({
        convoy,
        bead,
        rig,
        action: 'skipped',
        reason: `rig ${rig} is ${mode}: no new work is fed to it (gt rig un${mode === 'parked' ? 'park' : 'dock'} ${rig})`,
      });
      continue;
    }
    try {
      const o = (await opts.sling(town, { beads: [bead], target: rig, noConvoy: true, actor })).results[0];
      const moved = o?.status === 'started' || o?.status === 'hooked' || o?.status === 'queued';
      decisions.push({
        convoy,
        bead,
        rig,
        action: moved ? 'slung' : 'skipped',
        status: o?.status ?? 'unknown',
        ...(o?.polecat ? { polecat: o.polecat } : {}),
        reason: o?.reason ?? (moved ? `ready in convoy ${convoy}` : `sling answered ${o?.status ?? 'nothing'}`),
      });
    } catch (e) {
      decisions.push({ convoy, bead, rig, action: 'failed', reason: messageOf(e) });
    }
  }
  if (decisions.length) logDecisions(town, actor, decisions);
  return { convoys: plan.convoys, decisions };
}

/** Each decision goes to the event log; a skip or failure repeated tick after tick is logged only when its reason changes. */
function logDecisions(town: TownContext, actor: string, decisions: readonly FeedDecision[]): void {
  withTownStore(town, actor, (store) =>
    store.write(() => {
      for (const d of decisions) {
        const kind = TOWN_EVENTS.convoy.feed[d.action];
        if (d.action !== 'slung' && lastReason(store, kind, d.bead) === d.reason) continue;
        recordEvent(store, {
          actor,
          kind,
          subject: d.bead,
          reason: d.reason,
          data: { convoy: d.convoy, rig: d.rig, status: d.status, polecat: d.polecat },
        });
      }
    }),
  );
}
