// Convoys: a progress bar per convoy (segments by tracked-bead state), each tracked bead's state, landed convoys.
import { get } from '../api.js';
import { ago, badge, fill, h, id, pullRequest } from '../dom.js';

const STATES = ['merged', 'landed-no-code', 'merge-pending', 'working', 'failed', 'queued'];
const LABEL = { 'landed-no-code': 'no code', 'merge-pending': 'merging' };

function progress(c) {
  const total = c.total || c.tracked?.length || 0;
  const counts = {};
  for (const t of c.tracked ?? []) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return h(
    'div.progress',
    {
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': total,
      'aria-valuenow': c.landed ?? 0,
      'aria-label': `${c.title}: ${c.landed} of ${total} landed`,
    },
    STATES.filter((s) => counts[s]).map((s) =>
      h('span.seg', {
        class: `s-${s}`,
        style: { flexGrow: String(counts[s]) },
        title: `${counts[s]} ${LABEL[s] ?? s}`,
      }),
    ),
  );
}

function isLanded(c) {
  return c.complete || c.status === 'closed';
}

function card(c) {
  const landed = isLanded(c);
  return h(
    'article.convoy',
    { dataset: { id: c.id, state: landed ? 'landed' : 'open' } },
    h(
      'div.convoy-head',
      h('h3', c.title),
      id(c.id),
      badge(landed ? 'landed' : c.status === 'open' ? 'open' : c.status, landed ? 'landed' : c.status),
      h('span.muted.grow', `${c.landed ?? 0}/${c.total ?? 0} landed`, c.owner ? ` · owner ${c.owner}` : ''),
    ),
    progress(c),
    h(
      'ul.tracked',
      (c.tracked ?? []).map((t) =>
        h(
          'li',
          { dataset: { bead: t.id, state: t.state } },
          badge(t.state, LABEL[t.state] ?? t.state),
          id(t.id),
          h('span.title', t.title ?? ''),
          t.worker ? h('span.muted.opt', t.worker) : null,
          pullRequest(t.pull_request),
        ),
      ),
    ),
  );
}

export function convoysPanel(el) {
  let showAll = false;
  let convoys = [];
  const toggle = h('button.btn.small', {
    type: 'button',
    onclick: () => {
      showAll = !showAll;
      draw();
    },
  });
  const host = h('div');
  fill(el, h('div.panel-head', h('span.muted.count'), toggle), host);

  function draw() {
    const open = convoys.filter((c) => !isLanded(c));
    const landed = convoys
      .filter(isLanded)
      .sort((a, b) => String(b.closed_at ?? '').localeCompare(String(a.closed_at ?? '')));
    const shown = showAll ? landed : landed.slice(0, 3);
    el.querySelector('.count').textContent = `${open.length} open · ${landed.length} landed`;
    toggle.textContent = showAll ? 'Fewer landed' : 'All landed';
    toggle.hidden = landed.length <= 3;
    fill(
      host,
      open.length ? h('div.convoy-list', open.map(card)) : h('p.empty', 'No open convoys.'),
      shown.length
        ? h(
            'div.landed',
            h('h4.sub', 'Landed'),
            h(
              'ul.landed-list',
              shown.map((c) =>
                h(
                  'li',
                  { dataset: { id: c.id, state: 'landed' } },
                  badge('landed'),
                  h('span.title', c.title),
                  id(c.id),
                  h('span.muted', `${c.total} beads`),
                  h('span.muted.grow-r', ago(c.closed_at)),
                ),
              ),
            ),
          )
        : null,
    );
  }

  return {
    async refresh() {
      convoys = (await get('/api/convoys?all=1')).convoys ?? [];
      draw();
    },
  };
}
