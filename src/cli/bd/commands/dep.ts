// bd dep: add, remove, tree and cycles of dependency edges.
import type { Command } from 'commander';
import {
  addDependency,
  dependencyTree,
  dependentsOf,
  depsOf,
  findCycles,
  parseDepType,
  removeDependency,
  resolveId,
} from '../../../beads/index.ts';
import { usageError } from '../../../kernel/index.ts';
import { edgeJson } from '../json.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { depTree } from '../render.ts';

export function registerDep(program: Command, ctx: BdCtx): void {
  const dep = program.command('dep').description('dependencies between beads: `bd dep add A B` means A waits for B');
  dep
    .command('add')
    .description('make <issue> depend on <depends-on> (default type blocks: <depends-on> blocks <issue>)')
    .argument('<issue>', 'the dependent bead')
    .argument('[depends-on]', 'the bead it waits for')
    .option('--blocked-by <id>', "the bead it waits for (Beads' spelling)")
    .option('--depends-on <id>', "the bead it waits for (Beads' spelling)")
    .option(
      '-t, --type <type>',
      'blocks, parent-child, related, discovered-from, tracks, waits-for, or another Beads kind',
      'blocks',
    )
    .action((a: string, arg: string | undefined, o: { type: string; blockedBy?: string; dependsOn?: string }) => {
      const given = [arg, o.blockedBy, o.dependsOn].filter((x): x is string => x !== undefined);
      if (given.length !== 1) {
        throw usageError(
          'USAGE',
          given.length ? 'more than one bead to depend on' : 'no bead to depend on',
          'bd dep add <issue> <depends-on> (or --blocked-by <id>)',
        );
      }
      const b = given[0]!;
      const store = ctx.store();
      const type = parseDepType(o.type);
      const r = store.write(() => {
        const from = resolveId(store, a);
        const to = resolveId(store, b);
        const result = addDependency(store, from, to, type);
        return { status: result, issue_id: from, depends_on_id: to, type, result };
      });
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `${r.result === 'added' ? 'Added' : 'Already there:'} ${r.issue_id} depends on ${r.depends_on_id} (${type})`,
      });
    });
  dep
    .command('remove')
    .alias('rm')
    .description('remove the edge from <issue> to <depends-on>')
    .argument('<issue>')
    .argument('<depends-on>')
    .action((a: string, b: string) => {
      const store = ctx.store();
      const d = store.write(() => removeDependency(store, resolveId(store, a), resolveId(store, b)));
      emit(ctx.io, ctx.json(), {
        data: { status: 'removed', ...d },
        text: `Removed ${d.issue_id} → ${d.depends_on_id} (${d.type})`,
      });
    });
  dep
    .command('tree')
    .description('what a bead depends on, recursively (--up: what depends on it)')
    .argument('<id>')
    .option('--up', 'show dependents instead')
    .option('--direction <dir>', 'down (what it depends on) or up (what depends on it), as Beads spells it')
    .option('--max-depth <n>', 'stop at this depth', '20')
    .action((id: string, o: { up?: boolean; direction?: string; maxDepth: string }) => {
      const store = ctx.store();
      const tree = dependencyTree(store, resolveId(store, id), direction(o), Number(o.maxDepth) || 20);
      emit(ctx.io, ctx.json(), { data: tree, text: depTree(tree) });
    });
  dep
    .command('list')
    .description('the edges of a bead: what it depends on (down, default) or what depends on it (up)')
    .argument('<id>')
    .option('--direction <dir>', 'down or up')
    .option('-t, --type <type>', 'only edges of this kind')
    .action((raw: string, o: { direction?: string; type?: string }) => {
      const store = ctx.store();
      const id = resolveId(store, raw);
      const dir = direction(o);
      const kind = o.type === undefined ? undefined : parseDepType(o.type);
      const edges = (dir === 'down' ? depsOf(store.db, id) : dependentsOf(store.db, id)).filter(
        (d) => !kind || d.type === kind,
      );
      const other = (d: { issue_id: string; depends_on_id: string }): string =>
        dir === 'down' ? d.depends_on_id : d.issue_id;
      emit(ctx.io, ctx.json(), {
        data: ctx.json() ? edges.map((d) => edgeJson(store, d, other(d))) : null,
        text:
          edges.map((d) => `${other(d)} (${d.type})`).join('\n') ||
          `${id} has no ${dir === 'down' ? 'dependencies' : 'dependents'}.`,
      });
    });
  dep
    .command('cycles')
    .description(
      'list cycles among blocking edges: blocks, parent-child, waits-for (they can arrive through merges and imports)',
    )
    .action(() => {
      const cycles = findCycles(ctx.store());
      emit(ctx.io, ctx.json(), {
        data: cycles,
        text: cycles.length ? cycles.map((c) => `cycle: ${c.join(' → ')}`).join('\n') : 'No cycles.',
      });
    });
}

function direction(o: { up?: boolean; direction?: string }): 'up' | 'down' {
  if (o.direction === undefined) return o.up ? 'up' : 'down';
  if (o.direction === 'up' || o.direction === 'down') return o.direction;
  throw usageError(
    'USAGE',
    `invalid direction "${o.direction}"`,
    'use down (what it depends on) or up (what depends on it)',
  );
}
