// Form helpers shared by the configuration panel and the dialogs: labelled fields that can show a server error
// next to themselves, and reading typed values back.
import { h } from './dom.js';

/** A labelled field; `path` is the dotted key the server names in `error.field`. */
export function field(path, label, input, hint) {
  input.name = path;
  input.id ||= `f-${Math.random().toString(36).slice(2, 9)}`;
  const err = h('span.error-text', { id: `${input.id}-err`, role: 'alert' });
  input.setAttribute('aria-describedby', err.id);
  return h(
    'label.field',
    { dataset: { field: path }, for: input.id },
    h('span', label),
    input,
    hint ? h('small.muted', hint) : null,
    err,
  );
}

export const text = (value = '', attrs = {}) => h('input', { type: 'text', value: value ?? '', ...attrs });
export const num = (value, attrs = {}) => h('input', { type: 'number', value: value ?? '', step: 1, ...attrs });
export const check = (on) => h('input', { type: 'checkbox', checked: Boolean(on) });
export const area = (value = '', attrs = {}) => {
  const t = h('textarea', { rows: 4, spellcheck: 'false', ...attrs });
  t.value = value;
  return t;
};

/** A select of `options` ([value, label] or strings), with `value` chosen. */
export function select(options, value) {
  return h(
    'select',
    options.map((o) => {
      const [v, l] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: v === (value ?? '') }, l);
    }),
  );
}

/** A number field's value: a number when it reads as one, else the raw text (the server then names the field). */
export function numberOf(input) {
  const raw = input.value.trim();
  return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

/** Clear every error shown in a form. */
export function clearErrors(form) {
  for (const e of form.querySelectorAll('.error-text')) e.textContent = '';
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

/**
 * Show an API error next to the field it names (or the nearest enclosing field: `agents.x.preset` → `agents`),
 * else at the form's own error line. Returns the element that shows it.
 */
export function showError(form, err) {
  clearErrors(form);
  let path = err.field ?? '';
  let box = null;
  while (path && !(box = form.querySelector(`[data-field="${CSS.escape(path)}"]`)))
    path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  box ??= form.querySelector('[data-field="__form"]') ?? form;
  const line = box.querySelector('.error-text') ?? box.appendChild(h('span.error-text', { role: 'alert' }));
  line.textContent = `${err.message}${err.hint ? ` (${err.hint})` : ''}`;
  box.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
  return line;
}
