// gt trail: what agents did, in time order: their events (slings, gt done, escalations, restarts), the commits on
// polecat branches, and the merges that landed them; narrowed by agent, bead, convoy or time.
import { TOWN_EVENTS } from '../kernel/index.ts';
import { commitsBetween, commitsBySource, revParse } from '../git/index.ts';
import { listTownEvents, loadRig, rigNames, type TownContext } from '../town/index.ts';
import { withStore } from './sessions/index.ts';
import { showConvoy } from './convoy/index.ts';

export interface TrailEntry {
  at: string;
  /** The agent it is about (`<rig>/<polecat>`, `mayor`, …). */
  agent: string;
  what: 'event' | 'commit' | 'merge';
  /** Event kind, commit hash or merge commit. */
  ref: string;
  bead: string | null;
  text: string;
}

export interface TrailFilter {
  agent?: string;
  bead?: string;
  convoy?: string;
  /** ISO time: only newer entries. */
  since?: string;
  limit?: number;
}

const BEAD_IN_BRANCH = /^polecat\/([^/]+)\/(.+)$/;

/** Every entry that passes the filter, oldest first, the newest `limit`. */
export function trail(town: TownContext, f: TrailFilter = {}): TrailEntry[] {
  const beads =
    f.convoy !== undefined
      ? new Set(showConvoy(town, f.convoy).tracked.map((t) => t.id))
      : f.bead !== undefined
        ? new Set([f.bead])
        : undefined;
  const out: TrailEntry[] = [];
  const events = new Map<TrailEntry, string>();
  for (const e of withStore(town, (s) => listTownEvents(s, { limit: 100_000 }))) {
    const d = (e.data ?? {}) as { polecat?: unknown; branch?: unknown; commit?: unknown };
    if (e.kind === TOWN_EVENTS.refinery.merged) {
      const m = typeof d.branch === 'string' ? BEAD_IN_BRANCH.exec(d.branch) : null;
      const agent = m ? `${e.actor.split('/')[0]}/${m[1]}` : e.actor;
      const entry: TrailEntry = {
        at: e.at,
        agent,
        what: 'merge',
        ref: typeof d.commit === 'string' ? d.commit.slice(0, 12) : 'merge',
        bead: e.subject,
        text: `landed ${e.subject ?? ''} (${e.reason ?? 'merged'})`,
      };
      out.push(entry);
      if (typeof d.commit === 'string') events.set(entry, d.commit);
      continue;
    }
    const agent = typeof d.polecat === 'string' ? d.polecat : e.actor;
    out.push({
      at: e.at,
      agent,
      what: 'event',
      ref: e.kind,
      bead: looksLikeBead(e.subject) ? e.subject : null,
      text: `${e.kind}${e.subject ? ` ${e.subject}` : ''}${e.reason ? `: ${e.reason}` : ''}`,
    });
  }
  // Landed commits left their polecat branch: the merge that landed each names the bead (commits since the previous merge).
  const landedBead = new Map<string, string>();
  for (const rig of rigNames(town)) {
    let prev: string | undefined;
    for (const m of out.filter((x) => x.what === 'merge' && x.agent.startsWith(`${rig}/`) && x.bead)) {
      const full = events.get(m)!;
      const one = prev ? undefined : revParse(town.paths.repo(rig), full);
      const landed = prev ? commitsBetween(town.paths.repo(rig), prev, full) : one ? [one] : [];
      for (const h of landed) landedBead.set(h, m.bead!);
      prev = full;
    }
    out.push(...commitsOf(town, rig, town.paths.repo(rig), f.since, landedBead));
  }
  const kept = out.filter(
    (x) =>
      (f.since === undefined || x.at >= f.since) &&
      (f.agent === undefined || x.agent === f.agent) &&
      (beads === undefined || (x.bead !== null && beads.has(x.bead))),
  );
  kept.sort((a, b) => a.at.localeCompare(b.at));
  return kept.slice(-(f.limit ?? 50));
}

function looksLikeBead(s: string | null): s is string {
  return s !== null && /^[a-z][a-z0-9]*-[a-z0-9.]+$/i.test(s) && !s.includes('/');
}

/** Commits by the rig's agents: on polecat branches (bead from the branch name) and landed (bead from its merge). */
function commitsOf(
  town: TownContext,
  rig: string,
  repo: string,
  since: string | undefined,
  landed: ReadonlyMap<string, string>,
): TrailEntry[] {
  return commitsBySource(repo, ['--branches=polecat/*', loadRig(town, rig).default_branch], since).flatMap(
    ({ sha: hash, at, author, source, subject }) => {
      const m = BEAD_IN_BRANCH.exec(source.replace(/^refs\/heads\//, ''));
      if (!author.startsWith(`${rig}/`)) return []; // the rig's own history (the project's commits) is not an agent's
      return [
        {
          at: new Date(at).toISOString(),
          agent: author,
          what: 'commit' as const,
          ref: hash.slice(0, 12),
          bead: m?.[2] ?? landed.get(hash) ?? null,
          text: subject,
        },
      ];
    },
  );
}
