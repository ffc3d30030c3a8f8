// gt config: town settings (settings/config.json) and agents: show, define, choose defaults and role agents.
import type { Command } from 'commander';
import {
  agentForRole,
  AGENT_ROLES,
  allRigs,
  isPresetName,
  joinCommandLine,
  knownAgents,
  loadRig,
  parseRole,
  PRESET_NAMES,
  rigWithDefaultAgent,
  rigWithRoleAgent,
  saveRig,
  saveSettings,
  usesOfAgent,
  withAgent,
  withDefaultAgent,
  withoutAgent,
  withRoleAgent,
  type AgentDefinition,
  type RigConfig,
  type TownContext,
  type TownSettings,
} from '../../../town/index.ts';
import { usageError } from '../../../kernel/index.ts';
import { parseCommandLine } from '../../../agents/index.ts';
import { collect, emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export interface AgentRow {
  name: string;
  kind: 'preset' | 'custom' | 'preset, redefined';
  command?: string;
  definition?: AgentDefinition;
  default: boolean;
  /** Where the agent is chosen: "default_agent", "role_agents.polecat", "rig web (default_agent)". */
  used_by: string[];
}

function agentRows(town: TownContext, s: TownSettings): AgentRow[] {
  const rigs = allRigs(town);
  return knownAgents(s).map((name) => {
    const def = s.agents[name];
    return {
      name,
      kind: def ? (isPresetName(name) ? 'preset, redefined' : 'custom') : 'preset',
      ...(def ? { command: joinCommandLine([def.command, ...def.args]), definition: def } : {}),
      default: s.default_agent === name,
      used_by: usesOfAgent(s, rigs, name),
    };
  });
}

const rowText = (r: AgentRow): string =>
  `${r.default ? '*' : ' '} ${r.name.padEnd(14)} ${r.kind === 'preset' ? 'built-in preset' : `${r.command}${r.kind === 'preset, redefined' ? '  (replaces the preset)' : ''}`}${r.used_by.length ? `  [${r.used_by.join(', ')}]` : ''}`;

export function registerConfig(program: Command, ctx: GtCtx): void {
  const config = program.command('config').description('town settings and agents (settings/config.json)');
  const save = (s: TownSettings): TownSettings => saveSettings(ctx.town().paths.settings, s);

  config
    .command('show')
    .description('show the town settings, with the file they come from')
    .addHelpText('after', '\nExample:\n  gt config show --json')
    .action(() => {
      const town = ctx.town();
      const s = town.settings;
      const rigs = Object.fromEntries(
        allRigs(town)
          .filter((r) => r.default_agent || r.role_agents)
          .map((r) => [r.name, { default_agent: r.default_agent, role_agents: r.role_agents }]),
      );
      const roles = AGENT_ROLES.map((r) => `${r} ${s.role_agents[r] ?? `${s.default_agent} (default)`}`).join(', ');
      // What each role of each rig runs now: the rig's role agent, else its default, else the town's (docs/formats/town-config.md).
      const all = allRigs(town);
      const effective = {
        mayor: agentForRole(s, 'mayor'),
        rigs: Object.fromEntries(
          all.map((r) => [r.name, { polecat: agentForRole(s, 'polecat', r), crew: agentForRole(s, 'crew', r) }]),
        ),
        /** Where each rig's role agent comes from (rig.json, the settings' rigs key, the town's role agent or default). */
        sources: Object.fromEntries(
          all.map((r) => [r.name, { polecat: sourceOf(s, 'polecat', r), crew: sourceOf(s, 'crew', r) }]),
        ),
      };
      const unknownRigs = Object.keys(s.rigs ?? {}).filter((n) => !all.some((r) => r.name === n));
      const text = [
        `Town settings: ${town.paths.settings}`,
        `  default agent: ${s.default_agent}`,
        `  role agents:   ${roles}`,
        `  agents:        ${
          Object.keys(s.agents).length
            ? Object.entries(s.agents)
                .map(([n, d]) => `${n} = ${joinCommandLine([d.command, ...d.args])}`)
                .join('; ')
            : '(presets only)'
        }`,
        `  presets:       ${PRESET_NAMES.join(', ')}`,
        `  caps:          ${s.caps.polecats_per_rig} polecats per rig, ${s.caps.polecats_per_town} per town`,
        `  daemon:        tick ${s.daemon.tick_seconds}s, stuck after ${s.daemon.stuck_after_seconds}s, restart dead agents: ${s.daemon.restart_dead ? 'yes' : 'no'}`,
        ...Object.entries(rigs).map(
          ([n, r]) =>
            `  rig ${n}: ${[r.default_agent ? `default ${r.default_agent}` : '', ...Object.entries(r.role_agents ?? {}).map(([k, v]) => `${k} ${v}`)].filter(Boolean).join(', ')} (${n}/rig.json)`,
        ),
        ...Object.entries(s.rigs ?? {}).map(
          ([n, r]) =>
            `  rig ${n}: ${[r.default_agent ? `default ${r.default_agent}` : '', ...Object.entries(r.role_agents ?? {}).map(([k, v]) => `${k} ${v}`)].filter(Boolean).join(', ') || '(nothing set)'} (settings "rigs")${unknownRigs.includes(n) ? `: no rig named "${n}" yet; applies once it is added` : ''}`,
        ),
        'Runtimes in effect:',
        `  mayor: ${effective.mayor}`,
        ...Object.entries(effective.rigs).map(
          ([n, r]) =>
            `  ${n}: polecat ${r.polecat} (${effective.sources[n]!.polecat}), crew ${r.crew} (${effective.sources[n]!.crew})`,
        ),
      ].join('\n');
      emit(ctx.io, ctx.json(), {
        data: { path: town.paths.settings, settings: s, presets: PRESET_NAMES, rigs, effective },
        text,
      });
    });

  const agent = config.command('agent').description('agent definitions: built-in presets and custom commands');
  agent
    .command('list')
    .description('list the agents this town can run (* = default)')
    .addHelpText('after', '\nExample:\n  gt config agent list --json')
    .action(() => {
      const rows = agentRows(ctx.town(), ctx.town().settings);
      emit(ctx.io, ctx.json(), { data: rows, text: rows.map(rowText).join('\n') });
    });
  agent
    .command('get')
    .description('show one agent')
    .addHelpText('after', '\nExample:\n  gt config agent get claude')
    .argument('<name>', 'agent name')
    .action((name: string) => {
      const row = agentRows(ctx.town(), ctx.town().settings).find((r) => r.name === name);
      if (!row)
        throw usageError(
          'GT_AGENT_NOT_FOUND',
          `unknown agent "${name}"`,
          `known agents: ${knownAgents(ctx.town().settings).join(', ')}`,
        );
      emit(ctx.io, ctx.json(), { data: row, text: rowText(row).trim() });
    });
  agent
    .command('set')
    .description('define a custom agent (or replace a preset) by its command line')
    .argument('<name>', 'agent name, e.g. claude-glm')
    .argument(
      '<command...>',
      'the command line: one quoted string, or its words (after -- if they use --env or --preset)',
    )
    .option('--env <KEY=VALUE>', 'environment variable for the agent (repeatable)', collect, [])
    .allowUnknownOption()
    .option(
      '--preset <preset>',
      `preset whose behaviour it shares (${PRESET_NAMES.join(', ')}); default: from the command name`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  gt config agent set claude-glm "claude-glm --model glm-4"\n  gt config agent set codex-low -- codex --thinking low',
    )
    .action((name: string, command: string[], o: { env: string[]; preset?: string }) => {
      const parsed = command.length === 1 ? parseCommandLine(command[0]!) : { env: {}, argv: command };
      const words = parsed.argv;
      if (!words[0])
        throw usageError(
          'GT_BAD_COMMAND',
          `empty command for agent "${name}"`,
          'give the command line, e.g. "claude --model opus"',
        );
      const env = Object.fromEntries([
        ...Object.entries(parsed.env),
        ...o.env.map((kv) => {
          const i = kv.indexOf('=');
          if (i <= 0)
            throw usageError('GT_BAD_ENV', `--env ${kv} is not KEY=VALUE`, 'e.g. --env ANTHROPIC_MODEL=glm-4');
          return [kv.slice(0, i), kv.slice(i + 1)] as const;
        }),
      ]);
      const def: AgentDefinition = {
        command: words[0],
        args: words.slice(1),
        ...(Object.keys(env).length ? { env } : {}),
        ...(o.preset ? { preset: o.preset } : {}),
      };
      const s = save(withAgent(ctx.town().settings, name, def));
      emit(ctx.io, ctx.json(), {
        data: { name, definition: s.agents[name] },
        text: `Agent "${name}" = ${joinCommandLine(words)}`,
      });
    });
  agent
    .command('remove')
    .description('remove a custom agent definition (refused while it is in use)')
    .addHelpText('after', '\nExample:\n  gt config agent remove claude-glm')
    .argument('<name>', 'agent name')
    .action((name: string) => {
      save(withoutAgent(ctx.town().settings, allRigs(ctx.town()), name));
      emit(ctx.io, ctx.json(), {
        data: { name, removed: true },
        text: `Removed agent "${name}"${isPresetName(name) ? ' (the built-in preset applies again)' : ''}`,
      });
    });

  config
    .command('default-agent')
    .description('show or set the agent used where no role agent is chosen')
    .argument('[name]', 'agent name (a preset or a defined agent)')
    .option('--rig <rig>', 'set the default for one rig instead of the town')
    .option('--unset', "with --rig: remove the rig's own default")
    .addHelpText(
      'after',
      '\nExamples:\n  gt config default-agent claude\n  gt config default-agent codex --rig myproject',
    )
    .action((name: string | undefined, o: { rig?: string; unset?: boolean }) => {
      const town = ctx.town();
      if (o.rig !== undefined) {
        if (name === undefined && !o.unset)
          throw usageError(
            'USAGE',
            'give an agent name or --unset',
            'e.g. gt config default-agent codex --rig myproject',
          );
        const rig = saveRig(town, rigWithDefaultAgent(loadRig(town, o.rig), town.settings, o.unset ? undefined : name));
        emit(ctx.io, ctx.json(), {
          data: { rig: rig.name, default_agent: rig.default_agent ?? null },
          text: `Rig "${rig.name}" default agent: ${rig.default_agent ?? `(town default, ${town.settings.default_agent})`}`,
        });
        return;
      }
      const s = name === undefined ? town.settings : save(withDefaultAgent(town.settings, name));
      emit(ctx.io, ctx.json(), { data: { default_agent: s.default_agent }, text: `Default agent: ${s.default_agent}` });
    });

  config
    .command('role-agent')
    .description(`show or set the agent a role runs (roles: ${AGENT_ROLES.join(', ')})`)
    .argument('<role>', 'role')
    .argument('[agent]', 'agent name (a preset or a defined agent)')
    .option('--rig <rig>', 'set it for one rig instead of the town')
    .option('--unset', 'go back to the default agent for this role')
    .addHelpText(
      'after',
      '\nExamples:\n  gt config role-agent polecat codex\n  gt config role-agent polecat gemini --rig myproject',
    )
    .action((roleName: string, name: string | undefined, o: { rig?: string; unset?: boolean }) => {
      const town = ctx.town();
      const role = parseRole(roleName);
      const set = o.unset ? undefined : name;
      if (o.rig !== undefined) {
        if (name === undefined && !o.unset)
          throw usageError(
            'USAGE',
            'give an agent name or --unset',
            `e.g. gt config role-agent ${role} codex --rig ${o.rig}`,
          );
        const rig = saveRig(town, rigWithRoleAgent(loadRig(town, o.rig), town.settings, role, set));
        const chosen = rig.role_agents?.[role];
        emit(ctx.io, ctx.json(), {
          data: { rig: rig.name, role, agent: chosen ?? null },
          text: `Rig "${rig.name}" ${role} agent: ${chosen ?? '(not set for the rig)'}`,
        });
        return;
      }
      const s = name === undefined && !o.unset ? town.settings : save(withRoleAgent(town.settings, role, set));
      const chosen = s.role_agents[role];
      emit(ctx.io, ctx.json(), {
        data: { role, agent: chosen ?? null, effective: chosen ?? s.default_agent },
        text: `${role} agent: ${chosen ?? `${s.default_agent} (default)`}`,
      });
    });
}

/** Which setting gives a rig's role its agent (the order of agentForRole). */
function sourceOf(s: TownSettings, role: 'polecat' | 'crew', rig: RigConfig): string {
  const here = s.rigs?.[rig.name];
  if (rig.role_agents?.[role]) return `${rig.name}/rig.json role_agents.${role}`;
  if (rig.default_agent) return `${rig.name}/rig.json default_agent`;
  if (here?.role_agents?.[role]) return `settings rigs.${rig.name}.role_agents.${role}`;
  if (here?.default_agent) return `settings rigs.${rig.name}.default_agent`;
  if (s.role_agents[role]) return `settings role_agents.${role}`;
  return 'settings default_agent';
}
