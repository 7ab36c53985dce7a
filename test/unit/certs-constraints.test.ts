// The local CA is name-constrained (RFC 5280 §4.2.1.10): checked with `openssl verify`, the server's own leaf
// verifies, while a leaf for any other name (or an IP address, or for an IP-address server any DNS name) signed with
// the same ca.key does not. A data folder with a CA made before the constraints (or for another domain) gets a new,
// constrained CA and leaf at start, with a warning that names the old and the new fingerprint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { ensureCertificates, type CertBundle } from '../../server/certs/index.js';
import type { CaMaterial } from '../../server/certs/ca.js';
import { createLeaf } from '../../server/certs/leaf.js';
import { serverIdentity } from '../../server/certs/names.js';
import { OID_NAME_CONSTRAINTS } from '../../server/certs/constraints.js';
import { generateRsaKey, randomSerialHex } from '../../server/certs/keys.js';
import { toLf } from '../../server/certs/describe.js';

const run = promisify(execFile);
const DOMAIN = 'office.example';
let root: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-nc-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** `openssl verify -purpose sslserver` of `leafPem` against `caPem` as the only trust anchor: ok, or openssl's reason. */
async function opensslVerify(caPem: string, leafPem: string): Promise<{ ok: boolean; output: string }> {
  const dir = await fs.mkdtemp(path.join(root, 'verify-'));
  await fs.writeFile(path.join(dir, 'ca.pem'), caPem);
  await fs.writeFile(path.join(dir, 'leaf.pem'), leafPem);
  try {
    const { stdout, stderr } = await run('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'leaf.pem')]);
    return { ok: /: OK\s*$/.test(stdout), output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function caMaterialOf(bundle: CertBundle, keyPem: string): CaMaterial {
  return {
    cert: forge.pki.certificateFromPem(bundle.caCertPem),
    privateKey: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
    certPem: bundle.caCertPem,
    keyPem,
  };
}

/** A CA as Parley made it before the constraints: the same extensions, without nameConstraints. */
async function unconstrainedCa(): Promise<CaMaterial> {
  const key = await generateRsaKey(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const dn = [{ name: 'organizationName', value: 'Parley' }, { name: 'commonName', value: `Parley local CA (${DOMAIN}) OLD00000` }];
  cert.setSubject(dn);
  cert.setIssuer(dn);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return { cert, privateKey: key.privateKey, certPem: toLf(forge.pki.certificateToPem(cert)), keyPem: key.keyPem };
}

test('a domain server: its own leaf verifies; a leaf for another site or an IP address, signed by the same CA, does not', async () => {
  const dir = path.join(root, 'domain');
  const bundle = await ensureCertificates(dir, DOMAIN);
  const ca = forge.pki.certificateFromPem(bundle.caCertPem);
  const ext = (ca.extensions as Array<{ id: string; critical: boolean }>).find((e) => e.id === OID_NAME_CONSTRAINTS);
  assert.ok(ext, 'the CA has nameConstraints');
  assert.equal(ext.critical, true, 'critical');
  const { stdout: text } = await run('openssl', ['x509', '-noout', '-ext', 'nameConstraints', '-in', path.join(dir, 'ca.pem')]);
  assert.match(text, /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:office\.example\s+Excluded:\s+IP:0\.0\.0\.0\/0\.0\.0\.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/);

  const own = await opensslVerify(bundle.caCertPem, bundle.certPem);
  assert.equal(own.ok, true, own.output);

  const caMaterial = caMaterialOf(bundle, await fs.readFile(path.join(dir, 'ca.key'), 'utf8'));
  for (const name of ['bank.example', 'example.org', 'xoffice.example', '203.0.113.7']) {
    const rogue = await createLeaf(caMaterial, serverIdentity(name), new Date());
    const r = await opensslVerify(bundle.caCertPem, rogue.certPem);
    assert.equal(r.ok, false, `a leaf for ${name} must not verify: ${r.output}`);
    assert.match(r.output, /(permitted|excluded) subtree violation/, name);
  }
  // Names below the domain are the server's own (conference., upload.) and stay allowed.
  const sub = await createLeaf(caMaterial, serverIdentity(`chat.${DOMAIN}`), new Date());
  assert.equal((await opensslVerify(bundle.caCertPem, sub.certPem)).ok, true);
});

test('an IP-address server: its own leaf verifies; a leaf for any DNS name or another address does not', async () => {
  const dir = path.join(root, 'ip');
  const bundle = await ensureCertificates(dir, '192.0.2.10');
  const own = await opensslVerify(bundle.caCertPem, bundle.certPem);
  assert.equal(own.ok, true, own.output);
  const caMaterial = caMaterialOf(bundle, await fs.readFile(path.join(dir, 'ca.key'), 'utf8'));
  for (const name of ['bank.example', '192.0.2.11', '2001:db8::1']) {
    const rogue = await createLeaf(caMaterial, serverIdentity(name), new Date());
    const r = await opensslVerify(bundle.caCertPem, rogue.certPem);
    assert.equal(r.ok, false, `a leaf for ${name} must not verify: ${r.output}`);
  }
});

test('an existing unconstrained CA is replaced at start, with a warning naming both fingerprints; a domain change does the same', async () => {
  const dir = path.join(root, 'old');
  await fs.mkdir(dir, { recursive: true });
  const old = await unconstrainedCa();
  const oldLeaf = await createLeaf(old, serverIdentity(DOMAIN), new Date());
  await fs.writeFile(path.join(dir, 'ca.pem'), old.certPem);
  await fs.writeFile(path.join(dir, 'ca.key'), old.keyPem, { mode: 0o600 });
  await fs.writeFile(path.join(dir, 'server.pem'), oldLeaf.certPem);
  await fs.writeFile(path.join(dir, 'server.key'), oldLeaf.keyPem, { mode: 0o600 });
  const oldFingerprint = new X509Certificate(old.certPem).fingerprint256;

  const said: string[] = [];
  const bundle = await ensureCertificates(dir, DOMAIN, { onProgress: (s) => said.push(s) });
  assert.notEqual(bundle.caFingerprintSha256, oldFingerprint, 'a new CA');
  assert.notEqual(bundle.fingerprintSha256, new X509Certificate(oldLeaf.certPem).fingerprint256, 'and a new leaf from it');
  const warning = said.find((s) => s.startsWith('Warning:')) ?? '';
  assert.match(warning, /replaced its local certificate authority because it is not limited to this server’s names/);
  assert.ok(warning.includes(oldFingerprint) && warning.includes(bundle.caFingerprintSha256), warning);
  assert.match(warning, /install the new certificate authority on them .*remove the old certificate authority from every device/);
  assert.equal((await opensslVerify(bundle.caCertPem, bundle.certPem)).ok, true);
  assert.equal((await fs.readFile(path.join(dir, 'ca.pem'), 'utf8')).trim(), bundle.caCertPem.trim(), 'saved');

  const again: string[] = [];
  const same = await ensureCertificates(dir, DOMAIN, { onProgress: (s) => again.push(s) });
  assert.equal(same.caFingerprintSha256, bundle.caFingerprintSha256, 'a constrained CA stays');
  assert.deepEqual(again, []);

  const moved: string[] = [];
  const other = await ensureCertificates(dir, 'chat.example.org', { onProgress: (s) => moved.push(s) });
  assert.notEqual(other.caFingerprintSha256, bundle.caFingerprintSha256, 'the old CA cannot vouch for the new domain');
  assert.match(moved.find((s) => s.startsWith('Warning:')) ?? '', /because it is limited to other names than chat\.example\.org/);
  assert.equal((await opensslVerify(other.caCertPem, other.certPem)).ok, true);
});
