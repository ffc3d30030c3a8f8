// OpenCode's Gas Town-owned configuration, passed inline: OPENCODE_CONFIG_CONTENT, which OpenCode 1.18 merges over
// the user's global config and the project's (as the most local layer, without replacing them), naming the agent's
// prime file in `instructions`. OpenCode adds every instructions file to its system prompt ("Instructions from:
// <file>"), read again for each request, so the agent starts primed without a turn spent running `gt prime`.
// OpenCode has no session-start hook a shell command could answer, and plugins are off under OPENCODE_PURE.

import { GtError } from '../kernel/index.ts';

/** The variable OpenCode reads its inline configuration from. */
export const OPENCODE_CONFIG_CONTENT = 'OPENCODE_CONFIG_CONTENT';

/**
 * The inline configuration for an agent primed by `primeFile`: the `inherited` one (a user's OPENCODE_CONFIG_CONTENT)
 * kept, with the prime file added to its instructions. Refused when the inherited value is not a JSON object:
 * OpenCode would refuse it too, and replacing it would drop the user's settings without a word.
 */
export function openCodeConfigContent(primeFile: string, inherited?: string): string {
  let base: Record<string, unknown> = {};
  if (inherited !== undefined && inherited.trim() !== '') {
    let v: unknown;
    try {
      v = JSON.parse(inherited);
    } catch {
      throw notAnObject();
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw notAnObject();
    base = v as Record<string, unknown>;
  }
  const have = Array.isArray(base.instructions)
    ? base.instructions.filter((x): x is string => typeof x === 'string' && x !== primeFile)
    : [];
  return JSON.stringify({ ...base, instructions: [...have, primeFile] });
}

function notAnObject(): GtError {
  return new GtError(
    'GT_AGENT_CONFIG',
    `${OPENCODE_CONFIG_CONTENT} in the town's environment is not a JSON object, so Gas Town cannot add the agent's prime to it`,
    {
      hint: `fix or unset ${OPENCODE_CONFIG_CONTENT} where gt runs (OpenCode would refuse it too)`,
    },
  );
}
