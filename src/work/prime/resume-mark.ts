// A resumed Gemini session owes its role context to its first prompt (src/agents/gemini-settings.ts says why): the
// session-start hook marks the session, the per-prompt hook takes the mark once. One empty file per session id under
// the town's runtime folder; the id is only ever part of a file name there.
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TownContext } from '../../town/index.ts';

function markFile(town: TownContext, sessionId: string): string {
  return join(town.paths.runtime, 'gemini-resumed', `prime-owed-${sessionId}`);
}

export function owePrime(town: TownContext, sessionId: string): void {
  const file = markFile(town, sessionId);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, '');
}

/** Whether a prime was owed to this session; the first caller takes it (only one unlink succeeds), so it comes once. */
export function claimOwedPrime(town: TownContext, sessionId: string): boolean {
  try {
    unlinkSync(markFile(town, sessionId));
    return true;
  } catch {
    return false;
  }
}
