// bd create: one bead from flags, or many from a JSON/JSONL file in one transaction.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GtError, messageOf, usageError } from '../../../kernel/index.ts';
import {
  createBead,
  createBeads,
  parseDepType,
  parsePriority,
  parseType,
  rigPrefixOf,
  validatePrefix,
  type CreateInput,
  type DepType,
  type Store,
} from '../../../beads/index.ts';
import { collect, emit, listOpt, type CliIo } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { beadLine } from '../render.ts';
import { issueJson } from '../json.ts';

interface CreateOpts {
  title?: string;
  description?: string;
  design?: string;
  acceptance?: string;
  notes?: string;
  priority?: string;
  type?: string;
  assignee?: string;
  labels?: string[];
  parent?: string;
  deps?: string[];
  externalRef?: string;
  fromFile?: string;
  bodyFile?: string;
  silent?: boolean;
  rig?: string;
  prefix?: string;
}

/**
 * The prefix `--rig` or `--prefix` asks for (undefined: the store's default here). In a town, rig work carries its
 * rig's prefix (gt sling refuses the town's hq- beads for a rig, and convoys feed a bead to the rig of its prefix).
 */
function prefixFor(store: Store, o: CreateOpts): string | undefined {
  if (o.rig !== undefined && o.prefix !== undefined)
    throw usageError('BD_BAD_ARGS', '--rig and --prefix both choose the id prefix', 'give one of them');
  if (o.prefix !== undefined) return validatePrefix(o.prefix);
  if (o.rig === undefined) return undefined;
  if (store.loc.kind !== 'town')
    throw usageError(
      'BD_NOT_IN_TOWN',
      `--rig ${o.rig}: this store is not a town's (${store.loc.dir})`,
      'use --prefix <prefix>, or run bd inside a Gas Town town',
    );
  const prefix = rigPrefixOf(store.loc.root, o.rig);
  if (prefix === undefined)
    throw usageError('BD_NO_RIG', `--rig ${o.rig}: the town has no rig "${o.rig}"`, 'gt rig list shows the rigs');
  return prefix;
}

/** `blocks:bd-1,discovered-from:bd-2` or a bare id (meaning blocks). */
export function parseDeps(specs: readonly string[]): { type: DepType; id: string }[] {
  return listOpt([...specs]).map((s) => {
    const i = s.indexOf(':');
    return i < 0 ? { type: 'blocks' as DepType, id: s } : { type: parseDepType(s.slice(0, i)), id: s.slice(i + 1) };
  });
}

function textArg(io: CliIo, v: string | undefined): string | undefined {
  return v === '-' ? io.stdin() : v;
}

/** The text of a file (`-`: standard input), for Beads' `--body-file`. */
function fileText(io: CliIo, path: string): string {
  if (path === '-') return io.stdin();
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (e) {
    throw new GtError('BD_BAD_FILE', `cannot read ${path}: ${messageOf(e)}`);
  }
}

function inputFromOpts(io: CliIo, title: string, o: CreateOpts): CreateInput {
  const input: CreateInput = { title };
  const d = o.bodyFile !== undefined ? fileText(io, o.bodyFile) : textArg(io, o.description);
  if (d !== undefined) input.description = d;
  if (o.design !== undefined) input.design = o.design;
  if (o.acceptance !== undefined) input.acceptance = o.acceptance;
  if (o.notes !== undefined) input.notes = o.notes;
  if (o.priority !== undefined) input.priority = parsePriority(o.priority);
  if (o.type !== undefined) input.type = parseType(o.type);
  if (o.assignee !== undefined) input.assignee = o.assignee;
  if (o.labels) input.labels = listOpt(o.labels);
  if (o.parent !== undefined) input.parent = o.parent;
  if (o.deps) input.deps = parseDeps(o.deps);
  if (o.externalRef !== undefined) input.externalRef = o.externalRef;
  return input;
}

/** Records of a --from-file: a JSON array, or JSON Lines; each with the same keys as the flags. */
export function inputsFromFile(text: string, path: string): CreateInput[] {
  const trimmed = text.trim();
  let records: unknown[];
  try {
    records = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as unknown);
  } catch (e) {
    throw usageError('BD_BAD_FILE', `${path} is not a JSON array or JSON Lines: ${messageOf(e)}`);
  }
  return records.map((r, i) => {
    const o = r as Record<string, unknown>;
    const where = `${path}: record ${i + 1}`;
    if (!o || typeof o !== 'object' || typeof o.title !== 'string')
      throw usageError('BD_BAD_FILE', `${where} has no "title"`);
    const input: CreateInput = { title: o.title };
    for (const k of ['description', 'design', 'acceptance', 'notes', 'assignee', 'parent'] as const) {
      if (typeof o[k] === 'string') input[k] = o[k];
    }
    try {
      if (o.priority !== undefined) input.priority = parsePriority(o.priority as string);
      if (o.type !== undefined) input.type = parseType(String(o.type));
      if (Array.isArray(o.labels)) input.labels = o.labels.map(String);
      if (o.deps !== undefined) input.deps = parseDeps(Array.isArray(o.deps) ? o.deps.map(String) : [String(o.deps)]);
    } catch (e) {
      throw usageError('BD_BAD_FILE', `${where}: ${messageOf(e)}`);
    }
    return input;
  });
}

export function registerCreate(program: Command, ctx: BdCtx): void {
  program
    .command('create')
    .alias('new')
    .description('create a bead (or many with --from-file)')
    .argument('[title...]', 'the title (words are joined); use -- before a title that starts with "-"')
    .option('--title <title>', 'the title, when it is awkward as an argument')
    .option('-d, --description <text>', 'description (markdown); - reads standard input')
    .option('--body-file <path>', 'description from a file (- reads standard input)')
    .option('--design <text>', 'design notes')
    .option('--acceptance <text>', 'acceptance criteria')
    .option('--notes <text>', 'notes')
    .option('-p, --priority <0-4>', 'priority: 0 critical … 4 backlog (default 2)')
    .option('-t, --type <type>', 'task, bug, feature, epic, chore, decision, …')
    .option('-a, --assignee <who>', 'assignee')
    .option('-l, --labels <labels>', 'labels, comma-separated (repeatable)', collect)
    .option('--parent <id>', 'parent bead; the new id becomes <parent>.<n>')
    .option('--deps <specs>', 'dependencies, e.g. blocks:bd-a1b,discovered-from:bd-c2d (repeatable)', collect)
    .option('--external-ref <ref>', 'a link to another tracker, e.g. gh-12')
    .option('--from-file <path>', 'create every record of a JSON array or JSONL file, all or none')
    .option('--silent', 'print only the new id')
    .option('--rig <rig>', "in a town: file it as that rig's work (the rig's id prefix), from anywhere in the town")
    .option('--prefix <prefix>', 'mint the id with this prefix instead of the store default')
    .action((words: string[], o: CreateOpts) => {
      if (o.fromFile) {
        const path = resolve(ctx.io.cwd, o.fromFile);
        let text: string;
        try {
          text = o.fromFile === '-' ? ctx.io.stdin() : readFileSync(path, 'utf8');
        } catch (e) {
          throw new GtError('BD_BAD_FILE', `cannot read ${path}: ${messageOf(e)}`);
        }
        const prefix = prefixFor(ctx.store(), o);
        const beads = createBeads(
          ctx.store(),
          inputsFromFile(text, path).map((i) =>
            prefix !== undefined && i.prefix === undefined ? { ...i, prefix } : i,
          ),
        );
        emit(ctx.io, ctx.json(), {
          data: beads.map(issueJson),
          text: o.silent ? beads.map((b) => b.id).join('\n') : beads.map((b) => `Created ${beadLine(b)}`).join('\n'),
        });
        return;
      }
      const title = o.title ?? words.join(' ');
      if (!title.trim()) throw usageError('BD_EMPTY_TITLE', 'title is empty', 'bd create "Fix login timeout" -p 1');
      const prefix = prefixFor(ctx.store(), o);
      const bead = createBead(ctx.store(), {
        ...inputFromOpts(ctx.io, title, o),
        ...(prefix !== undefined ? { prefix } : {}),
      });
      emit(ctx.io, ctx.json(), { data: issueJson(bead), text: o.silent ? bead.id : `Created ${beadLine(bead)}` });
    });
}
