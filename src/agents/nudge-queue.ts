// The nudge queue: messages stored per session for the runtime's prompt hook to inject at its next turn, instead
// of being typed into a busy TUI. One JSON file per message; draining claims each file by renaming it first.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../kernel/index.ts';

export type NudgePriority = 'normal' | 'urgent';

export interface QueuedNudge {
  id: string;
  session: string;
  message: string;
  from?: string;
  priority: NudgePriority;
  createdAt: string;
  expiresAt: string;
}

export const QUEUE_TTL_MS: Readonly<Record<NudgePriority, number>> = { normal: 30 * 60_000, urgent: 2 * 60 * 60_000 };
export const QUEUE_MAX_DEPTH = 50;

export function queueDir(runtimeDir: string, session: string): string {
  return join(runtimeDir, 'nudge-queue', session);
}

let seq = 0;

export interface EnqueueRequest {
  session: string;
  message: string;
  from?: string;
  priority?: NudgePriority;
  now?: Date;
}

/** Store a nudge; undefined when the session's queue already holds QUEUE_MAX_DEPTH messages. */
export function enqueueNudge(runtimeDir: string, req: EnqueueRequest): QueuedNudge | undefined {
  const dir = queueDir(runtimeDir, req.session);
  mkdirSync(dir, { recursive: true });
  if (pending(dir).length >= QUEUE_MAX_DEPTH) return undefined;
  const now = req.now ?? new Date();
  const priority = req.priority ?? 'normal';
  // Names sort by time, then by writer, so draining keeps the order messages were sent in.
  const id = `${now.getTime().toString().padStart(14, '0')}-${process.pid}-${(++seq).toString().padStart(6, '0')}`;
  const item: QueuedNudge = {
    id,
    session: req.session,
    message: req.message,
    ...(req.from !== undefined ? { from: req.from } : {}),
    priority,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + QUEUE_TTL_MS[priority]).toISOString(),
  };
  writeFileAtomic(join(dir, `${id}.json`), `${JSON.stringify(item)}\n`);
  return item;
}

/** Queued nudges without removing them, oldest first, expired ones left out. */
export function peekQueue(runtimeDir: string, session: string, now = new Date()): QueuedNudge[] {
  const dir = queueDir(runtimeDir, session);
  return pending(dir)
    .map((f) => readItem(join(dir, f)))
    .filter((n): n is QueuedNudge => n !== undefined && Date.parse(n.expiresAt) > now.getTime());
}

/**
 * Take every queued nudge for `session`, oldest first, and remove them; expired ones are dropped. Safe with
 * concurrent drainers: each file is claimed by an atomic rename, so every message is returned exactly once.
 */
export function drainQueue(runtimeDir: string, session: string, now = new Date()): QueuedNudge[] {
  const dir = queueDir(runtimeDir, session);
  const out: QueuedNudge[] = [];
  for (const f of pending(dir)) {
    const claimed = join(dir, `${f}.${process.pid}.claimed`);
    try {
      renameSync(join(dir, f), claimed);
    } catch {
      continue; // another drainer took it
    }
    const item = readItem(claimed);
    rmSync(claimed, { force: true });
    if (item && Date.parse(item.expiresAt) > now.getTime()) out.push(item);
  }
  return out;
}

function pending(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

function readItem(path: string): QueuedNudge | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as QueuedNudge;
  } catch {
    return undefined;
  }
}
