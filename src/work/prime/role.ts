// Which agent `gt prime` is priming: the environment first (sessions set GT_ADDRESS or GT_ROLE), then the
// directory (mayor/, <rig>/polecats/<name>, <rig>/crew/<name>, <rig>/refinery, a rig, the town root).
import { relative, sep } from 'node:path';
import { GtError } from '../../kernel/index.ts';
import { formatAddress, rigNames, type AgentAddress, type TownContext } from '../../town/index.ts';
import { currentAddress } from '../whoami.ts';

export interface DetectedRole {
  address: AgentAddress;
  text: string;
  source: 'environment' | 'directory';
  /** Set when the environment and the directory disagree (the environment wins). */
  mismatch?: string;
}

export function detectRole(town: TownContext, cwd: string, env: NodeJS.ProcessEnv): DetectedRole {
  const fromDir = addressOfDirectory(town, cwd);
  if (env.GT_ADDRESS || env.GT_ROLE) {
    const cur = currentAddress(town, undefined, env);
    const mismatch =
      fromDir && formatAddress(fromDir) !== cur.text
        ? `you are in the directory of ${formatAddress(fromDir)}`
        : undefined;
    return { address: cur.address, text: cur.text, source: 'environment', ...(mismatch ? { mismatch } : {}) };
  }
  if (!fromDir) {
    throw new GtError('GT_NO_ROLE', `cannot tell which agent you are in ${cwd}`, {
      kind: 'usage',
      hint: "run gt prime inside an agent's directory (mayor/, <rig>/polecats/<name>, <rig>/crew/<name>) or set GT_ADDRESS",
    });
  }
  return { address: fromDir, text: formatAddress(fromDir), source: 'directory' };
}

/** The agent whose directory holds `cwd`; the town root and `mayor/` are the Mayor's. */
export function addressOfDirectory(town: TownContext, cwd: string): AgentAddress | undefined {
  const rel = relative(town.root, cwd);
  if (rel.startsWith('..') || rel.startsWith(sep)) return undefined;
  const parts = rel === '' ? [] : rel.split(sep);
  const [top, kind, name] = parts;
  if (top === undefined || top === 'mayor' || top === 'settings' || top === '.beads') return { kind: 'mayor' };
  if (!rigNames(town).includes(top)) return undefined;
  if (kind === 'polecats' && name) return { kind: 'polecat', rig: top, name };
  if (kind === 'crew' && name) return { kind: 'crew', rig: top, name };
  if (kind === 'refinery') return { kind: 'refinery', rig: top };
  if (kind === undefined || kind === 'witness') return { kind: 'witness', rig: top };
  return undefined;
}
