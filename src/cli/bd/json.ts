// `bd --json` shapes as Go Beads prints them (docs/formats/bd-json.md): the issue record of the ledger
// (src/beads/ledger.ts, one place for the shape) plus the derived fields each command adds.
import {
  dependentsOf,
  getBead,
  toRecord,
  type Bead,
  type BeadDetails,
  type BeadEvent,
  type BlockedBead,
  type Comment,
  type Dependency,
  type Page,
  type Stats,
  type Store,
} from '../../beads/index.ts';

type Json = Record<string, unknown>;

/** One issue as Beads prints it: the ledger record (Beads' names, empty fields left out). */
export function issueJson(b: Bead & Partial<Pick<BeadDetails, 'dependencies' | 'comments'>>): Json {
  const rec = toRecord(b);
  return b.ephemeral ? { ...rec, ephemeral: true } : rec;
}

/** `bd list`: issues with Beads' counts (`IssueWithCounts`), from a page read `withCounts`. */
export function listJson(page: Page): Json[] {
  return page.beads.map((b) => {
    const n = page.counts?.get(b.id);
    return {
      ...issueJson(b),
      dependency_count: n?.deps ?? 0,
      dependent_count: n?.dependents ?? 0,
      comment_count: n?.comments ?? 0,
    };
  });
}

/**
 * An edge as `bd show` prints it: the other issue (Beads' `IssueWithDependencyMetadata`: its fields and
 * `dependency_type`), plus the edge's own `issue_id`, `depends_on_id` and `type` so either reading works.
 */
export function edgeJson(store: Store, d: Dependency, other: string): Json {
  const b = getBead(store.db, other);
  const edge = { issue_id: d.issue_id, depends_on_id: d.depends_on_id, type: d.type, dependency_type: d.type };
  return b ? { ...issueJson(b), ...edge } : { id: other, ...edge };
}

/** `bd show`: an array of issue details (Beads prints an array even for one id). */
export function showJson(store: Store, d: BeadDetails, events?: BeadEvent[]): Json {
  const parent = d.dependencies.find((x) => x.type === 'parent-child')?.depends_on_id;
  return {
    ...issueJson({ ...d, dependencies: [] }),
    ...(parent ? { parent } : {}),
    dependencies: d.dependencies.map((x) => edgeJson(store, x, x.depends_on_id)),
    dependents: dependentsOf(store.db, d.id).map((x) => edgeJson(store, x, x.issue_id)),
    comments: d.comments.map(commentJson),
    ...(events ? { events } : {}),
  };
}

export function commentJson(c: Comment): Json {
  return {
    id: /^\d+$/.test(c.id) ? Number(c.id) : c.id,
    issue_id: c.issue_id,
    author: c.author,
    text: c.text,
    created_at: c.created_at,
    ...(c.extra ?? {}),
  };
}

/** `bd blocked`: Beads' `BlockedIssue`. */
export function blockedJson(b: BlockedBead): Json {
  return { ...issueJson(b), blocked_by_count: b.blocked_by.length, blocked_by: b.blocked_by };
}

/** `bd stats` (Beads: `bd status`): Beads' summary, with this project's breakdowns beside it. */
export function statsJson(s: Stats): Json {
  const st = (k: string): number => s.by_status[k] ?? 0;
  return {
    summary: {
      total_issues: s.total,
      open_issues: st('open'),
      in_progress_issues: st('in_progress'),
      closed_issues: st('closed'),
      blocked_issues: s.blocked,
      deferred_issues: st('deferred'),
      ready_issues: s.ready,
      pinned_issues: st('pinned'),
      hooked_issues: st('hooked'),
    },
    ...s,
  };
}
