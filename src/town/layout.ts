// Where everything lives in a town (DESIGN.md §5): pure path functions of the town root.
import { join } from 'node:path';

export interface TownPaths {
  root: string;
  /** `town.json`: name, version, created. */
  townJson: string;
  settingsDir: string;
  /** `settings/config.json`. */
  settings: string;
  /** `.beads/`: the town store and ledger. */
  beads: string;
  /** `.runtime/`: pid files, logs, locks, nudge queues, heartbeats (never committed). */
  runtime: string;
  mayor: string;
  gitignore: string;
  rig(name: string): string;
  rigJson(rig: string): string;
  /** The bare clone every worktree of the rig shares. */
  repo(rig: string): string;
  /** The worktree on the default branch that the merge queue works in. */
  refinery(rig: string): string;
  polecats(rig: string): string;
  polecat(rig: string, name: string): string;
  crewDir(rig: string): string;
  crew(rig: string, name: string): string;
}

export function townPaths(root: string): TownPaths {
  const rig = (name: string): string => join(root, name);
  return {
    root,
    townJson: join(root, 'town.json'),
    settingsDir: join(root, 'settings'),
    settings: join(root, 'settings', 'config.json'),
    beads: join(root, '.beads'),
    runtime: join(root, '.runtime'),
    mayor: join(root, 'mayor'),
    gitignore: join(root, '.gitignore'),
    rig,
    rigJson: (r) => join(rig(r), 'rig.json'),
    repo: (r) => join(rig(r), '.repo.git'),
    refinery: (r) => join(rig(r), 'refinery'),
    polecats: (r) => join(rig(r), 'polecats'),
    polecat: (r, name) => join(rig(r), 'polecats', name),
    crewDir: (r) => join(rig(r), 'crew'),
    crew: (r, name) => join(rig(r), 'crew', name),
  };
}

/** Lines `gt install --git` puts in the town's `.gitignore`: runtime state, the database, rig repos and work trees. */
export const TOWN_GITIGNORE: readonly string[] = [
  '.runtime/',
  '.beads/beads.db*',
  '/*/.repo.git/',
  '/*/refinery/',
  '/*/polecats/',
  '/*/crew/',
];
