// Costs per agent and per convoy (from agent transcripts), with budget gauges for the day, each convoy and each
// agent, once the server reports costs as available (docs/dashboard.md, /api/costs).
import { get } from '../api.js';
import { fill, h, id, table } from '../dom.js';

const usd = (n) => (typeof n === 'number' ? `$${n.toFixed(n >= 100 ? 0 : 2)}` : '–');
const tokens = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n ?? 0));

/** One budget gauge: spent against its limit, green → amber at 80 % → red at the limit. */
function gauge(name, spent, limit) {
  const pct = limit > 0 ? Math.min(100, (spent / limit) * 100) : 0;
  const tone = pct >= 100 ? 's-failed' : pct >= 80 ? 's-stuck' : 's-merged';
  return h(
    'div.gauge',
    { dataset: { budget: name } },
    h('div.gauge-head', h('span', name), h('span.muted', `${usd(spent)} of ${usd(limit)}`)),
    h(
      'div.progress',
      {
        role: 'meter',
        'aria-valuemin': 0,
        'aria-valuemax': limit,
        'aria-valuenow': spent,
        'aria-label': `${name} budget`,
      },
      h('span.seg', { class: tone, style: { width: `${pct}%`, flexGrow: '0' } }),
    ),
  );
}

function gauges(c) {
  const b = c.budgets ?? {};
  const s = c.spend ?? {};
  const top = (m) =>
    Object.entries(m ?? {})
      .sort((x, y) => y[1] - x[1])
      .slice(0, 4);
  return [
    b.per_day_usd ? gauge(`Today${s.day ? ` (${s.day})` : ''}`, s.today_usd ?? 0, b.per_day_usd) : null,
    ...(b.per_convoy_usd ? top(s.convoys).map(([k, v]) => gauge(k, v, b.per_convoy_usd)) : []),
    ...(b.per_agent_usd ? top(s.agents_today).map(([k, v]) => gauge(`${k} today`, v, b.per_agent_usd)) : []),
  ].filter(Boolean);
}

function report(title, r, what) {
  const groups = [...(r?.groups ?? [])].sort((a, b) => b.cost_usd - a.cost_usd).slice(0, 12);
  return h(
    'div',
    h('h4.sub', title),
    groups.length === 0
      ? h('p.empty', 'No usage recorded yet.')
      : table(
          [[what], ['Tokens in/out', 'num opt'], ['Replies', 'num opt'], ['Cost', 'num']],
          groups.map((g) => [
            id(g.key),
            `${tokens(g.input)} / ${tokens(g.output)}`,
            String(g.responses ?? ''),
            h('span', usd(g.cost_usd), g.unpriced ? h('span.muted', { title: 'some usage has no price' }, ' +') : null),
          ]),
        ),
  );
}

export function costsPanel(el) {
  const section = el.closest('section');
  return {
    async refresh() {
      const c = await get('/api/costs');
      section.dataset.available = String(Boolean(c.available));
      if (!c.available) return fill(el, h('p.empty', 'Cost tracking is not available in this town.'));
      const g = gauges(c);
      fill(
        el,
        h(
          'p.total-cost',
          h('b', usd(c.by_agent?.total?.cost_usd ?? 0)),
          h('span.muted', ' spent in all'),
          c.spend?.today_usd !== undefined ? h('span.muted', ` · ${usd(c.spend.today_usd)} today`) : null,
        ),
        g.length ? h('div.gauges', g) : h('p.muted.small', 'No budgets set (Configuration → Budgets).'),
        (c.breaches ?? []).length
          ? h(
              'ul.breaches',
              c.breaches.map((b) => h('li.error-text', b.message)),
            )
          : null,
        h('div.cost-tables', report('Per agent', c.by_agent, 'Agent'), report('Per convoy', c.by_convoy, 'Convoy')),
      );
    },
  };
}
