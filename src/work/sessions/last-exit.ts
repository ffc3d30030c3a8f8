// An agent that exited during start-up: its last screen and exit status, kept in `.runtime/agents/<session>/
// last-exit.json` so the error, `gt peek`, `gt agents` and `gt doctor` can say why (the session itself is gone).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../kernel/index.ts';
import type { TmuxClient } from '../../tmux/index.ts';
import type { TownContext } from '../../town/index.ts';

export interface LastExit {
  address: string;
  session: string;
  runtime: string;
  /** When it was seen dead. */
  at: string;
  /** The program's exit status, or null when it was killed by a signal or the status is unknown. */
  status: number | null;
  signal: number | null;
  /** The end of its screen (history included), without tmux's "Pane is dead" line. */
  lines: string[];
}

const FILE = 'last-exit.json';
const DEAD_LINE = /^Pane is dead \((status|signal) (\d+)/;

const fileOf = (town: TownContext, session: string): string => join(town.paths.runtime, 'agents', session, FILE);

/** Read a dead pane (kept by remain-on-exit): the end of its screen and how its program ended. */
export async function captureDeadPane(
  tmux: Pick<TmuxClient, 'capturePane' | 'snapshot' | 'listSessions'>,
  session: string,
  maxLines = 200,
): Promise<Pick<LastExit, 'status' | 'signal' | 'lines'>> {
  let status: number | null = null;
  let signal: number | null = null;
  let lines: string[] = [];
  try {
    // tmux marks the pane dead when its terminal closes, and records the status (drawing its "Pane is dead" line)
    // when it reaps the process, which on a loaded machine can take seconds; the kernel has the status meanwhile.
    for (const until = Date.now() + 1000; ;) {
      const snap = await tmux.snapshot(session);
      status = snap.deadStatus ?? null;
      if (status !== null || snap.lines.some((l) => DEAD_LINE.test(l)) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    lines = await tmux.capturePane(session, { lines: maxLines });
  } catch {
    return { status, signal, lines };
  }
  const kept: string[] = [];
  for (const l of lines) {
    const m = DEAD_LINE.exec(l);
    if (!m) kept.push(l);
    else if (m[1] === 'signal') signal = Number(m[2]);
    else status ??= Number(m[2]);
  }
  while (kept.length && kept.at(-1)!.trim() === '') kept.pop();
  if (status === null && signal === null) {
    const pid = (await tmux.listSessions().catch(() => [])).find((x) => x.name === session)?.panePid;
    const code = pid ? zombieExitCode(pid) : undefined;
    if (code !== undefined) {
      if ((code & 0x7f) === 0) status = (code >> 8) & 0xff;
      else signal = code & 0x7f;
    }
  }
  return { status: signal !== null ? null : status, signal, lines: kept };
}

/** The wait status of an exited, not yet reaped process (Linux: field 52 of /proc/<pid>/stat), if readable. */
function zombieExitCode(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z') return undefined;
    const code = Number(fields[49]);
    return Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export function recordLastExit(town: TownContext, exit: LastExit): void {
  const file = fileOf(town, exit.session);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(exit, null, 2)}\n`);
}

export function readLastExit(town: TownContext, session: string): LastExit | undefined {
  const file = fileOf(town, session);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LastExit;
  } catch {
    return undefined;
  }
}

/** Every agent whose last start ended in an exit (and has not started cleanly since), by session name. */
export function listLastExits(town: TownContext): LastExit[] {
  const dir = join(town.paths.runtime, 'agents');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((session) => {
      const e = readLastExit(town, session);
      return e ? [e] : [];
    });
}

export function clearLastExit(town: TownContext, session: string): void {
  rmSync(fileOf(town, session), { force: true });
}

/** How it ended, in a few words: "exited with status 3", "was killed by signal 9", "exited". */
export function howItEnded(e: Pick<LastExit, 'status' | 'signal'>): string {
  if (e.signal !== null) return `was killed by signal ${e.signal}`;
  return e.status !== null ? `exited with status ${e.status}` : 'exited';
}

/** The last line of the screen that holds words: usually the program's own reason ("not logged in"). */
export function lastWords(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (/\p{L}{2}/u.test(l)) return l.length > 200 ? `${l.slice(0, 197)}…` : l;
  }
  return undefined;
}

/** One line: how it ended and its last words, e.g. `exited with status 3: "not logged in"`. */
export function exitSummary(e: Pick<LastExit, 'status' | 'signal' | 'lines'>): string {
  const words = lastWords(e.lines);
  return words ? `${howItEnded(e)}: ${JSON.stringify(words)}` : `${howItEnded(e)} with an empty screen`;
}
