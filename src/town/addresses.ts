// Agent addresses (`mayor`, `<rig>/<polecat>`, `<rig>/crew/<name>`, …), their tmux session names, and the town's
// private tmux socket. Pure functions of the town; the one place these names are made.
import { GtError } from '../kernel/index.ts';
import { hash64 } from '../beads/ids.ts';
import type { TownContext } from './context.ts';
import { polecatNameProblem } from './names.ts';
import { loadRig, rigNames, rigNotFound } from './rigs.ts';

export type AgentAddress =
  | { kind: 'mayor' }
  | { kind: 'overseer' }
  | { kind: 'polecat'; rig: string; name: string }
  | { kind: 'crew'; rig: string; name: string }
  | { kind: 'refinery'; rig: string }
  | { kind: 'witness'; rig: string }
  /** `<rig>/`: everyone in the rig (mail only). */
  | { kind: 'rig'; rig: string };

export type AddressKind = AgentAddress['kind'];

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The canonical text of an address (what `parseAddress` accepts back). */
export function formatAddress(a: AgentAddress): string {
  switch (a.kind) {
    case 'mayor':
    case 'overseer':
      return a.kind;
    case 'polecat':
      return `${a.rig}/${a.name}`;
    case 'crew':
      return `${a.rig}/crew/${a.name}`;
    case 'refinery':
    case 'witness':
      return `${a.rig}/${a.kind}`;
    case 'rig':
      return `${a.rig}/`;
  }
}

/**
 * Read an address. Rig names are checked against the town's rigs (an unknown rig is refused, naming the known
 * ones); polecat and crew names only for their form (and polecat names for role words, see `polecat` below), since
 * an address may name a worker about to be made (`gt sling <bead> <rig>/<new name>`). `gt mail send` checks that
 * the worker exists (`requireRecipient` in src/work/mail/send.ts).
 */
export function parseAddress(town: TownContext, text: string): AgentAddress {
  const raw = text.trim();
  const bad = (why: string): GtError =>
    new GtError('GT_BAD_ADDRESS', `"${text}" is not an agent address: ${why}`, {
      kind: 'usage',
      hint: 'addresses: mayor, overseer, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness, <rig>/ (everyone in the rig)',
    });
  if (raw === 'mayor' || raw === 'hq/mayor') return { kind: 'mayor' };
  if (raw === 'overseer' || raw === 'human') return { kind: 'overseer' };
  const parts = raw.split('/');
  const rig = parts[0] ?? '';
  if (parts.length < 2) throw bad('expected <rig>/<name>, mayor or overseer');
  if (!PART.test(rig)) throw bad('the rig part is empty or has characters other than letters, digits, ".", "-", "_"');
  if (!rigNames(town).includes(rig)) throw rigNotFound(town, rig);
  const rest = parts.slice(1);
  if (rest.length === 1 && rest[0] === '') return { kind: 'rig', rig };
  if (rest.length === 1 && (rest[0] === 'refinery' || rest[0] === 'witness')) return { kind: rest[0], rig };
  if (rest.length === 1 && PART.test(rest[0]!)) return polecat(rig, rest[0]!, text);
  if (rest.length === 2 && (rest[0] === 'crew' || rest[0] === 'polecats') && PART.test(rest[1]!)) {
    return rest[0] === 'crew' ? { kind: 'crew', rig, name: rest[1]! } : polecat(rig, rest[1]!, text);
  }
  throw bad('expected <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness or <rig>/');
}

/** A polecat address, refused when the name starts with a role word (it would be another agent's session). */
function polecat(rig: string, name: string, text: string): AgentAddress {
  const why = polecatNameProblem(name);
  if (why === undefined) return { kind: 'polecat', rig, name };
  const crew = /^crew-(.+)$/.exec(name)?.[1];
  throw new GtError('GT_BAD_ADDRESS', `"${text}" is not an agent address: ${why}`, {
    kind: 'usage',
    hint: crew
      ? `crew member ${crew} is ${rig}/crew/${crew}; a polecat is <rig>/<name>, e.g. ${rig}/toast`
      : `the rig's agents are ${rig}/refinery and ${rig}/witness; a polecat is <rig>/<name>, e.g. ${rig}/toast`,
  });
}

/**
 * The tmux session an address runs in: `hq-mayor`, `<prefix>-<polecat>`, `<prefix>-crew-<name>`,
 * `<prefix>-refinery`, `<prefix>-witness`. Undefined for addresses that are not one agent (overseer, a whole rig).
 * One-to-one by construction: prefixes are lowercase letters and digits (no "-") and unique in the town ("hq"
 * included), crew and polecat names are letters, digits, "-" and "_", and no polecat name starts with a role word
 * ("crew", "refinery", "witness"; `parseAddress` and polecat creation refuse them). Names are unchanged from
 * earlier versions, so sessions running before an upgrade are still found.
 */
export function sessionNameOf(town: TownContext, a: AgentAddress): string | undefined {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  switch (a.kind) {
    case 'mayor':
      return 'hq-mayor';
    case 'overseer':
    case 'rig':
      return undefined;
    case 'polecat':
      return `${loadRig(town, a.rig).prefix}-${clean(a.name)}`;
    case 'crew':
      return `${loadRig(town, a.rig).prefix}-crew-${clean(a.name)}`;
    case 'refinery':
    case 'witness':
      return `${loadRig(town, a.rig).prefix}-${a.kind}`;
  }
}

/**
 * The town's private tmux socket name: `GT_TMUX_SOCKET` if set, else `gt-<hash of the town root>`, so two towns
 * never share a server and the user's own tmux is never touched.
 */
export function townSocket(town: Pick<TownContext, 'root' | 'env'>): string {
  const fromEnv = town.env.GT_TMUX_SOCKET;
  if (fromEnv && /^[A-Za-z0-9_.-]+$/.test(fromEnv)) return fromEnv;
  return `gt-${hash64(town.root).toString(36).slice(0, 8)}`;
}
