// The JSON a runtime's session-start hook gives on stdin (Claude Code: session_id, source, cwd, …), read leniently:
// a hook must never fail a session start over its input.

export interface HookInput {
  sessionId?: string;
  /** startup | resume | clear | compact */
  source?: string;
  cwd?: string;
}

export function parseHookInput(text: string): HookInput {
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null) return {};
    const str = (k: string) => (typeof v[k] === 'string' && v[k] !== '' ? (v[k] as string) : undefined);
    const out: HookInput = {};
    const id = str('session_id') ?? str('sessionId');
    if (id && /^[A-Za-z0-9._:-]{1,200}$/.test(id)) out.sessionId = id;
    const source = str('source') ?? str('hook_event_name');
    if (source) out.source = source.toLowerCase();
    const cwd = str('cwd');
    if (cwd) out.cwd = cwd;
    return out;
  } catch {
    return {};
  }
}

/** After a compaction or a resume the agent already knows its role: a short prime (identity, hook, mail) suffices. */
export function wantsLightPrime(input: HookInput): boolean {
  return input.source === 'compact' || input.source === 'resume' || input.source === 'precompact';
}
