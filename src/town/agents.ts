// Agent names the town knows: built-in presets, roles, and which agent a role runs in a rig.
import { GtError } from '../kernel/index.ts';
import type { RigConfig, TownSettings } from './schema.ts';

/** Built-in runtime presets (their definitions live in src/agents): valid agent names with no definition needed. */
export const PRESET_NAMES = [
  'claude',
  'codex',
  'gemini',
  'cursor',
  'auggie',
  'amp',
  'opencode',
  'copilot',
  'sim',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Roles whose agent can be chosen in configuration. */
export const AGENT_ROLES = ['mayor', 'polecat', 'crew'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** Every agent name usable in this town: presets and defined agents, sorted. */
export function knownAgents(settings: Pick<TownSettings, 'agents'>): string[] {
  return [...new Set([...PRESET_NAMES, ...Object.keys(settings.agents)])].sort();
}

export function isKnownAgent(settings: Pick<TownSettings, 'agents'>, name: string): boolean {
  return isPresetName(name) || Object.hasOwn(settings.agents, name);
}

/** Refuse an agent name that is neither a preset nor defined, naming the ones that exist. */
export function requireKnownAgent(settings: Pick<TownSettings, 'agents'>, name: string): string {
  if (!isKnownAgent(settings, name)) {
    throw new GtError('GT_AGENT_NOT_FOUND', `unknown agent "${name}"`, {
      kind: 'usage',
      hint: `known agents: ${knownAgents(settings).join(', ')}; define one with gt config agent set ${name} "<command args>"`,
    });
  }
  return name;
}

export function parseRole(role: string): AgentRole {
  if (!(AGENT_ROLES as readonly string[]).includes(role)) {
    throw new GtError('GT_BAD_ROLE', `unknown role "${role}"`, {
      kind: 'usage',
      hint: `roles: ${AGENT_ROLES.join(', ')}`,
    });
  }
  return role as AgentRole;
}

/**
 * The agent a role runs: the rig's role agent, the rig's default agent, the town's role agent, the town's default.
 * Rig settings win over town settings; the Mayor has no rig.
 */
export function agentForRole(settings: TownSettings, role: AgentRole, rig?: RigConfig): string {
  const here = rig ? settings.rigs?.[rig.name] : undefined;
  return (
    rig?.role_agents?.[role] ??
    rig?.default_agent ??
    here?.role_agents?.[role] ??
    here?.default_agent ??
    settings.role_agents[role] ??
    settings.default_agent
  );
}
