// PR mode, following: each open PR's state on GitHub (merged, closed by a person, conflicting, its checks and
// reviews), turned into a wait with its reason, a rework bead, or a merge when the rig's rules allow (API merge,
// auto-merge or GitHub's merge queue). It merges only what it has itself seen green and, when required, approved.
import { getBead, updateBead } from '../beads/index.ts';
import { GitHubError, type CheckRun, type CommitStatus, type Review } from '../forge/github-model.ts';
import { mergeTree } from '../git/index.ts';
import { TOWN_EVENTS } from '../kernel/index.ts';
import { tail } from './gates.ts';
import { deleteMergedBranch, revParse, syncFromOrigin } from './git-ops.ts';
import { completeMerged } from './land.ts';
import { getMr, recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
import { MARK, prSettings, rework, type Forge, type PrRun } from './pr-common.ts';
import { handledOf, listPrs, updatePr, type PullRequestRow } from './pr-store.ts';
import type { PrRef } from './rework.ts';

/** Look at each PR the refinery follows, oldest first; merge, wait, or turn what it sees into rework. */
export async function followPulls(r: PrRun, f: Forge): Promise<void> {
  const s = prSettings(r.rig);
  const due = Date.now() - s.poll_seconds * 1000;
  for (const row of listPrs(r.store, r.rig.name, ['open', 'rework', 'auto-merge', 'queued'])) {
    if (!r.pollNow && row.polled_at && Date.parse(row.polled_at) > due) continue;
    const mr = getMr(r.store, row.mr);
    if (!mr) continue;
    await followOne(r, f, row, mr);
  }
}

async function followOne(r: PrRun, f: Forge, row: PullRequestRow, mr: MergeRequest): Promise<void> {
  const s = prSettings(r.rig);
  const pull = (await f.gh.getPull(row.repo, row.number)).data;
  updatePr(r.store, row, { polled_at: r.store.now() });
  if (pull.merged) return landed(r, row, mr, pull.merge_commit_sha ?? pull.head.sha);
  if (pull.state === 'closed') return closedByPerson(r, f, row, mr);
  if (row.state === 'rework') {
    const w = `waiting for rework ${mr.rework_bead ?? '?'}`;
    if (row.detail !== w) updatePr(r.store, row, { detail: w });
    return;
  }
  const head = pull.head.sha;
  if (head !== row.head) {
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.prHeadMoved,
      subject: mr.bead,
      reason: `PR #${row.number}'s head moved from ${row.head.slice(0, 12)} to ${head.slice(0, 12)} (pushed outside the refinery); following it`,
      data: { pr: row.number },
    });
    updatePr(r.store, row, { head });
  }
  const wait = (detail: string): void => {
    if (row.detail !== detail) updatePr(r.store, row, { detail });
    r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-waiting', pr: row.number, detail });
  };
  const handled = handledOf(row);
  const ref: PrRef = { number: row.number, url: row.url, branch: row.branch };
  if (pull.mergeable === false) {
    const key = `conflict@${head}`;
    if (handled.has(key)) return wait('conflict with the base branch; waiting for its rework');
    syncFromOrigin(r.repo, r.rig.default_branch);
    const onto =
      revParse(r.repo, `refs/gt/origin/${r.rig.default_branch}`) ??
      revParse(r.repo, `refs/heads/${r.rig.default_branch}`)!;
    let files: string[] = [];
    try {
      const merged = mergeTree(r.repo, onto, head);
      if (!merged.ok) files = merged.files;
    } catch {
      // git could not say which files conflict: the rework names none, GitHub's verdict stands.
    }
    markHandled(r, row, key, 'rework');
    return rework(
      r,
      mr,
      { kind: 'conflict', files, onto, detail: 'GitHub reports the PR is not mergeable', pr: ref },
      (b) => ({ ...b, status: 'conflict', pr: row.number, files }),
    );
  }
  // Checks: every check run and status on the head must end green; a red one comes back as rework, once per head.
  const [runs, combined] = await Promise.all([f.gh.checkRuns(row.repo, head), f.gh.combinedStatus(row.repo, head)]);
  const red = failingChecks(runs, combined.statuses);
  const fresh = red.find((c) => !handled.has(`check:${c.name}@${head}`));
  if (fresh?.jobId !== undefined) {
    // A GitHub Actions job: the excerpt is the end of its log (where the failure is), after what the check reported.
    try {
      const log = tail(stripLogTimes(await f.gh.jobLog(row.repo, fresh.jobId)).trimEnd(), 3000);
      fresh.output = `${fresh.output ? `${tail(fresh.output, 1000)}\n\n` : ''}${log}`;
    } catch {
      // logs expired or not readable with this token: the check's own output stays the excerpt
    }
  }
  if (fresh) {
    markHandled(r, row, `check:${fresh.name}@${head}`, 'rework');
    return rework(
      r,
      mr,
      { kind: 'check', check: fresh.name, conclusion: fresh.conclusion, output: fresh.output, url: fresh.url, pr: ref },
      (b) => ({ ...b, status: 'check-failed', pr: row.number, check: fresh.name }),
    );
  }
  if (red.length > 0) return wait(`check "${red[0]!.name}" ${red[0]!.conclusion}; waiting for its rework`);
  // Reviews: a request for changes comes back as rework with every comment; it blocks until the reviewer approves.
  const reviews = await f.gh.reviews(row.repo, row.number);
  const verdicts = latestVerdicts(reviews);
  const changes = reviews.filter(
    (v) => v.state === 'CHANGES_REQUESTED' && verdicts.get(login(v)) === 'CHANGES_REQUESTED',
  );
  const newChanges = changes.filter((v) => !handled.has(`review:${v.id}`));
  if (newChanges.length > 0) {
    const comments = await f.gh.reviewComments(row.repo, row.number);
    const ids = new Set(newChanges.map((v) => v.id));
    const list = [
      ...newChanges
        .filter((v) => v.body?.trim())
        .map((v) => ({ path: null, line: null, body: v.body!.trim(), by: login(v) })),
      ...comments
        .filter((c) => c.pull_request_review_id !== null && ids.has(c.pull_request_review_id))
        .map((c) => ({ path: c.path, line: c.line ?? c.original_line, body: c.body, by: c.user?.login ?? '?' })),
    ];
    const reviewers = [...new Set(newChanges.map(login))];
    markHandled(
      r,
      row,
      newChanges.map((v) => `review:${v.id}`),
      'rework',
    );
    return rework(r, mr, { kind: 'review', reviewers, comments: list, pr: ref }, (b) => ({
      ...b,
      status: 'changes-requested',
      pr: row.number,
      reviewers,
    }));
  }
  if (changes.length > 0)
    return wait(`changes requested by ${[...new Set(changes.map(login))].join(', ')}; waiting for a new review`);
  if (mr.status !== 'running') updateMr(r.store, mr.id, { status: 'running' });
  if (s.require_review && ![...verdicts.values()].includes('APPROVED')) return wait('waiting for an approving review');
  if (row.state === 'auto-merge' || row.state === 'queued')
    return wait(
      row.state === 'queued'
        ? "in GitHub's merge queue"
        : 'auto-merge enabled; GitHub merges it when its requirements are met',
    );
  // Auto-merge is asked for as soon as the refinery's own conditions hold: GitHub then waits for its checks itself.
  if (s.auto_merge) {
    try {
      await f.gh.enableAutoMerge(pull.node_id, s.merge_method, head);
      updatePr(r.store, row, {
        state: 'auto-merge',
        detail: 'auto-merge enabled; GitHub merges it when its requirements are met',
      });
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.prAutoMerge,
        subject: mr.bead,
        reason: `auto-merge (${s.merge_method}) enabled on PR #${row.number}`,
        data: { pr: row.number },
      });
      r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-auto-merge', pr: row.number });
      return settleAfterRequest(r, f, row, mr);
    } catch (e) {
      // GitHub refuses auto-merge for a PR it could merge right now ("clean status"): merge it below instead.
      if (!(e instanceof GitHubError && /clean status/i.test(e.message))) throw e;
    }
  }
  const pending = pendingChecks(runs, combined.statuses, s.required_checks);
  if (pending.length > 0)
    return wait(`waiting for check${pending.length > 1 ? 's' : ''} ${pending.map((p) => `"${p}"`).join(', ')}`);
  if (pull.mergeable === null) return wait('GitHub is still computing whether it can merge');
  // GitHub's own verdict counts too: "blocked" means branch protection is not satisfied. An administrator's token could
  // merge it anyway (what `gh pr merge --admin` does); the refinery never does.
  if (pull.mergeable_state === 'blocked')
    return wait('blocked by branch protection on GitHub (a required check or review is missing); not merging past it');
  if (pull.mergeable_state === 'behind')
    return wait(`behind ${r.rig.default_branch}, and the branch must be up to date to merge`);
  if (pull.mergeable_state === 'draft') return wait('a draft');
  if (s.merge_queue) {
    await f.gh.enqueue(pull.node_id, head);
    updatePr(r.store, row, { state: 'queued', detail: "in GitHub's merge queue" });
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.prQueued,
      subject: mr.bead,
      reason: `PR #${row.number} added to GitHub's merge queue`,
      data: { pr: row.number },
    });
    r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-queued', pr: row.number });
    return settleAfterRequest(r, f, row, mr);
  }
  try {
    // The PR's title names the work (a rework's request carries the rework bead, whose title says what went wrong).
    const m = await f.gh.mergePull(row.repo, row.number, {
      merge_method: s.merge_method,
      sha: head,
      commit_title: `${pull.title.slice(0, 200)} (#${row.number})`,
    });
    return landed(r, row, mr, m.sha);
  } catch (e) {
    // 405: GitHub's own rules refuse it now (protection, a required review); 409: the head moved. Both: look again later.
    if (e instanceof GitHubError && (e.status === 405 || e.status === 409))
      return wait(`GitHub refused the merge: ${e.message.replace(/^.*answered \d+: /, '')}`);
    throw e;
  }
}

/** GitHub may merge at once when auto-merge or the queue finds it ready: look again so the bead closes in this run. */
async function settleAfterRequest(r: PrRun, f: Forge, row: PullRequestRow, mr: MergeRequest): Promise<void> {
  const pull = (await f.gh.getPull(row.repo, row.number)).data;
  if (pull.merged) return landed(r, row, mr, pull.merge_commit_sha ?? pull.head.sha);
}

function markHandled(r: PrRun, row: PullRequestRow, keys: string | string[], state: PullRequestRow['state']): void {
  const set = handledOf(row);
  for (const k of Array.isArray(keys) ? keys : [keys]) set.add(k);
  row.handled = JSON.stringify([...set]);
  updatePr(r.store, row, { handled: row.handled, state, detail: null });
}

/** Merged on GitHub: the request is merged, the bead closed "merged <sha> via #N", the rig's default branch fetched. */
function landed(r: PrRun, row: PullRequestRow, mr: MergeRequest, sha: string): void {
  updatePr(r.store, row, { state: 'merged', merge_commit: sha, detail: null });
  syncFromOrigin(r.repo, r.rig.default_branch);
  completeMerged(r.store, mr, sha, r.actor, `PR #${row.number} merged (${row.url})`, `#${row.number}`);
  const del = deleteMergedBranch(r.repo, mr.branch, mr.head);
  r.emit({
    mr: mr.id,
    bead: mr.bead,
    status: 'merged',
    commit: sha,
    pr: row.number,
    url: row.url,
    branch_deleted: del.deleted,
    ...(del.reason ? { branch_note: del.reason } : {}),
  });
}

/** Closed without merging by a person: the request is rejected with the reason and the bead is open again. */
async function closedByPerson(r: PrRun, f: Forge, row: PullRequestRow, mr: MergeRequest): Promise<void> {
  const comments = await f.gh.issueComments(row.repo, row.number).catch(() => []);
  const theirs = comments.filter((c) => !c.body.includes(MARK)).pop();
  const reason = `PR #${row.number} was closed without merging${theirs ? ` by ${theirs.user?.login ?? 'someone'}: ${theirs.body.trim().split('\n')[0]}` : ''}`;
  updatePr(r.store, row, { state: 'closed', detail: reason });
  r.store.write(() => {
    updateMr(r.store, mr.id, { status: 'rejected', failure: reason, finished_at: r.store.now() });
    for (const id of [mr.bead, ...(mr.rework_bead ? [mr.rework_bead] : [])]) {
      const b = getBead(r.store.db, id);
      if (!b) continue;
      if (b.status === 'closed') continue;
      updateBead(r.store, id, {
        status: 'open',
        assignee: null,
        appendNotes: `${reason}. Reopened by the refinery (${row.url}).`,
      });
    }
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.prClosed,
      subject: mr.bead,
      reason,
      data: { mr: mr.id, pr: row.number, url: row.url },
    });
  });
  r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-closed', pr: row.number, reason });
}

const RED = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure', 'stale']);

export interface RedCheck {
  name: string;
  conclusion: string;
  output: string;
  url: string | null;
  /** Set for a GitHub Actions job, whose log can be downloaded. */
  jobId?: number;
}

/** Actions logs start each line with an ISO timestamp: noise in a rework bead. */
function stripLogTimes(log: string): string {
  return log.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /gm, '');
}

/** Check runs and statuses that ended red, each with the end of what it reported (its log excerpt). */
export function failingChecks(runs: readonly CheckRun[], statuses: readonly CommitStatus[]): RedCheck[] {
  const out: RedCheck[] = [];
  for (const c of runs) {
    if (c.status !== 'completed' || !RED.has(c.conclusion ?? '')) continue;
    const o = c.output ?? {};
    out.push({
      name: c.name,
      conclusion: c.conclusion!,
      output: tail([o.title, o.summary, o.text].filter(Boolean).join('\n\n')),
      url: c.html_url ?? c.details_url ?? null,
      ...(c.app?.slug === 'github-actions' ? { jobId: c.id } : {}),
    });
  }
  for (const s of statuses) {
    if (s.state !== 'failure' && s.state !== 'error') continue;
    out.push({ name: s.context, conclusion: s.state, output: tail(s.description ?? ''), url: s.target_url });
  }
  return out;
}

/** Checks still running, and required ones not reported yet. */
export function pendingChecks(
  runs: readonly CheckRun[],
  statuses: readonly CommitStatus[],
  required: readonly string[],
): string[] {
  const names = new Set([...runs.map((c) => c.name), ...statuses.map((s) => s.context)]);
  return [
    ...runs.filter((c) => c.status !== 'completed').map((c) => c.name),
    ...statuses.filter((s) => s.state === 'pending').map((s) => s.context),
    ...required.filter((n) => !names.has(n)),
  ];
}

function login(v: Review): string {
  return v.user?.login ?? '?';
}

/** Each reviewer's standing verdict: the latest APPROVED / CHANGES_REQUESTED (a comment does not change it; a dismissal clears it). */
export function latestVerdicts(reviews: readonly Review[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const v of [...reviews].sort((a, b) => a.submitted_at.localeCompare(b.submitted_at) || a.id - b.id)) {
    if (v.state === 'APPROVED' || v.state === 'CHANGES_REQUESTED') m.set(login(v), v.state);
    else if (v.state === 'DISMISSED') m.delete(login(v));
  }
  return m;
}
