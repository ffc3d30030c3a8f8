// Hooks: where each polecat's hook is in its cycle created → active → suspended → completed → archived (and back to
// created when the polecat takes new work), drawn as a stepper.
import { get } from '../api.js';
import { badge, fill, h, id } from '../dom.js';

const CYCLE = ['created', 'active', 'suspended', 'completed', 'archived'];
const HINT = {
  created: 'polecat exists, nothing hooked',
  active: 'bead hooked, session running',
  suspended: 'bead hooked, no session: waits for a restart',
  completed: 'work done, merge pending',
  archived: 'bead closed, hook released',
};

/** The cycle as a row of dots; steps before the current one are done (suspended only if it is where the hook is). */
export function cycle(current) {
  const at = CYCLE.indexOf(current);
  return h(
    'ol.cycle',
    { 'aria-label': `hook ${current}: ${HINT[current] ?? ''}`, dataset: { lifecycle: current } },
    CYCLE.map((step, i) => {
      const cls = i === at ? 'current' : i < at && step !== 'suspended' ? 'past' : 'future';
      return h('li', { class: `${cls} step-${step}`, title: HINT[step] }, h('span.dot'), h('span.label', step));
    }),
    h('li.loop', { title: 'the polecat takes its next hook', 'aria-hidden': 'true' }, '↺'),
  );
}

export function hooksPanel(el) {
  return {
    async refresh() {
      const { hooks = [] } = await get('/api/hooks');
      if (hooks.length === 0) return fill(el, h('p.empty', 'No polecats, so no hooks yet.'));
      const order = (x) => ['suspended', 'active', 'completed', 'created', 'archived'].indexOf(x.lifecycle);
      const list = [...hooks].sort((a, b) => order(a) - order(b) || a.address.localeCompare(b.address));
      fill(
        el,
        h(
          'ul.hooks',
          list.map((k) =>
            h(
              'li.hook',
              { dataset: { address: k.address, lifecycle: k.lifecycle } },
              h('div.hook-who', id(k.address), h('span.muted', k.agent ?? '')),
              h(
                'div.hook-bead',
                k.bead ? [id(k.bead), k.bead_status ? badge(k.bead_status) : null] : h('span.muted', 'no bead'),
              ),
              cycle(k.lifecycle),
              h(
                'div.hook-meta.muted',
                k.session_running ? 'session up' : 'no session',
                k.restarts ? ` · ${k.restarts} restarts` : '',
                k.worktree_exists === false ? ' · worktree missing' : '',
              ),
            ),
          ),
        ),
      );
    },
  };
}
