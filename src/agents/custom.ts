// Custom agents from a configured command line: the command runs as written, and what the line cannot say
// (ready prompt, process names, resume, hooks) comes from the built-in preset the program is based on.
import { basename } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { parseCommandLine } from './command-line.ts';
import type { AgentPreset } from './preset.ts';
import { BUILTIN_PRESETS, builtinPreset } from './presets.ts';

export interface CustomPresetOptions {
  /** Preset to take the missing fields from; default: inferred from the program's name. */
  basedOn?: string;
  presets?: Readonly<Record<string, AgentPreset>>;
}

/** Fields for a program no preset knows: the prompt is typed in after a fixed delay, nothing else is assumed. */
const GENERIC: Omit<AgentPreset, 'name' | 'description' | 'command' | 'args' | 'env' | 'processNames'> = {
  promptMode: 'type',
  ready: { delayMs: 5000 },
  hooks: { kind: 'none' },
};

/**
 * The preset a program name suggests: a built-in whose command is the same program (`claude`, `cursor-agent`),
 * else one whose name starts the program's name (`claude-glm` → claude).
 */
export function inferBasePreset(
  program: string,
  presets: Readonly<Record<string, AgentPreset>> = BUILTIN_PRESETS,
): AgentPreset | undefined {
  const bin = basename(program);
  const all = Object.values(presets);
  const exact = all.find((p) => basename(p.command) === bin || p.name === bin);
  if (exact) return exact;
  const head = bin.split(/[-_.]/)[0] ?? '';
  return all.find((p) => p.name === head || basename(p.command) === head);
}

/** An agent defined in configuration: a program, its arguments, extra environment, and optionally its base preset. */
export interface AgentDefinition {
  command: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Built-in preset to take the missing fields from; default: inferred from the program's name. */
  preset?: string;
  /** Overrides of the base preset's ready prompt (regex source) and ready delay. */
  ready_prompt?: string;
  ready_delay_ms?: number;
}

/**
 * A preset named `name` for `commandLine` (e.g. `"claude-glm --model glm-4"`). Its args are exactly the words
 * after the program: include the runtime's autonomous-mode flag if the agent should run without prompts.
 */
export function customPreset(name: string, commandLine: string, opts: CustomPresetOptions = {}): AgentPreset {
  const { env, argv } = parseCommandLine(commandLine);
  const [command = '', ...args] = argv;
  return definedPreset(
    name,
    { command, args, env, ...(opts.basedOn !== undefined ? { preset: opts.basedOn } : {}) },
    opts.presets,
    commandLine,
  );
}

/** The preset for an agent definition: the definition's command line, the base preset's behaviour. */
export function definedPreset(
  name: string,
  def: AgentDefinition,
  presets: Readonly<Record<string, AgentPreset>> = BUILTIN_PRESETS,
  shown?: string,
): AgentPreset {
  let base: AgentPreset | undefined;
  if (def.preset !== undefined) {
    base = Object.hasOwn(presets, def.preset) ? presets[def.preset] : builtinPreset(def.preset);
    if (!base) {
      throw new GtError('AGENT_UNKNOWN', `agent ${name} is based on unknown preset ${def.preset}`, {
        hint: `use one of: ${Object.keys(presets).join(', ')}`,
        kind: 'usage',
      });
    }
  } else base = inferBasePreset(def.command, presets);

  const line = shown ?? [def.command, ...(def.args ?? [])].join(' ');
  const bin = basename(def.command);
  const processNames = [bin, ...(base?.processNames ?? [])].filter((n, i, all) => all.indexOf(n) === i);
  const { npmPackage: _published, ...behaviour } = base ?? { ...GENERIC, npmPackage: undefined };
  return {
    ...behaviour,
    name,
    description: base ? `${line} (custom, based on ${base.name})` : `${line} (custom)`,
    command: def.command,
    args: [...(def.args ?? [])],
    env: { ...(base?.env ?? {}), ...(def.env ?? {}) },
    processNames,
    ready: {
      ...behaviour.ready,
      ...(def.ready_prompt !== undefined ? { prompt: def.ready_prompt } : {}),
      ...(def.ready_delay_ms !== undefined ? { delayMs: def.ready_delay_ms } : {}),
    },
  };
}

/** The preset an agent name stands for: a definition from configuration first, then a built-in preset. */
export function resolvePreset(name: string, definitions: Readonly<Record<string, AgentDefinition>> = {}): AgentPreset {
  if (Object.hasOwn(definitions, name)) return definedPreset(name, definitions[name]!);
  const preset = builtinPreset(name);
  if (!preset) {
    throw new GtError('AGENT_UNKNOWN', `unknown agent ${JSON.stringify(name)}`, {
      hint: `use a built-in preset (${Object.keys(BUILTIN_PRESETS).join(', ')}) or define it with gt config agent set ${name} "<command args>"`,
      kind: 'usage',
    });
  }
  return preset;
}
