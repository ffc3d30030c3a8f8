// gt whoami, gt version, gt log, gt trail: who a command runs as, which gt this is, the town's event log with filters,
// and what agents did (events, commits, merges).
import type { Command } from 'commander';
import { installRoot, safeLine, usageError } from '../../../kernel/index.ts';
import { listTownEvents, type TownEvent } from '../../../town/index.ts';
import { currentAddress } from '../../../work/index.ts';
import { trail, type TrailEntry } from '../../../work/trail.ts';
import { withStore } from '../../../work/sessions/index.ts';
import { emit } from '../../shared/runtime.ts';
import { VERSION } from '../../../kernel/version.ts';
import type { GtCtx } from '../context.ts';
import { renderEvent } from './feed.ts';

export function registerDiag(program: Command, ctx: GtCtx): void {
  program
    .command('whoami')
    .description('the address gt commands act as here (mail sender, escalations, events), and where it comes from')
    .addHelpText(
      'after',
      '\nFrom GT_ADDRESS (agent sessions set it), else GT_ROLE with GT_RIG and GT_NAME, else overseer (you).\n\nExamples:\n  gt whoami\n  gt whoami --json',
    )
    .action(() => {
      const town = ctx.town();
      const me = currentAddress(town);
      const data = { address: me.text, kind: me.address.kind, source: me.source, town: town.root };
      emit(ctx.io, ctx.json(), {
        data,
        text: `${me.text} (${me.address.kind}, from ${me.source === 'default' ? 'no agent environment: a person' : me.source}) in town ${town.root}`,
      });
    });

  program
    .command('version')
    .description('the version of gt, and the Node.js and install directory it runs from')
    .addHelpText('after', '\nExamples:\n  gt version\n  gt version --json')
    .action(() => {
      const data = { version: VERSION, node: process.versions.node, install: installRoot() };
      emit(ctx.io, ctx.json(), { data, text: `gt ${VERSION} (node ${data.node}, ${data.install})` });
    });

  program
    .command('log')
    .description("the town's event log, filtered: by agent, bead, kind and time (gt feed follows it live)")
    .option('-a, --agent <address>', 'events by this agent or about it')
    .option('-b, --bead <id>', 'events about this bead (or convoy, or merge request)')
    .option('-k, --kind <prefix>', 'kinds starting with this (e.g. sling., refinery.)')
    .option('-s, --since <when>', 'only newer: a duration back (30m, 2h, 1d) or a time (2026-12-06T08:00)')
    .option('-n, --limit <n>', 'at most this many, the newest', '50')
    .addHelpText(
      'after',
      '\nExamples:\n  gt log --agent myproject/furiosa --since 2h\n  gt log --bead app-x1f\n  gt log --kind refinery. -n 200 --json',
    )
    .action((o: { agent?: string; bead?: string; kind?: string; since?: string; limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
        throw usageError('GT_BAD_LIMIT', `--limit must be a whole number from 1 to 100000, not "${o.limit}"`);
      const since = o.since !== undefined ? parseSince(o.since) : undefined;
      const town = ctx.town();
      const agent = o.agent !== undefined ? currentAddress(town, o.agent).text : undefined;
      const all = withStore(town, (s) =>
        listTownEvents(s, {
          limit: 100_000,
          ...(o.kind ? { kindPrefix: o.kind } : {}),
          ...(o.bead ? { subject: o.bead } : {}),
        }),
      );
      const events = all
        .filter((e) => (since === undefined || e.at >= since) && (agent === undefined || involves(e, agent)))
        .slice(-limit);
      emit(ctx.io, ctx.json(), {
        data: events,
        text: events.length
          ? events.map((e) => `${e.at.slice(0, 10)} ${renderEvent(e)}`).join('\n')
          : 'No events match.',
      });
    });

  registerTrail(program, ctx);
}

function registerTrail(program: Command, ctx: GtCtx): void {
  program
    .command('trail')
    .description(
      'what agents did, in time order: their events, the commits on their branches and the merges that landed them',
    )
    .option('-a, --agent <address>', 'one agent')
    .option('-b, --bead <id>', 'one bead')
    .option('-c, --convoy <id>', 'the beads a convoy tracks')
    .option('-s, --since <when>', 'only newer: a duration back (30m, 2h, 1d) or a time (2026-12-06T08:00)')
    .option('-n, --limit <n>', 'at most this many, the newest', '50')
    .addHelpText(
      'after',
      '\nExamples:\n  gt trail --since 2h\n  gt trail --agent myproject/furiosa\n  gt trail --convoy hq-a1b --json',
    )
    .action((o: { agent?: string; bead?: string; convoy?: string; since?: string; limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
        throw usageError('GT_BAD_LIMIT', `--limit must be a whole number from 1 to 100000, not "${o.limit}"`);
      const town = ctx.town();
      const list = trail(town, {
        limit,
        ...(o.agent !== undefined ? { agent: currentAddress(town, o.agent).text } : {}),
        ...(o.bead !== undefined ? { bead: o.bead } : {}),
        ...(o.convoy !== undefined ? { convoy: o.convoy } : {}),
        ...(o.since !== undefined ? { since: parseSince(o.since) } : {}),
      });
      emit(ctx.io, ctx.json(), {
        data: list,
        text: list.length ? list.map(trailLine).join('\n') : 'Nothing in the trail matches.',
      });
    });
}

function trailLine(e: TrailEntry): string {
  return safeLine(
    `${e.at.slice(0, 19).replace('T', ' ')}  ${e.agent.padEnd(18)} ${e.what.padEnd(6)} ${e.what === 'event' ? '' : `${e.ref} `}${e.text}`,
  );
}

/** The agent acted, or the event is about it (its address as subject, or as the polecat in its data). */
function involves(e: TownEvent, address: string): boolean {
  if (e.actor === address || e.subject === address) return true;
  const d = e.data as { polecat?: unknown } | null;
  return !!d && typeof d === 'object' && d.polecat === address;
}

/** An ISO time from "30m", "2h", "1d", "45s" back from now, or from a date/time. */
function parseSince(text: string): string {
  const m = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (m)
    return new Date(
      Date.now() - Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'],
    ).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(text.trim()))
    throw usageError(
      'GT_BAD_SINCE',
      `--since "${text}" is neither a duration nor a time`,
      'use e.g. 30m, 2h, 1d, or 2026-12-06T08:00',
    );
  return new Date(t).toISOString();
}
