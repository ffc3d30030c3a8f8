// Merge requests as people see them: each with the pull request that carries it, when it goes through GitHub.
import type { Store } from '../beads/index.ts';
import type { MergeRequest } from './mr-store.ts';
import { prsOfMrs } from './pr-store.ts';

export interface MrWithPr extends MergeRequest {
  pull_request: { number: number; url: string; state: string; detail: string | null } | null;
}

export function withPullRequests(store: Store, rows: readonly MergeRequest[]): MrWithPr[] {
  const prs = prsOfMrs(
    store,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const p = prs.get(r.id);
    return { ...r, pull_request: p ? { number: p.number, url: p.url, state: p.state, detail: p.detail } : null };
  });
}
