// Names the town hands out: rigs, crew members, agents and bead prefixes, with the reasons a name is refused.
import { usageError } from '../kernel/index.ts';
import { prefixFromName as beadsPrefixFromName } from '../beads/index.ts';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const AGENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Directories of the town root that can never be rigs. */
export const RESERVED_RIG_NAMES: readonly string[] = ['mayor', 'settings', 'hq', 'node_modules'];

/** The town's own bead prefix (Mayor, convoys, mail). */
export const TOWN_PREFIX = 'hq';

/** Why `name` cannot name a rig or crew member, or undefined when it can. */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.includes('/') || name.includes('\\')) return 'it contains a slash';
  if (/\s/.test(name)) return 'it contains white space';
  if (name.startsWith('.')) return 'it starts with "."';
  if (name.length > 64) return 'it is longer than 64 characters';
  if (!NAME_RE.test(name)) return 'only letters, digits, "-" and "_" are allowed, starting with a letter or digit';
  return undefined;
}

export function validateRigName(name: string): string {
  const why =
    nameProblem(name) ??
    (RESERVED_RIG_NAMES.includes(name.toLowerCase()) ? 'the town uses that name itself' : undefined);
  if (why)
    throw usageError(
      'GT_BAD_NAME',
      `invalid rig name "${name}": ${why}`,
      'use letters, digits, "-" and "_", e.g. my-project',
    );
  return name;
}

export function validateCrewName(name: string): string {
  const why = nameProblem(name);
  if (why)
    throw usageError(
      'GT_BAD_NAME',
      `invalid crew name "${name}": ${why}`,
      'use letters, digits, "-" and "_", e.g. alice',
    );
  return name;
}

/**
 * Words that begin another role's tmux session name after the rig prefix: `<prefix>-crew-<name>`,
 * `<prefix>-refinery`, `<prefix>-witness`. A polecat's session is `<prefix>-<name>`, so a polecat named `crew-x`
 * would share crew member x's session (slings typed into the person's agent, unslings killing it). Polecat names
 * never start with one of these words, which keeps every session name unique per role.
 */
export const ROLE_WORDS: readonly string[] = ['crew', 'refinery', 'witness'];

/** Why `name` cannot name a polecat, or undefined when it can. */
export function polecatNameProblem(name: string): string | undefined {
  const why = nameProblem(name);
  if (why) return why;
  const word = ROLE_WORDS.find((w) => name === w || name.startsWith(`${w}-`));
  if (word === 'crew') return 'polecat names may not start with "crew" (its session would be a crew member\'s)';
  if (word) return `polecat names may not start with "${word}" (its session would be the rig's ${word})`;
  return undefined;
}

export function validatePolecatName(name: string): string {
  const why = polecatNameProblem(name);
  if (why)
    throw usageError(
      'GT_BAD_NAME',
      `invalid polecat name "${name}": ${why}`,
      'leave the name out to get a free one, or use e.g. toast',
    );
  return name;
}

export function validateAgentName(name: string): string {
  if (!AGENT_RE.test(name) || name.length > 64) {
    throw usageError(
      'GT_BAD_NAME',
      `invalid agent name "${name}"`,
      'use letters, digits, ".", "-" and "_", e.g. claude-glm',
    );
  }
  return name;
}

export { validatePrefix } from '../beads/index.ts';

/** A prefix derived from a rig name (Beads' rule, with "rig" when nothing usable is left). */
export function prefixFromName(name: string): string {
  return beadsPrefixFromName(name, 'rig');
}
