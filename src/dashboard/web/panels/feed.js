// The activity feed: town events newest first; new ones arrive from the live stream and are prepended at once.
import { get } from '../api.js';
import { clock, fill, h } from '../dom.js';

const MAX = 200;

function item(ev) {
  return h(
    'li.event',
    { dataset: { id: String(ev.id), kind: ev.kind, subject: ev.subject ?? '' }, class: `t-${ev.tone ?? 'idle'}` },
    h(
      'div.ev-top',
      h('time', { datetime: ev.at, title: new Date(ev.at).toLocaleString() }, clock(ev.at)),
      h('span.kind', ev.kind),
      h('span.actor.muted', ev.actor),
    ),
    h('div.ev-body', ev.subject ? h('span.id', ev.subject) : null, ev.reason ? h('span.reason', ev.reason) : null),
  );
}

export function feedPanel(el) {
  const list = h('ol.events');
  const seen = new Set();
  let maxId = 0;
  fill(el, list);
  const trim = () => {
    while (list.childElementCount > MAX) {
      seen.delete(Number(list.lastElementChild.dataset.id));
      list.lastElementChild.remove();
    }
  };
  return {
    async refresh() {
      const { events = [] } = await get('/api/feed?limit=100');
      seen.clear();
      maxId = 0;
      fill(
        list,
        events
          .slice()
          .reverse()
          .map((ev) => {
            seen.add(ev.id);
            maxId = Math.max(maxId, ev.id);
            return item(ev);
          }),
      );
      if (events.length === 0) list.append(h('li.empty', 'Nothing has happened yet.'));
    },
    /** One event from the live stream: shown at once (out-of-order ones go below the newer ones). */
    add(ev) {
      if (seen.has(ev.id)) return;
      seen.add(ev.id);
      list.querySelector('li.empty')?.remove();
      const node = item(ev);
      if (ev.id >= maxId) list.prepend(node);
      else {
        const after = [...list.children].find((li) => Number(li.dataset.id) < ev.id);
        list.insertBefore(node, after ?? null);
      }
      maxId = Math.max(maxId, ev.id);
      trim();
    },
  };
}
