// The polecat name pool: the Go original's Mad Max theme, handed out in order; freed names are reused first.
// No pool name starts with a role word (see polecatNameProblem in src/town/names.ts).

/** About fifty names from the Mad Max films, in the order they are handed out. */
export const POLECAT_NAMES: readonly string[] = [
  'furiosa',
  'nux',
  'slit',
  'rictus',
  'toast',
  'capable',
  'dag',
  'cheedo',
  'ace',
  'max',
  'splendid',
  'immortan',
  'morsov',
  'keeper',
  'valkyrie',
  'corpus',
  'scabrous',
  'organic',
  'gastown',
  'bullet',
  'doof',
  'warboy',
  'imperator',
  'praetorian',
  'vuvalini',
  'miss-giddy',
  'jackie',
  'praetor',
  'dementus',
  'scrotus',
  'chumbucket',
  'humungus',
  'wez',
  'toadie',
  'pappagallo',
  'gyro',
  'feral',
  'savannah',
  'mudhead',
  'aunty',
  'ironbar',
  'blackfinger',
  'pigkiller',
  'goose',
  'fifi',
  'toecutter',
  'nightrider',
  'cundalini',
  'bubba',
  'jessie',
];

/** The first pool name not in `taken`; past the pool, `polecat-<n>` with the smallest free n. */
export function nextPolecatName(taken: ReadonlySet<string>): string {
  const free = POLECAT_NAMES.find((n) => !taken.has(n));
  if (free) return free;
  for (let n = POLECAT_NAMES.length + 1; ; n++) if (!taken.has(`polecat-${n}`)) return `polecat-${n}`;
}

export { polecatNameProblem, validatePolecatName, ROLE_WORDS } from '../../town/names.ts';

/** The branch a polecat works on for a bead. */
export function polecatBranch(name: string, bead: string): string {
  return `polecat/${name}/${bead}`;
}
