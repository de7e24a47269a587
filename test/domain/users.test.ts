import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/domain/passwords.js';
import { DUMMY_HASH } from '../../src/domain/users.js';

describe('the hash an unknown username is checked against', () => {
  it('costs what a real password hash costs (same scheme and scrypt parameters), so timing does not tell which usernames exist', () => {
    const params = (hash: string) => hash.split('$').slice(0, 4);
    expect(params(DUMMY_HASH)).toEqual(params(hashPassword('any password')));
    // A well-formed hash: the comparison runs scrypt instead of returning at once.
    const [, , , , salt, hash] = DUMMY_HASH.split('$');
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
    expect(verifyPassword('a guess', DUMMY_HASH)).toBe(false);
  });
});
