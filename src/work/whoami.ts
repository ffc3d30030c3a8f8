// "Who am I": the address of the agent (or person) running a gt command, for inboxes, mail senders and the prompt hook.
import { usageError } from '../kernel/index.ts';
import { formatAddress, parseAddress, type AgentAddress, type TownContext } from '../town/index.ts';

export type AddressSource = 'explicit' | 'GT_ADDRESS' | 'GT_ROLE' | 'default';

export interface CurrentAddress {
  address: AgentAddress;
  /** Canonical text of the address. */
  text: string;
  source: AddressSource;
}

/**
 * The current address: `explicit` (a `--from` or positional argument) if given, else `GT_ADDRESS` (agent sessions
 * set it), else `GT_ROLE` with `GT_RIG` and `GT_NAME`, else `overseer` (a person at a terminal).
 */
export function currentAddress(
  town: TownContext,
  explicit?: string,
  env: NodeJS.ProcessEnv = town.env,
): CurrentAddress {
  const done = (address: AgentAddress, source: AddressSource): CurrentAddress => {
    if (address.kind === 'rig') {
      throw usageError(
        'GT_BAD_ADDRESS',
        `"${formatAddress(address)}" is a whole rig, not one agent`,
        'name one agent, e.g. <rig>/witness or <rig>/crew/<name>',
      );
    }
    return { address, text: formatAddress(address), source };
  };
  if (explicit !== undefined) return done(parseAddress(town, explicit), 'explicit');
  if (env.GT_ADDRESS) return done(parseAddress(town, env.GT_ADDRESS), 'GT_ADDRESS');
  const role = env.GT_ROLE;
  if (role) return done(parseAddress(town, addressFromRole(role, env.GT_RIG, env.GT_NAME)), 'GT_ROLE');
  return { address: { kind: 'overseer' }, text: 'overseer', source: 'default' };
}

/** The address text that GT_ROLE, GT_RIG and GT_NAME describe. */
export function addressFromRole(role: string, rig: string | undefined, name: string | undefined): string {
  const need = (v: string | undefined, what: string): string => {
    if (!v)
      throw usageError(
        'GT_BAD_IDENTITY',
        `GT_ROLE is "${role}" but ${what} is not set`,
        "set GT_ADDRESS to the agent's address (e.g. myrig/crew/alice), or pass --from",
      );
    return v;
  };
  switch (role) {
    case 'mayor':
    case 'overseer':
      return role;
    case 'polecat':
      return `${need(rig, 'GT_RIG')}/${need(name, 'GT_NAME')}`;
    case 'crew':
      return `${need(rig, 'GT_RIG')}/crew/${need(name, 'GT_NAME')}`;
    case 'refinery':
    case 'witness':
      return `${need(rig, 'GT_RIG')}/${role}`;
    default:
      throw usageError(
        'GT_BAD_IDENTITY',
        `GT_ROLE "${role}" is not a role`,
        'roles: mayor, polecat, crew, refinery, witness, overseer; or set GT_ADDRESS',
      );
  }
}
