// Split a configured command line ("claude-glm --model 'glm 4'") into words with POSIX shell quoting rules.
// No shell runs it, so shell syntax that would need one (variables, pipes, redirections) is refused, not ignored.
import { GtError } from '../kernel/index.ts';

export interface ParsedCommandLine {
  /** Leading NAME=value words, as a shell would apply them to the command's environment. */
  env: Record<string, string>;
  argv: string[];
}

const SHELL_ONLY = new Set(['$', '`', '|', ';', '&', '<', '>', '(', ')']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

function refuse(line: string, why: string, hint: string): GtError {
  return new GtError('AGENT_BAD_COMMAND', `agent command ${JSON.stringify(line)}: ${why}`, { hint, kind: 'usage' });
}

/** Words of `line`: whitespace separates; '…' is literal; "…" allows \\ \" \$ \` escapes; \ escapes outside quotes. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const quoteHint = 'put the character inside single quotes to pass it literally';
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw refuse(line, 'unterminated single quote', 'close the quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw refuse(line, 'unterminated double quote', 'close the quote');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '\\"$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') throw refuse(line, `"${d}" inside double quotes would need a shell`, quoteHint);
        word += d;
        i++;
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw refuse(line, 'ends with a lone backslash', 'remove it or escape it as \\\\');
      if (line[i + 1] !== '\n') word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (SHELL_ONLY.has(c)) {
      throw refuse(line, `"${c}" is shell syntax and no shell runs agent commands`, quoteHint);
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Split a command line and separate leading NAME=value environment words from the program and its arguments. */
export function parseCommandLine(line: string): ParsedCommandLine {
  const words = splitCommandLine(line);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i++) {
    const m = ASSIGNMENT.exec(words[i]!);
    if (!m) break;
    env[m[1]!] = words[i]!.slice(m[0].length);
  }
  const argv = words.slice(i);
  if (argv.length === 0)
    throw refuse(line, 'names no program', 'give the program first, e.g. "claude-glm --model glm-4"');
  return { env, argv };
}
