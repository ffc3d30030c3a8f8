// What both halves of PR mode share (pr-open.ts opens PRs, pr-follow.ts follows them; pr.ts runs both): the rig's PR
// settings, the outcomes a run reports, the GitHub client for a rig (its token, repository, push remote and the ETags
// kept between runs), and turning a failure into a rework bead.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Store } from '../beads/index.ts';
import { GitHub, type EtagCache } from '../forge/github.ts';
import { repoFromUrl, resolveToken } from '../forge/github-model.ts';
import { remoteUrl as gitRemoteUrl } from '../git/index.ts';
import { writeFileAtomic } from '../kernel/index.ts';
import type { RigConfig, TownContext } from '../town/index.ts';
import { originUrl } from './git-ops.ts';
import type { MergeRequest } from './mr-store.ts';
import { recordFailure, slingRework, type MergeFailure } from './rework.ts';

export type PrSettings = Required<Omit<NonNullable<RigConfig['pr']>, 'repo' | 'remote' | 'api_url'>> &
  Pick<NonNullable<RigConfig['pr']>, 'repo' | 'remote' | 'api_url'>;

export function prSettings(rig: RigConfig): PrSettings {
  return {
    merge_method: 'squash',
    require_review: false,
    required_checks: [],
    auto_merge: false,
    merge_queue: false,
    poll_seconds: 60,
    ...(rig.pr ?? {}),
  };
}

export type PrOutcome =
  | { mr: string; bead: string; status: 'pr-opened'; pr: number; url: string; branch: string; reused: boolean }
  | { mr: string; bead: string; status: 'pr-waiting'; pr: number; detail: string }
  | { mr: string; bead: string; status: 'pr-auto-merge' | 'pr-queued'; pr: number }
  | {
      mr: string;
      bead: string;
      status: 'merged';
      commit: string;
      pr: number;
      url: string;
      branch_deleted: boolean;
      branch_note?: string;
    }
  | {
      mr: string;
      bead: string;
      status: 'check-failed';
      pr: number;
      check: string;
      rework_bead: string;
      slung: string;
      note?: string;
    }
  | {
      mr: string;
      bead: string;
      status: 'changes-requested';
      pr: number;
      reviewers: string[];
      rework_bead: string;
      slung: string;
      note?: string;
    }
  | {
      mr: string;
      bead: string;
      status: 'conflict';
      pr?: number;
      files: string[];
      rework_bead: string;
      slung: string;
      note?: string;
    }
  | {
      mr: string;
      bead: string;
      status: 'gate-failed' | 'gate-timeout';
      gate: string;
      output: string;
      rework_bead: string;
      slung: string;
      note?: string;
    }
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

export interface Forge {
  gh: GitHub;
  /** `owner/name` of the repository PRs are opened on. */
  repo: string;
  /** Where branches are pushed (a remote name of the rig's repository, or a URL), and the owner of the head. */
  remote: string;
  headOwner: string;
  save(): void;
}

/** Marks the comments the refinery writes, so a person's closing comment is told apart from ours. */
export const MARK = '<!-- gastown-refinery -->';

/** The GitHub client for a rig, or why there is none (no token, no repository). */
export function forgeFor(town: TownContext, rig: RigConfig): Forge | { error: string; hint: string } {
  const s = prSettings(rig);
  const repoDir = town.paths.repo(rig.name);
  const apiUrl = s.api_url ?? town.env.GITHUB_API_URL ?? undefined;
  const origin = originUrl(repoDir);
  const repo = s.repo ?? (origin ? repoFromUrl(origin) : undefined);
  if (!repo)
    return {
      error: `rig "${rig.name}" lands through pull requests but its GitHub repository is unknown (origin ${origin ?? 'is not set'})`,
      hint: `set "pr": { "repo": "owner/name" } in ${town.paths.rigJson(rig.name)}`,
    };
  const tok = resolveToken(town.env, apiUrl);
  if (!tok)
    return {
      error: `rig "${rig.name}" lands through pull requests but no GitHub token is available`,
      hint: "set GITHUB_TOKEN or GH_TOKEN for the refinery (the daemon's environment), or log in with gh auth login",
    };
  const remote = s.remote ?? 'origin';
  const remoteUrl = remote === 'origin' ? origin : /[:/]/.test(remote) ? remote : gitRemoteUrl(repoDir, remote);
  const headOwner =
    (remote !== 'origin' && remoteUrl ? repoFromUrl(remoteUrl)?.split('/')[0] : undefined) ?? repo.split('/')[0]!;
  const etagPath = join(town.paths.runtime, 'refinery', `${rig.name}-github-etags.json`);
  const etags = fileEtagCache(etagPath);
  return {
    gh: new GitHub({ token: tok.token, ...(apiUrl ? { apiUrl } : {}), etags }),
    repo,
    remote,
    headOwner,
    save: () => etags.save(),
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

export type ReworkBase = { mr: string; bead: string; rework_bead: string; slung: string; note?: string };

/** Record the failure on the request, make its rework bead (sling it unless told not to), and report the outcome. */
export async function rework(
  r: PrRun,
  mr: MergeRequest,
  failure: MergeFailure,
  outcome: (b: ReworkBase) => PrOutcome,
): Promise<void> {
  const id = recordFailure(r.store, mr, failure, r.rig.default_branch, r.actor);
  const handed = await slingRework(r.town, r.store, id, r.rig.name, r.sling);
  r.emit(
    outcome({
      mr: mr.id,
      bead: mr.bead,
      rework_bead: id,
      slung: handed.slung,
      ...(handed.note ? { note: handed.note } : {}),
    }),
  );
}
