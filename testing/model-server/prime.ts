// Recognising a Gas Town agent from what `gt prime` put in its context (pure): the header names the agent, the hook
// section its bead, and a handoff section the note of its previous session (src/work/prime/render.ts).

export interface PrimedHook {
  id: string;
  title: string;
  /** The text under "### Description", empty when there is none. */
  description: string;
}

/** The address and role the prime header names: `# Gas Town: you are web/furiosa (polecat) in town "x"`. */
export function primedAs(text: string): { address: string; role: string } | undefined {
  const m = /# Gas Town: you are (\S+) \((\w+)\)/.exec(text);
  return m ? { address: m[1]!, role: m[2]! } : undefined;
}

/** The bead on the hook, from the latest prime in the context. */
export function primedHook(text: string): PrimedHook | undefined {
  const all = [...text.matchAll(/## Your hook: (\S+) (.*)\n/g)];
  const last = all.at(-1);
  if (!last) return undefined;
  const rest = text.slice(last.index + last[0].length);
  const section = rest.split(/\n## /)[0]!;
  const description = /### Description\n([\s\S]*?)(?:\n### |$)/.exec(section)?.[1]?.trim() ?? '';
  return { id: last[1]!, title: last[2]!.trim(), description };
}

/** The handoff note of the previous session, when the prime shows one. */
export function primedHandoff(text: string): string | undefined {
  const m = /## Handoff from your previous session \(\S+\)\n([\s\S]*?)(?:\n## |$)/.exec(text);
  return m?.[1]?.trim();
}
