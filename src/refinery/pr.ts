// Landing through pull requests (merge strategy `pr`): push the work branch, open a PR (pr-open.ts), follow its
// checks, reviews and mergeability, merge it when the rig's rules allow (API merge, auto-merge or GitHub's merge
// queue), and turn every failure into rework on the same branch and PR (pr-follow.ts). Only this code merges; it never
// relies on an admin's power to bypass branch protection: it merges only what it has itself seen green and (when
// required) approved. What both share: pr-common.ts.
import type { Store } from '../beads/index.ts';
import { GitHubError } from '../forge/github-model.ts';
import { TOWN_EVENTS } from '../kernel/index.ts';
import type { RigConfig } from '../town/index.ts';
import { recordTownEvent, type MergeRequest } from './mr-store.ts';
import { forgeFor, prSettings, type PrRun } from './pr-common.ts';
import { followPulls } from './pr-follow.ts';
import { openPull } from './pr-open.ts';
import { listPrs, prOfMr } from './pr-store.ts';

export { forgeFor, prSettings, type PrOutcome, type PrRun, type PrSettings } from './pr-common.ts';
export { failingChecks, latestVerdicts, pendingChecks, type RedCheck } from './pr-follow.ts';

/** Requests in PR mode with nothing for the local queue: each is opened (openPull), then every followed PR is looked at (followPulls). */
export async function runPullRequests(
  r: PrRun,
  queued: readonly MergeRequest[],
): Promise<{ blocked?: { message: string; hint: string } }> {
  const open = listPrs(r.store, r.rig.name, ['open', 'rework', 'auto-merge', 'queued']);
  if (queued.length === 0 && open.length === 0) return {};
  const f = forgeFor(r.town, r.rig);
  if ('error' in f) {
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.prBlocked,
      subject: r.rig.name,
      reason: f.error,
    });
    return { blocked: { message: f.error, hint: f.hint } };
  }
  try {
    for (const mr of queued) await openPull(r, f, mr);
    await followPulls(r, f);
  } catch (e) {
    if (e instanceof GitHubError && (e.status === 0 || e.status === 403 || e.status === 429 || e.status === 401)) {
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.prBlocked,
        subject: r.rig.name,
        reason: e.message,
      });
      return { blocked: { message: e.message, hint: e.hint ?? 'the refinery tries again at its next run' } };
    }
    throw e;
  } finally {
    f.save();
  }
  return {};
}

/** True when the request's PR is followed by the refinery (so a `running` request is not an interrupted local merge). */
export function hasPullRequest(store: Store, mr: string): boolean {
  return !!prOfMr(store, mr);
}

/** Open PRs due for a look (the daemon's cheap check before any git or HTTP). */
export function pullsDue(store: Store, rig: RigConfig, now = Date.now()): boolean {
  const due = now - prSettings(rig).poll_seconds * 1000;
  return listPrs(store, rig.name, ['open', 'rework', 'auto-merge', 'queued']).some(
    (p) => !p.polled_at || Date.parse(p.polled_at) <= due,
  );
}
