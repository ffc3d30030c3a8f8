// `gt install`: create a town, or repair what is missing from one, without touching anything that is already there.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isoNow, usageError, writeFileAtomic, type Clock } from '../kernel/index.ts';
import { commitAll, configGet, gitVersion, initRepo, isRepoTop, isUnborn } from '../git/index.ts';
import { initStore, registerMergeDriver, type SchemaPart } from '../beads/index.ts';
import { readConfig, writeConfig } from './config-file.ts';
import { findTownRoot } from './context.ts';
import { TOWN_GITIGNORE, townPaths } from './layout.ts';
import { TOWN_PREFIX } from './names.ts';
import { TownMetaSchema, TownSettingsSchema } from './schema.ts';
import { checkSettingsRefs, defaultSettings } from './settings.ts';

export interface InstallOptions {
  name?: string;
  /** Make the town a git repository (with .gitignore, merge driver and a first commit). */
  git?: boolean;
  /** Shell command git runs as the ledger's merge driver (`bd merge-driver`). */
  driverCommand?: string;
  clock?: Clock;
  /** The town's tables (each owned by its concept's module), created with the store; any missing later are made on first use. */
  parts?: readonly SchemaPart[];
}

export interface InstallResult {
  root: string;
  name: string;
  /** False when the directory already was a town. */
  created: boolean;
  /** What this run created, relative to the root ("town.json", ".beads/", "git repository", …); empty = nothing. */
  added: string[];
  git: boolean;
  notes: string[];
}

const TOWN_IDENTITY = { name: 'Gas Town', email: 'gastown@localhost' };

export function installTown(path: string, opts: InstallOptions = {}): InstallResult {
  const root = resolve(path);
  const p = townPaths(root);
  const existing = existsSync(p.townJson);
  if (existing) checkExistingTown(root);
  else refuseUnsuitable(root);
  if (opts.git) gitVersion();
  if (opts.name !== undefined) validateTownName(opts.name);

  const added: string[] = [];
  const notes: string[] = [];
  const ensureDir = (dir: string, label: string): void => {
    if (existsSync(dir)) return;
    mkdirSync(dir, { recursive: true });
    added.push(label);
  };
  ensureDir(root, 'town directory');
  let meta = readConfig(p.townJson, TownMetaSchema);
  if (!meta) {
    meta = writeConfig(p.townJson, TownMetaSchema, {
      name: opts.name ?? basename(root),
      version: 1,
      created: isoNow(opts.clock),
    });
    added.push('town.json');
  } else if (opts.name !== undefined && opts.name !== meta.name) {
    notes.push(`kept the town's existing name "${meta.name}" (town.json is not rewritten)`);
  }
  ensureDir(p.settingsDir, 'settings/');
  if (!existsSync(p.settings)) {
    writeConfig(p.settings, TownSettingsSchema, defaultSettings());
    added.push('settings/config.json');
  }
  ensureDir(p.runtime, '.runtime/');
  ensureDir(p.mayor, 'mayor/');
  if (!storeComplete(p.beads)) {
    initStore(root, { prefix: TOWN_PREFIX, ...(opts.parts ? { parts: opts.parts } : {}) });
    added.push('.beads/ (town store, prefix hq)');
  }
  if (opts.git) added.push(...setUpGit(root, opts.driverCommand));
  return { root, name: meta.name, created: !existing, added, git: isRepoTop(root), notes };
}

function validateTownName(name: string): void {
  if (!name.trim() || name.length > 64 || /[/\\\p{Cc}]/u.test(name)) {
    throw usageError('GT_BAD_NAME', `invalid town name "${name}"`, 'use up to 64 characters without slashes, e.g. gt');
  }
}

/** An existing town is repaired only when what is there is valid: a bad file is reported, never rewritten. */
function checkExistingTown(root: string): void {
  const p = townPaths(root);
  readConfig(p.townJson, TownMetaSchema);
  const s = readConfig(p.settings, TownSettingsSchema);
  if (s) checkSettingsRefs(p.settings, s);
}

function refuseUnsuitable(root: string): void {
  if (existsSync(root)) {
    if (!statSync(root).isDirectory())
      throw usageError(
        'GT_NOT_A_DIRECTORY',
        `${root} exists and is not a directory`,
        'choose a new or empty directory, e.g. gt install ~/gt',
      );
    if (readdirSync(root).length > 0) {
      throw usageError(
        'GT_NOT_EMPTY',
        `${root} is not empty and is not a town (no town.json)`,
        'choose a new or empty directory, e.g. gt install ~/gt',
      );
    }
  }
  const outer = findTownRoot(dirname(root), {});
  if (outer) {
    throw usageError(
      'GT_NESTED_TOWN',
      `${root} is inside the town at ${outer}`,
      'create the new town outside any other town, e.g. gt install ~/gt2',
    );
  }
}

function storeComplete(dir: string): boolean {
  return ['config.toml', 'issues.jsonl', 'beads.db'].every((f) => existsSync(`${dir}/${f}`));
}

/** Git repository, .gitignore lines, the ledger's merge driver and a first commit: each only if missing. */
function setUpGit(root: string, driverCommand: string | undefined): string[] {
  const added: string[] = [];
  if (!isRepoTop(root)) {
    initRepo(root, 'main');
    added.push('git repository');
  }
  const p = townPaths(root);
  const current = existsSync(p.gitignore) ? readFileSync(p.gitignore, 'utf8') : undefined;
  const lines = current?.split('\n').map((l) => l.trim()) ?? [];
  const missing = TOWN_GITIGNORE.filter((l) => !lines.includes(l));
  if (current === undefined) {
    writeFileAtomic(
      p.gitignore,
      `# Gas Town: runtime state, the database, and rig repositories and work trees\n${missing.join('\n')}\n`,
    );
    added.push('.gitignore');
  } else if (missing.length > 0) {
    writeFileAtomic(p.gitignore, `${current}${current && !current.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
    added.push(`.gitignore lines: ${missing.join(' ')}`);
  }
  const attrs = existsSync(`${root}/.gitattributes`) ? readFileSync(`${root}/.gitattributes`, 'utf8').split('\n') : [];
  const driverSet =
    configGet(root, 'merge.beads.driver') === `${driverCommand} %O %A %B` &&
    attrs.includes('.beads/issues.jsonl merge=beads');
  if (driverCommand && !driverSet) {
    registerMergeDriver(root, driverCommand);
    added.push('merge driver for .beads/issues.jsonl');
  }
  if (isUnborn(root)) {
    commitAll(root, 'Gas Town: new town', TOWN_IDENTITY);
    added.push('initial commit');
  }
  return added;
}
