// Landing convoys: an open convoy whose tracked beads have all landed is closed once (compare-and-set in one
// transaction), then its owner, its --notify addresses and, for --human, the overseer are told.
import { messageOf, TOWN_EVENTS } from '../../kernel/index.ts';
import { closeBeads, getBead } from '../../beads/index.ts';
import { parseAddress, type AgentAddress, type TownContext } from '../../town/index.ts';
import { sendMail, type SendDeps } from '../mail/index.ts';
import { alertHuman, type AlertFn } from './alert.ts';
import { recordEvent } from './events.ts';
import { patchMeta, withTownStore } from './manage.ts';
import { listConvoyBeads, readConvoyStatus, requireConvoy } from './read.ts';
import { formatAge, type ConvoyStatus } from './status.ts';

export interface CheckOptions {
  /** Check only this convoy (id or unique prefix). */
  convoy?: string;
  /** Who acts (the event log's actor); default "daemon". */
  actor?: string;
  /** The landing mail's sender; default overseer (so a Mayor that owns the convoy is nudged about it). */
  from?: AgentAddress;
  mail?: SendDeps;
  /** How the overseer is alerted for --human convoys (default: bell and desktop notification). */
  alert?: AlertFn;
}

export interface LandedConvoy {
  id: string;
  title: string;
  /** Addresses mailed. */
  mailed: string[];
  /** Channels that reached the person for --human: 'bell', 'desktop'. */
  alerted: string[];
  /** Mail that could not be sent (the convoy is closed all the same). */
  errors: string[];
}

export interface CheckResult {
  checked: number;
  landed: LandedConvoy[];
}

export async function checkConvoys(town: TownContext, opts: CheckOptions = {}): Promise<CheckResult> {
  const actor = opts.actor ?? 'daemon';
  const won = withTownStore(town, actor, (store) => {
    const candidates = opts.convoy ? [requireConvoy(store, opts.convoy)] : listConvoyBeads(store);
    const closed: ConvoyStatus[] = [];
    for (const c of candidates) {
      if (c.status === 'closed' || !readConvoyStatus(store, c).complete) continue;
      // Re-read inside the write: of two checkers racing, only the one that closes the convoy announces it.
      const st = store.write(() => {
        const cur = getBead(store.db, c.id);
        if (!cur || cur.status === 'closed') return undefined;
        const s = readConvoyStatus(store, cur);
        if (!s.complete) return undefined;
        closeBeads(store, [c.id], `landed: ${s.landed}/${s.total} tracked beads merged or closed`);
        patchMeta(store, getBead(store.db, c.id)!, { landed_at: store.now() });
        recordEvent(store, {
          actor,
          kind: TOWN_EVENTS.convoy.landed,
          subject: c.id,
          reason: `all ${s.total} tracked beads landed`,
          data: { owner: s.owner, notify: s.notify, human: s.human },
        });
        return s;
      });
      if (st) closed.push(st);
    }
    return { checked: candidates.length, closed };
  });
  const landed: LandedConvoy[] = [];
  for (const s of won.closed) landed.push(await announce(town, s, actor, opts));
  return { checked: won.checked, landed };
}

function landingBody(s: ConvoyStatus): string {
  const lines = s.tracked.map((t) => `  ${t.id}  ${t.state}${t.worker ? `  ${t.worker}` : ''}  ${t.title}`);
  return [
    `Convoy ${s.id} "${s.title}" has landed: all ${s.total} tracked beads are merged or closed.`,
    '',
    ...lines,
    '',
    `See it: gt convoy show ${s.id}`,
  ].join('\n');
}

async function announce(town: TownContext, s: ConvoyStatus, actor: string, opts: CheckOptions): Promise<LandedConvoy> {
  const to = [...new Set([s.owner, ...s.notify, ...(s.human ? ['overseer'] : [])])];
  const out: LandedConvoy = { id: s.id, title: s.title, mailed: [], alerted: [], errors: [] };
  const subject = `🚚 Convoy landed: ${s.title}`.replace(/[\r\n]+/g, ' ');
  for (const addr of to) {
    try {
      await sendMail(
        town,
        {
          from: opts.from ?? { kind: 'overseer' },
          to: parseAddress(town, addr),
          subject,
          body: landingBody(s),
          type: 'notification',
          priority: s.human ? 1 : 2,
        },
        opts.mail,
      );
      out.mailed.push(addr);
    } catch (e) {
      out.errors.push(`${addr}: ${messageOf(e)}`);
    }
  }
  if (s.human) {
    const took = formatAge(Math.max(0, Math.floor((Date.now() - Date.parse(s.created_at)) / 1000)));
    out.alerted = (opts.alert ?? ((t, b) => alertHuman(t, b, town.env)))(
      subject,
      `${s.total} beads landed after ${took}`,
    );
  }
  withTownStore(town, actor, (store) =>
    store.write(() => {
      recordEvent(store, {
        actor,
        kind: TOWN_EVENTS.convoy.announced,
        subject: s.id,
        reason: `mailed ${out.mailed.join(', ') || 'nobody'}`,
        data: out,
      });
    }),
  );
  return out;
}
