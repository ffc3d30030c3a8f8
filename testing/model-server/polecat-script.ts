// A scripted Gas Town polecat: it does what the bead on its hook says, as read from the prime context that Claude
// Code's SessionStart hook (`gt prime --hook`) put in the conversation. Without that context it does nothing.
// The bead's description holds the directives (anywhere in the text, values in double quotes):
//   File: "<path in the worktree>" Content: "<text; \n for a newline>"   write it with the Write tool
//   Handoff: "<note>"   first run `gt handoff -m <note>`; the next session (whose prime shows the note) does the work
// Then it runs `gt done` (Bash), as its prime says: that commits what is left, so no separate `git commit` request.
// Step keys carry the bead id, so a reused polecat's earlier work does not count for its new hook.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { primedAs, primedHandoff, primedHook } from './prime.ts';
import { bash, write, type AgentScript, type ScriptContext } from './script.ts';

export interface PolecatDirectives {
  file?: string;
  content: string;
  handoff?: string;
}

export function polecatDirectives(description: string): PolecatDirectives {
  const value = (name: string): string | undefined =>
    new RegExp(`${name}: "((?:[^"\\\\]|\\\\.)*)"`).exec(description)?.[1];
  const content = (value('Content') ?? '').replace(/\\n/g, '\n').replace(/\\"/g, '"');
  const file = value('File');
  const handoff = value('Handoff');
  return { content, ...(file ? { file } : {}), ...(handoff ? { handoff } : {}) };
}

export interface PolecatScriptOptions {
  /** Hold back the answer that carries `gt done`, per bead (e.g. to kill the agent meanwhile, its work uncommitted). */
  doneDelayMs?: (bead: string) => number;
}

/** Single quotes for the shell. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function scriptedPolecat(o: PolecatScriptOptions = {}): AgentScript {
  return {
    name: 'polecat',
    matches: (c) => primedAs(c.text)?.role === 'polecat',
    plan: (c) => {
      // A reused polecat is told of its new hook by a nudge ("Your hook holds <id>"); like a model would, it runs
      // `gt prime` then and works from that output instead of the (older) prime of its session start.
      const told = [...c.text.matchAll(/Your hook holds (\S+?)\./g)].at(-1)?.[1];
      const primed = primedHook(c.text);
      const reprime = told !== undefined && primed?.id !== told ? bash(`prime-${told}`, 'gt prime') : undefined;
      const hook = reprime ? primedHook(c.result(reprime.key) ?? '') : primed;
      if (!hook || !c.cwd) return reprime ? [reprime] : [];
      const d = polecatDirectives(hook.description);
      const handedOff = primedHandoff(c.text) !== undefined;
      if (d.handoff && !handedOff)
        return [reprime, bash(`handoff-${hook.id}`, `gt handoff -m ${shq(d.handoff)}`, { timeoutMs: 120_000 })];
      const path = d.file ? (isAbsolute(d.file) ? d.file : join(c.cwd, d.file)) : undefined;
      return [
        reprime,
        path !== undefined && !hasContent(path, d.content) && write(`write-${hook.id}`, path, d.content),
        { ...bash(`done-${hook.id}`, 'gt done'), delayMs: () => o.doneDelayMs?.(hook.id) ?? 0 },
      ];
    },
    finish: (c: ScriptContext) => {
      const last = c.exchanges.at(-1);
      return last?.name === 'Bash' && String(last.input.command).startsWith('gt handoff')
        ? 'Handing off to my next session.'
        : 'My hook is done and queued for merge.';
    },
  };
}

/** Already written (by an earlier session of this agent): writing it again would need a Read first. */
function hasContent(path: string, content: string): boolean {
  return existsSync(path) && readFileSync(path, 'utf8') === content;
}
