// The overseer's mail: inbox, read (marks it read), reply, compose.
import { enc, get, post } from '../api.js';
import { ago, deferWhileEditing, fill, h, id, toast } from '../dom.js';

export function mailPanel(el, ctx) {
  let mail = [];
  let selected = null;
  const host = h('div.mail');
  fill(
    el,
    h(
      'div.panel-head',
      h('span.muted.count'),
      h('button.btn.small', { type: 'button', onclick: () => ctx.openDialog('mail') }, 'Compose'),
    ),
    host,
  );

  async function openMail(m) {
    selected = m.id;
    draw(true);
    if (!m.read_at) {
      try {
        await post(`/api/mail/${enc(m.id)}/read`, {});
        m.read_at = new Date().toISOString();
        draw(true);
      } catch (e) {
        toast(`${m.id}: ${e.message}`, 'bad');
      }
    }
  }

  function reader(m) {
    const text = h('textarea', { rows: 3, required: true, placeholder: `Reply to ${m.from}`, 'aria-label': 'Reply' });
    const send = async (e) => {
      e.preventDefault();
      try {
        await post(`/api/mail/${enc(m.id)}/reply`, { body: text.value });
        toast(`Replied to ${m.from}`);
        text.value = '';
        ctx.schedule('mail');
      } catch (err) {
        toast(err.message, 'bad');
      }
    };
    return h(
      'article.reader',
      { dataset: { mail: m.id } },
      h('h3', m.subject),
      h(
        'div.muted.meta',
        'from ',
        id(m.from),
        ' · ',
        ago(m.created_at),
        m.type && m.type !== 'message' ? ` · ${m.type}` : '',
      ),
      h('div.mail-body', m.body || h('span.muted', '(no text)')),
      h(
        'form.reply',
        { onsubmit: send },
        text,
        h('div.row-end', h('button.btn.primary.small', { type: 'submit' }, 'Reply')),
      ),
    );
  }

  const draw = deferWhileEditing(host, () => {
    const unread = mail.filter((m) => !m.read_at).length;
    el.querySelector('.count').textContent = `${unread} unread · ${mail.length} in the inbox`;
    if (mail.length === 0) return fill(host, h('p.empty', 'No mail for the overseer.'));
    const current = mail.find((m) => m.id === selected);
    fill(
      host,
      h(
        'ul.inbox',
        mail
          .slice(0, 50)
          .map((m) =>
            h(
              'li',
              { class: [m.read_at ? '' : 'unread', m.id === selected ? 'sel' : ''].join(' ') },
              h(
                'button.mail-item',
                { type: 'button', onclick: () => openMail(m), dataset: { mail: m.id } },
                h('span.from', m.from),
                h('span.subject', m.subject),
                h('span.when.muted', ago(m.created_at)),
              ),
            ),
          ),
      ),
      current ? reader(current) : h('div.reader.empty', 'Choose a message to read it.'),
    );
  });

  return {
    async refresh() {
      mail = (await get('/api/mail')).mail ?? [];
      draw();
    },
  };
}
