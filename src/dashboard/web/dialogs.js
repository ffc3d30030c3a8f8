// The action dialogs: sling beads, create a bead, create a convoy, write mail. Each posts to the API and shows the
// server's refusal next to the field it names.
import { get, post } from './api.js';
import { badge, fill, h, id, toast } from './dom.js';
import { area, check, clearErrors, field, select, showError, text } from './forms.js';

const list = (s) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
let agentNames = null;

async function agents() {
  agentNames ??= get('/api/config')
    .then((c) => c.agents ?? [])
    .catch(() => []);
  return agentNames;
}

const SPECS = {
  async sling(pre, ctx) {
    const rigs = ctx.rigs ?? [];
    const f = {
      beads: text((pre.beads ?? []).join(' '), { class: 'mono', required: true, placeholder: 'gt-abc gt-def' }),
      target: text(pre.target ?? rigs[0] ?? '', { list: 'dl-rigs', required: true, placeholder: 'rig or rig/polecat' }),
      agent: select([['', "(the rig's polecat agent)"], ...(await agents())], ''),
      message: text('', { placeholder: 'optional note for the polecat' }),
      merge: select([['', '(rig setting)'], 'mr', 'direct', 'local'], ''),
    };
    return {
      title: 'Sling work to a polecat',
      submit: 'Sling',
      fields: [
        field('beads', 'Beads', f.beads),
        field('target', 'Target', f.target),
        h(
          'datalist#dl-rigs',
          rigs.map((r) => h('option', { value: r })),
        ),
        h('div.grid', field('agent', 'Agent', f.agent), field('merge', 'Merge', f.merge)),
        field('message', 'Message', f.message),
      ],
      body: () => ({
        beads: list(f.beads.value),
        target: f.target.value.trim(),
        ...(f.agent.value ? { agent: f.agent.value } : {}),
        ...(f.message.value ? { message: f.message.value } : {}),
        ...(f.merge.value ? { merge: f.merge.value } : {}),
      }),
      send: (b) => post('/api/sling', b),
      done: (r) =>
        h(
          'div.results',
          h('p', `Slung to ${r.target}`, r.convoy ? [' in convoy ', id(r.convoy)] : ''),
          h(
            'ul.plain',
            (r.results ?? []).map((x) =>
              h(
                'li',
                { dataset: { bead: x.bead, status: x.status } },
                badge(x.status),
                ' ',
                id(x.bead),
                x.polecat ? [' → ', id(x.polecat)] : '',
                x.reason ? h('span.muted', ` ${x.reason}`) : '',
              ),
            ),
          ),
        ),
      refresh: ['agents', 'hooks', 'beads', 'convoys', 'status'],
    };
  },
  bead(pre, ctx) {
    const f = {
      title: text(pre.title ?? '', { required: true }),
      rig: select([['', 'town (hq)'], ...(ctx.rigs ?? [])], pre.rig ?? ''),
      type: select(['task', 'bug', 'feature', 'chore', 'epic'], 'task'),
      priority: select(
        [
          ['0', 'P0 critical'],
          ['1', 'P1 high'],
          ['2', 'P2 normal'],
          ['3', 'P3 low'],
          ['4', 'P4 backlog'],
        ],
        '2',
      ),
      description: area('', { rows: 5 }),
      labels: text('', { placeholder: 'comma-separated' }),
    };
    return {
      title: 'New bead',
      submit: 'Create bead',
      fields: [
        field('title', 'Title', f.title),
        h(
          'div.grid',
          field('rig', 'Rig', f.rig),
          field('type', 'Type', f.type),
          field('priority', 'Priority', f.priority),
        ),
        field('description', 'Description', f.description),
        field('labels', 'Labels', f.labels),
      ],
      body: () => ({
        title: f.title.value,
        type: f.type.value,
        priority: Number(f.priority.value),
        ...(f.rig.value ? { rig: f.rig.value } : {}),
        ...(f.description.value ? { description: f.description.value } : {}),
        ...(f.labels.value ? { labels: list(f.labels.value) } : {}),
      }),
      send: (b) => post('/api/beads', b),
      toast: (r) => `Created ${r.bead?.id ?? 'the bead'}`,
      refresh: ['beads', 'status'],
    };
  },
  convoy(pre) {
    const f = {
      name: text('', { required: true }),
      beads: text((pre.beads ?? []).join(' '), { class: 'mono' }),
      notify: text('', { placeholder: 'addresses, optional' }),
      human: check(false),
    };
    return {
      title: 'New convoy',
      submit: 'Create convoy',
      fields: [
        field('name', 'Name', f.name),
        field('beads', 'Tracked beads', f.beads),
        field('notify', 'Notify', f.notify),
        field('human', 'Tell the overseer when it lands', f.human),
      ],
      body: () => ({
        name: f.name.value,
        beads: list(f.beads.value),
        ...(f.notify.value ? { notify: list(f.notify.value) } : {}),
        human: f.human.checked,
      }),
      send: (b) => post('/api/convoys', b),
      toast: (r) => `Created convoy ${r.convoy?.id ?? ''}`,
      refresh: ['convoys', 'status'],
    };
  },
  mail(pre) {
    const f = {
      to: text(pre.to ?? 'mayor', { required: true }),
      subject: text(pre.subject ?? '', { required: true }),
      body: area('', { rows: 6 }),
    };
    return {
      title: 'Write mail',
      submit: 'Send',
      fields: [field('to', 'To', f.to), field('subject', 'Subject', f.subject), field('body', 'Message', f.body)],
      body: () => ({ to: f.to.value.trim(), subject: f.subject.value, body: f.body.value }),
      send: (b) => post('/api/mail', b),
      toast: () => `Sent to ${f.to.value}`,
      refresh: ['mail'],
    };
  },
};

/** Open the dialog `kind` ('sling' | 'bead' | 'convoy' | 'mail'), prefilled from `pre`. */
export async function openDialog(kind, pre = {}, ctx = {}) {
  const dlg = document.getElementById('dialog');
  const spec = await SPECS[kind](pre, ctx);
  const form = h(
    'form',
    { method: 'dialog', dataset: { dialog: kind } },
    h('h3#dialog-title', spec.title),
    spec.fields,
    h('p.error-text', { dataset: { field: '__form' } }),
    h(
      'div.row-end',
      h('button.btn', { type: 'button', onclick: () => dlg.close() }, 'Cancel'),
      h('button.btn.primary', { type: 'submit' }, spec.submit),
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const r = await spec.send(spec.body());
      for (const p of spec.refresh) ctx.schedule?.(p);
      if (spec.done) {
        fill(
          form,
          h('h3', spec.title),
          spec.done(r),
          h('div.row-end', h('button.btn.primary', { type: 'button', onclick: () => dlg.close() }, 'Close')),
        );
      } else {
        toast(spec.toast(r));
        dlg.close();
      }
    } catch (err) {
      showError(form, err);
    } finally {
      button.disabled = false;
    }
  });
  fill(dlg, form);
  if (!dlg.open) dlg.showModal();
  form.querySelector('input, select, textarea')?.focus();
}
