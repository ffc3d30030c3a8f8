// Actions: the same library calls the CLI makes (sling, nudge, stop/restart, merge queue, beads, convoys, mail),
// each with its JSON body validated first. The dashboard acts as the overseer.
import type { Hono } from 'hono';
import { z } from 'zod';
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

const id = z.string().trim().min(1).max(200);
const text = (max: number) => z.string().max(max);

const SlingBody = z.strictObject({
  beads: z.array(id).min(1).max(100),
  target: id,
  agent: id.optional(),
  message: text(10_000).optional(),
  merge: z.enum(['mr', 'direct', 'local']).optional(),
});
const NudgeBody = z.strictObject({
  message: text(10_000).min(1),
  mode: z.enum(NUDGE_MODES as ['wait-idle', 'queue', 'immediate']).optional(),
});
const Empty = z.strictObject({});
const RejectBody = z.strictObject({ reason: text(2000).optional() });
const BeadBody = z.strictObject({
  title: z.string().trim().min(1).max(500),
  description: text(100_000).optional(),
  type: z.enum(['task', 'bug', 'feature', 'epic', 'chore', 'decision']).optional(),
  priority: z.number().int().min(0).max(4).optional(),
  rig: id.optional(),
  labels: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
});
const ConvoyBody = z.strictObject({
  name: z.string().trim().min(1).max(500),
  beads: z.array(id).max(500).optional(),
  notify: z.array(id).max(50).optional(),
  human: z.boolean().optional(),
});
const ComposeBody = z.strictObject({
  to: id,
  subject: z.string().trim().min(1).max(500),
  body: text(100_000).optional(),
  priority: z.number().int().min(0).max(4).optional(),
  type: id.optional(),
});
const ReplyBody = z.strictObject({ body: text(100_000).min(1), subject: z.string().max(500).optional() });

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
