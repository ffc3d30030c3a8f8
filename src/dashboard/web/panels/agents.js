// Agents: role, rig, runtime, host (once any agent runs on an SSH host), state in colour, hooked bead, last activity; the pane's last lines on demand;
// nudge, stop and restart.
import { enc, get, post } from '../api.js';
import { ago, badge, deferWhileEditing, fill, h, id, table, toast } from '../dom.js';

const ORDER = ['stuck', 'dead', 'working', 'starting', 'idle', 'stopped'];
const COLS = [
  ['Agent'],
  ['Role', 'opt'],
  ['Rig', 'opt'],
  ['Runtime', 'opt'],
  ['Host', 'opt'],
  ['State'],
  ['Hooked bead'],
  ['Last activity', 'opt'],
  ['', 'actions'],
];

export function agentsPanel(el, ctx) {
  const open = new Map(); // address → 'pane' | 'nudge'
  const panes = new Map(); // address → lines | error text
  let agents = [];
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter agents',
    'aria-label': 'Filter agents',
    oninput: () => draw(),
  });
  const showStopped = h('input', { type: 'checkbox', onchange: () => draw() });
  const host = h('div');
  fill(
    el,
    h('div.panel-head', h('span.muted.count'), h('div.tools', filter, h('label.check', showStopped, ' stopped'))),
    host,
  );

  async function loadPane(address) {
    try {
      const r = await get(`/api/agents/${enc(address)}/pane?lines=30`);
      panes.set(address, r.live ? r.lines : ['(no live session)']);
    } catch (e) {
      panes.set(address, [`(could not read the pane: ${e.message})`]);
    }
    draw();
  }

  async function act(address, what, body = {}) {
    try {
      await post(`/api/agents/${enc(address)}/${what}`, body);
      toast(`${what === 'nudge' ? 'Nudged' : what === 'stop' ? 'Stopped' : 'Restarted'} ${address}`);
      ctx.schedule('agents');
    } catch (e) {
      toast(`${address}: ${e.message}`, 'bad');
    }
  }

  function toggle(address, kind) {
    if (open.get(address) === kind) open.delete(address);
    else {
      open.set(address, kind);
      if (kind === 'pane') loadPane(address);
    }
    draw();
  }

  function detail(a) {
    const kind = open.get(a.address);
    if (kind === 'pane') {
      const lines = panes.get(a.address);
      return h(
        'div.pane',
        h(
          'div.pane-head',
          h('span.muted', `last lines of ${a.session ?? 'the pane'}`),
          h('button.btn.small', { type: 'button', onclick: () => loadPane(a.address) }, 'Refresh'),
        ),
        h('pre.pane-text', lines ? lines.join('\n') : 'loading…'),
      );
    }
    const msg = h('input', {
      name: 'message',
      required: true,
      placeholder: `Message to ${a.address}`,
      'aria-label': 'Nudge message',
    });
    return h(
      'form.nudge',
      {
        onsubmit: (e) => {
          e.preventDefault();
          act(a.address, 'nudge', { message: msg.value });
          open.delete(a.address);
          draw(true);
        },
      },
      msg,
      h('button.btn.primary.small', { type: 'submit' }, 'Send nudge'),
    );
  }

  const draw = deferWhileEditing(host, drawNow);
  function drawNow() {
    const q = filter.value.trim().toLowerCase();
    const list = agents.filter(
      (a) =>
        (showStopped.checked || a.state !== 'stopped') &&
        (!q ||
          `${a.address} ${a.role} ${a.runtime} ${a.host ?? ''} ${a.state} ${a.hooked_bead ?? ''}`
            .toLowerCase()
            .includes(q)),
    );
    el.querySelector('.count').textContent =
      `${agents.filter((a) => a.state !== 'stopped').length} running · ${agents.length} known`;
    if (list.length === 0)
      return fill(
        host,
        h('p.empty', agents.length ? 'No agent matches.' : 'No agents yet. Sling a bead to start a polecat.'),
      );
    // The host column only once any agent runs on an SSH host (as gt agents does); `local` is this machine.
    const hosts = agents.some((a) => a.host);
    const cols = hosts ? COLS : COLS.filter(([name]) => name !== 'Host');
    const rows = [];
    for (const a of list) {
      const btn = (label, onclick, cls = '') => h('button.btn.small', { type: 'button', class: cls, onclick }, label);
      rows.push(
        h(
          'tr',
          { dataset: { address: a.address, state: a.state } },
          h('td', id(a.address)),
          h('td.opt', a.role),
          h('td.opt', a.rig ?? '–'),
          h('td.opt', a.runtime),
          hosts ? h('td.opt.host', a.host ?? 'local') : null,
          h('td', badge(a.state)),
          h('td', id(a.hooked_bead)),
          h('td.opt', ago(a.last_activity ?? a.started_at)),
          h(
            'td.actions',
            btn('Pane', () => toggle(a.address, 'pane'), open.get(a.address) === 'pane' ? 'on' : ''),
            btn('Nudge', () => toggle(a.address, 'nudge')),
            a.state === 'stopped' ? null : btn('Stop', () => act(a.address, 'stop'), 'danger'),
            btn(a.state === 'stopped' ? 'Start' : 'Restart', () => act(a.address, 'restart')),
          ),
        ),
      );
      if (open.has(a.address)) rows.push(h('tr.detail', h('td', { colSpan: cols.length }, detail(a))));
    }
    fill(host, table(cols, rows, { class: 'agents' }));
  }

  return {
    async refresh() {
      const r = await get('/api/agents');
      agents = [...(r.agents ?? [])].sort(
        (x, y) => ORDER.indexOf(x.state) - ORDER.indexOf(y.state) || x.address.localeCompare(y.address),
      );
      for (const [address, kind] of open) if (kind === 'pane') loadPane(address);
      draw();
    },
  };
}
