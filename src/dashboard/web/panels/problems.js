// Problems: dead and stuck agents, failed merges, failing daemon steps, no daemon, over budget, open escalations.
import { get } from '../api.js';
import { fill, h, id } from '../dom.js';

const LABEL = {
  'agent-dead': 'dead',
  'agent-stuck': 'stuck',
  'merge-failed': 'merge failed',
  'daemon-step-failed': 'daemon step',
  'daemon-not-running': 'daemon',
  'over-budget': 'over budget',
  'escalation-open': 'escalation',
};

export function problemsPanel(el) {
  const section = el.closest('section');
  return {
    async refresh() {
      const { problems = [] } = await get('/api/problems');
      section.dataset.count = String(problems.length);
      if (problems.length === 0) return fill(el, h('p.empty.all-clear', 'All clear: nothing needs you.'));
      fill(
        el,
        h(
          'ul.problem-list',
          problems.map((p) =>
            h(
              'li',
              { dataset: { kind: p.kind } },
              h(
                'span.badge',
                { class: /dead|failed|not-running|budget/.test(p.kind) ? 's-dead' : 's-stuck' },
                LABEL[p.kind] ?? p.kind,
              ),
              p.subject && p.subject !== 'daemon' ? id(p.subject) : null,
              h('span.msg', p.message),
            ),
          ),
        ),
      );
    },
  };
}
