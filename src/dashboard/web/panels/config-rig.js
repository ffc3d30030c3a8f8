// One rig's configuration form: gates, merge strategy and queue, the rig's own agents.
import { h } from '../dom.js';
import { clearErrors, field, num, numberOf, select, showError, text } from '../forms.js';

const GATES = ['setup', 'build', 'test'];

export function rigForm(rig, agents, save) {
  const c = rig.config;
  const gate = Object.fromEntries(
    GATES.map((g) => [
      g,
      {
        command: text(c.gates?.[g]?.command ?? '', { placeholder: 'none', class: 'mono' }),
        timeout: num(c.gates?.[g]?.timeout_seconds ?? 600, { min: 1 }),
      },
    ]),
  );
  const strategy = select(['mr', 'direct', 'local', 'pr'], c.merge_strategy ?? 'mr');
  const batch = num(c.merge_queue?.batch ?? 1, { min: 1 });
  const push = select(['auto', 'always', 'never'], c.merge_queue?.push ?? 'auto');
  const opt = (v) => select([['', '(town setting)'], ...agents], v);
  const def = opt(c.default_agent);
  const roles = { polecat: opt(c.role_agents?.polecat), crew: opt(c.role_agents?.crew) };
  const form = h(
    'form.config-form',
    { novalidate: true, dataset: { form: `rig:${rig.name}` } },
    h(
      'fieldset',
      h('legend', 'Gates (run before landing work)'),
      GATES.map((g) =>
        h(
          'div.gate-row',
          field(`gates.${g}.command`, `${g} command`, gate[g].command),
          field(`gates.${g}.timeout_seconds`, 'timeout (s)', gate[g].timeout),
        ),
      ),
    ),
    h(
      'fieldset',
      h('legend', 'Merging and agents'),
      h(
        'div.grid',
        field('merge_strategy', 'Merge strategy', strategy),
        field('merge_queue.batch', 'Batch size', batch),
        field('merge_queue.push', 'Push to origin', push),
        field('default_agent', 'Rig default agent', def),
        field('role_agents.polecat', 'Polecats run', roles.polecat),
        field('role_agents.crew', 'Crew run', roles.crew),
      ),
    ),
    h(
      'div.form-end',
      h('span.error-text', { dataset: { field: '__form' } }),
      h('button.btn.primary', { type: 'submit' }, `Save ${rig.name}`),
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const next = structuredClone(c);
    next.gates = {};
    for (const g of GATES) {
      const command = gate[g].command.value.trim();
      if (command) next.gates[g] = { command, timeout_seconds: numberOf(gate[g].timeout) };
    }
    next.merge_strategy = strategy.value;
    next.merge_queue = { ...c.merge_queue, batch: numberOf(batch), push: push.value };
    if (def.value) next.default_agent = def.value;
    else delete next.default_agent;
    const ra = Object.fromEntries(
      Object.entries(roles)
        .map(([r, s]) => [r, s.value])
        .filter(([, v]) => v),
    );
    if (Object.keys(ra).length) next.role_agents = ra;
    else delete next.role_agents;
    try {
      await save(next, form);
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}
