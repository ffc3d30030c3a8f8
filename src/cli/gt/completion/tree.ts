// The command tree as completion data: walked from the commander program, so new commands complete by themselves.
import type { Argument, Command, Option } from 'commander';

/**
 * What a value completes to: `@rigs`, `@agents`, `@addresses` (asked of `gt __complete <kind>` at TAB time),
 * `a|b|c` (fixed choices), or '' (nothing to offer).
 */
export type ValueSpec = string;

export interface CommandSpec {
  /** Words after `gt` that name the command ('' for gt itself), e.g. "config agent set". */
  key: string;
  subcommands: string[];
  /** Every flag the command accepts, with gt's global flags and help. */
  options: string[];
  /** Flags that take a value (the next word is that value, not a command or argument). */
  valueOptions: string[];
  /** Completion of each flag's value, by flag. */
  optionValues: Record<string, ValueSpec>;
  /** Completion of each positional argument in order; a variadic last one ends with `...`. */
  arguments: ValueSpec[];
}

/** Dynamic kinds by the name of an argument or an option's value (`<rig>`, `--agent <agent>`, `--to <address>`). */
const KIND_BY_NAME: Record<string, string> = {
  rig: '@rigs',
  rigs: '@rigs',
  agent: '@agents',
  agents: '@agents',
  address: '@addresses',
  addresses: '@addresses',
  addr: '@addresses',
  target: '@addresses',
  to: '@addresses',
  recipient: '@addresses',
};

/** Fixed choices by value name, for values with a closed set that commands do not declare as choices. */
const CHOICES_BY_NAME: Record<string, string> = {
  role: 'mayor|polecat|crew',
  preset: 'claude|codex|gemini|cursor|auggie|amp|opencode|copilot|sim',
  shell: 'bash|zsh|fish',
};

/** Command words that name the thing a `<name>` argument refers to; a creating verb (`add`, `set`) names a new one. */
const NOUN_KIND: Record<string, string> = { rig: '@rigs', agent: '@agents', 'default-agent': '@agents' };
const CREATES = new Set(['add', 'set', 'create', 'new', 'install', 'init']);

export function valueSpec(path: readonly string[], name: string, choices: readonly string[] | undefined): ValueSpec {
  if (choices?.length) return choices.join('|');
  const n = name.toLowerCase();
  const byName = KIND_BY_NAME[n] ?? CHOICES_BY_NAME[n];
  if (byName) return byName;
  if (n !== 'name' && n !== 'names') return '';
  const verb = path[path.length - 1] ?? '';
  if (CREATES.has(verb)) return '';
  for (const word of [...path].reverse()) if (NOUN_KIND[word]) return NOUN_KIND[word];
  return '';
}

const isHidden = (c: Command): boolean => Boolean((c as unknown as { _hidden?: boolean })._hidden);

/** The value name of an option (`--rig <rig>` → rig). */
function optionValueName(o: Option): string {
  return /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1]?.replace(/\.\.\.$/, '') ?? '';
}

function argName(a: Argument): string {
  return a.name();
}

/** Every visible command of the program, depth first, the root first. */
export function commandSpecs(program: Command): CommandSpec[] {
  // Global flags work after a subcommand too; --version only means something on gt itself.
  const globals = program.options.filter((o) => o.attributeName() !== 'version');
  const out: CommandSpec[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    const options = [...(path.length ? [...cmd.options, ...globals] : cmd.options)];
    const flags = (o: Option): string[] => [o.short, o.long].filter((f): f is string => Boolean(f));
    const withValue = options.filter((o) => o.required || o.optional);
    out.push({
      key: path.join(' '),
      subcommands: cmd.commands.filter((c) => !isHidden(c)).map((c) => c.name()),
      options: [...new Set([...options.flatMap(flags), '-h', '--help'])],
      valueOptions: [...new Set(withValue.flatMap(flags))],
      optionValues: Object.fromEntries(
        withValue.flatMap((o) => flags(o).map((f) => [f, valueSpec(path, optionValueName(o), o.argChoices)])),
      ),
      arguments: cmd.registeredArguments.map(
        (a) => `${valueSpec(path, argName(a), a.argChoices)}${a.variadic ? '...' : ''}`,
      ),
    });
    for (const sub of cmd.commands) if (!isHidden(sub)) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}
