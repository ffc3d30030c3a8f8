// gt convoy create|list|show|add|add-issue|refresh|close: batches of beads tracked together until all have landed.
import type { Command } from 'commander';
import {
  addIssue,
  addToConvoy,
  closeConvoy,
  createConvoy,
  currentAddress,
  formatAge,
  listConvoys,
  progressBar,
  refreshConvoy,
  requireRecipient,
  setConvoyFed,
  showConvoy,
  sling,
  strandedConvoys,
  type AddResult,
  type ConvoyStatus,
  type RefreshResult,
} from '../../../work/index.ts';
import { safeLine, usageError } from '../../../kernel/index.ts';
import { openTownStore, parseAddress, type TownContext } from '../../../town/index.ts';
import { prsOfMrs } from '../../../refinery/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

type NotifyOpt = true | string[] | undefined;

/** `--notify` alone means the Mayor; `--notify <address>` may repeat. */
function collectNotify(v: string, prev: NotifyOpt): string[] {
  return [...(Array.isArray(prev) ? prev : prev === true ? ['mayor'] : []), v];
}

function notifyList(o: NotifyOpt): string[] {
  return o === true ? ['mayor'] : (o ?? []);
}

export function registerConvoy(program: Command, ctx: GtCtx): void {
  const convoy = program
    .command('convoy')
    .description('convoys: batches of beads (any rig) tracked together; they land when all their work is merged')
    .addHelpText('after', '\nExample:\n  gt convoy create "Login flow" app-a1b app-c2d --notify\n  gt convoy show');
  const actor = (): string => currentAddress(ctx.town()).text;

  convoy
    .command('create')
    .description('create a convoy tracking beads; the owner (and --notify) get mail when every one has landed')
    .argument('<name>', 'what the batch is, e.g. "Login flow"')
    .argument('[beads...]', 'beads to track (ids or unique starts, any rig)')
    .option('--notify [address]', 'also mail this address when it lands (alone: the Mayor); repeatable', collectNotify)
    .option('--human', 'also tell the overseer: inbox, terminal bell or desktop notification')
    .option('--owner <address>', 'who owns it and gets the landing mail (default: you)')
    .option('--stage', 'track only: its work is slung by hand (the default for a convoy created empty)')
    .option('--launch', 'the daemon slings its ready beads to their rigs (the default for a convoy created with beads)')
    .addHelpText(
      'after',
      '\nCreated with beads, a convoy is launched: the daemon slings its ready beads. Created empty, it is staged:\nadd issues and sling them yourself, or gt convoy launch it.\n\nExamples:\n  gt convoy create "Feature X" app-abc12 app-def34 --notify\n  gt convoy create "Bug fixes" --human\n  gt convoy create "Auth" app-a1 --owner mayor --notify app/crew/alice --stage',
    )
    .action(
      (
        name: string,
        beads: string[],
        o: { notify?: NotifyOpt; human?: boolean; owner?: string; stage?: boolean; launch?: boolean },
      ) => {
        if (o.stage && o.launch)
          throw usageError(
            'GT_BAD_OPTIONS',
            '--stage and --launch contradict each other',
            'give one of them (or neither: launched with beads, staged when empty)',
          );
        const me = actor();
        // The landing mail goes to these: a polecat or crew member the rig does not have would never read it.
        for (const a of [...notifyList(o.notify), ...(o.owner !== undefined ? [o.owner] : [])])
          requireRecipient(ctx.town(), parseAddress(ctx.town(), a));
        const s = createConvoy(ctx.town(), {
          name,
          beads,
          notify: notifyList(o.notify),
          human: Boolean(o.human),
          actor: me,
          owner: o.owner ?? me,
          ...(o.stage || o.launch ? { fed: Boolean(o.launch) } : {}),
        });
        emit(ctx.io, ctx.json(), {
          data: s,
          text: `Created convoy ${s.id} "${safeLine(s.title)}" tracking ${s.total} bead${s.total === 1 ? '' : 's'} (owner ${s.owner}${s.notify.length ? `, notify ${s.notify.join(', ')}` : ''}${s.human ? ', human' : ''})\n${renderConvoy(s)}`,
        });
      },
    );

  convoy
    .command('list')
    .description('open convoys with their progress, newest first')
    .option('--all', 'include closed (landed) convoys')
    .addHelpText('after', '\nExamples:\n  gt convoy list\n  gt convoy list --all --json')
    .action((o: { all?: boolean }) => {
      const list = listConvoys(ctx.town(), { all: Boolean(o.all) });
      emit(ctx.io, ctx.json(), { data: list, text: renderList(list, Boolean(o.all)) });
    });

  convoy
    .command('show')
    .alias('status')
    .description("a convoy's tracked beads: state, worker, age, and progress (default: the most recent open convoy)")
    .argument('[id]', 'convoy id or unique start')
    .addHelpText('after', '\nExamples:\n  gt convoy show\n  gt convoy show hq-a1b --json')
    .action((id: string | undefined) => {
      const s = withPrs(ctx.town(), showConvoy(ctx.town(), id));
      emit(ctx.io, ctx.json(), { data: s, text: renderConvoy(s) });
    });

  convoy
    .command('add')
    .description('track more beads in an open convoy')
    .argument('<convoy>', 'convoy id or unique start')
    .argument('<beads...>', 'beads to add')
    .addHelpText('after', '\nExample:\n  gt convoy add hq-a1b app-xyz99 app-k2')
    .action((id: string, beads: string[]) => {
      const r = addToConvoy(ctx.town(), id, beads, { actor: actor() });
      emit(ctx.io, ctx.json(), { data: r, text: renderAdded(r) });
    });

  convoy
    .command('add-issue')
    .description('track beads in the most recent open convoy')
    .argument('<beads...>', 'beads to add')
    .addHelpText('after', '\nExample:\n  gt convoy add-issue app-bug101 app-bug102')
    .action((beads: string[]) => {
      const r = addIssue(ctx.town(), beads, { actor: actor() });
      emit(ctx.io, ctx.json(), { data: r, text: renderAdded(r) });
    });

  convoy
    .command('refresh')
    .description(
      'recompute a convoy: close and announce it if all its work landed, else sling its ready beads to their rigs',
    )
    .argument('<id>', 'convoy id or unique start')
    .addHelpText('after', '\nExample:\n  gt convoy refresh hq-a1b')
    .action(async (id: string) => {
      const r = await refreshConvoy(ctx.town(), id, { actor: actor(), sling });
      emit(ctx.io, ctx.json(), { data: r, text: renderRefresh(r) });
    });

  for (const [verb, fed] of [
    ['stage', false],
    ['launch', true],
  ] as const) {
    convoy
      .command(verb)
      .description(
        fed
          ? 'launch a convoy: the daemon slings its ready beads to their rigs'
          : 'stage a convoy: tracked only, its work is slung by hand; the daemon leaves it alone',
      )
      .argument('<id>', 'convoy id or unique start')
      .addHelpText('after', `\nExample:\n  gt convoy ${verb} hq-a1b`)
      .action((id: string) => {
        const s = setConvoyFed(ctx.town(), id, fed, { actor: actor() });
        const now = fed
          ? 'launched: the daemon slings its ready beads to their rigs'
          : 'staged: tracked only; sling its work by hand (gt convoy launch feeds it)';
        emit(ctx.io, ctx.json(), {
          data: s,
          text: s.changed
            ? `${fed ? 'Launched' : 'Staged'} convoy ${s.id} "${safeLine(s.title)}": ${now}`
            : `Convoy ${s.id} "${safeLine(s.title)}" is already ${fed ? 'launched' : 'staged'}; nothing to do`,
        });
      });
  }

  convoy
    .command('stranded')
    .description(
      'open convoys with ready beads nobody works on (staged ones wait for you, launched ones for the daemon)',
    )
    .addHelpText('after', '\nExamples:\n  gt convoy stranded\n  gt convoy stranded --json')
    .action(() => {
      const list = strandedConvoys(ctx.town());
      const text = list.length
        ? list
            .map(
              (c) =>
                `${c.convoy}  ${c.fed ? 'launched' : 'staged'}  ${safeLine(c.title)}: ${c.ready.join(', ')} ready${c.fed ? ' (the daemon slings them; is it running? gt daemon status)' : ` (sling them: gt sling ${c.ready[0]} <rig>, or gt convoy launch ${c.convoy})`}`,
            )
            .join('\n')
        : 'No stranded convoys: every ready tracked bead is being worked or waits in the sling queue.';
      emit(ctx.io, ctx.json(), { data: list, text });
    });

  convoy
    .command('close')
    .description('close a convoy by hand (no landing mail is sent)')
    .argument('<id>', 'convoy id or unique start')
    .option('-m, --message <reason>', 'why it is closed')
    .addHelpText('after', '\nExample:\n  gt convoy close hq-a1b -m "superseded by hq-c3d"')
    .action((id: string, o: { message?: string }) => {
      const s = closeConvoy(ctx.town(), id, {
        actor: actor(),
        ...(o.message !== undefined ? { reason: o.message } : {}),
      });
      emit(ctx.io, ctx.json(), {
        data: s,
        text: `Closed convoy ${s.id} "${s.title}" at ${s.landed}/${s.total} landed`,
      });
    });
}

type Tracked = ConvoyStatus['tracked'][number] & {
  pull_request?: { number: number; url: string; state: string } | null;
};

/** Each tracked bead's pull request, when its work goes through GitHub (merge strategy pr). */
function withPrs(town: TownContext, s: ConvoyStatus): ConvoyStatus & { tracked: Tracked[] } {
  const store = openTownStore(town);
  try {
    const prs = prsOfMrs(
      store,
      s.tracked.map((t) => t.merge_request).filter((x): x is string => !!x),
    );
    return {
      ...s,
      tracked: s.tracked.map((t) => {
        const p = t.merge_request ? prs.get(t.merge_request) : undefined;
        return { ...t, pull_request: p ? { number: p.number, url: p.url, state: p.state } : null };
      }),
    };
  } finally {
    store.close();
  }
}

function head(s: ConvoyStatus): string {
  const state = s.status === 'closed' ? 'closed' : s.complete ? 'landed' : s.total === 0 ? 'empty' : 'open';
  return `${s.id}  ${progressBar(s.landed, s.total)}  ${state}${s.status !== 'closed' && !s.fed ? ' (staged)' : ''}  ${safeLine(s.title)}`;
}

export function renderConvoy(s: ConvoyStatus): string {
  const rows = (s.tracked as Tracked[]).map((t) => {
    const mark = t.state === 'merged' || t.state === 'landed-no-code' ? '✓' : t.state === 'failed' ? '✗' : '○';
    return `  ${mark} ${t.id.padEnd(12)} ${t.state.padEnd(14)} ${(t.worker ?? '-').padEnd(18)} ${formatAge(t.age_s).padStart(4)}  ${safeLine(t.title)}${t.detail && t.state !== 'merged' ? `  (${safeLine(t.detail)})` : ''}${t.pull_request ? `  PR #${t.pull_request.number} ${t.pull_request.state} ${t.pull_request.url}` : ''}`;
  });
  const who = `  owner ${s.owner}${s.notify.length ? `; notify ${s.notify.join(', ')}` : ''}${s.human ? '; human' : ''}; ${s.fed ? 'launched (the daemon slings its ready beads)' : `staged (sling its work by hand, or gt convoy launch ${s.id})`}`;
  return [head(s), who, ...(rows.length ? rows : ['  (tracks nothing yet: gt convoy add ' + s.id + ' <bead>…)'])].join(
    '\n',
  );
}

function renderList(list: readonly ConvoyStatus[], all: boolean): string {
  if (list.length === 0) return all ? 'No convoys.' : 'No open convoys (gt convoy list --all shows landed ones).';
  return list.map(head).join('\n');
}

function renderAdded(r: AddResult): string {
  return `Added ${r.added.join(', ')} to convoy ${r.convoy.id} "${safeLine(r.convoy.title)}" (${r.convoy.landed}/${r.convoy.total} landed)`;
}

function renderRefresh({ convoy: s, check, feed }: RefreshResult): string {
  const lines = [renderConvoy(s)];
  for (const l of check.landed)
    lines.push(
      `Landed: closed ${l.id}; mailed ${l.mailed.join(', ') || 'nobody'}${l.alerted.length ? `; alerted by ${l.alerted.join(', ')}` : ''}`,
    );
  for (const d of feed.decisions) {
    lines.push(
      d.action === 'slung'
        ? `Slung ${d.bead} to ${d.rig}: ${d.status}${d.polecat ? ` (${d.polecat})` : ''}`
        : `${d.action === 'failed' ? 'Could not sling' : 'Left'} ${d.bead}: ${d.reason}`,
    );
  }
  if (!check.landed.length && !feed.decisions.length) lines.push('Nothing to do: no ready bead waits for a worker.');
  return lines.join('\n');
}
