// A request that cannot land (conflict, failing or hanging gate) becomes a rework bead slung back to a polecat.
import { createBead, getBead, rigPrefixOf, updateBead, type Store } from '../beads/index.ts';
import { messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import type { TownContext } from '../town/index.ts';
import { sling } from '../work/sling/index.ts';
import { recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';

export type MergeFailure =
  | { kind: 'conflict'; files: string[]; onto: string; detail: string; pr?: PrRef }
  | { kind: 'gate'; gate: string; reason: 'failed' | 'timeout'; exit: number | null; output: string }
  | { kind: 'check'; check: string; conclusion: string; output: string; url: string | null; pr: PrRef }
  | {
      kind: 'review';
      reviewers: string[];
      comments: { path: string | null; line: number | null; body: string; by: string }[];
      pr: PrRef;
    };

/** The pull request a failure happened on: its rework lands on the same branch and the same PR. */
export interface PrRef {
  number: number;
  url: string;
  branch: string;
}

export function describeFailure(f: MergeFailure): string {
  if (f.kind === 'conflict')
    return `merge conflict in ${f.files.length ? f.files.join(', ') : '(files not named by git)'}${f.pr ? ` (PR #${f.pr.number})` : ''}`;
  if (f.kind === 'check') return `check "${f.check}" ${f.conclusion} on PR #${f.pr.number}`;
  if (f.kind === 'review') return `changes requested on PR #${f.pr.number} by ${f.reviewers.join(', ')}`;
  return f.reason === 'timeout' ? `${f.gate} gate timed out` : `${f.gate} gate failed (exit ${f.exit ?? '?'})`;
}

function reworkDescription(mr: MergeRequest, f: MergeFailure, defaultBranch: string, origTitle: string): string {
  const head = [
    `The merge queue could not land ${mr.bead} ("${origTitle}"): ${describeFailure(f)}.`,
    '',
    `Merge request ${mr.id}, branch \`${mr.branch}\` at ${mr.head}.`,
    '',
  ];
  if (f.kind === 'check' || f.kind === 'review' || (f.kind === 'conflict' && f.pr))
    return prReworkDescription(mr, f, defaultBranch, origTitle);
  if (f.kind === 'conflict') {
    return [
      ...head,
      `Conflicting files (against ${defaultBranch} at ${f.onto.slice(0, 12)}):`,
      ...f.files.map((p) => `- ${p}`),
      '',
      `Bring the change onto the current ${defaultBranch}: \`git merge ${mr.branch}\` (or cherry-pick its commits),`,
      'resolve the conflicts keeping both intents, run the tests, commit, then `gt done`.',
    ].join('\n');
  }
  return [
    ...head,
    `Output of the ${f.gate} gate (end):`,
    '```',
    f.output.trimEnd(),
    '```',
    '',
    `Bring the change onto the current ${defaultBranch} (\`git merge ${mr.branch}\`), make the ${f.gate} gate pass, commit, then \`gt done\`.`,
  ].join('\n');
}

function failureText(f: MergeFailure, what: string): string {
  if (f.kind === 'conflict') return what;
  if (f.kind === 'review')
    return `${what}\n${f.comments.map((c) => `${c.path ? `${c.path}${c.line ? `:${c.line}` : ''}: ` : ''}${c.body} (${c.by})`).join('\n')}`;
  return `${what}\n${f.output}`;
}

/** What a polecat needs to fix a PR: the check's log or each review comment, and to commit on top of the PR's branch. */
function prReworkDescription(
  mr: MergeRequest,
  f: Extract<MergeFailure, { pr?: PrRef }>,
  defaultBranch: string,
  origTitle: string,
): string {
  const pr = f.pr!;
  const lines = [
    `Pull request #${pr.number} (${pr.url}) for ${mr.bead} ("${origTitle}") cannot merge: ${describeFailure(f)}.`,
    '',
    `Its branch is \`${pr.branch}\` (merge request ${mr.id}, head ${mr.head}). The fix lands on the same branch and the same`,
    `pull request: start with \`git merge ${mr.branch}\` so your branch contains the PR's commits, add your commits on top`,
    '(no rebase, no force), then `gt done`.',
    '',
  ];
  if (f.kind === 'check') {
    lines.push(
      `Check "${f.check}" ended ${f.conclusion}${f.url ? ` (${f.url})` : ''}. Its log (end):`,
      '```',
      f.output.trimEnd() || '(the check reported no output)',
      '```',
    );
  } else if (f.kind === 'review') {
    lines.push('Review comments to address, each one:');
    for (const c of f.comments)
      lines.push(
        `- ${c.path ? `${c.path}${c.line ? `:${c.line}` : ''}` : '(general)'} — ${c.by}: ${c.body.replace(/\n/g, '\n  ')}`,
      );
  } else {
    lines.push(
      `GitHub reports a conflict with ${defaultBranch}. Conflicting files (against ${defaultBranch} at ${f.onto.slice(0, 12)}):`,
      ...f.files.map((p) => `- ${p}`),
      '',
      `Merge the current ${defaultBranch} into your branch (\`git merge origin/${defaultBranch}\` or the rig's ${defaultBranch}), resolve keeping both intents, run the tests.`,
    );
  }
  return lines.join('\n');
}

export interface ReworkResult {
  rework_bead: string;
  /** How the rework bead was handed on: to a polecat through sling, or left open (ready) for the next sling. */
  slung: 'started' | 'queued' | 'left-open';
  note?: string;
}

/** Record the failure: rework bead (discovered-from the original), MR failed, a note on the original, an event. */
export function recordFailure(
  store: Store,
  mr: MergeRequest,
  f: MergeFailure,
  defaultBranch: string,
  actor: string,
): string {
  return store.write(() => {
    const orig = getBead(store.db, mr.bead);
    const what = describeFailure(f);
    const description = reworkDescription(mr, f, defaultBranch, orig?.title ?? mr.bead);
    // A retried request that fails again keeps its open rework bead (brought up to date), not a second one.
    const open = mr.rework_bead ? getBead(store.db, mr.rework_bead) : undefined;
    if (open && open.status !== 'closed' && !open.deleted_at) {
      updateBead(store, open.id, {
        title: `Rework ${mr.bead}: ${what}`.slice(0, 200),
        description,
        appendNotes: `Failed again after a retry of ${mr.id}: ${what}.`,
      });
      const failure = failureText(f, what);
      updateMr(store, mr.id, { status: 'failed', failure, rework_bead: open.id, finished_at: store.now() });
      recordTownEvent(store, {
        actor,
        kind: TOWN_EVENTS.refinery.failed,
        subject: mr.bead,
        reason: what,
        data: { mr: mr.id, rework_bead: open.id, kind: f.kind, reused: true },
      });
      return open.id;
    }
    // Rework is the rig's work: it carries the rig's prefix (a town-level hq- bead is not slung into a rig).
    const rigPrefix = store.loc.kind === 'town' ? rigPrefixOf(store.loc.root, mr.rig) : undefined;
    const rework = createBead(store, {
      ...(rigPrefix ? { prefix: rigPrefix } : {}),
      title: `Rework ${mr.bead}: ${what}`.slice(0, 200),
      type: 'bug',
      priority: orig?.priority ?? mr.priority,
      description,
      ...(orig ? { deps: [{ type: 'discovered-from' as const, id: mr.bead }] } : {}),
      metadata: {
        rework_of: mr.bead,
        merge_request: mr.id,
        branch: mr.branch,
        ...('pr' in f && f.pr ? { merge: 'pr', pull_request: f.pr.number, pr_branch: f.pr.branch } : {}),
      },
    });
    const failure = failureText(f, what);
    updateMr(store, mr.id, { status: 'failed', failure, rework_bead: rework.id, finished_at: store.now() });
    if (orig)
      updateBead(store, mr.bead, {
        appendNotes: `Merge request ${mr.id} could not land: ${what}; rework in ${rework.id}.`,
      });
    recordTownEvent(store, {
      actor,
      kind: TOWN_EVENTS.refinery.failed,
      subject: mr.bead,
      reason: what,
      data: { mr: mr.id, rework_bead: rework.id, kind: f.kind },
    });
    return rework.id;
  });
}

/** Hand the rework bead to a polecat of the rig; without sling (or when it refuses) it stays open and ready. */
export async function slingRework(
  town: TownContext,
  store: Store,
  bead: string,
  rig: string,
  enabled: boolean,
): Promise<Omit<ReworkResult, 'rework_bead'>> {
  if (!enabled) return { slung: 'left-open', note: 'sling disabled for this run' };
  try {
    // A static import: the bundle (dist/gt.cjs) has no .ts files beside it to load lazily.
    const r = await sling(town, { beads: [bead], target: rig });
    const first = r.results[0];
    const status = first?.status;
    if (
      status === 'started' ||
      status === 'hooked' ||
      status === 'resumed' ||
      status === 'queued' ||
      status === 'already'
    )
      return { slung: status === 'queued' ? 'queued' : 'started' };
    return { slung: 'left-open', note: `sling did not take it: ${first?.reason ?? status ?? 'no answer'}` };
  } catch (e) {
    recordTownEvent(store, {
      actor: `${rig}/refinery`,
      kind: TOWN_EVENTS.refinery.slingFailed,
      subject: bead,
      reason: messageOf(e),
    });
    return { slung: 'left-open', note: `sling failed: ${messageOf(e)}` };
  }
}
