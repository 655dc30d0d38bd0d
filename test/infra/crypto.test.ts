// Personal data sealed at rest: what is sealed opens again (any length, any script), only in its own place, and
// values sealed by earlier versions of the bot still open.
import { describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';

const cipher = new PersonalDataCipher(devDataKeys('test'));

describe('the personal-data cipher', () => {
  it('opens what it sealed, whatever its length and script', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 17, 100, 2000]) {
      const text = `${'é𝄞ɛɔ '.repeat(length)}${'a'.repeat(length % 7)}`;
      const sealed = cipher.seal(text, '{kf}:session:abc');
      expect(sealed).toMatch(/^k1\.dev\.[\w-]+\.[\w-]+\.[\w-]*$/);
      expect(sealed).not.toContain('é');
      expect(cipher.open(sealed, '{kf}:session:abc')).toBe(text);
    }
  });

  it('does not open a value moved to another place', () => {
    const sealed = cipher.seal('{"v":1}', '{kf}:session:abc');
    expect(() => cipher.open(sealed, '{kf}:session:xyz')).toThrow();
  });

  it('opens a value sealed by an earlier version', () => {
    const stored =
      'k1.dev.BwcHBwcHBwcHBwcH.Z_g0dCZByfbgZZsAki07kQ.J8jn0SOn0a8rsb0x2KI0n-Za2HshXjbEQwLmcKxAPi6NmPL9ZXln8SfhbFOaXKIdRA5ZMQ';
    expect(cipher.open(stored, '{kf}:session:abc')).toBe('{"v":1,"lang":"bm","vars":{"need":"ɲɛ́ 𝄞 é"}}');
  });
});
