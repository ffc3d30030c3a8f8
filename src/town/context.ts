// The town context: found once (GT_ROOT or the nearest town.json above the working directory), then read-only.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { readConfig } from './config-file.ts';
import { townPaths, type TownPaths } from './layout.ts';
import { checkSettingsRefs, defaultSettings } from './settings.ts';
import { TownMetaSchema, TownSettingsSchema, type TownMeta, type TownSettings } from './schema.ts';

export interface TownContext {
  readonly root: string;
  readonly meta: Readonly<TownMeta>;
  /** `settings/config.json` as validated when the context was resolved (defaults when the file is missing). */
  readonly settings: Readonly<TownSettings>;
  readonly paths: TownPaths;
  /** The environment of the command (for the store's actor and child processes). */
  readonly env: NodeJS.ProcessEnv;
}

/** The town root for `cwd`: `GT_ROOT` if set, else the nearest directory upwards holding `town.json`. */
export function findTownRoot(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.GT_ROOT) {
    const root = resolve(cwd, env.GT_ROOT);
    if (!existsSync(join(root, 'town.json'))) {
      throw new GtError('GT_NOT_A_TOWN', `GT_ROOT is ${root}, which holds no town.json`, {
        hint: 'point GT_ROOT at a town created with gt install, or unset it to use the town around the current directory',
      });
    }
    return root;
  }
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, 'town.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** Load the town at `root`: town.json and settings, validated. */
export function loadTown(root: string, env: NodeJS.ProcessEnv): TownContext {
  const paths = townPaths(root);
  const meta = readConfig(paths.townJson, TownMetaSchema);
  if (!meta)
    throw new GtError('GT_NOT_A_TOWN', `${root} holds no town.json`, {
      hint: 'run gt install <path> to create a town',
    });
  const settings = readConfig(paths.settings, TownSettingsSchema) ?? defaultSettings();
  checkSettingsRefs(paths.settings, settings);
  return Object.freeze({ root, meta: Object.freeze(meta), settings: Object.freeze(settings), paths, env });
}

/** Resolve the town around `cwd`, or fail with how to get one. */
export function resolveTown(cwd: string, env: NodeJS.ProcessEnv): TownContext {
  const root = findTownRoot(cwd, env);
  if (!root) {
    throw new GtError('GT_NO_TOWN', `no town found in ${resolve(cwd)} or any parent directory`, {
      hint: 'cd into your town (the directory holding town.json), set GT_ROOT, or create one with gt install <path>',
    });
  }
  return loadTown(root, env);
}
