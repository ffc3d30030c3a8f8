// The errors of the formula layer: an invalid file names its path first, so the message alone says where to look.
import { GtError } from '../../kernel/index.ts';

export function formulaError(path: string, message: string, code = 'BD_FORMULA_INVALID'): GtError {
  return new GtError(code, `${path}: ${message}`, {
    hint: 'fix the formula file; docs/formats/formula-toml.md describes the format',
  });
}
