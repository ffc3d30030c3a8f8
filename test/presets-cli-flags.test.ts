// Every flag and subcommand a preset passes must exist in the pinned CLI's own --help: a CLI update that drops
// or renames one fails here instead of in a user's town.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_PRESETS, type AgentPreset, type SubCommandLine } from '../src/agents/index.ts';
import { run } from '../src/proc/index.ts';
import { cleanEnv } from './support/bd.ts';

const ROOT = resolve(import.meta.dirname, '..');
const home = mkdtempSync(join(tmpdir(), 'gt-cli-help-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const npmPresets = Object.values(BUILTIN_PRESETS).filter(
  (p): p is AgentPreset & { npmPackage: string } => p.npmPackage !== undefined,
);

async function help(bin: string, words: readonly string[]): Promise<string> {
  const env = cleanEnv({ HOME: home, NO_COLOR: '1', CI: '1', TERM: 'dumb' });
  const r = await run(bin, [...words, '--help'], { env, cwd: home, timeoutMs: 60_000 });
  return `${r.stdout}\n${r.stderr}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasFlag = (text: string, flag: string) => new RegExp(`(^|[\\s,[|(])${escape(flag)}(?![\\w-])`, 'm').test(text);
const hasWord = (text: string, word: string) => new RegExp(`(^|[^\\w-])${escape(word)}(?![\\w-])`, 'm').test(text);
const hasCommand = (text: string, word: string) =>
  new RegExp(`^\\s+(\\S+ )?${escape(word)}(\\s|\\||,|$)`, 'm').test(text);

/** The flags and flag values in an argument list; placeholders like {id} are skipped. */
function flagsAndValues(args: readonly string[]): { flags: string[]; values: string[] } {
  const flags: string[] = [];
  const values: string[] = [];
  args.forEach((a, i) => {
    if (/^\{.*\}$/.test(a)) return;
    if (a.startsWith('-')) flags.push(a.split('=')[0]!);
    else if (args[i - 1]?.startsWith('-')) values.push(a);
  });
  return { flags, values };
}

/** Argument lists of a preset, grouped by the subcommand they are passed to ('' = the top level). */
function usage(p: AgentPreset): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const common = [
    ...p.args,
    ...(p.configDir?.flag ? [p.configDir.flag] : []),
    ...(p.hooks.settingsFlag ? [p.hooks.settingsFlag] : []),
  ];
  const interactive = p.interactiveArgs ?? [];
  groups.set('', [
    ...common,
    ...interactive,
    ...(p.promptFlag ? [p.promptFlag] : []),
    ...(p.resume?.subcommand?.length ? [] : (p.fork ?? [])),
  ]);
  const lines = [p.resume, p.continue, p.nonInteractive].filter((l): l is SubCommandLine => l !== undefined);
  for (const l of lines) {
    const key = (l.subcommand ?? []).join(' ');
    const list = groups.get(key) ?? (key === '' ? [] : [...common]);
    list.push(...(l === p.nonInteractive ? [] : interactive), ...l.args);
    groups.set(key, list);
  }
  return groups;
}

/**
 * Options a CLI accepts but leaves out of a --help page. Amp hides `--dangerously-allow-all` (the switch behind its
 * documented setting amp.dangerouslyAllowAll) and lists only some root options under a subcommand's "Global
 * options" (`--no-ide` is not among them); the test below asks its parser instead, which refuses unknown options.
 */
const UNLISTED: Readonly<Record<string, readonly string[]>> = { amp: ['--dangerously-allow-all', '--no-ide'] };

describe.each(npmPresets)('preset $name against $npmPackage', (preset) => {
  const bin = join(ROOT, 'node_modules', '.bin', preset.command);

  it('is installed as a pinned dev dependency', () => {
    expect(existsSync(bin), `${bin} missing: run npm install`).toBe(true);
  });

  it('uses only flags, values and subcommands the CLI documents', async () => {
    const top = await help(bin, []);
    expect(top.length).toBeGreaterThan(200);
    for (const [sub, args] of usage(preset)) {
      const words = sub === '' ? [] : sub.split(' ');
      if (words.length > 0)
        expect(hasCommand(top, words[0]!), `${preset.command} --help lists no ${words[0]} command`).toBe(true);
      const text = words.length === 0 ? top : await help(bin, words);
      const { flags, values } = flagsAndValues(args);
      for (const f of flags.filter((x) => !(UNLISTED[preset.name] ?? []).includes(x)))
        expect(hasFlag(text, f), `${[preset.command, ...words].join(' ')} --help has no ${f}`).toBe(true);
      for (const v of values)
        expect(hasWord(text, v), `${[preset.command, ...words].join(' ')} --help never mentions ${v}`).toBe(true);
    }
    if (preset.promptMode === 'arg' && !preset.promptFlag) {
      expect(top, `${preset.command} takes no positional prompt`).toMatch(/\[(prompt|query\.*|instruction)\]/i);
    }
  }, 120_000);
});

describe("Amp's parser", () => {
  const amp = join(ROOT, 'node_modules', '.bin', 'amp');
  // `threads continue --last` in a folder Amp never ran in stops before any network call, after parsing every option.
  const parse = async (words: readonly string[]): Promise<string> => {
    const env = cleanEnv({
      HOME: home,
      NO_COLOR: '1',
      TERM: 'dumb',
      AMP_API_KEY: 'sk-unused',
      AMP_URL: 'http://127.0.0.1:9/',
      AMP_SKIP_UPDATE_CHECK: '1',
    });
    const r = await run(amp, words, { env, cwd: home, timeoutMs: 60_000 });
    return `${r.stdout}\n${r.stderr}`;
  };

  it("accepts the preset's unlisted options, before and after its subcommand, and refuses an unknown one", async () => {
    const preset = BUILTIN_PRESETS.amp!;
    expect(preset.args.filter((a) => !(UNLISTED.amp ?? []).includes(a))).toEqual([]);
    expect(await parse(['threads', 'continue', ...preset.args, '--last'])).toMatch(/No previously used thread found/);
    expect(await parse([...preset.args, 'threads', 'continue', '--last'])).toMatch(/No previously used thread found/);
    expect(await parse(['threads', 'continue', '--no-such-option', '--last'])).toMatch(
      /unknown option '--no-such-option'/,
    );
  }, 120_000);
});
