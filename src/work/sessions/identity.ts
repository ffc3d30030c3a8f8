// Who an agent is: address, role, rig, working directory, session name and git identity, from its address.
import { existsSync } from 'node:fs';
import { GtError } from '../../kernel/index.ts';
import { crewIdentity, formatAddress, sessionNameOf, type AgentAddress, type TownContext } from '../../town/index.ts';

export type SessionRole = 'mayor' | 'polecat' | 'crew' | 'refinery' | 'witness';

export interface AgentIdentity {
  address: string;
  role: SessionRole;
  rig?: string;
  /** The agent's own name (`mayor`, the polecat's or crew member's name, `refinery`, `witness`). */
  name: string;
  session: string;
  workdir: string;
  git: { name: string; email: string };
}

/** The identity of the agent at `addr`; refused for addresses that are not one agent (overseer, a whole rig). */
export function identityOf(town: TownContext, addr: AgentAddress): AgentIdentity {
  const address = formatAddress(addr);
  const session = sessionNameOf(town, addr);
  if (addr.kind === 'overseer' || addr.kind === 'rig' || session === undefined) {
    throw new GtError('GT_NOT_AN_AGENT', `"${address}" is not a single agent that runs in a session`, {
      kind: 'usage',
      hint: 'name one agent: mayor, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery or <rig>/witness',
    });
  }
  const p = town.paths;
  switch (addr.kind) {
    case 'mayor':
      return {
        address,
        role: 'mayor',
        name: 'mayor',
        session,
        workdir: p.mayor,
        git: { name: 'Mayor', email: `mayor@${slug(town.meta.name)}.gastown.local` },
      };
    case 'crew':
      return {
        address,
        role: 'crew',
        rig: addr.rig,
        name: addr.name,
        session,
        workdir: p.crew(addr.rig, addr.name),
        git: crewIdentity(addr.rig, addr.name),
      };
    case 'polecat':
      return {
        address,
        role: 'polecat',
        rig: addr.rig,
        name: addr.name,
        session,
        workdir: p.polecat(addr.rig, addr.name),
        git: { name: `${addr.rig}/${addr.name}`, email: `${addr.rig}.${addr.name}@gastown.local` },
      };
    case 'refinery':
    case 'witness':
      return {
        address,
        role: addr.kind,
        rig: addr.rig,
        name: addr.kind,
        session,
        workdir: addr.kind === 'refinery' ? p.refinery(addr.rig) : p.rig(addr.rig),
        git: { name: `${addr.rig}/${addr.kind}`, email: `${addr.rig}.${addr.kind}@gastown.local` },
      };
  }
}

/** Refuse to start an agent whose working directory does not exist, saying how to create it. */
export function requireWorkdir(id: AgentIdentity): void {
  if (existsSync(id.workdir)) return;
  const how =
    id.role === 'crew'
      ? `gt crew add ${id.name} --rig ${id.rig}`
      : id.role === 'mayor'
        ? 'gt install <town> (it repairs what is missing)'
        : 'gt sling <bead> <rig>';
  throw new GtError('GT_NO_WORKDIR', `${id.address} has no working directory (${id.workdir} is missing)`, {
    hint: `create it with ${how}`,
  });
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'town'
  );
}
