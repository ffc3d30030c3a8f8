// Landing through pull requests (merge strategy `pr`): push the work branch, open a PR, follow its checks, reviews
// and mergeability, merge it when the rig's rules allow (API merge, auto-merge or GitHub's merge queue), and turn
// every failure into rework on the same branch and PR. Only this code merges; it never relies on an admin's power to
// bypass branch protection: it merges only what it has itself seen green and (when required) approved.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getBead, updateBead, type Store } from '../beads/index.ts';
import { GitHub, GitHubError, repoFromUrl, resolveToken, type CheckRun, type CommitStatus, type EtagCache, type PullRequest, type Review } from '../forge/github.ts';
import { gitTry } from '../git/index.ts';
import { writeFileAtomic, TOWN_EVENTS } from '../kernel/index.ts';
import type { RigConfig, TownContext } from '../town/index.ts';
import { openConvoysOf } from '../work/convoy/read.ts';
import { runGates, tail, type GateName } from './gates.ts';
import { checkoutForGates, deleteMergedBranch, originUrl, revParse, syncFromOrigin } from './git-ops.ts';
import { completeMerged } from './land.ts';
import { getMr, recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
import { handledOf, insertPr, listPrs, prOfMr, prOnBranch, updatePr, type PullRequestRow } from './pr-store.ts';
import { recordFailure, slingRework, type MergeFailure, type PrRef } from './rework.ts';

export type PrSettings = Required<Omit<NonNullable<RigConfig['pr']>, 'repo' | 'remote' | 'api_url'>> & Pick<NonNullable<RigConfig['pr']>, 'repo' | 'remote' | 'api_url'>;

export function prSettings(rig: RigConfig): PrSettings {
  return { merge_method: 'squash', require_review: false, required_checks: [], auto_merge: false, merge_queue: false, poll_seconds: 60, ...(rig.pr ?? {}) };
}

export type PrOutcome =
  | { mr: string; bead: string; status: 'pr-opened'; pr: number; url: string; branch: string; reused: boolean }
  | { mr: string; bead: string; status: 'pr-waiting'; pr: number; detail: string }
  | { mr: string; bead: string; status: 'pr-auto-merge' | 'pr-queued'; pr: number }
  | { mr: string; bead: string; status: 'merged'; commit: string; pr: number; url: string; branch_deleted: boolean; branch_note?: string }
  | { mr: string; bead: string; status: 'check-failed'; pr: number; check: string; rework_bead: string; slung: string; note?: string }
  | { mr: string; bead: string; status: 'changes-requested'; pr: number; reviewers: string[]; rework_bead: string; slung: string; note?: string }
  | { mr: string; bead: string; status: 'conflict'; pr?: number; files: string[]; rework_bead: string; slung: string; note?: string }
  | { mr: string; bead: string; status: 'gate-failed' | 'gate-timeout'; gate: string; output: string; rework_bead: string; slung: string; note?: string }
  | { mr: string; bead: string; status: 'pr-closed'; pr: number; reason: string }
  | { mr: string; bead: string; status: 'error'; reason: string };

export interface PrRun {
  town: TownContext;
  rig: RigConfig;
  store: Store;
  repo: string;
  wt: string;
  actor: string;
  sling: boolean;
  /** Look at every open PR now, whatever the polling interval (gt refinery run). */
  pollNow: boolean;
  emit(o: PrOutcome): void;
}

interface Forge {
  gh: GitHub;
  /** `owner/name` of the repository PRs are opened on. */
  repo: string;
  /** Where branches are pushed (a remote name of the rig's repository, or a URL), and the owner of the head. */
  remote: string;
  headOwner: string;
  save(): void;
}

/** Marks the comments the refinery writes, so a person's closing comment is told apart from ours. */
const MARK = '<!-- gastown-refinery -->';

/** The GitHub client for a rig, or why there is none (no token, no repository). */
export function forgeFor(town: TownContext, rig: RigConfig): Forge | { error: string; hint: string } {
  const s = prSettings(rig);
  const repoDir = town.paths.repo(rig.name);
  const apiUrl = s.api_url ?? town.env.GITHUB_API_URL ?? undefined;
  const origin = originUrl(repoDir);
  const repo = s.repo ?? (origin ? repoFromUrl(origin) : undefined);
  if (!repo) return { error: `rig "${rig.name}" lands through pull requests but its GitHub repository is unknown (origin ${origin ?? 'is not set'})`, hint: `set "pr": { "repo": "owner/name" } in ${town.paths.rigJson(rig.name)}` };
  const tok = resolveToken(town.env, apiUrl);
  if (!tok) return { error: `rig "${rig.name}" lands through pull requests but no GitHub token is available`, hint: 'set GITHUB_TOKEN or GH_TOKEN for the refinery (the daemon\'s environment), or log in with gh auth login' };
  const remote = s.remote ?? 'origin';
  const remoteUrl = remote === 'origin' ? origin : /[:/]/.test(remote) ? remote : gitTry(repoDir, ['remote', 'get-url', remote]).stdout.trim() || undefined;
  const headOwner = (remote !== 'origin' && remoteUrl ? repoFromUrl(remoteUrl)?.split('/')[0] : undefined) ?? repo.split('/')[0]!;
  const etagPath = join(town.paths.runtime, 'refinery', `${rig.name}-github-etags.json`);
  const etags = fileEtagCache(etagPath);
  return {
    gh: new GitHub({ token: tok.token, ...(apiUrl ? { apiUrl } : {}), etags }),
    repo, remote, headOwner, save: () => etags.save(),
  };
}

/** ETags kept between runs (each `gt refinery run` is a new process): a poll of an unchanged PR answers 304. */
function fileEtagCache(path: string): EtagCache & { save(): void } {
  let m: Record<string, { etag: string; body: unknown }> = {};
  try {
    if (existsSync(path)) m = JSON.parse(readFileSync(path, 'utf8')) as typeof m;
  } catch {
    m = {};
  }
  let dirty = false;
  return {
    get: (u) => m[u],
    set: (u, etag, body) => {
      m[u] = { etag, body };
      dirty = true;
    },
    save: () => {
      if (!dirty) return;
      const keys = Object.keys(m);
      for (const k of keys.slice(0, Math.max(0, keys.length - 300))) delete m[k];
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic(path, JSON.stringify(m));
    },
  };
}

/** Requests in PR mode with nothing for the local queue: those go through `openPulls`, then `followPulls`. */
export async function runPullRequests(r: PrRun, queued: readonly MergeRequest[]): Promise<{ blocked?: { message: string; hint: string } }> {
  const open = listPrs(r.store, r.rig.name, ['open', 'rework', 'auto-merge', 'queued']);
  if (queued.length === 0 && open.length === 0) return {};
  const f = forgeFor(r.town, r.rig);
  if ('error' in f) {
    recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prBlocked, subject: r.rig.name, reason: f.error });
    return { blocked: { message: f.error, hint: f.hint } };
  }
  try {
    for (const mr of queued) await openPull(r, f, mr);
    await followPulls(r, f);
  } catch (e) {
    if (e instanceof GitHubError && (e.status === 0 || e.status === 403 || e.status === 429 || e.status === 401)) {
      recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prBlocked, subject: r.rig.name, reason: e.message });
      return { blocked: { message: e.message, hint: e.hint ?? 'the refinery tries again at its next run' } };
    }
    throw e;
  } finally {
    f.save();
  }
  return {};
}

/** Gates locally, push the branch, open (or reuse) the PR, record it on the request. */
async function openPull(r: PrRun, f: Forge, mr: MergeRequest): Promise<void> {
  const bead = getBead(r.store.db, mr.bead);
  updateMr(r.store, mr.id, { status: 'running', attempts: mr.attempts + 1, started_at: r.store.now() });
  // The gates first: a PR is opened only for work that passed them here.
  const gates = r.rig.gates;
  let passed: GateName[] = [];
  if (Object.values(gates).some(Boolean)) {
    checkoutForGates(r.wt, mr.head);
    const g = await runGates(r.wt, gates, r.town.env);
    if (!g.ok) {
      await rework(r, mr, { kind: 'gate', gate: g.gate, reason: g.reason, exit: g.exit, output: g.output }, (base) => ({ ...base, status: g.reason === 'timeout' ? 'gate-timeout' : 'gate-failed', gate: g.gate, output: g.output }));
      return;
    }
    passed = g.ran;
  }
  // A rework of a PR lands on that PR's branch: its head must contain the PR's commits (a fast-forward push).
  const reworkOf = typeof bead?.metadata?.pr_branch === 'string' ? bead.metadata.pr_branch : undefined;
  const existing = reworkOf ? prOnBranch(r.store, r.rig.name, reworkOf) : undefined;
  const branch = existing?.branch ?? mr.branch;
  const push = gitTry(r.repo, ['push', '--quiet', '--porcelain', f.remote, `${mr.head}:refs/heads/${branch}`], { env: { GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 10 * 60_000 });
  if (push.status !== 0) {
    const why = (push.stderr || push.stdout).trim().split('\n').filter((l) => !/^(To |Done)/.test(l)).pop() ?? 'refused';
    const ff = /non-fast-forward|fetch first|rejected/.test(push.stdout + push.stderr);
    const reason = ff && existing
      ? `the rework's head ${mr.head.slice(0, 12)} does not contain PR #${existing.number}'s branch ${branch}: merge that branch into the rework (git merge ${branch}) and run gt done again`
      : `push of ${branch} to ${f.remote} failed: ${why}`;
    if (ff) updateMr(r.store, mr.id, { status: 'failed', failure: reason, finished_at: r.store.now() });
    else updateMr(r.store, mr.id, { status: 'queued' });
    recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.pushFailed, subject: mr.bead, reason, data: { mr: mr.id, branch } });
    r.emit({ mr: mr.id, bead: mr.bead, status: 'error', reason });
    return;
  }
  const base = r.rig.default_branch;
  let pull: PullRequest | undefined;
  if (existing) {
    pull = (await f.gh.getPull(f.repo, existing.number)).data;
    await f.gh.comment(f.repo, existing.number, `${MARK}\nRework ${mr.bead} pushed to \`${branch}\`: ${mr.head}${passed.length ? ` (local gates passed: ${passed.join(', ')})` : ''}.`);
  } else {
    const body = prBody(r, mr, passed);
    try {
      pull = await f.gh.createPull(f.repo, { title: (bead?.title ?? mr.bead).slice(0, 250), head: f.headOwner === f.repo.split('/')[0] ? branch : `${f.headOwner}:${branch}`, base, body });
    } catch (e) {
      // Opened by an earlier run that stopped before recording it: find it and carry on.
      if (!(e instanceof GitHubError && e.status === 422 && /already exists/.test(e.message + JSON.stringify(e.details ?? '')))) throw e;
      pull = await f.gh.findOpenPull(f.repo, f.headOwner, branch, base);
      if (!pull) throw e;
    }
  }
  const row = insertPr(r.store, { rig: r.rig.name, number: pull.number, repo: f.repo, url: pull.html_url, node_id: pull.node_id, branch, mr: mr.id, head: mr.head, state: 'open', opened_at: existing?.opened_at ?? r.store.now() });
  r.store.write(() => {
    if (bead && !bead.external_ref) updateBead(r.store, bead.id, { externalRef: pull.html_url });
    recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prOpened, subject: mr.bead, reason: `${existing ? 'rework pushed to' : 'opened'} PR #${row.number} ${row.url}`, data: { mr: mr.id, pr: row.number, url: row.url, branch } });
  });
  r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-opened', pr: row.number, url: row.url, branch, reused: !!existing });
}

function prBody(r: PrRun, mr: MergeRequest, passed: readonly GateName[]): string {
  const bead = getBead(r.store.db, mr.bead);
  const convoys = openConvoysOf(r.store, mr.bead).map((id) => `${id} (${getBead(r.store.db, id)?.title ?? ''})`);
  const gates = passed.map((g) => `- ${g}: \`${r.rig.gates[g]!.command}\` passed`);
  return [
    bead?.description?.trim() || '(no description)',
    '',
    '---',
    `Bead: ${mr.bead}`,
    `Convoy: ${convoys.length ? convoys.join(', ') : '(none)'}`,
    'Gates passed locally:',
    ...(gates.length ? gates : ['- (the rig has no gates)']),
    '',
    `Landed by the Gas Town refinery of rig ${r.rig.name} (merge request ${mr.id}). ${MARK}`,
  ].join('\n');
}

/** Look at each PR the refinery follows, oldest first; merge, wait, or turn what it sees into rework. */
async function followPulls(r: PrRun, f: Forge): Promise<void> {
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
    recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prHeadMoved, subject: mr.bead, reason: `PR #${row.number}'s head moved from ${row.head.slice(0, 12)} to ${head.slice(0, 12)} (pushed outside the refinery); following it`, data: { pr: row.number } });
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
    const onto = revParse(r.repo, `refs/gt/origin/${r.rig.default_branch}`) ?? revParse(r.repo, `refs/heads/${r.rig.default_branch}`)!;
    const mt = gitTry(r.repo, ['merge-tree', '--write-tree', '--name-only', '--no-messages', onto, head]);
    const files = mt.status === 1 ? [...new Set(mt.stdout.split('\n').filter(Boolean).slice(1))] : [];
    markHandled(r, row, key, 'rework');
    return rework(r, mr, { kind: 'conflict', files, onto, detail: 'GitHub reports the PR is not mergeable', pr: ref }, (b) => ({ ...b, status: 'conflict', pr: row.number, files }));
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
    return rework(r, mr, { kind: 'check', check: fresh.name, conclusion: fresh.conclusion, output: fresh.output, url: fresh.url, pr: ref }, (b) => ({ ...b, status: 'check-failed', pr: row.number, check: fresh.name }));
  }
  if (red.length > 0) return wait(`check "${red[0]!.name}" ${red[0]!.conclusion}; waiting for its rework`);
  // Reviews: a request for changes comes back as rework with every comment; it blocks until the reviewer approves.
  const reviews = await f.gh.reviews(row.repo, row.number);
  const verdicts = latestVerdicts(reviews);
  const changes = reviews.filter((v) => v.state === 'CHANGES_REQUESTED' && verdicts.get(login(v)) === 'CHANGES_REQUESTED');
  const newChanges = changes.filter((v) => !handled.has(`review:${v.id}`));
  if (newChanges.length > 0) {
    const comments = await f.gh.reviewComments(row.repo, row.number);
    const ids = new Set(newChanges.map((v) => v.id));
    const list = [
      ...newChanges.filter((v) => v.body?.trim()).map((v) => ({ path: null, line: null, body: v.body!.trim(), by: login(v) })),
      ...comments.filter((c) => c.pull_request_review_id !== null && ids.has(c.pull_request_review_id)).map((c) => ({ path: c.path, line: c.line ?? c.original_line, body: c.body, by: c.user?.login ?? '?' })),
    ];
    const reviewers = [...new Set(newChanges.map(login))];
    markHandled(r, row, newChanges.map((v) => `review:${v.id}`), 'rework');
    return rework(r, mr, { kind: 'review', reviewers, comments: list, pr: ref }, (b) => ({ ...b, status: 'changes-requested', pr: row.number, reviewers }));
  }
  if (changes.length > 0) return wait(`changes requested by ${[...new Set(changes.map(login))].join(', ')}; waiting for a new review`);
  if (mr.status !== 'running') updateMr(r.store, mr.id, { status: 'running' });
  if (s.require_review && ![...verdicts.values()].includes('APPROVED')) return wait('waiting for an approving review');
  if (row.state === 'auto-merge' || row.state === 'queued') return wait(row.state === 'queued' ? 'in GitHub\'s merge queue' : 'auto-merge enabled; GitHub merges it when its requirements are met');
  // Auto-merge is asked for as soon as the refinery's own conditions hold: GitHub then waits for its checks itself.
  if (s.auto_merge) {
    try {
      await f.gh.enableAutoMerge(pull.node_id, s.merge_method, head);
      updatePr(r.store, row, { state: 'auto-merge', detail: 'auto-merge enabled; GitHub merges it when its requirements are met' });
      recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prAutoMerge, subject: mr.bead, reason: `auto-merge (${s.merge_method}) enabled on PR #${row.number}`, data: { pr: row.number } });
      r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-auto-merge', pr: row.number });
      return settleAfterRequest(r, f, row, mr);
    } catch (e) {
      // GitHub refuses auto-merge for a PR it could merge right now ("clean status"): merge it below instead.
      if (!(e instanceof GitHubError && /clean status/i.test(e.message))) throw e;
    }
  }
  const pending = pendingChecks(runs, combined.statuses, s.required_checks);
  if (pending.length > 0) return wait(`waiting for check${pending.length > 1 ? 's' : ''} ${pending.map((p) => `"${p}"`).join(', ')}`);
  if (pull.mergeable === null) return wait('GitHub is still computing whether it can merge');
  // GitHub's own verdict counts too: "blocked" means branch protection is not satisfied. An administrator's token could
  // merge it anyway (what `gh pr merge --admin` does); the refinery never does.
  if (pull.mergeable_state === 'blocked') return wait('blocked by branch protection on GitHub (a required check or review is missing); not merging past it');
  if (pull.mergeable_state === 'behind') return wait(`behind ${r.rig.default_branch}, and the branch must be up to date to merge`);
  if (pull.mergeable_state === 'draft') return wait('a draft');
  if (s.merge_queue) {
    await f.gh.enqueue(pull.node_id, head);
    updatePr(r.store, row, { state: 'queued', detail: 'in GitHub\'s merge queue' });
    recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prQueued, subject: mr.bead, reason: `PR #${row.number} added to GitHub's merge queue`, data: { pr: row.number } });
    r.emit({ mr: mr.id, bead: mr.bead, status: 'pr-queued', pr: row.number });
    return settleAfterRequest(r, f, row, mr);
  }
  try {
    // The PR's title names the work (a rework's request carries the rework bead, whose title says what went wrong).
    const m = await f.gh.mergePull(row.repo, row.number, { merge_method: s.merge_method, sha: head, commit_title: `${pull.title.slice(0, 200)} (#${row.number})` });
    return landed(r, row, mr, m.sha);
  } catch (e) {
    // 405: GitHub's own rules refuse it now (protection, a required review); 409: the head moved. Both: look again later.
    if (e instanceof GitHubError && (e.status === 405 || e.status === 409)) return wait(`GitHub refused the merge: ${e.message.replace(/^.*answered \d+: /, '')}`);
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

type ReworkBase = { mr: string; bead: string; rework_bead: string; slung: string; note?: string };

async function rework(r: PrRun, mr: MergeRequest, failure: MergeFailure, outcome: (b: ReworkBase) => PrOutcome): Promise<void> {
  const id = recordFailure(r.store, mr, failure, r.rig.default_branch, r.actor);
  const handed = await slingRework(r.town, r.store, id, r.rig.name, r.sling);
  r.emit(outcome({ mr: mr.id, bead: mr.bead, rework_bead: id, slung: handed.slung, ...(handed.note ? { note: handed.note } : {}) }));
}

/** Merged on GitHub: the request is merged, the bead closed "merged <sha> via #N", the rig's default branch fetched. */
function landed(r: PrRun, row: PullRequestRow, mr: MergeRequest, sha: string): void {
  updatePr(r.store, row, { state: 'merged', merge_commit: sha, detail: null });
  syncFromOrigin(r.repo, r.rig.default_branch);
  completeMerged(r.store, mr, sha, r.actor, `PR #${row.number} merged (${row.url})`, `#${row.number}`);
  const del = deleteMergedBranch(r.repo, mr.branch, mr.head);
  r.emit({ mr: mr.id, bead: mr.bead, status: 'merged', commit: sha, pr: row.number, url: row.url, branch_deleted: del.deleted, ...(del.reason ? { branch_note: del.reason } : {}) });
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
      updateBead(r.store, id, { status: 'open', assignee: null, appendNotes: `${reason}. Reopened by the refinery (${row.url}).` });
    }
    recordTownEvent(r.store, { actor: r.actor, kind: TOWN_EVENTS.refinery.prClosed, subject: mr.bead, reason, data: { mr: mr.id, pr: row.number, url: row.url } });
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
      name: c.name, conclusion: c.conclusion!, output: tail([o.title, o.summary, o.text].filter(Boolean).join('\n\n')), url: c.html_url ?? c.details_url ?? null,
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
export function pendingChecks(runs: readonly CheckRun[], statuses: readonly CommitStatus[], required: readonly string[]): string[] {
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

/** True when the request's PR is followed by the refinery (so a `running` request is not an interrupted local merge). */
export function hasPullRequest(store: Store, mr: string): boolean {
  return !!prOfMr(store, mr);
}

/** Open PRs due for a look (the daemon's cheap check before any git or HTTP). */
export function pullsDue(store: Store, rig: RigConfig, now = Date.now()): boolean {
  const due = now - prSettings(rig).poll_seconds * 1000;
  return listPrs(store, rig.name, ['open', 'rework', 'auto-merge', 'queued']).some((p) => !p.polled_at || Date.parse(p.polled_at) <= due);
}

