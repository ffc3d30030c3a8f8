// gt sling: claim each bead (compare-and-set, claim.ts), give it a polecat (an idle one or a new worktree), hook it and
// start the agent; beyond the caps it waits in the sling queue, drained here. Every decision goes to town_events.
import { TOWN_EVENTS } from '../../kernel/index.ts';
import { agentForRole, loadRig, requireKnownAgent, type TownContext } from '../../town/index.ts';
import { placeClaimed, requireHostRoom, withStore } from '../sessions/index.ts';
import { LOCAL } from '../../providers/index.ts';
import { getPolecat, workingCounts } from '../polecats/index.ts';
import { unsling } from '../hook/release.ts';
import { decideClaim, decideSlot, townLevelRefusal, type SlingTarget } from './decide.ts';
import { lastTownEvent, recordTownEvent, TOWN_PREFIX } from '../../town/index.ts';
import { dequeueSling, queuedSlings } from './queue.ts';
import { findBead, parseTarget, pourIfFormula } from './target.ts';
import { trackBatch, trackWork } from './convoy.ts';
import { budgetHint, hasBudgets, slingBudgetCheck } from '../../costs/budgets.ts';
import { requireRigOpen, rigState, townDown } from '../rig-state/index.ts';
import { resumeHook } from '../hook/lifecycle.ts';
import { hookAndStart } from './hook-start.ts';
import { claimSlot, placeFor, recordNotSlung } from './claim.ts';
import type { Kept, Queued, SlingOutcome, SlingRequest, SlingResult, Step } from './types.ts';

export type { MergeMode, SlingOutcome, SlingRequest, SlingResult, SlingStatus, SlingWait } from './types.ts';

export async function sling(town: TownContext, req: SlingRequest): Promise<SlingResult> {
  const target = parseTarget(town, req.target);
  const rig = loadRig(town, target.rig);
  requireRigOpen(town, target.rig, 'no new work is slung to it; the work it holds finishes');
  // The rig's default is resolved here only to refuse a broken configuration before anything is claimed.
  const agent = req.agent !== undefined ? requireKnownAgent(town.settings, req.agent) : undefined;
  if (agent === undefined) agentForRole(town.settings, 'polecat', rig);
  if (req.host !== undefined && req.host !== LOCAL) requireHostRoom(town, req.host);
  const drained = req.dryRun ? [] : await drainSlingQueue(town);
  const result: SlingResult = { target: req.target, results: [], drained };
  let refs = req.beads;
  if (refs.length === 1) {
    const poured = withStore(town, (s) =>
      findBead(s, refs[0]!)
        ? undefined
        : pourIfFormula(town, s, refs[0]!, req.vars ?? {}, req.dryRun ?? false, target.rig),
    );
    if (poured) {
      result.formula = {
        name: poured.formula,
        molecule: poured.molecule.id,
        ...(poured.reused ? { reused: true } : {}),
      };
      refs = [poured.molecule.id];
      if (req.dryRun) {
        result.results.push({
          bead: poured.molecule.id,
          status: 'started',
          dryRun: true,
          reason: poured.reused
            ? `would hook ${poured.molecule.id}, already poured from formula ${poured.formula}, to a polecat of ${target.rig}`
            : `would pour formula ${poured.formula} and hook the molecule to a polecat of ${target.rig}`,
        });
        return result;
      }
    }
  }
  const kept: Kept = { ...(agent !== undefined ? { agent } : {}), ...pick(req) };
  // Claims and worktrees one bead at a time (each is a write and git work); the agents then start side by side, so
  // a batch costs one start-up wait, not one per bead.
  const steps: Step[] = [];
  for (const ref of refs)
    steps.push(await slingOne(town, ref, target, kept, { force: req.force ?? false, dryRun: req.dryRun ?? false }));
  result.results = await settleAll(steps, START_CONCURRENCY);
  if (!req.noConvoy && !req.dryRun) {
    const inFlight = result.results
      .filter((o) => o.status !== 'refused' && (refs.length > 1 || o.status !== 'already'))
      .map((o) => o.bead);
    const convoy =
      refs.length > 1
        ? trackBatch(town, inFlight, target.rig, req.actor)
        : inFlight[0] !== undefined
          ? trackWork(town, inFlight[0], req.actor)
          : undefined;
    if (convoy) result.convoy = convoy;
  }
  return result;
}

function pick(req: SlingRequest): Omit<Kept, 'agent'> {
  const o: Omit<Kept, 'agent'> = {};
  if (req.message !== undefined) o.message = req.message;
  if (req.merge !== undefined) o.merge = req.merge;
  if (req.base !== undefined) o.base = req.base;
  if (req.actor !== undefined) o.actor = req.actor;
  if (req.host !== undefined) o.host = req.host;
  return o;
}

/**
 * Sling every queued bead that now has a free slot, oldest first. A bead that must keep waiting stops its rig's
 * turn (order within a rig is kept); other rigs go on.
 */
export async function drainSlingQueue(town: TownContext): Promise<SlingOutcome[]> {
  const out: SlingOutcome[] = [];
  if (townDown(town)) return out; // gt down: queued work waits for gt up
  const seen = new Set<string>();
  const full = new Set<string>();
  // A parked or docked rig's queue waits until it is back in service.
  const modes = new Map<string, boolean>();
  const closedRig = (rig: string): boolean =>
    modes.get(rig) ?? (modes.set(rig, rigState(town, rig) !== undefined), modes.get(rig)!);
  for (;;) {
    const rows = withStore(town, queuedSlings);
    const next = rows.find((r) => !seen.has(r.bead) && !full.has(r.rig) && !closedRig(r.rig));
    if (!next) return out;
    seen.add(next.bead);
    const { polecat, ...kept } = next.options ? (JSON.parse(next.options) as Queued) : {};
    const target: SlingTarget = { rig: next.rig, ...(polecat ? { polecat } : {}) };
    const r = await settle(
      await slingOne(town, next.bead, target, kept, { force: false, dryRun: false, fromQueue: true }),
    );
    if (r.status === 'queued') {
      // Only full caps stop the rig's turn; a bead over budget or waiting for its named polecat lets the next one by.
      if (r.waiting === 'slot') full.add(next.rig);
      continue;
    }
    withStore(town, (s) => dequeueSling(s, next.bead));
    out.push(r);
  }
}

/** How many agents of one batch start at once. */
const START_CONCURRENCY = 6;

const settle = (step: Step): Promise<SlingOutcome> => (typeof step === 'function' ? step() : Promise.resolve(step));

/** Every step's outcome, in order, running at most `limit` starts at a time. */
async function settleAll(steps: readonly Step[], limit: number): Promise<SlingOutcome[]> {
  const out: SlingOutcome[] = new Array(steps.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < steps.length) {
      const i = next++;
      out[i] = await settle(steps[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, steps.length) }, worker));
  return out;
}

async function slingOne(
  town: TownContext,
  ref: string,
  target: SlingTarget,
  kept: Kept,
  o: { force: boolean; dryRun: boolean; fromQueue?: boolean },
): Promise<Step> {
  const started = Date.now();
  const actor = kept.actor;
  const first = withStore(town, (s) => {
    const b = findBead(s, ref);
    const town_ = b && !o.force && !o.fromQueue ? townLevelRefusal(b, target.rig, TOWN_PREFIX) : undefined;
    return b
      ? { id: b.id, decision: town_ ? { action: 'refuse' as const, ...town_ } : decideClaim(b, target, o.force) }
      : undefined;
  });
  if (!first) {
    const outcome: SlingOutcome = {
      bead: ref,
      status: 'refused',
      reason: `no bead ${ref}`,
      hint: 'check the id with gt bd list (or bd list)',
    };
    if (!o.dryRun) withStore(town, (s) => recordNotSlung(s, outcome, actor));
    return outcome;
  }
  const { id, decision } = first;
  if (decision.action === 'already' && !o.dryRun) {
    const resumed = await resumeIfIdle(town, id, decision.holder, actor);
    if (resumed) return resumed;
  }
  if (decision.action === 'refuse' || decision.action === 'already') {
    const outcome: SlingOutcome =
      decision.action === 'refuse'
        ? { bead: id, status: 'refused', reason: decision.reason, hint: decision.hint }
        : {
            bead: id,
            status: 'already',
            polecat: decision.holder,
            reason: `${id} is already on ${decision.holder}'s hook`,
          };
    if (o.dryRun) return { ...outcome, dryRun: true };
    withStore(town, (s) => recordNotSlung(s, outcome, actor));
    return outcome;
  }
  const over = hasBudgets(town.settings.budgets)
    ? withStore(town, (s) =>
        slingBudgetCheck(s, town, id, target.polecat ? `${target.rig}/${target.polecat}` : undefined),
      )
    : undefined;
  if (over) return overBudget(town, id, over.message, budgetHint(over), { ...o, actor });
  const place = placeFor(town, target, kept);
  if (o.dryRun) {
    const slot = place.full
      ? { free: false as const, reason: place.full }
      : withStore(town, (s) => decideSlot(workingCounts(s, target.rig), town.settings.caps, target.rig));
    const how = decision.action === 'take-over' ? `stop ${decision.from}, then ` : '';
    return slot.free
      ? {
          bead: id,
          status: 'started',
          dryRun: true,
          reason: `would ${how}hook ${id} to ${target.polecat ? `${target.rig}/${target.polecat}` : `a polecat of ${target.rig}`}${place.host ? ` on host ${place.host}` : ''} and start ${kept.agent ?? agentForRole(town.settings, 'polecat', loadRig(town, target.rig))}${place.why ? ` (placed on ${place.why})` : ''}`,
        }
      : { bead: id, status: 'queued', dryRun: true, reason: `would queue ${id}: ${slot.reason}` };
  }
  if (decision.action === 'take-over')
    await unsling(town, id, {
      reason: `moved to ${target.rig}${target.polecat ? `/${target.polecat}` : ''} (force)`,
      ...(actor ? { actor } : {}),
    });

  const claimed = await claimSlot(town, id, target, kept, place, !!o.fromQueue);
  if (claimed.kind === 'done') return claimed.outcome;
  // Placed at once, so the next bead's placement (a batch, another sling) counts it.
  if (place.host !== undefined) placeClaimed(town, claimed.polecat.rig, claimed.polecat.name, place.host);
  const { host: _asked, ...rest } = kept;
  const run: Kept = { ...rest, ...(place.host !== undefined ? { host: place.host } : {}) };
  return hookAndStart(town, claimed, run, started, place.why);
}

/** A cap in `budgets` is reached: a queued sling keeps waiting; a new one is refused (logged when its reason changes). */
function overBudget(
  town: TownContext,
  id: string,
  reason: string,
  hint: string,
  o: { dryRun: boolean; fromQueue?: boolean; actor?: string | undefined },
): SlingOutcome {
  if (o.fromQueue) return { bead: id, status: 'queued', waiting: 'budget', reason, hint };
  if (o.dryRun) return { bead: id, status: 'refused', reason, hint, dryRun: true };
  withStore(town, (s) => {
    const last = lastTownEvent(s, { kind: TOWN_EVENTS.sling.refused, subject: id });
    if (last?.reason !== reason)
      recordTownEvent(s, {
        kind: TOWN_EVENTS.sling.refused,
        subject: id,
        reason,
        ...(o.actor ? { actor: o.actor } : {}),
      });
  });
  return { bead: id, status: 'refused', reason, hint };
}

/** A bead slung again to the polecat that holds it: a suspended or stopped hook (or a dead session) works again. */
async function resumeIfIdle(
  town: TownContext,
  id: string,
  holder: string,
  actor: string | undefined,
): Promise<SlingOutcome | undefined> {
  const [rig, name] = holder.split('/');
  const p = rig && name ? withStore(town, (s) => getPolecat(s, rig, name)) : undefined;
  if (!p || p.bead !== id || (p.hook_state !== 'suspended' && p.state !== 'stopped')) return undefined;
  const r = await resumeHook(town, p, { ...(actor ? { actor } : {}), note: 'slung again' });
  if (r.status === 'already-working') return undefined;
  return {
    bead: id,
    status: 'resumed',
    polecat: r.address,
    session: r.session,
    reason: `${id} was on ${r.address}'s ${r.was} hook; it works again (${r.how === 'nudged' ? 'its agent was told to carry on' : 'its agent was started'})`,
  };
}
