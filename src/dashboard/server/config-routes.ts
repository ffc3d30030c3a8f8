// Configuration: the town settings and each rig's rig.json, read fresh from disk and edited whole. An edit is
// validated (zod schema, then agent references) before anything is written; the write is atomic (writeConfig).
import type { Hono } from 'hono';
import {
  AGENT_ROLES,
  PRESET_NAMES,
  RigConfigSchema,
  TownSettingsSchema,
  defaultSettings,
  isKnownAgent,
  isPresetName,
  knownAgents,
  readConfig,
  rigNames,
  writeConfig,
  type RigConfig,
  type TownContext,
  type TownSettings,
} from '../../town/index.ts';
import { HttpError, invalid, jsonBody } from './errors.ts';
import * as z from 'zod/mini';
import type { DashState } from './state.ts';

export interface ConfigView {
  settings: TownSettings;
  rigs: { name: string; config: RigConfig }[];
  presets: readonly string[];
  agents: string[];
}

export function readConfigView(town: TownContext): ConfigView {
  const settings = readConfig(town.paths.settings, TownSettingsSchema) ?? defaultSettings();
  const rigs = rigNames(town).flatMap((name) => {
    const config = readConfig(town.paths.rigJson(name), RigConfigSchema);
    return config ? [{ name, config }] : [];
  });
  return { settings, rigs, presets: PRESET_NAMES, agents: knownAgents(settings) };
}

/** The first agent reference of `refs` that names no known agent, as a 400 on its field. */
function checkRefs(s: TownSettings, refs: [string, string | undefined][]): void {
  for (const [field, name] of refs) {
    if (name !== undefined && !isKnownAgent(s, name)) {
      throw new HttpError(
        400,
        'GT_BAD_CONFIG',
        `unknown agent "${name}" (expected one of: ${knownAgents(s).join(', ')})`,
        { field },
      );
    }
  }
}

function rigRefs(rig: RigConfig): [string, string | undefined][] {
  return [
    ['default_agent', rig.default_agent],
    ...AGENT_ROLES.map((r): [string, string | undefined] => [`role_agents.${r}`, rig.role_agents?.[r]]),
  ];
}

/** Settings as a whole: schema, agent references, presets, and that every rig's references still resolve. */
export function validateSettings(town: TownContext, raw: unknown): TownSettings {
  const r = TownSettingsSchema.safeParse(raw);
  if (!r.success) throw invalid('GT_BAD_CONFIG', r.error);
  const s = r.data;
  checkRefs(s, [
    ['default_agent', s.default_agent],
    ...AGENT_ROLES.map((role): [string, string | undefined] => [`role_agents.${role}`, s.role_agents[role]]),
  ]);
  for (const [name, def] of Object.entries(s.agents)) {
    if (def.preset !== undefined && !isPresetName(def.preset)) {
      throw new HttpError(
        400,
        'GT_BAD_CONFIG',
        `unknown preset "${def.preset}" (expected one of: ${PRESET_NAMES.join(', ')})`,
        { field: `agents.${name}.preset` },
      );
    }
  }
  for (const name of rigNames(town)) {
    const rig = readConfig(town.paths.rigJson(name), RigConfigSchema);
    for (const [field, agent] of rig ? rigRefs(rig) : []) {
      if (agent !== undefined && !isKnownAgent(s, agent)) {
        throw new HttpError(
          400,
          'GT_BAD_CONFIG',
          `rig ${name} uses agent "${agent}" (its ${field}); keep the agent or change the rig first`,
          { field: 'agents' },
        );
      }
    }
  }
  return s;
}

const FIXED = ['name', 'prefix', 'git_url', 'created'] as const;

/** A rig's config as a whole: schema, fields that cannot change here, agent references. */
export function validateRig(town: TownContext, current: RigConfig, raw: unknown): RigConfig {
  const r = RigConfigSchema.safeParse(raw);
  if (!r.success) throw invalid('GT_BAD_CONFIG', r.error);
  for (const key of FIXED) {
    if (r.data[key] !== current[key])
      throw new HttpError(400, 'GT_BAD_CONFIG', `${key} cannot be changed here (it is "${current[key]}")`, {
        field: key,
      });
  }
  const settings = readConfig(town.paths.settings, TownSettingsSchema) ?? defaultSettings();
  checkRefs(settings, rigRefs(r.data));
  return r.data;
}

export function mountConfigRoutes(app: Hono, st: DashState): void {
  app.put('/api/config/settings', async (c) => {
    const town = st.town();
    const next = validateSettings(town, await jsonBody(c, z.unknown()));
    const settings = writeConfig(town.paths.settings, TownSettingsSchema, next);
    st.reload();
    st.hint(['config', 'status', 'costs']);
    return c.json({ settings });
  });

  app.put('/api/config/rigs/:rig', async (c) => {
    const town = st.town();
    const name = c.req.param('rig');
    const current = rigNames(town).includes(name) ? readConfig(town.paths.rigJson(name), RigConfigSchema) : undefined;
    if (!current)
      throw new HttpError(404, 'GT_RIG_NOT_FOUND', `no rig named ${name}`, {
        hint: `rigs: ${rigNames(town).join(', ') || 'none'}`,
      });
    const next = validateRig(town, current, await jsonBody(c, z.unknown()));
    const config = writeConfig(town.paths.rigJson(name), RigConfigSchema, next);
    st.hint(['config', 'queue']);
    return c.json({ config });
  });
}
