// bd dep: add, remove, tree and cycles of dependency edges.
import type { Command } from 'commander';
import { addDependency, dependencyTree, findCycles, parseDepType, removeDependency, resolveId } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { depTree } from '../render.ts';

export function registerDep(program: Command, ctx: BdCtx): void {
  const dep = program.command('dep').description('dependencies between beads: `bd dep add A B` means A waits for B');
  dep
    .command('add')
    .description('make <issue> depend on <depends-on> (default type blocks: <depends-on> blocks <issue>)')
    .argument('<issue>', 'the dependent bead')
    .argument('<depends-on>', 'the bead it waits for')
    .option('-t, --type <type>', 'blocks, parent-child, related, discovered-from, tracks, waits-for', 'blocks')
    .action((a: string, b: string, o: { type: string }) => {
      const store = ctx.store();
      const type = parseDepType(o.type);
      const r = store.write(() => {
        const from = resolveId(store, a);
        const to = resolveId(store, b);
        return { issue_id: from, depends_on_id: to, type, result: addDependency(store, from, to, type) };
      });
      emit(ctx.io, ctx.json(), { data: r, text: `${r.result === 'added' ? 'Added' : 'Already there:'} ${r.issue_id} depends on ${r.depends_on_id} (${type})` });
    });
  dep
    .command('remove')
    .description('remove the edge from <issue> to <depends-on>')
    .argument('<issue>')
    .argument('<depends-on>')
    .action((a: string, b: string) => {
      const store = ctx.store();
      const d = store.write(() => removeDependency(store, resolveId(store, a), resolveId(store, b)));
      emit(ctx.io, ctx.json(), { data: d, text: `Removed ${d.issue_id} → ${d.depends_on_id} (${d.type})` });
    });
  dep
    .command('tree')
    .description('what a bead depends on, recursively (--up: what depends on it)')
    .argument('<id>')
    .option('--up', 'show dependents instead')
    .option('--max-depth <n>', 'stop at this depth', '20')
    .action((id: string, o: { up?: boolean; maxDepth: string }) => {
      const store = ctx.store();
      const tree = dependencyTree(store, resolveId(store, id), o.up ? 'up' : 'down', Number(o.maxDepth) || 20);
      emit(ctx.io, ctx.json(), { data: tree, text: depTree(tree) });
    });
  dep
    .command('cycles')
    .description('list cycles among blocks edges (they can arrive through merges and imports)')
    .action(() => {
      const cycles = findCycles(ctx.store());
      emit(ctx.io, ctx.json(), { data: cycles, text: cycles.length ? cycles.map((c) => `cycle: ${c.join(' → ')}`).join('\n') : 'No cycles.' });
    });
}
