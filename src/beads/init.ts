// Creating a standalone store: `.beads/` with config, ledger, database and the git merge driver.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { configSet, repoRoot } from '../git/index.ts';
import { readBeadsConfig, writeBeadsConfig } from './config.ts';
import { prefixFromName, validatePrefix } from './ids.ts';
import { Store } from './store.ts';
import { basename } from 'node:path';

export interface InitResult {
  dir: string;
  prefix: string;
  created: boolean;
  mergeDriver: boolean;
}

const GITIGNORE = '# Local database files: the ledger issues.jsonl is what git tracks\nbeads.db\nbeads.db-*\n*.tmp\n';
const ATTR_LINE = '.beads/issues.jsonl merge=beads';

/**
 * Create (or complete) the store in `root/.beads`. An existing store keeps its prefix and data; asking for another
 * prefix there is refused rather than rewriting ids.
 */
export function initStore(root: string, opts: { prefix?: string; driverCommand?: string } = {}): InitResult {
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
    if (!existsSync(store.ledgerPath)) store.write(() => writeFileSync(store.ledgerPath, ''));
  } finally {
    store.close();
  }
  const mergeDriver = opts.driverCommand ? registerMergeDriver(root, opts.driverCommand) : false;
  return { dir, prefix, created: !existing, mergeDriver };
}

/** Point git at our JSONL merge driver for the ledger (`.gitattributes` plus repo config). False outside a repo. */
export function registerMergeDriver(root: string, command: string): boolean {
  const top = repoRoot(root);
  if (!top) return false;
  const attrs = join(top, '.gitattributes');
  const text = existsSync(attrs) ? readFileSync(attrs, 'utf8') : '';
  const rel = resolve(root) === top ? ATTR_LINE : `${join(resolve(root).slice(top.length + 1), ATTR_LINE)}`;
  if (!text.split('\n').includes(rel)) writeFileSync(attrs, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${rel}\n`);
  configSet(top, 'merge.beads.name', 'Beads JSONL field-level 3-way merge');
  configSet(top, 'merge.beads.driver', `${command} %O %A %B`);
  return true;
}
