// The embedded example `gt demo` runs: a tiny project, its test gate, and six beads (with dependencies) whose
// descriptions carry the sim agent's action scripts (data only).

export interface DemoBead {
  key: string;
  title: string;
  /** What the bead asks for, ending with the sim agent's script. */
  description: string;
  priority: number;
  /** Keys of the beads this one waits for. */
  after: string[];
}

export const SAMPLE_FILES: Readonly<Record<string, string>> = {
  'README.md': '# greeter\n\nA tiny library the demo agents extend.\n',
  'package.json': '{\n  "name": "greeter",\n  "version": "0.1.0",\n  "type": "commonjs"\n}\n',
  'test.js': [
    "// The project's test gate: every module loads and its self-check passes.",
    "const fs = require('fs');",
    "for (const f of fs.existsSync('src') ? fs.readdirSync('src') : []) {",
    "  const m = require('./src/' + f);",
    "  if (typeof m.check === 'function' && !m.check()) throw new Error(f + ' failed its check');",
    '}',
    "console.log('all checks passed');",
    '',
  ].join('\n'),
};

/** The rig's gate: run the project's tests. */
export const SAMPLE_TEST_GATE = 'node test.js';

const sim = (lines: string[]): string => ['', '```sim', ...lines, '```', ''].join('\n');

export const DEMO_BEADS: readonly DemoBead[] = [
  {
    key: 'greet',
    title: 'Add the greet function',
    priority: 1,
    after: [],
    description:
      'greet(name) returns "Hello, <name>!".' +
      sim([
        "write src/greet.js \"exports.greet = (name) => `Hello, ${name}!`;\\nexports.check = () => exports.greet('Ann') === 'Hello, Ann!';\\n\"",
      ]),
  },
  {
    key: 'farewell',
    title: 'Add the farewell function',
    priority: 1,
    after: [],
    description:
      'farewell(name) returns "Goodbye, <name>.".' +
      sim([
        "write src/farewell.js \"exports.farewell = (name) => `Goodbye, ${name}.`;\\nexports.check = () => exports.farewell('Ann') === 'Goodbye, Ann.';\\n\"",
      ]),
  },
  {
    key: 'shout',
    title: 'Add the shout option',
    priority: 2,
    after: ['greet'],
    description:
      'shout(text) upper-cases a greeting.' +
      sim([
        "write src/shout.js \"exports.shout = (text) => text.toUpperCase();\\nexports.check = () => exports.shout('hi') === 'HI';\\n\"",
      ]),
  },
  {
    key: 'cli',
    title: 'Add a command-line entry point',
    priority: 2,
    after: ['greet', 'farewell'],
    description:
      'bin.js prints a greeting and a farewell for its argument.' +
      sim([
        "write bin.js \"const { greet } = require('./src/greet');\\nconst { farewell } = require('./src/farewell');\\nconst who = process.argv[2] || 'world';\\nconsole.log(greet(who));\\nconsole.log(farewell(who));\\n\"",
      ]),
  },
  {
    key: 'docs',
    title: 'Document the API in the README',
    priority: 3,
    after: ['cli'],
    description:
      'Describe greet, farewell, shout and the command line.' +
      sim([
        'append README.md "\\n## API\\n\\n- greet(name)\\n- farewell(name)\\n- shout(text)\\n\\nCommand line: node bin.js <name>\\n"',
      ]),
  },
  {
    key: 'changelog',
    title: 'Start a changelog',
    priority: 3,
    after: [],
    description:
      'A CHANGELOG.md with an entry for 0.1.0.' +
      sim(['write CHANGELOG.md "# Changelog\\n\\n## 0.1.0\\n\\n- greet, farewell, shout and a command line\\n"']),
  },
];

/** A file each demo bead leaves on main, to check the whole convoy landed. */
export const DEMO_EXPECTED_FILES: readonly string[] = [
  'src/greet.js',
  'src/farewell.js',
  'src/shout.js',
  'bin.js',
  'CHANGELOG.md',
];
