// Agent CLIs: every agent the town's configuration chooses (default, role agents, rig overrides) needs its
// program on PATH; the check names which agent and role need a missing program.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { resolvePreset } from '../../agents/index.ts';
import { agentForRole, AGENT_ROLES } from '../agents.ts';
import type { RigConfig, TownSettings } from '../schema.ts';
import type { PlannedCheck } from './types.ts';

export interface AgentNeed {
  agent: string;
  /** The program the agent runs (`{node}` placeholders excluded: gt's own Node always exists). */
  program: string;
  /** Where the agent is chosen: "default agent", "mayor", "polecat", "rig app: crew". */
  usedBy: string[];
}

/** The agents the configuration puts to work and the program each one runs (pure). */
export function agentNeeds(settings: TownSettings, rigs: readonly RigConfig[]): AgentNeed[] {
  const uses = new Map<string, string[]>();
  const use = (agent: string, where: string): void => void uses.set(agent, [...(uses.get(agent) ?? []), where]);
  use(settings.default_agent, 'default agent');
  for (const role of AGENT_ROLES) use(agentForRole(settings, role), role);
  for (const rig of rigs) {
    for (const role of AGENT_ROLES.filter((r) => r !== 'mayor'))
      use(agentForRole(settings, role, rig), `rig ${rig.name}: ${role}`);
  }
  const needs: AgentNeed[] = [];
  for (const [agent, usedBy] of uses) {
    let program: string;
    try {
      program = resolvePreset(agent, settings.agents).command;
    } catch {
      continue; // an unknown agent is a settings problem, reported by the config check
    }
    if (program.includes('{node}')) continue;
    needs.push({ agent, program, usedBy: [...new Set(usedBy)] });
  }
  return needs.sort((a, b) => a.agent.localeCompare(b.agent));
}

export function runtimeCheck(need: AgentNeed, found: string | undefined): PlannedCheck {
  const id = `agent.${need.agent}`;
  const who = need.usedBy.join(', ');
  if (found) return { id, status: 'ok', detail: `${need.program} found at ${found} (used by ${who})` };
  return {
    id,
    status: 'error',
    detail: `${need.agent}: program "${need.program}" is not on PATH; needed by ${who}`,
    hint: `install ${need.program} (or choose another agent with gt config default-agent / gt config role-agent)`,
  };
}

/** Where `program` would be run from: itself if it is a path, else the first executable match on PATH. */
export function findOnPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = program.includes('/')
    ? [program]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, program));
  for (const c of candidates) {
    if (!isAbsolute(c) && !program.includes('/')) continue;
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function runtimeChecks(
  settings: TownSettings,
  rigs: readonly RigConfig[],
  env: NodeJS.ProcessEnv,
): PlannedCheck[] {
  return agentNeeds(settings, rigs).map((n) => runtimeCheck(n, findOnPath(n.program, env)));
}
