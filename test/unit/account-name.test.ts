// The one reading of an account name a person typed (server/accounts/username.ts): name or name@domain, PRECIS
// prepared (CORE-36, BAD-31), other domains refused with what was written kept for the front end's sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountName, AccountAddressError } from '../../server/accounts/username.js';

const refusal = (input: unknown): AccountAddressError => {
  try {
    accountName(input, 'office.local');
  } catch (err) {
    if (err instanceof AccountAddressError) return err;
    throw err;
  }
  assert.fail(`${String(input)} was accepted`);
};

test('a name or an address at the domain is the same account, case-folded and trimmed', () => {
  assert.equal(accountName('Juliet', 'office.local'), 'juliet');
  assert.equal(accountName('  juliet@Office.Local ', 'office.local'), 'juliet');
});

test('empty, other-domain and unpreparable names are refused with the reason and what was written', () => {
  assert.equal(refusal('').reason, 'empty');
  assert.equal(refusal(42).reason, 'empty');
  assert.equal(refusal('@office.local').reason, 'invalid');
  const withResource = refusal('carol@office.local/phone');
  assert.deepEqual([withResource.reason, withResource.resource], ['resource', 'phone']);
  const other = refusal('carol@example.org');
  assert.deepEqual([other.reason, other.localAsWritten, other.input], ['other-domain', 'carol', 'carol@example.org']);
  assert.equal(refusal('a b').reason, 'invalid');
});
