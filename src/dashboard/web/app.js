// The dashboard page: loads every panel, keeps them current from the live stream, and wires the top-bar actions.
import { onSignedOut, session } from './api.js';
import { ago } from './dom.js';
import { connectLive } from './live.js';
import { openDialog } from './dialogs.js';
import { agentsPanel } from './panels/agents.js';
import { beadsPanel } from './panels/beads.js';
import { configPanel } from './panels/config.js';
import { convoysPanel } from './panels/convoys.js';
import { costsPanel } from './panels/costs.js';
import { feedPanel } from './panels/feed.js';
import { hooksPanel } from './panels/hooks.js';
import { mailPanel } from './panels/mail.js';
import { problemsPanel } from './panels/problems.js';
import { queuePanel } from './panels/queue.js';
import { summaryPanel } from './panels/summary.js';

const body = (id) => document.querySelector(`#${id} > .body`);

async function main() {
  const ctx = { session: null, schedule, openDialog: (kind, prefill) => openDialog(kind, prefill, ctx), panels: {} };
  let closeLive = () => {};
  onSignedOut((e) => {
    closeLive();
    signIn(e);
  });
  try {
    ctx.session = await session();
  } catch (e) {
    if (e?.status === 401) return;
    ctx.session = { town: { name: '' }, costs: false };
  }
  document.getElementById('town-name').textContent = ctx.session.town?.name ?? '';
  document.title = `${ctx.session.town?.name ?? ''} · Gas Town`;

  const panels = {
    status: summaryPanel(document.getElementById('summary'), ctx),
    problems: problemsPanel(body('problems'), ctx),
    agents: agentsPanel(body('agents'), ctx),
    convoys: convoysPanel(body('convoys'), ctx),
    queue: queuePanel(body('queue'), ctx),
    hooks: hooksPanel(body('hooks'), ctx),
    beads: beadsPanel(body('beads'), ctx),
    mail: mailPanel(body('mail'), ctx),
    costs: costsPanel(body('costs'), ctx),
    config: configPanel(body('config'), ctx),
    feed: feedPanel(body('feed'), ctx),
  };
  ctx.panels = panels;

  // One fetch per panel at a time; requests arriving meanwhile collapse into one more fetch afterwards, started no
  // sooner than MIN_GAP_MS after the previous one began. A quiet town updates at once; a town writing a hundred
  // events a second gets each panel refetched about once a second instead of back to back (which kept the server
  // and the page busy redrawing).
  const MIN_GAP_MS = 1000;
  const running = new Set();
  const pending = new Set();
  const lastStart = new Map();
  const waiting = new Map();
  function schedule(name) {
    const p = panels[name];
    if (!p) return;
    if (running.has(name)) {
      pending.add(name);
      return;
    }
    if (waiting.has(name)) return;
    const wait = (lastStart.get(name) ?? -Infinity) + MIN_GAP_MS - performance.now();
    if (wait > 0) {
      waiting.set(
        name,
        setTimeout(() => {
          waiting.delete(name);
          schedule(name);
        }, wait),
      );
      return;
    }
    running.add(name);
    lastStart.set(name, performance.now());
    Promise.resolve(p.refresh())
      .catch((e) => p.failed?.(e))
      .finally(() => {
        running.delete(name);
        if (pending.delete(name)) schedule(name);
      });
  }
  const all = () => Object.keys(panels).forEach(schedule);

  for (const b of document.querySelectorAll('[data-open]'))
    b.addEventListener('click', () => ctx.openDialog(b.dataset.open));
  all();

  const live = document.getElementById('live');
  closeLive = connectLive({
    onState: (s) => {
      live.dataset.state = s;
      live.textContent = s === 'live' ? 'live' : s === 'down' ? 'offline' : 'connecting';
      live.title =
        s === 'live'
          ? 'updates arrive as they happen'
          : s === 'down'
            ? 'the dashboard server is not answering; retrying'
            : '';
    },
    onHello: (_msg, reconnected) => {
      if (reconnected) all();
    },
    onEvent: (ev) => {
      panels.feed.add(ev);
      // The server says which panels an event may change (src/dashboard/server/event-view.ts).
      for (const name of ev.panels ?? []) schedule(name);
    },
    onRefresh: (names) => names.forEach((n) => schedule(n === 'feed' ? '' : n)),
  });

  // Relative times ("12s ago") stay true without refetching.
  setInterval(() => {
    for (const t of document.querySelectorAll('time[data-ago]')) t.textContent = ago(t.dataset.ago).textContent;
  }, 10_000);
}

/** Not signed in (a new browser, or the token changed): say how to get in, and load nothing else. */
function signIn(e) {
  if (document.getElementById('signin')) return;
  document.body.classList.add('signed-out');
  const live = document.getElementById('live');
  live.dataset.state = 'down';
  live.textContent = 'signed out';
  const box = document.createElement('section');
  box.id = 'signin';
  box.className = 'panel signin';
  box.setAttribute('role', 'alert');
  const h = document.createElement('h2');
  h.textContent = 'Sign in to this dashboard';
  const p = document.createElement('p');
  p.append(
    'Open the address ',
    code('gt dashboard'),
    ' printed in your terminal (it ends in ',
    code('?token=…'),
    '). ',
    "Only the town's owner can read the token, in ",
    code('<town>/.runtime/dashboard-token'),
    '.',
  );
  const why = document.createElement('p');
  why.className = 'muted';
  why.textContent = e.message;
  box.append(h, p, why);
  document.querySelector('main').replaceChildren(box);
}

function code(text) {
  const c = document.createElement('code');
  c.textContent = text;
  return c;
}

main();
