// Actions: the same library calls the CLI makes (sling, nudge, stop/restart, merge queue, beads, convoys, mail),
// each with its JSON body validated first. The dashboard acts as the overseer.
import type { Hono } from 'hono';
import * as z from 'zod/mini';
import { createBead, getBead } from '../../beads/index.ts';
import { rejectMr, retryMr } from '../../refinery/index.ts';
import { agentForRole, loadRig, parseAddress, rigNames, type TownContext } from '../../town/index.ts';
import { NUDGE_MODES, createConvoy, markRead, nudgeAgent, reply, sendMail, sling } from '../../work/index.ts';
import {
  getAgent,
  identityOf,
  startAgent,
  stopAgent,
  withStore,
  type AgentIdentity,
} from '../../work/sessions/index.ts';
import { HttpError, jsonBody } from './errors.ts';
import { OVERSEER, withTownStore, type DashState } from './state.ts';

/** Text trimmed, then between 1 and `max` characters. */
const trimmed = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const id = trimmed(200);
const text = (max: number) => z.string().check(z.maxLength(max));
const priority = z.number().check(z.int(), z.gte(0), z.lte(4));

const SlingBody = z.strictObject({
  beads: z.array(id).check(z.minLength(1), z.maxLength(100)),
  target: id,
  agent: z.optional(id),
  message: z.optional(text(10_000)),
  merge: z.optional(z.enum(['mr', 'direct', 'local'])),
});
const NudgeBody = z.strictObject({
  message: z.string().check(z.maxLength(10_000), z.minLength(1)),
  mode: z.optional(z.enum(NUDGE_MODES as ['wait-idle', 'queue', 'immediate'])),
});
const Empty = z.strictObject({});
const RejectBody = z.strictObject({ reason: z.optional(text(2000)) });
const BeadBody = z.strictObject({
  title: trimmed(500),
  description: z.optional(text(100_000)),
  type: z.optional(z.enum(['task', 'bug', 'feature', 'epic', 'chore', 'decision'])),
  priority: z.optional(priority),
  rig: z.optional(id),
  labels: z.optional(z.array(trimmed(100)).check(z.maxLength(50))),
});
const ConvoyBody = z.strictObject({
  name: trimmed(500),
  beads: z.optional(z.array(id).check(z.maxLength(500))),
  notify: z.optional(z.array(id).check(z.maxLength(50))),
  human: z.optional(z.boolean()),
});
const ComposeBody = z.strictObject({
  to: id,
  subject: trimmed(500),
  body: z.optional(text(100_000)),
  priority: z.optional(priority),
  type: z.optional(id),
});
const ReplyBody = z.strictObject({
  body: z.string().check(z.maxLength(100_000), z.minLength(1)),
  subject: z.optional(text(500)),
});

function agentId(town: TownContext, address: string): AgentIdentity {
  const a = parseAddress(town, address);
  if (a.kind === 'overseer' || a.kind === 'rig')
    throw new HttpError(400, 'GT_BAD_ADDRESS', `${address} is not one agent`, { field: 'address' });
  return identityOf(town, a);
}

export function mountActionRoutes(app: Hono, st: DashState): void {
  app.post('/api/sling', async (c) => {
    const b = await jsonBody(c, SlingBody);
    return c.json(
      await sling(st.town(), {
        beads: b.beads,
        target: b.target,
        actor: OVERSEER,
        ...(b.agent ? { agent: b.agent } : {}),
        ...(b.message ? { message: b.message } : {}),
        ...(b.merge ? { merge: b.merge } : {}),
      }),
    );
  });

  app.post('/api/agents/:address/nudge', async (c) => {
    const b = await jsonBody(c, NudgeBody);
    return c.json(
      await nudgeAgent(st.town(), c.req.param('address'), b.message, {
        from: OVERSEER,
        ...(b.mode ? { mode: b.mode } : {}),
      }),
    );
  });

  app.post('/api/agents/:address/stop', async (c) => {
    await jsonBody(c, Empty);
    return c.json(await stopAgent(st.town(), agentId(st.town(), c.req.param('address'))));
  });

  app.post('/api/agents/:address/restart', async (c) => {
    await jsonBody(c, Empty);
    const town = st.town();
    const ident = agentId(town, c.req.param('address'));
    const previous = withStore(town, (s) => getAgent(s, ident.address));
    const role = ident.role === 'crew' ? 'crew' : ident.role === 'mayor' ? 'mayor' : 'polecat';
    const agent =
      previous?.runtime ?? agentForRole(town.settings, role, ident.rig ? loadRig(town, ident.rig) : undefined);
    const stopped = await stopAgent(town, ident);
    const started = await startAgent(town, { identity: ident, agent, resume: true });
    return c.json({ stopped, started });
  });

  app.post('/api/mq/:id/retry', async (c) => {
    await jsonBody(c, Empty);
    return c.json({ mr: withTownStore(st.town(), (s) => retryMr(s, c.req.param('id'), OVERSEER)) });
  });

  app.post('/api/mq/:id/reject', async (c) => {
    const b = await jsonBody(c, RejectBody);
    return c.json({ mr: withTownStore(st.town(), (s) => rejectMr(s, c.req.param('id'), b.reason, OVERSEER)) });
  });

  app.post('/api/beads', async (c) => {
    const b = await jsonBody(c, BeadBody);
    const town = st.town();
    let prefix: string | undefined;
    if (b.rig !== undefined) {
      if (!rigNames(town).includes(b.rig))
        throw new HttpError(400, 'GT_RIG_NOT_FOUND', `no rig named ${b.rig}`, { field: 'rig' });
      prefix = loadRig(town, b.rig).prefix;
    }
    const bead = withTownStore(town, (s) => {
      const made = createBead(s, {
        title: b.title,
        ...(b.description ? { description: b.description } : {}),
        ...(b.type ? { type: b.type } : {}),
        ...(b.priority !== undefined ? { priority: b.priority } : {}),
        ...(b.labels ? { labels: b.labels } : {}),
        ...(prefix ? { prefix } : {}),
      });
      return getBead(s.db, made.id) ?? made;
    });
    return c.json({ bead }, 201);
  });

  app.post('/api/convoys', async (c) => {
    const b = await jsonBody(c, ConvoyBody);
    const convoy = createConvoy(st.town(), {
      name: b.name,
      actor: OVERSEER,
      ...(b.beads ? { beads: b.beads } : {}),
      ...(b.notify ? { notify: b.notify } : {}),
      ...(b.human !== undefined ? { human: b.human } : {}),
    });
    return c.json({ convoy }, 201);
  });

  app.post('/api/mail', async (c) => {
    const b = await jsonBody(c, ComposeBody);
    const town = st.town();
    const r = await sendMail(town, {
      from: { kind: 'overseer' },
      to: parseAddress(town, b.to),
      subject: b.subject,
      ...(b.body !== undefined ? { body: b.body } : {}),
      ...(b.priority !== undefined ? { priority: b.priority } : {}),
      ...(b.type ? { type: b.type } : {}),
    });
    return c.json(r, 201);
  });

  app.post('/api/mail/:id/reply', async (c) => {
    const b = await jsonBody(c, ReplyBody);
    const r = await reply(st.town(), {
      from: { kind: 'overseer' },
      id: c.req.param('id'),
      body: b.body,
      ...(b.subject ? { subject: b.subject } : {}),
    });
    return c.json(r, 201);
  });

  app.post('/api/mail/:id/read', async (c) => {
    await jsonBody(c, Empty);
    return c.json({ mail: markRead(st.town(), c.req.param('id')) });
  });
}
