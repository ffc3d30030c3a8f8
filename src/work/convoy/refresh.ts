// `gt convoy refresh`: recompute one open convoy, land it if its work is all in, else feed its ready beads now.
import type { TownContext } from '../../town/index.ts';
import { checkConvoys, type CheckOptions, type CheckResult } from './check.ts';
import { feedConvoys, type FeedResult, type SlingFn } from './feed.ts';
import { requireOpen, showConvoy } from './manage.ts';
import type { ConvoyStatus } from './status.ts';

export interface RefreshResult {
  convoy: ConvoyStatus;
  check: CheckResult;
  feed: FeedResult;
}

export async function refreshConvoy(
  town: TownContext,
  input: string,
  opts: Pick<CheckOptions, 'actor' | 'mail' | 'alert'> & { sling: SlingFn },
): Promise<RefreshResult> {
  const before = showConvoy(town, input);
  requireOpen(before);
  const check = await checkConvoys(town, { ...opts, convoy: before.id });
  const feed = check.landed.length
    ? { convoys: 0, decisions: [] }
    : await feedConvoys(town, {
        convoy: before.id,
        graceMs: 0,
        ...(opts.actor ? { actor: opts.actor } : {}),
        sling: opts.sling,
      });
  return { convoy: showConvoy(town, before.id), check, feed };
}
