// What a caller of the town API may run: checked against the command as commander parsed it (so the policy sees the
// very arguments the command acts on), before its action runs. An agent acts only as itself: no other sender, inbox,
// actor or author; it writes only beads that are unassigned or its own, and reads only its own mail. Options naming
// a file are refused unless "-": the file would be read on the town's machine, not the caller's.
import type { Command } from 'commander';
import { GtError } from '../kernel/index.ts';
import { getBead, resolveId, type Store } from '../beads/index.ts';
import { formatAddress, parseAddress, type TownContext } from '../town/index.ts';
import { findMail } from '../work/index.ts';
import { getPolecat } from '../work/polecats/index.ts';
import type { Principal } from './auth.ts';

/** Commands every agent token may run (a path of command names; a name alone covers its subcommands). */
const AGENT_GT = [
  'prime',
  'hook',
  'hook show',
  'done',
  'mail send',
  'mail inbox',
  'mail read',
  'mail reply',
  'mail ack',
  'mail archive',
  'mail check',
  'nudge',
  'escalate',
  'handoff',
  'mq submit',
];
// `costs record` is not among them: it reads a transcript path, on the town's machine; agents report usage through
// POST /api/v1/usage instead (usage.ts), which gt does for them as a client.
const MAYOR_GT = [
  ...AGENT_GT,
  'sling',
  'unsling',
  'convoy',
  'agents',
  'status',
  'polecat list',
  'polecat status',
  'mq list',
  'costs',
  'peek',
  'hook snapshots',
];
const OWNER_GT = [
  ...MAYOR_GT,
  'mq',
  'polecat',
  'hook snapshot',
  'hook rollback',
  'refinery',
  'rig list',
  'rig show',
  'crew list',
  'config',
];
const AGENT_BD = [
  'show',
  'view',
  'list',
  'search',
  'ready',
  'blocked',
  'create',
  'new',
  'update',
  'close',
  'done',
  'reopen',
  'comments',
  'dep',
  'label',
  'prime',
  'stats',
  'status',
];
const OWNER_BD = [...AGENT_BD, 'delete', 'formula', 'cook', 'mol'];

/** Bead writes: the positional arguments that name beads the caller must be allowed to change. */
const BEAD_WRITES: Record<string, (args: unknown[]) => string[]> = {
  update: (a) => strings(a[0]),
  close: (a) => strings(a[0]),
  done: (a) => strings(a[0]),
  reopen: (a) => strings(a[0]),
  'dep add': (a) => strings(a[0]),
  'dep remove': (a) => strings(a[0]),
  'label add': (a) => strings(a[0]),
  'label remove': (a) => strings(a[0]),
};

/** Options whose value is a path; only "-" (standard input, sent by the client) is allowed over the API. */
const PATH_OPTIONS = ['bodyFile', 'fromFile', 'file', 'transcript'];

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export function commandPath(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

function allowedBy(list: readonly string[], path: readonly string[]): boolean {
  const text = path.join(' ');
  return list.some((e) => text === e || text.startsWith(`${e} `));
}

export interface PolicyContext {
  town: TownContext;
  store: Store;
  principal: Principal;
}

function forbidden(who: string, what: string, hint: string): GtError {
  return new GtError('GT_API_FORBIDDEN', `${who}'s token may not ${what}`, { hint });
}

/** Throws GT_API_FORBIDDEN when the principal may not run `cmd` with these arguments; returns when it may. */
export function checkCommand(ctx: PolicyContext, program: 'gt' | 'bd', cmd: Command): void {
  const p = ctx.principal;
  const path = commandPath(cmd);
  const name = `${program} ${path.join(' ')}`.trim();
  const who = p.address;
  const role = p.kind === 'owner' ? 'owner' : p.agent.kind === 'mayor' ? 'mayor' : 'agent';
  const list =
    program === 'gt'
      ? { owner: OWNER_GT, mayor: MAYOR_GT, agent: AGENT_GT }[role]
      : { owner: OWNER_BD, mayor: AGENT_BD, agent: AGENT_BD }[role];
  if (path.length === 0 || !allowedBy(list, path) || (role !== 'owner' && path.join(' ') === 'costs record')) {
    throw forbidden(
      who,
      `run \`${name}\` through the town API`,
      `${role === 'agent' ? 'an agent' : `the ${role}'s`} token runs: ${list.map((c) => `${program} ${c}`).join(', ')}`,
    );
  }
  const opts = cmd.optsWithGlobals() as Record<string, unknown>;
  // A screen that redraws or a terminal attached has no place in a request: it would hold the server forever.
  for (const o of ['watch', 'follow', 'attach']) {
    if (opts[o])
      throw forbidden(
        who,
        `run \`${name} --${o}\` through the town API`,
        `run ${name} without --${o}; a live view needs a terminal on the town's machine`,
      );
  }
  for (const o of PATH_OPTIONS) {
    const v = opts[o];
    if (v !== undefined && v !== '-') {
      throw forbidden(
        who,
        `read the file "${String(v)}" on the town's machine`,
        `send the content on standard input instead: --${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} - (gt and bd do this for you when they run as clients)`,
      );
    }
  }
  if (p.kind === 'owner') return;
  const self = p.address;
  const sameAgent = (v: unknown, what: string): void => {
    if (v === undefined || v === '') return;
    let text: string;
    try {
      text = formatAddress(parseAddress(ctx.town, String(v)));
    } catch {
      text = String(v);
    }
    if (text !== self)
      throw forbidden(
        who,
        `act as ${JSON.stringify(String(v))} (${what})`,
        `leave ${what} out: the town knows you as ${self} from your token`,
      );
  };
  sameAgent(opts.actor, '--actor');
  sameAgent(opts.from, '--from');
  sameAgent(opts.author, '--author');
  sameAgent(opts.address, '--address');
  const key = path.join(' ');
  if (program === 'gt' && key === 'mail inbox') sameAgent(cmd.processedArgs[0], 'the address');
  if (
    program === 'gt' &&
    (key === 'mail read' || key === 'mail ack' || key === 'mail reply' || key === 'mail archive')
  ) {
    for (const id of strings(cmd.processedArgs[0])) {
      const m = findMail(ctx.store, id);
      if (m.to !== self)
        throw forbidden(
          who,
          `touch mail ${m.id}, which is addressed to ${m.to}`,
          'see your own mail with gt mail inbox',
        );
    }
  }
  if (program === 'gt' && key === 'mq submit') checkSubmit(ctx, who, opts);
  if (p.agent.kind === 'mayor') return;
  if (program === 'gt' && (key === 'hook' || key === 'hook show')) sameAgent(cmd.processedArgs[0], 'the address');
  if (program === 'bd' && (key === 'update' || key === 'create' || key === 'new'))
    sameAgent(opts.assignee, '--assignee');
  const beads =
    program === 'bd'
      ? (BEAD_WRITES[key]?.(cmd.processedArgs) ?? [])
      : key === 'handoff'
        ? strings(cmd.processedArgs[0])
        : [];
  for (const input of beads) {
    let id: string;
    try {
      id = resolveId(ctx.store, input);
    } catch {
      continue; // not a bead (a label's name, or an id the command itself will report as unknown)
    }
    const b = getBead(ctx.store.db, id);
    if (b?.assignee && b.assignee !== self) {
      throw forbidden(
        who,
        `change ${id}, which is ${b.assignee}'s`,
        'an agent changes only its own beads and unassigned ones; mail the holder or the Mayor (gt mail send) instead',
      );
    }
  }
}

/**
 * `gt mq submit` over the API submits a branch the caller pushed (`--rig` with `--head`; gt does both as a client):
 * a crew member's or polecat's in its own rig, and a polecat's only its own branch, as the git endpoint lets it push.
 */
function checkSubmit(ctx: PolicyContext, who: string, opts: Record<string, unknown>): void {
  const p = ctx.principal;
  if (p.kind === 'owner') return;
  if (opts.rig === undefined || opts.head === undefined)
    throw forbidden(
      who,
      "submit a clone on the town's machine",
      'run gt mq submit in your clone with GT_TOWN_URL set: gt pushes the branch, then submits it with --rig and --head',
    );
  const a = p.agent;
  if (a.kind === 'mayor') return;
  const rig = 'rig' in a ? a.rig : undefined;
  if (rig !== opts.rig)
    throw forbidden(who, `submit to rig ${String(opts.rig)}`, `submit to your own rig (${rig ?? 'none'})`);
  if (a.kind !== 'polecat') return;
  const own = getPolecat(ctx.store, a.rig, a.name)?.branch;
  if (opts.branch !== own)
    throw forbidden(
      who,
      `submit ${String(opts.branch)}`,
      `a polecat submits only its own branch (${own ?? 'none'}); gt done submits it for you`,
    );
}
