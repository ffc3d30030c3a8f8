// Creating a standalone store: `.beads/` with config, ledger, database and the git merge driver.
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { attributeOf, configSet, repoRoot } from '../git/index.ts';
import { readBeadsConfig, writeBeadsConfig } from './config.ts';
import { prefixFromName, validatePrefix } from './ids.ts';
import { gitDirOf } from './ledger-guard.ts';
import { Store } from './store.ts';
import type { SchemaPart } from './schema.ts';
import { basename } from 'node:path';

export interface InitResult {
  dir: string;
  prefix: string;
  created: boolean;
  mergeDriver: boolean;
}

const GITIGNORE =
  '# Local database files: the ledger issues.jsonl is what git tracks\nbeads.db\nbeads.db-*\n*.tmp\n*.bak-*\n';

/**
 * Create (or complete) the store in `root/.beads`. An existing store keeps its prefix and data; asking for another
 * prefix there is refused rather than rewriting ids.
 */
export function initStore(
  root: string,
  opts: { prefix?: string; driverCommand?: string; parts?: readonly SchemaPart[] } = {},
): InitResult {
  const dir = join(resolve(root), '.beads');
  const existing = existsSync(dir) ? readBeadsConfig(dir) : undefined;
  const wanted = opts.prefix !== undefined ? validatePrefix(opts.prefix) : undefined;
  if (existing && wanted && existing.prefix !== wanted) {
    throw new GtError('BD_PREFIX_MISMATCH', `${dir} already uses prefix "${existing.prefix}"`, {
      hint: 'keep the existing prefix; the store and its issues were left unchanged',
    });
  }
  const prefix = existing?.prefix ?? wanted ?? prefixFromName(basename(resolve(root)));
  mkdirSync(dir, { recursive: true });
  if (!existing) writeBeadsConfig(dir, { prefix });
  if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), GITIGNORE);
  const store = Store.open({ dir, root: resolve(root), kind: 'standalone' });
  try {
    store.db.tx(() => store.setMeta('prefix', prefix));
    for (const part of opts.parts ?? []) store.use(part);
    if (!existsSync(store.ledgerPath)) store.write(() => writeFileSync(store.ledgerPath, ''));
  } finally {
    store.close();
  }
  const mergeDriver = opts.driverCommand ? registerMergeDriver(root, opts.driverCommand) : false;
  return { dir, prefix, created: !existing, mergeDriver };
}

/**
 * The `.gitattributes` pattern for a ledger at `rel` (from the repository's top, `/`-separated). Git splits attribute
 * lines at whitespace, so a path with a space (or a quote, a backslash, a glob character) is written C-quoted.
 */
export function attrPattern(rel: string): string {
  if (!/[\s"\\*?[]/.test(rel)) return rel;
  return `"${rel.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[*?[]/g, (c) => `\\\\${c}`)}"`;
}

/**
 * Point git at our JSONL merge driver for the ledger (`.gitattributes` plus repo config). True only when git then
 * really maps the ledger to the driver (`git check-attr`); false outside a repository.
 */
export function registerMergeDriver(root: string, command: string): boolean {
  const top = repoRoot(root);
  if (!top) return false;
  const attrs = join(top, '.gitattributes');
  const ledger = join(realpathSync(resolve(root)), '.beads', 'issues.jsonl');
  const rel = relative(top, ledger).split(sep).join('/');
  const line = `${attrPattern(rel)} merge=beads`;
  const broken = `${rel} merge=beads`; // what bd wrote before, unquoted: git cannot parse it when the path has a space
  const old = existsSync(attrs) ? readFileSync(attrs, 'utf8') : '';
  const kept = old.split('\n').filter((l) => l === line || l !== broken || line === broken);
  let text = kept.join('\n');
  if (!kept.includes(line)) text = `${text}${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`;
  if (text !== old) writeFileSync(attrs, text);
  configSet(top, 'merge.beads.name', 'Beads JSONL field-level 3-way merge');
  configSet(top, 'merge.beads.driver', `${command} %O %A %B`);
  return driverApplies(top, ledger);
}

/** Whether git maps the ledger at `ledger` to the `beads` merge driver. */
export function driverApplies(top: string, ledger: string): boolean {
  return attributeOf(top, 'merge', ledger) === 'beads';
}

/** `merge.beads.driver` from the repository's config file, read without starting git (bd checks it on every call). */
export function configuredDriver(dir: string): string | undefined {
  const gitDir = gitDirOf(dir);
  if (!gitDir) return undefined;
  let common = gitDir;
  try {
    const c = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    common = resolve(gitDir, c);
  } catch {
    // not a linked worktree
  }
  let text: string;
  try {
    text = readFileSync(join(common, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  let inSection = false;
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l.startsWith('[')) inSection = /^\[merge\s+"beads"\]/i.test(l);
    else if (inSection) {
      const m = /^driver\s*=\s*(.*)$/i.exec(l);
      if (m) return unquoteConfig(m[1]!);
    }
  }
  return undefined;
}

/** A git config value as git reads it: double quotes group, backslash escapes, # or ; outside quotes start a comment. */
function unquoteConfig(v: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && i + 1 < v.length) {
      const n = v[++i]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'b' ? '\b' : n;
    } else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '#' || c === ';')) break;
    else out += c;
  }
  return out.trimEnd();
}

/** The programs a registered driver command starts (its leading single-quoted words) that no longer exist. */
export function missingDriverPrograms(command: string): string[] {
  const words: string[] = [];
  const re = /^\s*'((?:[^']|'\\'')*)'/;
  let rest = command;
  for (let m = re.exec(rest); m && words.length < 2; m = re.exec(rest)) {
    words.push(m[1]!.replace(/'\\''/g, "'"));
    rest = rest.slice(m[0].length);
  }
  return words.filter((w) => w.startsWith('/') && !existsSync(w));
}

/**
 * Re-register the merge driver when the registered command names a program that is gone (node or bd moved): git
 * would otherwise fail to run it and keep our side of every ledger merge. Returns the missing programs, if it did.
 */
export function refreshMergeDriver(root: string, command: string): string[] | undefined {
  const current = configuredDriver(root);
  if (current === undefined) return undefined;
  const missing = missingDriverPrograms(current);
  if (!missing.length) return undefined;
  registerMergeDriver(root, command);
  return missing;
}
