import { describe, expect, it } from 'vitest';
import { checkLoginId } from './login-id.ts';

describe('checkLoginId', () => {
  it('accepts letters, digits, dot, dash and underscore, normalised to lower case', () => {
    expect(checkLoginId('Claire.Martin_75-b')).toEqual({ loginId: 'claire.martin_75-b', problems: [] });
  });

  it('needs at least 8 characters', () => {
    expect(checkLoginId('cmartin').problems).toEqual([{ field: 'loginId', reason: 'Use at least 8 characters.' }]);
    expect(checkLoginId('cmartin7').problems).toEqual([]);
  });

  it('allows at most 64 characters', () => {
    expect(checkLoginId('a'.repeat(64)).problems).toEqual([]);
    expect(checkLoginId('a'.repeat(65)).problems).toEqual([{ field: 'loginId', reason: 'Use at most 64 characters.' }]);
  });

  it('refuses spaces, accents and other characters', () => {
    for (const id of ['claire martin', 'hélène1985', 'claire@martin', 'claire+martin', 'cmartin\u0000x']) {
      expect(checkLoginId(id).problems.map((p) => p.reason), id).toEqual(['Use only letters without accents (a-z), digits, and the characters . - _']);
    }
  });

  it('reports every problem at once', () => {
    expect(checkLoginId('é').problems).toHaveLength(2);
  });
});
