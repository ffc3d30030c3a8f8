// Merge queue per rig: the order the refinery takes requests in, each one's state, the last gate's output;
// retry a failed request, reject one.
import { get, post } from '../api.js';
import { ago, badge, fill, h, id, pullRequest, table, toast } from '../dom.js';

export function queuePanel(el, ctx) {
  async function act(mr, what) {
    let reason;
    if (what === 'reject') {
      reason = window.prompt(`Reject ${mr.id} (${mr.bead})? Reason:`, 'rejected from the dashboard');
      if (reason === null) return;
    }
    try {
      await post(`/api/mq/${encodeURIComponent(mr.id)}/${what}`, what === 'reject' ? { reason } : {});
      toast(`${what === 'retry' ? 'Retrying' : 'Rejected'} ${mr.id}`);
      ctx.schedule('queue');
    } catch (e) {
      toast(`${mr.id}: ${e.message}`, 'bad');
    }
  }
  const buttons = (mr) =>
    h(
      'td.actions',
      mr.status === 'failed'
        ? h('button.btn.small', { type: 'button', onclick: () => act(mr, 'retry') }, 'Retry')
        : null,
      mr.status === 'queued' || mr.status === 'failed'
        ? h('button.btn.small.danger', { type: 'button', onclick: () => act(mr, 'reject') }, 'Reject')
        : null,
    );

  /** Where the rig's landed work is (the repository it came from, or only the rig) and why the queue stopped. */
  function where(st) {
    const d = st.delivered;
    const line = st.undelivered
      ? `Landed work is only in the rig: ${st.undelivered.reason}`
      : d
        ? `Landed work is on ${d.ref} in ${d.target}${d.note ? ` (${d.note})` : ''}`
        : null;
    if (!line && !st.blocked) return null;
    return h(
      'div.rig-where',
      line ? h('p.muted', line) : null,
      st.blocked ? h('p.error-text', `Stopped: ${st.blocked.message}. ${st.blocked.hint}`) : null,
    );
  }

  function rig(r) {
    const queued = (r.queue ?? []).map((mr) =>
      h(
        'tr',
        { dataset: { mr: mr.id, status: mr.status } },
        h('td.num', String(mr.position ?? '')),
        h('td', id(mr.id)),
        h('td', id(mr.bead)),
        h('td.opt', mr.polecat ?? ''),
        h(
          'td.opt',
          `P${mr.priority}${mr.effective_priority !== undefined && mr.effective_priority !== mr.priority ? ` → P${mr.effective_priority}` : ''}`,
        ),
        h('td', badge(mr.status)),
        h('td.opt', ago(mr.created_at)),
        buttons(mr),
      ),
    );
    const recent = (r.recent ?? [])
      .slice(0, 8)
      .map((mr) =>
        h(
          'li.mr',
          { dataset: { mr: mr.id, status: mr.status } },
          h(
            'div.mr-line',
            badge(mr.status),
            id(mr.id),
            id(mr.bead),
            pullRequest(mr.pull_request),
            h('span.muted.opt', mr.polecat ?? ''),
            mr.attempts > 1 ? h('span.muted', `${mr.attempts} attempts`) : null,
            h('span.muted.grow-r', ago(mr.finished_at ?? mr.updated_at)),
            mr.status === 'failed'
              ? h(
                  'span.inline-actions',
                  h('button.btn.small', { type: 'button', onclick: () => act(mr, 'retry') }, 'Retry'),
                  h('button.btn.small.danger', { type: 'button', onclick: () => act(mr, 'reject') }, 'Reject'),
                )
              : null,
          ),
          mr.failure ? h('details.gate', h('summary', 'last gate output'), h('pre.gate-out', mr.failure)) : null,
        ),
      );
    const st = r.status ?? {};
    return h(
      'div.rig-queue',
      { dataset: { rig: r.rig } },
      h(
        'div.rig-head',
        h('h3', r.rig),
        h(
          'span.muted',
          `${(r.queue ?? []).length} waiting`,
          st.running_pid ? ' · merging now' : '',
          st.default_branch ? ` · into ${st.default_branch}` : '',
          st.merge_strategy && st.merge_strategy !== 'mr' ? ` · ${st.merge_strategy}` : '',
          st.batch > 1 ? ` · batches of ${st.batch}` : '',
        ),
        st.last_merged
          ? h('span.muted.grow-r', 'last merged ', id(st.last_merged.bead), ' ', ago(st.last_merged.at))
          : null,
      ),
      where(st),
      queued.length
        ? table(
            [
              ['#', 'num'],
              ['Request'],
              ['Bead'],
              ['Polecat', 'opt'],
              ['Priority', 'opt'],
              ['State'],
              ['Waiting', 'opt'],
              ['', 'actions'],
            ],
            queued,
          )
        : h('p.empty', 'Queue empty.'),
      recent.length ? h('ul.recent', recent) : null,
    );
  }

  return {
    async refresh() {
      const { rigs = [] } = await get('/api/queue');
      fill(el, rigs.length ? rigs.map(rig) : h('p.empty', 'No rigs yet: gt rig add <name> <repo>.'));
    },
  };
}
