// Orphaned tmux sessions: sessions on the town's private socket whose name maps to no agent on disk.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTmux } from '../../tmux/index.ts';
import { messageOf } from '../../kernel/index.ts';
import { childDirs } from '../rigs.ts';
import type { TownPaths } from '../layout.ts';
import type { PlannedCheck, Repair } from './types.ts';

/** What exists on disk that a session name can belong to. */
export interface AgentInventory {
  rigs: { name: string; prefix: string; polecats: string[]; crew: string[] }[];
}

const clean = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The agent a session name belongs to (`mayor`, `app/refinery`, `app/crew/alice`, …), or undefined (pure). */
export function sessionOwner(session: string, inv: AgentInventory): string | undefined {
  if (session === 'hq-mayor') return 'mayor';
  for (const rig of inv.rigs) {
    if (!session.startsWith(`${rig.prefix}-`)) continue;
    const rest = session.slice(rig.prefix.length + 1);
    if (rest === 'refinery' || rest === 'witness') return `${rig.name}/${rest}`;
    const crew = rig.crew.find((c) => `crew-${clean(c)}` === rest);
    if (crew !== undefined) return `${rig.name}/crew/${crew}`;
    const polecat = rig.polecats.find((p) => clean(p) === rest);
    if (polecat !== undefined) return `${rig.name}/${polecat}`;
  }
  return undefined;
}

/**
 * Orphans are reported; `--fix` kills one only when nothing under .runtime/ refers to it (its lock or a nudge
 * queue holding messages), so a session some process still works with is never stopped.
 */
export function sessionCheck(
  socket: string,
  sessions: readonly string[],
  inv: AgentInventory,
  referenced: (session: string) => boolean,
): PlannedCheck {
  const orphans = sessions.filter((s) => sessionOwner(s, inv) === undefined);
  if (orphans.length === 0)
    return {
      id: 'sessions',
      status: 'ok',
      detail: `${sessions.length} session(s) on socket ${socket}, each belongs to an agent`,
    };
  const killable = orphans.filter((s) => !referenced(s));
  const kept = orphans.filter((s) => referenced(s));
  const repairs: Repair[] = killable.map((session) => ({ kind: 'kill-session', socket, session }));
  return {
    id: 'sessions',
    status: 'warn',
    detail: `${orphans.length} orphaned session(s) on socket ${socket} with no agent on disk: ${orphans.join(', ')}`,
    ...(repairs.length ? { fix: `kill ${killable.join(', ')}`, repairs } : {}),
    ...(kept.length
      ? {
          hint: `left running because .runtime/ still refers to them: ${kept.join(', ')}; inspect with tmux -L ${socket} attach -t <name>`,
        }
      : {}),
  };
}

export function inventory(p: TownPaths, rigs: readonly { name: string; prefix: string | undefined }[]): AgentInventory {
  return {
    rigs: rigs
      .filter((r): r is { name: string; prefix: string } => r.prefix !== undefined)
      .map((r) => ({
        name: r.name,
        prefix: r.prefix,
        polecats: childDirs(p.polecats(r.name)),
        crew: childDirs(p.crewDir(r.name)),
      })),
  };
}

/** Something under .runtime/ names the session: its lock file, or a nudge queue that still holds messages. */
export function referencedOnDisk(p: TownPaths, session: string): boolean {
  if (existsSync(join(p.runtime, 'locks', `${session}.lock`))) return true;
  try {
    return readdirSync(join(p.runtime, 'nudge-queue', session)).length > 0;
  } catch {
    return false;
  }
}

export async function sessionChecks(
  p: TownPaths,
  socket: string,
  rigs: readonly { name: string; prefix: string | undefined }[],
  env: NodeJS.ProcessEnv,
): Promise<PlannedCheck[]> {
  try {
    const sessions = (await createTmux({ socket, env }).listSessions()).map((s) => s.name);
    return [sessionCheck(socket, sessions, inventory(p, rigs), (s) => referencedOnDisk(p, s))];
  } catch (e) {
    return [
      { id: 'sessions', status: 'warn', detail: `cannot list the sessions on socket ${socket}: ${messageOf(e)}` },
    ];
  }
}
