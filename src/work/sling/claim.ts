// The claim of gt sling: where a bead's polecat runs, then one write that re-checks the bead, checks the caps (or
// queues it), takes a polecat (an idle one or a new name) and hooks the bead to it. Every decision goes to town_events.
import { TOWN_EVENTS } from '../../kernel/index.ts';
import { applyUpdate, getBead, type Store } from '../../beads/index.ts';
import { agentForRole, loadRig, recordTownEvent, type TownContext } from '../../town/index.ts';
import { choosePolecatPlace, placedOn, recordSlung, withStore } from '../sessions/index.ts';
import { LOCAL } from '../../providers/index.ts';
import {
  claimPolecatName,
  getPolecat,
  reusablePolecats,
  updatePolecat,
  workingCounts,
  type Polecat,
} from '../polecats/index.ts';
import { decideClaim, decideSlot, type SlingTarget } from './decide.ts';
import { dequeueSling, enqueueSling, queuedSling, updateQueuedSling } from './queue.ts';
import { agentsOverBudget } from '../../costs/budgets.ts';
import type { Claimed, Kept, Queued, SlingOutcome } from './types.ts';

const WAITING_FOR_SLOT = 'waiting for a free polecat';

/** Where a bead's polecat runs: the host asked for, this machine, the town's choice, or nowhere with room yet. */
export interface Place {
  host?: string;
  /** The town chose: where and why. */
  why?: string;
  /** The town found no place with room: why (the sling waits in the queue). */
  full?: string;
}

export function placeFor(town: TownContext, target: SlingTarget, kept: Kept): Place {
  if (kept.host === LOCAL) return {};
  if (kept.host !== undefined) return { host: kept.host };
  // A named polecat runs where it was placed before (its restarts), or here.
  if (target.polecat !== undefined) return {};
  const c = choosePolecatPlace(town, target.rig);
  if (!c) return {};
  if (c.where === null) return { full: c.why };
  return {
    ...(c.where !== LOCAL ? { host: c.where } : {}),
    why: `${c.where === LOCAL ? 'this machine' : `host ${c.where}`}: ${c.why}`,
  };
}

/** One write: re-check the bead, check the caps, take a polecat (idle or a new name), hook the bead to it. */
export async function claimSlot(
  town: TownContext,
  id: string,
  target: SlingTarget,
  kept: Kept,
  place: Place,
  fromQueue: boolean,
): Promise<Claimed> {
  const over =
    town.settings.budgets.per_agent_usd === undefined
      ? new Set<string>()
      : withStore(town, (s) => agentsOverBudget(s, town));
  // A few candidates: another sling may take one between this look and the write below.
  // A polecat on a host is never reused (its workspace is there); a sling to a host makes a new one.
  const reusable =
    place.host !== undefined
      ? []
      : (target.polecat === undefined
          ? reusablePolecats(town, target.rig, over.size + 3)
          : reusableNamed(town, target)
        ).filter((p) => !over.has(`${p.rig}/${p.name}`) && !placedOn(town, `${p.rig}/${p.name}`));
  const actor = kept.actor;
  return withStore(town, (s) =>
    s.write((): Claimed => {
      const b = getBead(s.db, id)!;
      const again = decideClaim(b, target, false);
      if (again.action !== 'claim') {
        const outcome: SlingOutcome =
          again.action === 'already'
            ? {
                bead: id,
                status: 'already',
                polecat: again.holder,
                reason: `${id} is already on ${again.holder}'s hook`,
              }
            : {
                bead: id,
                status: 'refused',
                reason: again.action === 'refuse' ? again.reason : `${id} was claimed by ${again.from} meanwhile`,
                ...(again.action === 'refuse' ? { hint: again.hint } : {}),
              };
        recordNotSlung(s, outcome, actor);
        return { kind: 'done', outcome };
      }
      if (target.polecat !== undefined) {
        const p = getPolecat(s, target.rig, target.polecat);
        if (p && (p.state === 'working' || p.bead) && fromQueue) {
          return {
            kind: 'done',
            outcome: {
              bead: id,
              status: 'queued',
              waiting: 'polecat',
              reason: `waiting for polecat ${target.rig}/${target.polecat}, busy with ${p.bead ?? 'other work'}`,
            },
          };
        }
        if (p && (p.state === 'working' || p.bead)) {
          const outcome: SlingOutcome = {
            bead: id,
            status: 'refused',
            reason: `polecat ${target.rig}/${target.polecat} is busy with ${p.bead ?? 'other work'}`,
            hint: `sling to the rig (gt sling ${id} ${target.rig}) to get a free polecat`,
          };
          recordNotSlung(s, outcome, actor);
          return { kind: 'done', outcome };
        }
      }
      const slot = place.full
        ? { free: false as const, reason: place.full }
        : decideSlot(workingCounts(s, target.rig), town.settings.caps, target.rig);
      if (!slot.free) {
        const waiting = queuedSling(s, id);
        const queued: Queued = { ...kept, ...(target.polecat !== undefined ? { polecat: target.polecat } : {}) };
        const changed = waiting ? queueChanges(waiting, target.rig, queued) : [];
        if (!waiting) {
          enqueueSling(s, { bead: id, rig: target.rig, agent: kept.agent ?? null, options: JSON.stringify(queued) });
        } else if (changed.length > 0 && !fromQueue) {
          // A new sling of a waiting bead says what it wants now: its options replace the old ones, its place in line stays.
          updateQueuedSling(s, {
            bead: id,
            rig: target.rig,
            agent: kept.agent ?? null,
            options: JSON.stringify(queued),
          });
        }
        if (fromQueue)
          return {
            kind: 'done',
            outcome: { bead: id, status: 'queued', waiting: 'slot', reason: `${WAITING_FOR_SLOT}: ${slot.reason}` },
          };
        const again = !waiting
          ? ''
          : changed.length > 0
            ? `; already queued since ${waiting.created_at}, now with the new ${changed.join(', ')}`
            : `; already queued since ${waiting.created_at} with the same options`;
        recordTownEvent(s, {
          kind: TOWN_EVENTS.sling.queued,
          subject: id,
          reason: `${slot.reason}${again}`,
          data: { rig: target.rig, ...(changed.length ? { updated: changed } : {}) },
          ...(actor ? { actor } : {}),
        });
        return {
          kind: 'done',
          outcome: {
            bead: id,
            status: 'queued',
            waiting: 'slot',
            reason: `${WAITING_FOR_SLOT}: ${slot.reason}${again}`,
          },
        };
      }
      const mark = { state: 'working' as const, bead: id, hook_state: 'created' as const, agent: kept.agent ?? null };
      let polecat = reusable.find((p) => updatePolecat(s, p.rig, p.name, mark, ['idle']));
      let fresh = false;
      if (!polecat) {
        const name = claimPolecatName(town, s, target.rig, {
          ...(target.polecat ? { name: target.polecat } : {}),
          bead: id,
          state: 'working',
          ...(kept.agent ? { agent: kept.agent } : {}),
        });
        updatePolecat(s, target.rig, name, { hook_state: 'created' });
        polecat = getPolecat(s, target.rig, name)!;
        fresh = true;
      }
      const address = `${polecat.rig}/${polecat.name}`;
      // The merge mode travels with the bead: gt done reads it (mr: the queue; direct: lands now, no gates; local: stays on its branch).
      applyUpdate(s, id, {
        status: 'hooked',
        assignee: address,
        ...(kept.merge ? { metadata: { ...(b.metadata ?? {}), merge: kept.merge } } : {}),
      });
      dequeueSling(s, id);
      recordSlung(s, {
        address,
        rig: polecat.rig,
        name: polecat.name,
        runtime: kept.agent ?? agentForRole(town.settings, 'polecat', loadRig(town, target.rig)),
        bead: id,
      });
      recordTownEvent(s, {
        kind: TOWN_EVENTS.sling.hooked,
        subject: id,
        reason: fresh ? 'new polecat' : 'idle polecat reused',
        data: { polecat: address, fromQueue },
        ...(actor ? { actor } : {}),
      });
      return { kind: 'claimed', bead: id, polecat: getPolecat(s, polecat.rig, polecat.name)!, fresh };
    }),
  );
}

/** What a new sling of a queued bead changes: the rig and the options a drain will use (who asked does not count). */
function queueChanges(waiting: { rig: string; options: string | null }, rig: string, kept: Queued): string[] {
  const old = waiting.options ? (JSON.parse(waiting.options) as Queued) : {};
  const out: string[] = [];
  if (waiting.rig !== rig) out.push(`rig (${waiting.rig} → ${rig})`);
  if (old.polecat !== kept.polecat) out.push(`polecat (${old.polecat ?? 'any'} → ${kept.polecat ?? 'any'})`);
  for (const k of ['agent', 'merge', 'base'] as const) {
    if (old[k] !== kept[k]) out.push(`${k} (${old[k] ?? 'default'} → ${kept[k] ?? 'default'})`);
  }
  if (old.message !== kept.message) out.push('message');
  return out;
}

/** A sling that did not hook its bead, in town_events: already on a hook, or refused, with why. */
export function recordNotSlung(s: Store, outcome: SlingOutcome, actor: string | undefined): void {
  recordTownEvent(s, {
    kind: outcome.status === 'already' ? TOWN_EVENTS.sling.already : TOWN_EVENTS.sling.refused,
    subject: outcome.bead,
    reason: outcome.reason!,
    ...(actor ? { actor } : {}),
  });
}

function reusableNamed(town: TownContext, t: SlingTarget): Polecat[] {
  return reusablePolecats(town, t.rig).filter((p) => p.name === t.polecat);
}
