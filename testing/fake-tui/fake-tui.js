#!/usr/bin/env node
// A stand-in for an agent's TUI in tests: raw-mode input echoed on a prompt line; Enter appends the line to a log
// file and shows a busy spinner for a while, during which input is not read (as agents do while they think).
// With --screen, it shows that file instead (a login screen, say) and never reaches its prompt, as a runtime
// waiting for a person does.
// Usage: node fake-tui.js --log <file> [--busy-ms <n>] [--prompt <text>] [--screen <file>]
import { appendFileSync, readFileSync } from 'node:fs';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    log: { type: 'string' },
    'busy-ms': { type: 'string', default: '0' },
    prompt: { type: 'string', default: '> ' },
    screen: { type: 'string' },
  },
});
if (!values.log) {
  process.stderr.write('fake-tui: --log <file> is required\n');
  process.exit(2);
}
const log = values.log;
const busyMs = Number(values['busy-ms']);
const prompt = values.prompt;
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const out = (s) => process.stdout.write(s);

let line = '';

function submit() {
  const text = line;
  line = '';
  out('\r\n');
  if (text.trim() !== '') appendFileSync(log, `${text}\n`);
  if (busyMs > 0 && text.trim() !== '') busy();
  else out(prompt);
}

let pending = '';
let isBusy = false;

function busy() {
  isBusy = true;
  process.stdin.pause();
  let i = 0;
  out(`working ${SPINNER[0]} (esc to interrupt)`);
  const timer = setInterval(() => out(`\rworking ${SPINNER[++i % SPINNER.length]} (esc to interrupt)`), 80);
  setTimeout(() => {
    clearInterval(timer);
    out(`\r\x1b[K${prompt}`);
    isBusy = false;
    const rest = pending;
    pending = '';
    onInput(rest);
    if (!isBusy) process.stdin.resume();
  }, busyMs);
}

function onInput(chunk) {
  // Escape sequences (arrows, bracketed-paste markers) are not text; drop them whole.
  // eslint-disable-next-line no-control-regex
  const chars = [...chunk.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]?/g, '')];
  for (let i = 0; i < chars.length; i++) {
    if (isBusy) {
      // Enter started a busy period: the rest of this chunk waits, as unread input would.
      pending += chars.slice(i).join('');
      return;
    }
    const ch = chars[i];
    if (ch === '\r' || ch === '\n') submit();
    else if (ch === '\x7f' || ch === '\b') {
      if (line.length > 0) {
        line = [...line].slice(0, -1).join('');
        out('\b \b');
      }
    } else if (ch === '\x03') {
      line = '';
      out('^C\r\n' + prompt);
    } else if (ch >= ' ') {
      line += ch;
      out(ch);
    }
  }
}

process.stdin.setRawMode?.(true);
process.stdin.setEncoding('utf8');
if (values.screen) {
  // Waits on its screen for good: input is logged but changes nothing.
  out(readFileSync(values.screen, 'utf8').replace(/\r?\n/g, '\r\n'));
  process.stdin.on('data', (d) => appendFileSync(log, d));
} else {
  process.stdin.on('data', onInput);
  out(prompt);
}
