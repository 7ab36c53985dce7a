// XEP-0115 §5 verification strings against the specification's own examples (§5.2 simple, §5.3 complex), and the
// §5.4 refusals (PEP-07).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import { capsVer, verificationString } from '../../server/modules/caps/hash.js';

const q = (xml: string) => ltx.parse(`<query xmlns='http://jabber.org/protocol/disco#info'>${xml}</query>`) as ltx.Element;

test('PEP-07: the simple example of XEP-0115 §5.2 hashes to QgayPKawpkPSDYmwT/WM94uAlu0=', () => {
  const info = q(`<identity category='client' type='pc' name='Exodus 0.9.1'/><feature var='http://jabber.org/protocol/caps'/>`
    + `<feature var='http://jabber.org/protocol/disco#info'/><feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/muc'/>`);
  assert.equal(capsVer(info, 'sha-1'), 'QgayPKawpkPSDYmwT/WM94uAlu0=');
});

test('PEP-07: the complex example of XEP-0115 §5.3 (languages, a form) hashes to q07IKJEyjvHSyhy//CH0CxmKi8w=', () => {
  const info = q(`<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/><identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>`
    + `<feature var='http://jabber.org/protocol/caps'/><feature var='http://jabber.org/protocol/disco#info'/><feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/muc'/>`
    + `<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>`
    + `<field var='ip_version'><value>ipv4</value><value>ipv6</value></field><field var='os'><value>Mac</value></field><field var='os_version'><value>10.5.1</value></field>`
    + `<field var='software'><value>Psi</value></field><field var='software_version'><value>0.11</value></field></x>`);
  assert.equal(capsVer(info, 'sha-1'), 'q07IKJEyjvHSyhy//CH0CxmKi8w=');
});

test('PEP-07: duplicate features or identities, and an unknown hash, cannot be verified (§5.4)', () => {
  assert.equal(verificationString(q(`<feature var='a'/><feature var='a'/>`)), null);
  assert.equal(verificationString(q(`<identity category='c' type='t'/><identity category='c' type='t'/>`)), null);
  assert.equal(capsVer(q(`<feature var='a'/>`), 'md5'), null);
});
