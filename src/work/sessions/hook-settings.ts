// The Gas Town-owned hook settings of each agent (gt hooks list|repair): where each file is, whether it says what
// this installation would write now, and rewriting the ones that do not.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePreset, type AgentPreset } from '../../agents/index.ts';
import { claudeSettings, CLAUDE_SETTINGS_FILE, writeClaudeSettings } from '../../agents/claude-settings.ts';
import { parseAddress, type TownContext } from '../../town/index.ts';
import { listAgentRecords } from '../../agents/table.ts';
import { identityOf, type AgentIdentity } from './identity.ts';
import { agentRuntimeDir, claudeSettingsFor } from './runtime-setup.ts';
import { withStore } from './start.ts';
import { contextPlace, type ContextPlace } from './role-context.ts';

/** `context`/`context-missing`/`context-taken`: a runtime without hooks, primed from its role context file. */
export type HookFileState =
  'current' | 'missing' | 'outdated' | 'no-hooks' | 'context' | 'context-missing' | 'context-taken';

export interface AgentHooks {
  address: string;
  runtime: string;
  kind: string;
  path: string | null;
  state: HookFileState;
  /** The hook events the file wires up (empty when there is none). */
  events: string[];
}

/** Every agent the town has started (and the Mayor), with the state of its hook settings. */
export function listHookSettings(town: TownContext): AgentHooks[] {
  const records = withStore(town, (s) => listAgentRecords(s));
  const agents = new Map(records.map((r) => [r.address, r.runtime]));
  if (!agents.has('mayor')) agents.set('mayor', town.settings.role_agents.mayor ?? town.settings.default_agent);
  return [...agents].map(([address, runtime]) => inspect(town, identityOf(town, parseAddress(town, address)), runtime));
}

/** Rewrite every missing or outdated settings file; the entries that were rewritten. */
export function repairHookSettings(town: TownContext): AgentHooks[] {
  const fixed: AgentHooks[] = [];
  for (const h of listHookSettings(town)) {
    if (h.kind !== 'claude-settings' || (h.state !== 'missing' && h.state !== 'outdated')) continue;
    const id = identityOf(town, parseAddress(town, h.address));
    writeClaudeSettings(agentRuntimeDir(town, id), claudeSettingsFor(id, town));
    fixed.push({ ...h, state: 'current', events: Object.keys(claudeSettings(claudeSettingsFor(id, town)).hooks) });
  }
  return fixed;
}

function inspect(town: TownContext, id: AgentIdentity, runtime: string): AgentHooks {
  const preset = presetOf(town, runtime);
  const kind = preset?.hooks.kind ?? 'unknown';
  const place = kind === 'none' && preset ? contextPlace(town, id, preset) : undefined;
  if (place) return { address: id.address, runtime, kind: 'role-context', ...contextState(place), events: [] };
  if (kind !== 'claude-settings')
    return { address: id.address, runtime, kind, path: null, state: 'no-hooks', events: [] };
  const path = join(agentRuntimeDir(town, id), '.gt', CLAUDE_SETTINGS_FILE);
  if (!existsSync(path)) return { address: id.address, runtime, kind, path, state: 'missing', events: [] };
  const want = `${JSON.stringify(claudeSettings(claudeSettingsFor(id, town)), null, 2)}\n`;
  const have = readFileSync(path, 'utf8');
  return {
    address: id.address,
    runtime,
    kind,
    path,
    state: have === want ? 'current' : 'outdated',
    events: hookEvents(have),
  };
}

function presetOf(town: TownContext, runtime: string): AgentPreset | undefined {
  try {
    return resolvePreset(runtime, town.settings.agents);
  } catch {
    return undefined;
  }
}

/** A role context file is written at each start: present (and ours) means the last start was primed from it. */
function contextState(place: ContextPlace): { path: string; state: HookFileState } {
  if (place.kind === 'taken') return { path: place.path, state: 'context-taken' };
  return { path: place.path, state: existsSync(place.path) ? 'context' : 'context-missing' };
}

function hookEvents(settingsText: string): string[] {
  try {
    return Object.keys((JSON.parse(settingsText) as { hooks?: object }).hooks ?? {});
  } catch {
    return [];
  }
}
