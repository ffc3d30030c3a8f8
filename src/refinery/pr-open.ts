// PR mode, opening: the rig's gates on the request's head, the push of its branch (a rework's to the PR it reworks),
// and the PR itself (title and body from the bead), recorded on the request and as the bead's external ref.
import { getBead, updateBead } from '../beads/index.ts';
import { GitHubError, type PullRequest } from '../forge/github-model.ts';
import { pushRef } from '../git/index.ts';
import { TOWN_EVENTS } from '../kernel/index.ts';
import { openConvoysOf } from '../work/convoy/read.ts';
import { runGates, type GateName } from './gates.ts';
import { checkoutForGates } from './git-ops.ts';
import { recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
import { MARK, rework, type Forge, type PrRun } from './pr-common.ts';
import { insertPr, prOnBranch } from './pr-store.ts';

/** Gates locally, push the branch, open (or reuse) the PR, record it on the request. */
export async function openPull(r: PrRun, f: Forge, mr: MergeRequest): Promise<void> {
  const bead = getBead(r.store.db, mr.bead);
  updateMr(r.store, mr.id, { status: 'running', attempts: mr.attempts + 1, started_at: r.store.now() });
  // The gates first: a PR is opened only for work that passed them here.
  const gates = r.rig.gates;
  let passed: GateName[] = [];
  if (Object.values(gates).some(Boolean)) {
    checkoutForGates(r.wt, mr.head);
    const g = await runGates(r.wt, gates, r.town.env);
    if (!g.ok) {
      await rework(r, mr, { kind: 'gate', gate: g.gate, reason: g.reason, exit: g.exit, output: g.output }, (base) => ({
        ...base,
        status: g.reason === 'timeout' ? 'gate-timeout' : 'gate-failed',
        gate: g.gate,
        output: g.output,
      }));
      return;
    }
    passed = g.ran;
  }
  // A rework of a PR lands on that PR's branch: its head must contain the PR's commits (a fast-forward push).
  const reworkOf = typeof bead?.metadata?.pr_branch === 'string' ? bead.metadata.pr_branch : undefined;
  const existing = reworkOf ? prOnBranch(r.store, r.rig.name, reworkOf) : undefined;
  const branch = existing?.branch ?? mr.branch;
  const push = pushRef(r.repo, f.remote, mr.head, branch);
  if (!push.ok) {
    const why = push.detail;
    const ff = push.nonFastForward;
    const reason =
      ff && existing
        ? `the rework's head ${mr.head.slice(0, 12)} does not contain PR #${existing.number}'s branch ${branch}: merge that branch into the rework (git merge ${branch}) and run gt done again`
        : `push of ${branch} to ${f.remote} failed: ${why}`;
    if (ff) updateMr(r.store, mr.id, { status: 'failed', failure: reason, finished_at: r.store.now() });
    else updateMr(r.store, mr.id, { status: 'queued' });
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.pushFailed,
      subject: mr.bead,
      reason,
      data: { mr: mr.id, branch },
    });
    r.emit({ mr: mr.id, bead: mr.bead, status: 'error', reason });
    return;
  }
  const base = r.rig.default_branch;
  let pull: PullRequest | undefined;
  if (existing) {
    pull = (await f.gh.getPull(f.repo, existing.number)).data;
    await f.gh.comment(
      f.repo,
      existing.number,
      `${MARK}\nRework ${mr.bead} pushed to \`${branch}\`: ${mr.head}${passed.length ? ` (local gates passed: ${passed.join(', ')})` : ''}.`,
    );
  } else {
    const body = prBody(r, mr, passed);
    try {
      pull = await f.gh.createPull(f.repo, {
        title: (bead?.title ?? mr.bead).slice(0, 250),
        head: f.headOwner === f.repo.split('/')[0] ? branch : `${f.headOwner}:${branch}`,
        base,
        body,
      });
    } catch (e) {
      // Opened by an earlier run that stopped before recording it: find it and carry on.
      if (!(
        e instanceof GitHubError &&
        e.status === 422 &&
        /already exists/.test(e.message + JSON.stringify(e.details ?? ''))
      ))
        throw e;
      pull = await f.gh.findOpenPull(f.repo, f.headOwner, branch, base);
      if (!pull) throw e;
    }
  }
  const row = insertPr(r.store, {
    rig: r.rig.name,
    number: pull.number,
    repo: f.repo,
    url: pull.html_url,
    node_id: pull.node_id,
    branch,
    mr: mr.id,
    head: mr.head,
    state: 'open',
    opened_at: existing?.opened_at ?? r.store.now(),
  });
  r.store.write(() => {
    if (bead && !bead.external_ref) updateBead(r.store, bead.id, { externalRef: pull.html_url });
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.prOpened,
      subject: mr.bead,
      reason: `${existing ? 'rework pushed to' : 'opened'} PR #${row.number} ${row.url}`,
      data: { mr: mr.id, pr: row.number, url: row.url, branch },
    });
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
