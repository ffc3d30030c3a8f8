// The top bar's at-a-glance counts (from /api/status); also keeps the rig list other panels and dialogs offer.
import { get } from '../api.js';
import { fill, h } from '../dom.js';

export function summaryPanel(el, ctx) {
  ctx.rigs = [];
  const pill = (href, n, label, alert = false) =>
    h('a.pill', { href, class: alert ? 'alert' : '' }, h('b', String(n)), label);
  return {
    async refresh() {
      const s = await get('/api/status');
      ctx.rigs = (s.rigs ?? []).map((r) => r.name);
      const working = s.agents?.by_state?.working ?? 0;
      const queued = (s.rigs ?? []).reduce((a, r) => a + (r.queue?.queued ?? 0) + (r.queue?.running ?? 0), 0);
      const problems = s.problems?.length ?? 0;
      fill(
        el,
        pill('#agents', `${working}/${s.agents?.total ?? 0}`, 'agents working'),
        pill('#convoys', s.convoys?.length ?? 0, 'convoys open'),
        pill('#queue', queued, 'in merge queue'),
        pill('#problems', problems, problems === 1 ? 'problem' : 'problems', problems > 0),
        h(
          'span.pill',
          { title: s.daemon?.running ? `pid ${s.daemon.pid}` : 'gt daemon start' },
          h('b', s.daemon?.running ? '●' : '○'),
          s.daemon?.running ? 'daemon running' : 'daemon stopped',
        ),
      );
    },
  };
}
