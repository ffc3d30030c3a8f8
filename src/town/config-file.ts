// Reading and writing the town's JSON files: validated on read, one-line errors naming file and key, atomic writes.
import { existsSync, readFileSync } from 'node:fs';
import type * as z from 'zod/mini';
import { GtError, messageOf, writeFileAtomic } from '../kernel/index.ts';

/** One zod issue as "key "a.b": what was expected". */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => [...at, k].join('.'));
    return `unknown key${keys.length === 1 ? '' : 's'} ${keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const key = at.length ? `key "${at.join('.')}"` : 'the file';
  return `${key}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

export function configError(
  path: string,
  problem: string,
  hint = 'fix that key by hand (see docs/formats/town-config.md); the file was left unchanged',
): GtError {
  return new GtError('GT_BAD_CONFIG', `${path}: ${problem}`, { hint });
}

/** Parse `text` (the content of `path`) with `schema`; a problem becomes GT_BAD_CONFIG naming the first bad key. */
export function parseConfig<S extends z.ZodMiniType>(path: string, text: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // Node names the place as "(line L column C)"; an empty or cut-off file (a full disk, an editor crash) says so.
    const why = text.trim() === '' ? 'the file is empty' : `not valid JSON (${messageOf(e).split('\n')[0]})`;
    throw configError(
      path,
      why,
      'fix the JSON by hand at that place (see docs/formats/town-config.md for the keys); gt changed nothing in the file',
    );
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    const more =
      r.error.issues.length > 1
        ? ` (and ${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? 's' : ''})`
        : '';
    throw configError(path, `${first ? describeIssue(first) : 'invalid'}${more}`);
  }
  return r.data as z.infer<S>;
}

/** Read and validate a config file; undefined when it does not exist. */
export function readConfig<S extends z.ZodMiniType>(path: string, schema: S): z.infer<S> | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GtError('GT_CONFIG_UNREADABLE', `${path} cannot be read: ${messageOf(e)}`);
  }
  return parseConfig(path, text, schema);
}

/** Validate `value` and replace the file atomically (two-space JSON, trailing newline). Never writes invalid data. */
export function writeConfig<S extends z.ZodMiniType>(path: string, schema: S, value: z.input<S>): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new GtError('GT_BAD_CONFIG', `refusing to write ${path}: ${first ? describeIssue(first) : 'invalid'}`);
  }
  writeFileAtomic(path, `${JSON.stringify(r.data, null, 2)}\n`, { durable: true });
  return r.data as z.infer<S>;
}
