// The read API: every panel's data, read in-process from the store, tmux and the config files (docs/dashboard.md).
import type { Hono } from 'hono';
import { listBeads, readyBeads, type Page } from '../../beads/index.ts';
import { townStatus } from '../../daemon/index.ts';
import { allRefineryStatus, listMrs, listQueue, prsOfMrs, withPullRequests } from '../../refinery/index.ts';
import { parseAddress, rigNames, townTmux, type TownContext } from '../../town/index.ts';
import { listConvoys, listHooks, listInbox, showConvoy, type ConvoyStatus, type WorkHook } from '../../work/index.ts';
import { identityOf, listAgents } from '../../work/sessions/index.ts';
import { VERSION } from '../../kernel/version.ts';
import { HttpError, intParam } from './errors.ts';
import { viewOf } from './event-view.ts';
import { feedEvents, lastEventId } from './feed.ts';
import { costProblems, costsAvailable, costsView } from './costs.ts';
import { readConfigView } from './config-routes.ts';
import { OVERSEER, withTownStore, type DashState } from './state.ts';

const BEAD_VIEWS = ['ready', 'in_progress', 'open', 'all'] as const;

export function mountReadRoutes(app: Hono, st: DashState): void {
  app.get('/api/session', (c) => {
    const town = st.town();
    return c.json({
      csrf: st.csrf,
      town: { name: town.meta.name, root: town.root },
      version: VERSION,
      auth: st.auth,
      costs: costsAvailable(town),
      now: new Date().toISOString(),
    });
  });

  app.get('/api/status', async (c) =>
    c.json(await townStatus(st.town(), { events: intParam(c, 'events', 20, 0, 200) })),
  );

  app.get('/api/agents', async (c) => c.json({ agents: await listAgents(st.town()) }));

  app.get('/api/agents/:address/pane', async (c) => {
    const town = st.town();
    const lines = intParam(c, 'lines', 40, 1, 500);
    const id = identityOf(town, parseAddress(town, c.req.param('address')));
    const tmux = townTmux(town);
    if (!(await tmux.hasSession(id.session)))
      return c.json({ address: id.address, session: id.session, lines: [], live: false });
    return c.json({
      address: id.address,
      session: id.session,
      lines: await tmux.capturePane(id.session, { lines }),
      live: true,
    });
  });

  app.get('/api/convoys', (c) => {
    const town = st.town();
    return c.json({ convoys: withConvoyPrs(town, listConvoys(town, { all: flag(c.req.query('all')) })) });
  });
  app.get('/api/convoys/:id', (c) => {
    const town = st.town();
    return c.json({ convoy: withConvoyPrs(town, [showConvoy(town, c.req.param('id'))])[0] });
  });

  app.get('/api/hooks', async (c) =>
    c.json({ hooks: (await listHooks(st.town())).map((h) => ({ ...h, lifecycle: lifecycleOf(h) })) }),
  );

  app.get('/api/queue', (c) => {
    const town = st.town();
    const rigs = withTownStore(town, (s) =>
      allRefineryStatus(town, s).map((status) => ({
        rig: status.rig,
        status,
        queue: listQueue(s, status.rig),
        // Each with its pull request (number, URL, state, what it waits for) when it lands through GitHub.
        recent: withPullRequests(
          s,
          listMrs(s, { rig: status.rig, status: ['running', 'merged', 'failed', 'rejected'] })
            .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
            .slice(0, 20),
        ),
      })),
    );
    return c.json({ rigs });
  });

  app.get('/api/mail', (c) => {
    const mail = listInbox(st.town(), OVERSEER, { archived: flag(c.req.query('all')) });
    return c.json({
      address: OVERSEER,
      unread: mail.filter((m) => m.read_at === null && m.archived_at === null).length,
      mail,
    });
  });

  app.get('/api/feed', (c) => {
    const limit = intParam(c, 'limit', 100, 1, 1000);
    const afterRaw = c.req.query('after');
    const after =
      afterRaw === undefined || afterRaw === '' ? undefined : intParam(c, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const kind = c.req.query('kind');
    return c.json(
      withTownStore(st.town(), (s) => {
        const events = feedEvents(s, {
          limit,
          ...(after !== undefined ? { after } : {}),
          ...(kind ? { kindPrefix: kind } : {}),
        });
        return { events: events.map(viewOf), last_id: Math.max(lastEventId(s), after ?? 0) };
      }),
    );
  });

  app.get('/api/beads', (c) => {
    const view = c.req.query('view') ?? 'ready';
    if (!(BEAD_VIEWS as readonly string[]).includes(view))
      throw new HttpError(400, 'GT_BAD_REQUEST', `view must be one of ${BEAD_VIEWS.join(', ')}, not "${view}"`, {
        field: 'view',
      });
    const limit = intParam(c, 'limit', 100, 1, 500);
    const offset = intParam(c, 'offset', 0, 0, 100_000);
    const q = c.req.query('q') || undefined;
    const page: Page = withTownStore(st.town(), (s) => {
      const n = limit + offset;
      if (view === 'ready') return readyBeads(s, { limit: n, withTotal: true });
      const status =
        view === 'in_progress'
          ? ['in_progress' as const, 'hooked' as const]
          : view === 'open'
            ? ['open' as const, 'in_progress' as const, 'hooked' as const, 'blocked' as const]
            : undefined;
      return listBeads(s, {
        limit: n,
        withTotal: true,
        includeClosed: view === 'all',
        ...(status ? { status } : {}),
        ...(q ? { text: q } : {}),
      });
    });
    return c.json({ beads: page.beads.slice(offset), total: page.total, limit, offset });
  });

  app.get('/api/problems', async (c) =>
    c.json({ problems: [...(await townStatus(st.town(), { events: 0 })).problems, ...costProblems(st.town())] }),
  );

  app.get('/api/costs', (c) => c.json(costsView(st.town())));

  app.get('/api/config', (c) => c.json(readConfigView(st.town())));

  app.get('/api/rigs', (c) => c.json({ rigs: rigNames(st.town()) }));
}

function flag(v: string | undefined): boolean {
  return v === '1' || v === 'true';
}

/** The hook's place in created → active → suspended → completed → archived (the stored state, else derived). */
export function lifecycleOf(h: Pick<WorkHook, 'hook_state' | 'bead' | 'session_running' | 'bead_status'>): string {
  if (h.hook_state) return h.hook_state;
  if (!h.bead) return 'created';
  if (h.bead_status === 'closed') return 'archived';
  return h.session_running ? 'active' : 'suspended';
}

/** Each tracked bead with its pull request (number, URL, state, what it waits for) when it lands through GitHub. */
function withConvoyPrs(town: TownContext, convoys: ConvoyStatus[]): ConvoyStatus[] {
  const ids = convoys.flatMap((cv) => cv.tracked.map((t) => t.merge_request)).filter((x): x is string => !!x);
  if (ids.length === 0) return convoys;
  const prs = withTownStore(town, (s) => prsOfMrs(s, ids));
  if (prs.size === 0) return convoys;
  return convoys.map((cv) => ({
    ...cv,
    tracked: cv.tracked.map((t) => {
      const p = t.merge_request ? prs.get(t.merge_request) : undefined;
      return { ...t, pull_request: p ? { number: p.number, url: p.url, state: p.state, detail: p.detail } : null };
    }),
  }));
}
