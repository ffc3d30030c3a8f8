// Beads: ready and in-progress work (and all open), searchable; sling one or several, or make a convoy of them.
import { get } from '../api.js';
import { badge, fill, h, id, table } from '../dom.js';

const VIEWS = [
  ['ready', 'Ready'],
  ['in_progress', 'In progress'],
  ['open', 'Open'],
  ['all', 'All'],
];
const LIMIT = 50;

export function beadsPanel(el, ctx) {
  let view = 'ready';
  let offset = 0;
  let data = { beads: [], total: 0 };
  const picked = new Set();
  const tabs = h(
    'div.tabs',
    { role: 'tablist' },
    VIEWS.map(([v, label]) =>
      h(
        'button.tab',
        {
          type: 'button',
          role: 'tab',
          dataset: { view: v },
          onclick: () => {
            view = v;
            offset = 0;
            picked.clear();
            ctx.schedule('beads');
          },
        },
        label,
      ),
    ),
  );
  let timer;
  const search = h('input', {
    type: 'search',
    placeholder: 'Search title or id',
    'aria-label': 'Search beads',
    oninput: () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        offset = 0;
        ctx.schedule('beads');
      }, 200);
    },
  });
  const host = h('div');
  const bar = h('div.selection');
  fill(
    el,
    h(
      'div.panel-head',
      tabs,
      h(
        'div.tools',
        search,
        h('button.btn.small', { type: 'button', onclick: () => ctx.openDialog('bead') }, 'New bead'),
      ),
    ),
    bar,
    host,
  );

  function drawBar() {
    fill(
      bar,
      picked.size === 0
        ? null
        : [
            h('span', `${picked.size} selected`),
            h(
              'button.btn.small.primary',
              { type: 'button', onclick: () => ctx.openDialog('sling', { beads: [...picked] }) },
              'Sling selected',
            ),
            h(
              'button.btn.small',
              { type: 'button', onclick: () => ctx.openDialog('convoy', { beads: [...picked] }) },
              'Convoy from selected',
            ),
            h(
              'button.btn.small',
              {
                type: 'button',
                onclick: () => {
                  picked.clear();
                  draw();
                },
              },
              'Clear',
            ),
          ],
    );
  }

  function draw() {
    for (const t of tabs.children) t.setAttribute('aria-selected', String(t.dataset.view === view));
    drawBar();
    const rows = data.beads.map((b) =>
      h(
        'tr',
        { dataset: { bead: b.id, status: b.status } },
        h(
          'td',
          h('input', {
            type: 'checkbox',
            checked: picked.has(b.id),
            'aria-label': `select ${b.id}`,
            onchange: (e) => {
              if (e.target.checked) picked.add(b.id);
              else picked.delete(b.id);
              drawBar();
            },
          }),
        ),
        h('td', id(b.id)),
        h('td', h('span.prio', { class: `p${b.priority}` }, `P${b.priority}`)),
        h('td.opt', b.type ?? b.issue_type ?? ''),
        h('td.title', b.title),
        h('td.opt', b.assignee ? id(b.assignee) : h('span.muted', '–')),
        h('td', badge(b.status)),
        h(
          'td.actions',
          b.status === 'open'
            ? h(
                'button.btn.small',
                { type: 'button', onclick: () => ctx.openDialog('sling', { beads: [b.id] }) },
                'Sling',
              )
            : null,
        ),
      ),
    );
    const pages =
      data.total > LIMIT
        ? h(
            'div.pager',
            h(
              'button.btn.small',
              {
                type: 'button',
                disabled: offset === 0,
                onclick: () => {
                  offset = Math.max(0, offset - LIMIT);
                  ctx.schedule('beads');
                },
              },
              '‹ Prev',
            ),
            h('span.muted', `${offset + 1}–${Math.min(offset + LIMIT, data.total)} of ${data.total}`),
            h(
              'button.btn.small',
              {
                type: 'button',
                disabled: offset + LIMIT >= data.total,
                onclick: () => {
                  offset += LIMIT;
                  ctx.schedule('beads');
                },
              },
              'Next ›',
            ),
          )
        : null;
    fill(
      host,
      rows.length
        ? table(
            [[''], ['Id'], ['P'], ['Type', 'opt'], ['Title'], ['Assignee', 'opt'], ['Status'], ['', 'actions']],
            rows,
            { class: 'beads' },
          )
        : h(
            'p.empty',
            view === 'ready' ? 'Nothing ready: every open bead is blocked, or there are none.' : 'No beads here.',
          ),
      pages,
      h('p.muted.total', `${data.total} ${VIEWS.find((v) => v[0] === view)[1].toLowerCase()}`),
    );
  }

  return {
    async refresh() {
      const q = search.value.trim();
      data = await get(
        `/api/beads?view=${view}&limit=${LIMIT}&offset=${offset}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      );
      data.beads ??= [];
      draw();
    },
  };
}
