// The merge queue's pure core: which requests go next (priority, then age, with aging) and batch bisection.

/** What the planner needs of a queued request. */
export interface QueueItem {
  id: string;
  priority: number;
  created_at: string;
}

/** Waiting this long raises a request by one priority level (repeatedly), so old requests cannot starve. */
export const AGING_MS = 30 * 60_000;

/** The priority a request competes with at `now`: its own, one level better per 30 minutes waited (0 is best). */
export function effectivePriority(item: QueueItem, now: Date): number {
  const waited = Math.max(0, now.getTime() - Date.parse(item.created_at));
  return item.priority - Math.floor(waited / AGING_MS);
}

/** Queue order: effective priority, then the oldest first, then id (a total order, so plans are deterministic). */
export function planQueue<T extends QueueItem>(items: readonly T[], now: Date): T[] {
  const keyed = items.map((item) => ({ item, p: effectivePriority(item, now) }));
  keyed.sort(
    (a, b) => a.p - b.p || a.item.created_at.localeCompare(b.item.created_at) || a.item.id.localeCompare(b.item.id),
  );
  return keyed.map((k) => k.item);
}

/** The next batch: the first `size` requests in queue order. */
export function planBatch<T extends QueueItem>(items: readonly T[], size: number, now: Date): T[] {
  return planQueue(items, now).slice(0, Math.max(1, size));
}

export type TryOutcome<F> = { ok: true } | { ok: false; failure: F };

export interface BisectResult<T, F> {
  /** Groups that passed and were landed, in landing order. */
  landed: T[][];
  /** Requests found to fail on their own, with the failure that convicted them. */
  culprits: { item: T; failure: F }[];
  /** How many times `tryLand` ran (each run is one run of the gates). */
  runs: number;
}

/**
 * Batch-then-bisect (Bors style). `tryLand(group)` stacks the group on the current default branch, runs the gates
 * once and lands the group when they pass. A failing group is split in halves, left first; when the left half
 * passes, the right half is known to hold a culprit, so it is split again without being run as a whole, and a
 * known-bad single request is a culprit without another run. Landed halves move the default branch forward, so
 * later runs stack on what landed.
 */
export async function bisectLand<T, F>(
  items: readonly T[],
  tryLand: (group: T[]) => Promise<TryOutcome<F>>,
): Promise<BisectResult<T, F>> {
  const result: BisectResult<T, F> = { landed: [], culprits: [], runs: 0 };
  const split = async (group: T[], failure: F): Promise<void> => {
    const mid = Math.ceil(group.length / 2);
    const leftPassed = await visit(group.slice(0, mid), undefined);
    await visit(group.slice(mid), leftPassed ? failure : undefined);
  };
  /** Returns true when the whole group landed in one run. `knownBad` carries the failure of a group known to fail. */
  const visit = async (group: T[], knownBad: F | undefined): Promise<boolean> => {
    if (group.length === 0) return true;
    if (knownBad !== undefined) {
      if (group.length === 1) result.culprits.push({ item: group[0]!, failure: knownBad });
      else await split(group, knownBad);
      return false;
    }
    result.runs++;
    const r = await tryLand(group);
    if (r.ok) {
      result.landed.push(group);
      return true;
    }
    if (group.length === 1) result.culprits.push({ item: group[0]!, failure: r.failure });
    else await split(group, r.failure);
    return false;
  };
  await visit([...items], undefined);
  return result;
}
