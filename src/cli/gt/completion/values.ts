// Dynamic completion values (`gt __complete rigs|agents|addresses`): read from the town around cwd, without
// validating more than needed; outside a town, or on any problem, there is simply nothing to offer.
import { existsSync, readdirSync } from 'node:fs';
import {
  findTownRoot,
  knownAgents,
  PRESET_NAMES,
  readConfig,
  townPaths,
  TownSettingsSchema,
  type TownPaths,
} from '../../../town/index.ts';
import { childDirs } from '../../../town/rigs.ts';

export const VALUE_KINDS = ['rigs', 'agents', 'addresses'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

function rigs(p: TownPaths): string[] {
  return readdirSync(p.root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(p.rigJson(e.name)))
    .map((e) => e.name)
    .sort();
}

function agents(p: TownPaths): string[] {
  try {
    return knownAgents(readConfig(p.settings, TownSettingsSchema) ?? { agents: {} });
  } catch {
    return [...PRESET_NAMES].sort();
  }
}

function addresses(p: TownPaths): string[] {
  return [
    'mayor',
    ...rigs(p).flatMap((r) => [
      `${r}/refinery`,
      `${r}/witness`,
      ...childDirs(p.polecats(r)).map((n) => `${r}/${n}`),
      ...childDirs(p.crewDir(r)).map((n) => `${r}/crew/${n}`),
    ]),
  ];
}

/** The values of one kind for the town around `cwd`; empty outside a town or for an unknown kind. */
export function completionValues(kind: string, cwd: string, env: NodeJS.ProcessEnv): string[] {
  try {
    const root = findTownRoot(cwd, env);
    if (!root) return [];
    const p = townPaths(root);
    if (kind === 'rigs') return rigs(p);
    if (kind === 'agents') return agents(p);
    if (kind === 'addresses') return addresses(p);
    return [];
  } catch {
    return [];
  }
}
