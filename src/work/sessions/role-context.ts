// The role context of a runtime that has no session-start hook (Codex, Cursor, Amp, Auggie), written where that
// runtime reads its project docs or rules, so it starts primed; never committed to the user's repository.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { excludeLocally, isTracked, placeInRepo } from '../../git/index.ts';
import { writeFileAtomic } from '../../kernel/index.ts';
import type { AgentPreset } from '../../agents/index.ts';
import type { TownContext } from '../../town/index.ts';
import type { AgentIdentity } from './identity.ts';
import { agentRuntimeDir, gtArgv } from './runtime-paths.ts';

/** The line that marks a file as Gas Town's own: only such a file is ever rewritten. */
export const CONTEXT_MARKER = '<!-- gt: role context, rewritten at each start; kept out of git (info/exclude) -->';

export type ContextPlace =
  | { kind: 'file'; path: string }
  | { kind: 'flag'; flag: string; path: string }
  /** The file the runtime reads is the repository's or a person's: left alone, the first prompt primes instead. */
  | { kind: 'taken'; path: string; why: string };

/** Where this agent's role context goes for this runtime (undefined: the runtime has no such place). */
export function contextPlace(town: TownContext, id: AgentIdentity, preset: AgentPreset): ContextPlace | undefined {
  const c = preset.context;
  if (!c) return undefined;
  if ('flag' in c) return { kind: 'flag', flag: c.flag, path: join(agentRuntimeDir(town, id), 'role-context.md') };
  const path = join(id.workdir, c.file);
  if (placeInRepo(id.workdir) && isTracked(id.workdir, c.file))
    return { kind: 'taken', path, why: 'tracked by the repository' };
  if (!isOursOrMissing(path)) return { kind: 'taken', path, why: 'written by someone else' };
  return { kind: 'file', path };
}

/**
 * Write the role context (what `gt prime` prints for this agent, run as the agent would with its role's
 * environment `env`) into the runtime's place. A workdir file is listed in the repository's `info/exclude`, and
 * carries the repository's own doc the runtime would otherwise have read in its place (Codex's AGENTS.md under
 * AGENTS.override.md). Returns the extra arguments for a flag place, or undefined when nothing was written.
 */
export function writeRoleContext(
  town: TownContext,
  id: AgentIdentity,
  preset: AgentPreset,
  env: Record<string, string>,
): { args: string[] } | undefined {
  const place = contextPlace(town, id, preset);
  if (!place || place.kind === 'taken') return undefined;
  const prime = primeText(town, id, env);
  if (place.kind === 'flag') {
    mkdirSync(dirname(place.path), { recursive: true });
    writeFileAtomic(place.path, `${CONTEXT_MARKER}\n${prime}`);
    return { args: [place.flag, place.path] };
  }
  const file = (preset.context as { file: string }).file;
  const carried = carriedDoc(id.workdir, (preset.context as { carries?: readonly string[] }).carries ?? []);
  const head = file.endsWith('.mdc') ? '---\ndescription: Gas Town role context\nalwaysApply: true\n---\n' : '';
  const tail = carried
    ? `\n\n---\n\n# This repository's own instructions (${carried.name}, copied here at start)\n\n${carried.text}`
    : '';
  const inRepo = placeInRepo(id.workdir);
  if (inRepo) excludeLocally(inRepo.commonDir, [`/${inRepo.prefix}${file}`], 'agent files (gt)');
  mkdirSync(dirname(place.path), { recursive: true });
  writeFileAtomic(place.path, `${head}${CONTEXT_MARKER}\n${prime}${tail}`);
  return { args: [] };
}

/** What `gt prime` prints for the agent; if it fails, a text that says so and tells the agent to run it. */
export function primeText(town: TownContext, id: AgentIdentity, env: Record<string, string>): string {
  const [node, gt] = gtArgv() as [string, string];
  const r = spawnSync(node, [gt, 'prime'], {
    cwd: id.workdir,
    env: { ...town.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.status === 0 && r.stdout.trim() !== ''
    ? r.stdout
    : `Gas Town could not load your role context: ${(r.stderr || r.error?.message || `gt prime exited ${r.status}`).trim()}\nRun gt prime now, and do not run gt done before it worked; or tell the Mayor: gt mail send mayor -s "prime failed" -m "<what you saw>"\n`;
}

/** True when the file at `path` is Gas Town's own role context (or absent). */
export function isOursOrMissing(path: string): boolean {
  if (!existsSync(path)) return true;
  try {
    return readFileSync(path, 'utf8').includes(CONTEXT_MARKER);
  } catch {
    return false;
  }
}

function carriedDoc(workdir: string, names: readonly string[]): { name: string; text: string } | undefined {
  for (const name of names) {
    const path = join(workdir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8').includes(CONTEXT_MARKER)) continue;
    return { name, text: readFileSync(path, 'utf8') };
  }
  return undefined;
}
