// Configuration: town settings (agents and presets, default agent, role agents, caps, budgets, daemon) and each
// rig's gates, merge queue and agents. The server validates; a mistake is shown next to its field.
import { enc, get, put } from '../api.js';
import { deferWhileEditing, fill, h, toast } from '../dom.js';
import { area, check, clearErrors, field, num, numberOf, select, showError } from '../forms.js';
import { rigForm } from './config-rig.js';

const json = (v) => JSON.stringify(v ?? {}, null, 2);

function parseJson(input) {
  try {
    return JSON.parse(input.value || '{}');
  } catch (e) {
    throw Object.assign(new Error(`not valid JSON: ${e.message}`), { field: input.name });
  }
}

function settingsForm(view, onSaved) {
  const s = view.settings;
  const agents = view.agents ?? [];
  const roleSel = (role) => select([['', `(default: ${s.default_agent})`], ...agents], s.role_agents?.[role]);
  const f = {
    default_agent: select(agents, s.default_agent),
    mayor: roleSel('mayor'),
    polecat: roleSel('polecat'),
    crew: roleSel('crew'),
    perRig: num(s.caps?.polecats_per_rig, { min: 1 }),
    perTown: num(s.caps?.polecats_per_town, { min: 1 }),
    tick: num(s.daemon?.tick_seconds, { min: 1 }),
    stuck: num(s.daemon?.stuck_after_seconds, { min: 1 }),
    restart: check(s.daemon?.restart_dead ?? true),
    stopAfter: check(s.polecats?.stop_after_done),
    agents: area(json(s.agents), { rows: 6, class: 'mono' }),
    budgets: area(json(s.budgets), { rows: 3, class: 'mono' }),
  };
  const form = h(
    'form.config-form',
    { novalidate: true, dataset: { form: 'settings' } },
    h(
      'fieldset',
      h('legend', 'Agents'),
      h(
        'div.grid',
        field('default_agent', 'Default agent', f.default_agent),
        field('role_agents.mayor', 'Mayor runs', f.mayor),
        field('role_agents.polecat', 'Polecats run', f.polecat),
        field('role_agents.crew', 'Crew run', f.crew),
      ),
      h(
        'div.presets',
        h('span.muted', 'Presets: '),
        (view.presets ?? []).map((p) => h('span.chip', p)),
      ),
      field(
        'agents',
        'Custom agents (JSON: name → { command, args, env?, preset?, ready_prompt?, ready_delay_ms? })',
        f.agents,
      ),
    ),
    h(
      'fieldset',
      h('legend', 'Caps and daemon'),
      h(
        'div.grid',
        field('caps.polecats_per_rig', 'Polecats per rig', f.perRig),
        field('caps.polecats_per_town', 'Polecats in the town', f.perTown),
        field('daemon.tick_seconds', 'Daemon tick (s)', f.tick),
        field('daemon.stuck_after_seconds', 'Stuck after (s)', f.stuck),
      ),
      h(
        'div.checks',
        field('daemon.restart_dead', 'Restart dead sessions', f.restart),
        field('polecats.stop_after_done', 'Stop polecats after done', f.stopAfter),
      ),
    ),
    h('fieldset', h('legend', 'Budgets'), field('budgets', 'Budgets (JSON)', f.budgets)),
    h(
      'div.form-end',
      h('span.error-text', { dataset: { field: '__form' } }),
      h('button.btn.primary', { type: 'submit' }, 'Save settings'),
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const next = structuredClone(s);
      next.default_agent = f.default_agent.value;
      next.role_agents = Object.fromEntries(
        ['mayor', 'polecat', 'crew'].map((r) => [r, f[r].value]).filter(([, v]) => v),
      );
      next.caps = { ...s.caps, polecats_per_rig: numberOf(f.perRig), polecats_per_town: numberOf(f.perTown) };
      next.daemon = {
        ...s.daemon,
        tick_seconds: numberOf(f.tick),
        stuck_after_seconds: numberOf(f.stuck),
        restart_dead: f.restart.checked,
      };
      if (s.polecats || f.stopAfter.checked) next.polecats = { ...s.polecats, stop_after_done: f.stopAfter.checked };
      next.agents = parseJson(f.agents);
      next.budgets = parseJson(f.budgets);
      await put('/api/config/settings', next);
      toast('Settings saved');
      onSaved();
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

export function configPanel(el, ctx) {
  let view = null;
  let dirty = false;
  const opened = new Set();
  const host = h('div');
  fill(el, host);
  host.addEventListener('input', () => {
    dirty = true;
  });
  const saved = () => {
    dirty = false;
    ctx.schedule('config');
  };
  const draw = deferWhileEditing(host, () => {
    if (dirty) return; // keep unsaved edits; the next save or reload shows the file again
    fill(
      host,
      h('details.config-block', { open: true }, h('summary', 'Town settings'), settingsForm(view, saved)),
      (view.rigs ?? []).map((r) =>
        h(
          'details.config-block',
          {
            dataset: { rig: r.name },
            open: opened.has(r.name),
            ontoggle: (e) => (e.target.open ? opened.add(r.name) : opened.delete(r.name)),
          },
          h('summary', `Rig ${r.name}`),
          rigForm(r, view.agents ?? [], async (next, form) => {
            await put(`/api/config/rigs/${enc(r.name)}`, next);
            toast(`Rig ${r.name} saved`);
            saved();
            return form;
          }),
        ),
      ),
    );
  });
  return {
    async refresh() {
      view = await get('/api/config');
      draw();
    },
  };
}
