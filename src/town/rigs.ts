// Rigs on disk: which directories are rigs, their validated rig.json, and what each holds (polecats, crew).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';
import { headBranch, revParse } from '../git/index.ts';
import { agentForRole, AGENT_ROLES, type AgentRole } from './agents.ts';
import { readConfig, writeConfig } from './config-file.ts';
import type { TownContext } from './context.ts';
import { RigConfigSchema, type RigConfig } from './schema.ts';
import { checkRigRefs } from './settings.ts';

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Names of the rigs in the town (directories of the root holding rig.json), sorted. */
export function rigNames(town: TownContext): string[] {
  return readdirSync(town.root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(town.paths.rigJson(e.name)))
    .map((e) => e.name)
    .sort();
}

export function rigNotFound(town: TownContext, name: string): GtError {
  const known = rigNames(town);
  return new GtError('GT_RIG_NOT_FOUND', `no rig named "${name}" in the town at ${town.root}`, {
    kind: 'usage',
    hint: known.length ? `rigs here: ${known.join(', ')}` : 'add one with gt rig add <name> <git-url|path>',
  });
}

/** The rig's validated rig.json; GT_RIG_NOT_FOUND for a name that is not a rig of this town. */
export function loadRig(town: TownContext, name: string): RigConfig {
  if (!rigNames(town).includes(name)) throw rigNotFound(town, name);
  const path = town.paths.rigJson(name);
  const cfg = readConfig(path, RigConfigSchema);
  if (!cfg) throw rigNotFound(town, name);
  checkRigRefs(path, cfg, town.settings);
  return cfg;
}

export function allRigs(town: TownContext): RigConfig[] {
  return rigNames(town).map((n) => loadRig(town, n));
}

export function saveRig(town: TownContext, cfg: RigConfig): RigConfig {
  const saved = writeConfig(town.paths.rigJson(cfg.name), RigConfigSchema, cfg);
  checkRigRefs(town.paths.rigJson(cfg.name), saved, town.settings);
  return saved;
}

/** Sub-directories of `dir` (the polecats or crew of a rig), sorted; none when it does not exist. */
export function childDirs(dir: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

export function polecatNames(town: TownContext, rig: string): string[] {
  return childDirs(town.paths.polecats(rig));
}

export function crewNames(town: TownContext, rig: string): string[] {
  return childDirs(town.paths.crewDir(rig));
}

/** A rig as `gt rig list` shows it. */
export interface RigSummary {
  name: string;
  prefix: string;
  default_branch: string;
  git_url: string;
  merge_strategy: RigConfig['merge_strategy'];
  path: string;
  polecats: string[];
  crew: string[];
}

export function summarizeRig(town: TownContext, cfg: RigConfig): RigSummary {
  return {
    name: cfg.name,
    prefix: cfg.prefix,
    default_branch: cfg.default_branch,
    git_url: cfg.git_url,
    merge_strategy: cfg.merge_strategy,
    path: town.paths.rig(cfg.name),
    polecats: polecatNames(town, cfg.name),
    crew: crewNames(town, cfg.name),
  };
}

/** A rig as `gt rig show` shows it: its config, where its parts are, and which agent each role runs there. */
export interface RigDetails extends RigSummary {
  config: RigConfig;
  repo: string;
  refinery: string;
  refinery_head: string | undefined;
  polecat_branches: Record<string, string | undefined>;
  /** The agent each rig role runs (polecat, crew). */
  agents: Partial<Record<AgentRole, string>>;
}

export function describeRig(town: TownContext, name: string): RigDetails {
  const cfg = loadRig(town, name);
  const refinery = town.paths.refinery(name);
  const head = existsSync(refinery) ? revParse(refinery, 'HEAD') : undefined;
  const summary = summarizeRig(town, cfg);
  return {
    ...summary,
    config: cfg,
    repo: town.paths.repo(name),
    refinery,
    refinery_head: head?.slice(0, 12),
    polecat_branches: Object.fromEntries(summary.polecats.map((p) => [p, headBranch(town.paths.polecat(name, p))])),
    agents: Object.fromEntries(
      AGENT_ROLES.filter((r) => r !== 'mayor').map((r) => [r, agentForRole(town.settings, r, cfg)]),
    ),
  };
}
