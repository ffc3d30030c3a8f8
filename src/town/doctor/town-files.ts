// Town integrity on disk: town.json, settings/config.json and every rig.json valid, and the layout's directories.
import { existsSync, readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { messageOf } from '../../kernel/index.ts';
import { readConfig } from '../config-file.ts';
import type { TownPaths } from '../layout.ts';
import { RigConfigSchema, TownMetaSchema, TownSettingsSchema, type RigConfig, type TownSettings } from '../schema.ts';
import { checkRigRefs, checkSettingsRefs, defaultSettings } from '../settings.ts';
import type { PlannedCheck } from './types.ts';

export interface TownFiles {
  checks: PlannedCheck[];
  /** Valid settings (defaults when the file is absent); undefined when the file is invalid. */
  settings: TownSettings | undefined;
  /** Rigs by directory name; `config` undefined when its rig.json is invalid. */
  rigs: { name: string; config: RigConfig | undefined }[];
}

const FIX_BY_HAND =
  'edit the file to fix that key (see docs/formats/town-config.md); gt doctor --fix never rewrites config files';

function configCheck<T>(id: string, read: () => T): { check: PlannedCheck; value: T | undefined } {
  try {
    return { check: { id, status: 'ok', detail: 'valid' }, value: read() };
  } catch (e) {
    return { check: { id, status: 'error', detail: messageOf(e), hint: FIX_BY_HAND }, value: undefined };
  }
}

/** Directories of the root holding a rig.json, sorted. */
export function rigDirs(p: TownPaths): string[] {
  return readdirSync(p.root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(p.rigJson(e.name)))
    .map((e) => e.name)
    .sort();
}

export function checkTownFiles(p: TownPaths): TownFiles {
  const meta = configCheck('config.town', () => readConfig(p.townJson, TownMetaSchema));
  meta.check.detail = `${p.townJson}: ${meta.check.status === 'ok' ? 'valid' : meta.check.detail.replace(`${p.townJson}: `, '')}`;
  const settings = configCheck('config.settings', () => {
    const s = readConfig(p.settings, TownSettingsSchema);
    if (s) checkSettingsRefs(p.settings, s);
    return s ?? defaultSettings();
  });
  if (settings.check.status === 'ok') {
    settings.check.detail = `${p.settings}: ${existsSync(p.settings) ? 'valid' : 'absent, the defaults apply'}`;
  }
  const rigs = rigDirs(p).map((name) => {
    const r = configCheck(`config.rig.${name}`, () => {
      const cfg = readConfig(p.rigJson(name), RigConfigSchema)!;
      if (settings.value) checkRigRefs(p.rigJson(name), cfg, settings.value);
      return cfg;
    });
    if (r.check.status === 'ok') r.check.detail = `${p.rigJson(name)}: valid`;
    return { name, config: r.value, check: r.check };
  });
  return {
    checks: [meta.check, settings.check, ...rigs.map((r) => r.check)],
    settings: settings.value,
    rigs: rigs.map(({ name, config }) => ({ name, config })),
  };
}

interface ExpectedDir {
  id: string;
  path: string;
  what: string;
  /** Creating it empty is safe (a plain directory that fills itself); otherwise `hint` says what to do. */
  create: boolean;
  hint?: string;
}

/** The directories a town must have (DESIGN.md §5), for the rigs given. */
export function expectedDirs(
  p: TownPaths,
  rigs: readonly { name: string; config: RigConfig | undefined }[],
): ExpectedDir[] {
  const dirs: ExpectedDir[] = [
    { id: 'layout.settings', path: p.settingsDir, what: 'settings directory', create: true },
    {
      id: 'layout.beads',
      path: p.beads,
      what: 'town bead store',
      create: false,
      hint: `run gt install ${p.root} to recreate the town store (it keeps everything that exists)`,
    },
    { id: 'layout.runtime', path: p.runtime, what: 'runtime directory', create: true },
    { id: 'layout.mayor', path: p.mayor, what: "the Mayor's home", create: true },
  ];
  for (const { name, config } of rigs) {
    const branch = config?.default_branch ?? '<default branch>';
    dirs.push(
      {
        id: `rig.${name}.repo`,
        path: p.repo(name),
        what: `rig ${name}'s bare repository`,
        create: false,
        hint: `clone it again: git clone --bare ${config?.git_url ?? '<git url>'} "${p.repo(name)}"`,
      },
      {
        id: `rig.${name}.refinery`,
        path: p.refinery(name),
        what: `rig ${name}'s refinery worktree`,
        create: false,
        hint: `recreate it: git -C "${p.repo(name)}" worktree prune && git -C "${p.repo(name)}" worktree add "${p.refinery(name)}" ${branch}`,
      },
      { id: `rig.${name}.polecats`, path: p.polecats(name), what: `rig ${name}'s polecats directory`, create: true },
      { id: `rig.${name}.crew`, path: p.crewDir(name), what: `rig ${name}'s crew directory`, create: true },
    );
  }
  return dirs;
}

/** One ok check when every directory exists, else one check per missing directory (pure). */
export function layoutChecks(
  root: string,
  dirs: readonly ExpectedDir[],
  exists: (path: string) => boolean,
): PlannedCheck[] {
  const missing = dirs.filter((d) => !exists(d.path));
  if (missing.length === 0)
    return [{ id: 'layout', status: 'ok', detail: `all ${dirs.length} directories of the town layout exist` }];
  return missing.map(
    (d) =>
      ({
        id: d.id,
        status: 'error',
        detail: `${relative(root, d.path)}/ is missing (${d.what})`,
        ...(d.create
          ? { fix: `create ${relative(root, d.path)}/`, repairs: [{ kind: 'mkdir', path: d.path }] }
          : { hint: d.hint }),
      }) as PlannedCheck,
  );
}
