// The part of the bash and zsh scripts they share: the command tree as shell functions, and the completion logic
// in plain POSIX sh (zsh runs it under `emulate -L sh`), so both shells complete exactly alike.
import type { CommandSpec, ValueSpec } from './tree.ts';

const SAFE = /^[A-Za-z0-9_.:@|=,+/-]+$/;

/** Words safe to put inside single quotes in any shell; anything else is left out of the script. */
export function safeWords(words: readonly string[]): string[] {
  return words.filter((w) => SAFE.test(w));
}

/** A value spec as one word: '-' stands for "nothing to offer" so positional specs keep their places. */
export const specWord = (s: ValueSpec): string => (s === '' ? '-' : s.startsWith('...') ? `-${s}` : s);

function caseFunction(name: string, rows: readonly [string, string[]][]): string {
  const arms = rows
    .filter(([, words]) => words.length > 0)
    .map(([key, words]) => `    '${key}') printf '%s\\n' '${safeWords(words).join(' ')}' ;;`);
  return [`${name}() {`, '  case "$1" in', ...arms, '  esac', '}'].join('\n');
}

export function treeFunctions(specs: readonly CommandSpec[]): string {
  const keyOf = (...parts: string[]): string => parts.filter(Boolean).join(' ');
  return [
    caseFunction(
      '__gt_subcommands',
      specs.map((s) => [s.key, s.subcommands]),
    ),
    caseFunction(
      '__gt_options',
      specs.map((s) => [s.key, s.options]),
    ),
    caseFunction(
      '__gt_value_options',
      specs.map((s) => [s.key, s.valueOptions]),
    ),
    caseFunction(
      '__gt_option_values',
      specs.flatMap((s) =>
        Object.entries(s.optionValues).map(([flag, v]): [string, string[]] => [keyOf(s.key, flag), v ? [v] : []]),
      ),
    ),
    caseFunction(
      '__gt_arguments',
      specs.map((s) => [s.key, s.arguments.map(specWord)]),
    ),
  ].join('\n\n');
}

/** The completion logic: `__gt_candidates <current word> <words before it, after gt>` prints candidates, one a line. */
export const POSIX_CORE = String.raw`__gt_lines() {
  for __gt_x in "$@"; do printf '%s\n' "$__gt_x"; done
}

__gt_values() {
  case "$1" in
    '' | - | -...) ;;
    @*) "${'$'}{__gt_prog:-gt}" __complete "${'$'}{1#@}" 2>/dev/null ;;
    *) printf '%s\n' "$1" | tr '|' '\n' ;;
  esac
}

__gt_is_one_of() {
  __gt_needle=$1
  shift
  for __gt_x in "$@"; do [ "$__gt_x" = "$__gt_needle" ] && return 0; done
  return 1
}

__gt_candidates() {
  [ -n "${'$'}{ZSH_VERSION-}" ] && emulate -L sh
  local cur cmdpath npos want w spec i
  cur=$1
  shift
  cmdpath=''
  npos=0
  want=''
  for w in "$@"; do
    if [ -n "$want" ]; then want=''; continue; fi
    case "$w" in
      --*=*) ;;
      -*) if __gt_is_one_of "$w" $(__gt_value_options "$cmdpath"); then want=$w; fi ;;
      *)
        if [ "$npos" = 0 ] && __gt_is_one_of "$w" $(__gt_subcommands "$cmdpath"); then
          cmdpath=${'$'}{cmdpath:+$cmdpath }$w
        else
          npos=$((npos + 1))
        fi ;;
    esac
  done
  if [ -n "$want" ]; then
    __gt_values "$(__gt_option_values "${'$'}{cmdpath:+$cmdpath }$want")"
    return 0
  fi
  case "$cur" in
    -*) __gt_lines $(__gt_options "$cmdpath"); return 0 ;;
  esac
  if [ "$npos" = 0 ] && [ -n "$(__gt_subcommands "$cmdpath")" ]; then
    __gt_lines $(__gt_subcommands "$cmdpath")
    return 0
  fi
  spec=''
  i=0
  for w in $(__gt_arguments "$cmdpath"); do
    spec=$w
    [ "$i" = "$npos" ] && break
    i=$((i + 1))
  done
  if [ "$i" != "$npos" ]; then
    case "$spec" in *...) ;; *) return 0 ;; esac
  fi
  __gt_values "${'$'}{spec%...}"
}`;
