// Town settings: defaults, the agent references a valid file must satisfy, and pure edits behind `gt config`.
import { GtError } from '../kernel/index.ts';
import { configError, writeConfig } from './config-file.ts';
import {
  AGENT_ROLES,
  isKnownAgent,
  isPresetName,
  knownAgents,
  PRESET_NAMES,
  requireKnownAgent,
  type AgentRole,
} from './agents.ts';
import { TownSettingsSchema, type AgentDefinition, type RigConfig, type TownSettings } from './schema.ts';
import { validateAgentName } from './names.ts';

export function defaultSettings(): TownSettings {
  return TownSettingsSchema.parse({});
}

/** Every agent a settings file names must exist; reported like a schema problem (file, key, expectation). */
export function checkSettingsRefs(path: string, s: TownSettings): void {
  const known = knownAgents(s).join(', ');
  const refs: [string, string | undefined][] = [
    ['default_agent', s.default_agent],
    ...AGENT_ROLES.map((r): [string, string | undefined] => [`role_agents.${r}`, s.role_agents[r]]),
  ];
  for (const [rig, o] of Object.entries(s.rigs ?? {})) {
    refs.push(
      [`rigs.${rig}.default_agent`, o.default_agent],
      ...AGENT_ROLES.map((r): [string, string | undefined] => [`rigs.${rig}.role_agents.${r}`, o.role_agents?.[r]]),
    );
  }
  for (const [key, name] of refs) {
    if (name !== undefined && !isKnownAgent(s, name))
      throw configError(path, `key "${key}": unknown agent "${name}" (expected one of: ${known})`);
  }
  for (const [name, def] of Object.entries(s.agents)) {
    if (def.preset !== undefined && !isPresetName(def.preset)) {
      throw configError(
        path,
        `key "agents.${name}.preset": unknown preset "${def.preset}" (expected one of: ${PRESET_NAMES.join(', ')})`,
      );
    }
  }
}

/** The same check for a rig's overrides, against the town's agents. */
export function checkRigRefs(path: string, rig: RigConfig, s: TownSettings): void {
  const refs: [string, string | undefined][] = [
    ['default_agent', rig.default_agent],
    ...AGENT_ROLES.map((r): [string, string | undefined] => [`role_agents.${r}`, rig.role_agents?.[r]]),
  ];
  for (const [key, name] of refs) {
    if (name !== undefined && !isKnownAgent(s, name)) {
      throw configError(path, `key "${key}": unknown agent "${name}" (expected one of: ${knownAgents(s).join(', ')})`);
    }
  }
}

/** Define (or redefine) a custom agent. */
export function withAgent(s: TownSettings, name: string, def: AgentDefinition): TownSettings {
  validateAgentName(name);
  if (def.preset !== undefined && !isPresetName(def.preset)) {
    throw new GtError('GT_BAD_PRESET', `unknown preset "${def.preset}"`, {
      kind: 'usage',
      hint: `presets: ${PRESET_NAMES.join(', ')}`,
    });
  }
  return { ...s, agents: { ...s.agents, [name]: def } };
}

/** Where an agent is in use: "default_agent", "role_agents.polecat", "rig web (default_agent)". */
export function usesOfAgent(s: TownSettings, rigs: readonly RigConfig[], name: string): string[] {
  const uses: string[] = [];
  if (s.default_agent === name) uses.push('default_agent');
  for (const r of AGENT_ROLES) if (s.role_agents[r] === name) uses.push(`role_agents.${r}`);
  for (const [rig, o] of Object.entries(s.rigs ?? {})) {
    if (o.default_agent === name) uses.push(`rigs.${rig}.default_agent`);
    for (const r of AGENT_ROLES) if (o.role_agents?.[r] === name) uses.push(`rigs.${rig}.role_agents.${r}`);
  }
  for (const rig of rigs) {
    if (rig.default_agent === name) uses.push(`rig ${rig.name} (default_agent)`);
    for (const r of AGENT_ROLES) if (rig.role_agents?.[r] === name) uses.push(`rig ${rig.name} (role_agents.${r})`);
  }
  return uses;
}

/**
 * Remove a custom agent's definition. A preset name simply falls back to the preset; any other name still in use
 * is refused, naming where.
 */
export function withoutAgent(s: TownSettings, rigs: readonly RigConfig[], name: string): TownSettings {
  if (!Object.hasOwn(s.agents, name)) {
    const what = isPresetName(name)
      ? `"${name}" is a built-in preset with no custom definition`
      : `no agent "${name}" is defined`;
    throw new GtError('GT_AGENT_NOT_FOUND', what, {
      kind: 'usage',
      hint: 'gt config agent list shows the defined agents',
    });
  }
  const uses = isPresetName(name) ? [] : usesOfAgent(s, rigs, name);
  if (uses.length > 0) {
    throw new GtError('GT_AGENT_IN_USE', `agent "${name}" is still used by ${uses.join(', ')}`, {
      hint: 'choose another agent there first (gt config default-agent / gt config role-agent)',
    });
  }
  const agents = { ...s.agents };
  delete agents[name];
  return { ...s, agents };
}

export function withDefaultAgent(s: TownSettings, name: string): TownSettings {
  return { ...s, default_agent: requireKnownAgent(s, name) };
}

/** Set a role's agent, or clear it (`undefined`) so the role uses the default agent. */
export function withRoleAgent(s: TownSettings, role: AgentRole, name: string | undefined): TownSettings {
  const role_agents = { ...s.role_agents };
  if (name === undefined) delete role_agents[role];
  else role_agents[role] = requireKnownAgent(s, name);
  return { ...s, role_agents };
}

/** Replace `settings/config.json` atomically with validated settings. */
export function saveSettings(path: string, next: TownSettings): TownSettings {
  return writeConfig(path, TownSettingsSchema, next);
}

/** Set or clear (`undefined`) a rig's own default agent. */
export function rigWithDefaultAgent(rig: RigConfig, s: TownSettings, name: string | undefined): RigConfig {
  const next = { ...rig };
  if (name === undefined) delete next.default_agent;
  else next.default_agent = requireKnownAgent(s, name);
  return next;
}

/** Set or clear a rig's agent for a role; the Mayor belongs to the town, not to a rig. */
export function rigWithRoleAgent(
  rig: RigConfig,
  s: TownSettings,
  role: AgentRole,
  name: string | undefined,
): RigConfig {
  if (role === 'mayor') {
    throw new GtError('GT_BAD_ROLE', 'the mayor serves the whole town and has no per-rig agent', {
      kind: 'usage',
      hint: 'set it without --rig: gt config role-agent mayor <agent>',
    });
  }
  const role_agents = { ...rig.role_agents };
  if (name === undefined) delete role_agents[role];
  else role_agents[role] = requireKnownAgent(s, name);
  const next: RigConfig = { ...rig, role_agents };
  if (Object.keys(role_agents).length === 0) delete next.role_agents;
  return next;
}
