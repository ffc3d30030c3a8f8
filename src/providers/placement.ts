// Placement by the town (docs/hosts.md): where a polecat slung without --host runs. A pure chooser over each
// place's load and cap, narrowed by the rig's and the role's affinity from `placement` in settings/hosts.json.
import { existsSync, readFileSync } from 'node:fs';
import { usageError } from '../kernel/index.ts';
import { hostsFile } from './hosts.ts';

/** Which places a rig (or a role) may use, and which it prefers while they have room. `local` is this machine. */
export interface Affinity {
  hosts?: string[];
  prefer?: string[];
}

export interface PlacementRules {
  /** This machine's own cap on working polecats (default: the town's polecats_per_town). */
  local_max_polecats?: number;
  rigs?: Record<string, Affinity>;
  roles?: Record<string, Affinity>;
}

/** One place a polecat may run: `local` or a host's name, its working polecats now and its cap. */
export interface PlaceLoad {
  name: string;
  running: number;
  max: number;
}

export type PlaceChoice =
  | { where: string; why: string }
  /** Nowhere has room (or the affinity names none): the sling waits in the queue. */
  | { where: null; why: string };

export const LOCAL = 'local';

/** The `placement` object of settings/hosts.json; every place it names must be `local` or a configured host. */
export function loadPlacementRules(settingsDir: string, hostNames: readonly string[]): PlacementRules {
  const file = hostsFile(settingsDir);
  if (!existsSync(file)) return {};
  const rules = ((JSON.parse(readFileSync(file, 'utf8')) as { placement?: PlacementRules }).placement ??
    {}) as PlacementRules;
  const known = new Set([LOCAL, ...hostNames]);
  const bad = (where: string, names: unknown): void => {
    if (names === undefined) return;
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw usageError('GT_BAD_PLACEMENT', `placement ${where} in ${file} is not a list of names`, PLACEMENT_HINT);
    const unknown = (names as string[]).filter((n) => !known.has(n));
    if (unknown.length > 0)
      throw usageError(
        'GT_BAD_PLACEMENT',
        `placement ${where} in ${file} names ${unknown.map((n) => `"${n}"`).join(', ')}, which is not local or a host of this town`,
        PLACEMENT_HINT,
      );
  };
  for (const kind of ['rigs', 'roles'] as const) {
    for (const [k, a] of Object.entries(rules[kind] ?? {})) {
      bad(`${kind}.${k}.hosts`, a.hosts);
      bad(`${kind}.${k}.prefer`, a.prefer);
    }
  }
  const lm = rules.local_max_polecats;
  if (lm !== undefined && (!Number.isInteger(lm) || lm < 0))
    throw usageError(
      'GT_BAD_PLACEMENT',
      `placement.local_max_polecats in ${file} must be a whole number ≥ 0`,
      PLACEMENT_HINT,
    );
  return rules;
}

const PLACEMENT_HINT = 'fix the placement object in settings/hosts.json (docs/hosts.md, "Placement by the town")';

const fmt = (p: PlaceLoad): string => `${p.name} ${p.running}/${p.max}`;

/**
 * Where the next polecat of `rig` (in `role`) runs. Allowed: every place, narrowed by the rig's and then the role's
 * `hosts`. Among the allowed places with room, a preferred one (the rig's `prefer`, then the role's) wins; otherwise
 * the least loaded (lowest running/cap, then fewest running, then in the order given: local first). Deterministic.
 */
export function choosePlace(
  loads: readonly PlaceLoad[],
  rules: PlacementRules,
  rig: string,
  role: string,
): PlaceChoice {
  const rigA = rules.rigs?.[rig];
  const roleA = rules.roles?.[role];
  let allowed = [...loads];
  const limits: string[] = [];
  for (const [what, a] of [
    [`rig ${rig}`, rigA],
    [`role ${role}`, roleA],
  ] as const) {
    if (a?.hosts === undefined) continue;
    allowed = allowed.filter((p) => a.hosts!.includes(p.name));
    limits.push(`${what} may use ${a.hosts.join(', ') || 'nothing'}`);
  }
  const limited = limits.length > 0 ? ` (${limits.join('; ')})` : '';
  if (allowed.length === 0) return { where: null, why: `no place is allowed${limited}` };
  const room = allowed.filter((p) => p.running < p.max);
  if (room.length === 0)
    return { where: null, why: `every place allowed is at its cap: ${allowed.map(fmt).join(', ')}${limited}` };
  const order = new Map(loads.map((p, i) => [p.name, i]));
  const least = (xs: readonly PlaceLoad[]): PlaceLoad =>
    [...xs].sort(
      (x, y) =>
        x.running / x.max - y.running / y.max || x.running - y.running || order.get(x.name)! - order.get(y.name)!,
    )[0]!;
  const others = (chosen: PlaceLoad): string =>
    allowed.filter((p) => p !== chosen).length > 0
      ? `; ${allowed
          .filter((p) => p !== chosen)
          .map(fmt)
          .join(', ')}`
      : '';
  for (const [what, a] of [
    [`rig ${rig}`, rigA],
    [`role ${role}`, roleA],
  ] as const) {
    const preferred = room.filter((p) => a?.prefer?.includes(p.name));
    if (preferred.length === 0) continue;
    const p = least(preferred);
    return { where: p.name, why: `preferred by ${what}, with room (${fmt(p)}${others(p)})${limited}` };
  }
  const p = least(room);
  return { where: p.name, why: `least loaded (${fmt(p)}${others(p)})${limited}` };
}
