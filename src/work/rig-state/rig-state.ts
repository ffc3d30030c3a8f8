// Parked and docked rigs (settings/rig-state.json): a parked rig gets no new work (sling refuses it, convoys and the
// sling queue skip it) while running work finishes; a docked rig is parked with every agent stopped, all else kept.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, isoNow, writeFileAtomic } from '../../kernel/index.ts';
import { loadRig, type TownContext } from '../../town/index.ts';

export type RigMode = 'parked' | 'docked';

export interface RigState {
  mode: RigMode;
  since: string;
  by: string;
}

type StateFile = Record<string, RigState>;

/** `settings/rig-state.json`: which rigs are parked or docked, by whom and since when. */
export function rigStatePath(town: TownContext): string {
  return join(town.paths.settingsDir, 'rig-state.json');
}

function readStates(town: TownContext): StateFile {
  const path = rigStatePath(town);
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GtError('GT_BAD_RIG_STATE', `${path} is not valid JSON (${(e as Error).message})`, {
      hint: 'fix the file by hand; it lists parked and docked rigs as {"<rig>": {"mode": "parked", ...}}',
    });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new GtError('GT_BAD_RIG_STATE', `${path} must hold one JSON object`, {
      hint: 'fix the file by hand; it lists parked and docked rigs as {"<rig>": {"mode": "parked", ...}}',
    });
  const out: StateFile = {};
  for (const [rig, v] of Object.entries(raw as Record<string, unknown>)) {
    const s = v as Partial<RigState> | null;
    if (s && (s.mode === 'parked' || s.mode === 'docked'))
      out[rig] = { mode: s.mode, since: String(s.since ?? ''), by: String(s.by ?? '') };
  }
  return out;
}

/** The rig's mode, or undefined when it works normally. */
export function rigState(town: TownContext, rig: string): RigState | undefined {
  return readStates(town)[rig];
}

export function allRigStates(town: TownContext): StateFile {
  return readStates(town);
}

/** Set (or clear, with `mode` undefined) a rig's mode; returns the mode it had. */
export function setRigState(
  town: TownContext,
  rig: string,
  mode: RigMode | undefined,
  by: string,
): RigState | undefined {
  loadRig(town, rig);
  const all = readStates(town);
  const was = all[rig];
  if (mode === undefined) delete all[rig];
  else all[rig] = { mode, since: was?.mode === mode ? was.since : isoNow(), by: was?.mode === mode ? was.by : by };
  writeFileAtomic(rigStatePath(town), `${JSON.stringify(all, null, 2)}\n`);
  return was;
}

/** Refuse new work for a parked or docked rig, naming how to take it back into service. */
export function requireRigOpen(town: TownContext, rig: string, what: string): void {
  const s = rigState(town, rig);
  if (!s) return;
  throw new GtError(
    'GT_RIG_PARKED',
    `rig ${rig} is ${s.mode} (since ${s.since}${s.by ? ` by ${s.by}` : ''}): ${what}`,
    {
      hint:
        s.mode === 'parked'
          ? `take it back into service with gt rig unpark ${rig}`
          : `take it back into service with gt rig undock ${rig}`,
    },
  );
}

/** `.runtime/town-down.json`: written by gt down, removed by gt up; while it exists no work is fed or drained. */
function townDownPath(town: TownContext): string {
  return join(town.paths.runtime, 'town-down.json');
}

/** When and by whom the town was brought down (gt down), or undefined while it is up. */
export function townDown(town: TownContext): { since: string; by: string } | undefined {
  const path = townDownPath(town);
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { since?: unknown; by?: unknown };
    return { since: String(v.since ?? ''), by: String(v.by ?? '') };
  } catch {
    return { since: '', by: '' };
  }
}

export function setTownDown(town: TownContext, by: string | undefined): void {
  const path = townDownPath(town);
  if (by === undefined) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(town.paths.runtime, { recursive: true });
  writeFileAtomic(path, `${JSON.stringify({ since: isoNow(), by })}\n`);
}
