import { describe, expect, it } from 'vitest';
import { addressFromRole } from './whoami.ts';

describe('addressFromRole', () => {
  it('builds the address each role has', () => {
    expect(addressFromRole('mayor', undefined, undefined)).toBe('mayor');
    expect(addressFromRole('polecat', 'app', 'toast')).toBe('app/toast');
    expect(addressFromRole('crew', 'app', 'alice')).toBe('app/crew/alice');
    expect(addressFromRole('witness', 'app', undefined)).toBe('app/witness');
  });

  it('names what is missing or wrong', () => {
    expect(() => addressFromRole('polecat', 'app', undefined)).toThrow(/GT_NAME is not set/);
    expect(() => addressFromRole('crew', undefined, 'alice')).toThrow(/GT_RIG is not set/);
    expect(() => addressFromRole('janitor', 'app', 'x')).toThrow(/GT_ROLE "janitor" is not a role/);
  });
});
