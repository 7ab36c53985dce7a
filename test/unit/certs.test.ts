import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import {
  describeCertificate,
  ensureCertificates,
  importCertificate,
  loadCertificates,
  type CertBundle,
} from '../../server/certs/index.js';

const DOMAIN = 'example.org';
const DAY = 24 * 60 * 60 * 1000;
const STEP_CA = 'Creating the local certificate authority';
const STEP_LEAF = 'Creating the server certificate';
const STEP_SAVE = 'Saving';

let root: string;
let baseDir: string;
let base: CertBundle;
let baseSteps: string[];
let baseStarted: number;
let firstRunMs: number;
let copies = 0;

/** A copy of the first install, so tests that change files need not make a new CA. */
async function copyOfBase(): Promise<string> {
  const dir = path.join(root, `copy-${++copies}`);
  await fs.cp(baseDir, dir, { recursive: true });
  return dir;
}

async function freshDir(): Promise<string> {
  return fs.mkdtemp(path.join(root, 'fresh-'));
}

function forgeExtension(pem: string, name: string): Record<string, unknown> {
  const ext = forge.pki.certificateFromPem(pem).getExtension(name);
  assert.ok(ext, `certificate has a ${name} extension`);
  return ext as Record<string, unknown>;
}

/** The key identifier bytes in a parsed SKI or AKI extension, as hex. */
function keyIdHex(ext: Record<string, unknown>, kind: 'ski' | 'aki'): string {
  const node = forge.asn1.fromDer(ext.value as string);
  const inner = kind === 'ski' ? node : (node.value as forge.asn1.Asn1[])[0]!;
  return forge.util.bytesToHex(inner.value as string);
}

function steps(): { list: string[]; onProgress: (s: string) => void } {
  const list: string[] = [];
  return { list, onProgress: (s) => list.push(s) };
}

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-certs-'));
  baseDir = path.join(root, 'base', 'certs'); // parent does not exist yet either
  const s = steps();
  baseSteps = s.list;
  baseStarted = Date.now();
  base = await ensureCertificates(baseDir, DOMAIN, { onProgress: s.onProgress });
  firstRunMs = Date.now() - baseStarted;
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('first run', () => {
  test('creates the CA and the server certificate, reporting each step', async (t) => {
    assert.deepEqual(baseSteps, [STEP_CA, STEP_LEAF, STEP_SAVE]);
    const names = (await fs.readdir(baseDir)).sort();
    assert.deepEqual(names, ['ca.key', 'ca.pem', 'server.key', 'server.pem']);
    assert.equal(base.domain, DOMAIN);
    assert.equal((await fs.readFile(path.join(baseDir, 'server.pem'), 'utf8')).trim(), base.certPem.trim());
    assert.equal((await fs.readFile(path.join(baseDir, 'ca.pem'), 'utf8')).trim(), base.caCertPem.trim());
    assert.equal((await fs.readFile(path.join(baseDir, 'server.key'), 'utf8')).trim(), base.keyPem.trim());
    t.diagnostic(`first-time generation took ${firstRunMs} ms`);
  });

  test('keeps the directory and the keys private', { skip: process.platform === 'win32' }, async () => {
    const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;
    assert.equal(await mode(baseDir), 0o700);
    assert.equal(await mode(path.join(baseDir, 'ca.key')), 0o600);
    assert.equal(await mode(path.join(baseDir, 'server.key')), 0o600);
    assert.equal((await mode(path.join(baseDir, 'server.pem'))) & 0o022, 0);
  });

  test('the leaf names the domain, its MUC and upload hosts, XmppAddr and SRV-IDs', () => {
    const leaf = new X509Certificate(base.certPem);
    const san = leaf.subjectAltName ?? '';
    for (const name of [DOMAIN, `conference.${DOMAIN}`, `upload.${DOMAIN}`]) {
      assert.ok(san.includes(`DNS:${name}`), `SAN has DNS:${name}: ${san}`);
      assert.equal(leaf.checkHost(name), name);
    }
    assert.equal(leaf.checkHost('other.example'), undefined);
    assert.equal(leaf.checkHost(`evil.${DOMAIN}`), undefined);
    assert.match(san, new RegExp(`othername:\\s?XmppAddr:${DOMAIN.replace('.', '\\.')}`));
    assert.ok(san.includes(`_xmpp-client.${DOMAIN}`), san);
    assert.ok(san.includes(`_xmpp-server.${DOMAIN}`), san);
    assert.deepEqual(base.dnsNames, [DOMAIN, `conference.${DOMAIN}`, `upload.${DOMAIN}`]);
  });

  test('the leaf is issued and signed by the CA', () => {
    const leaf = new X509Certificate(base.certPem);
    const ca = new X509Certificate(base.caCertPem);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca));
    assert.ok(leaf.verify(ca.publicKey));
    assert.ok(ca.checkIssued(ca), 'CA is self-issued');
    assert.ok(ca.verify(ca.publicKey), 'CA is self-signed');
    assert.ok(!ca.checkIssued(leaf));
  });

  test('CA and leaf have the required extensions, serial and signature', () => {
    const caBc = forgeExtension(base.caCertPem, 'basicConstraints');
    assert.equal(caBc.cA, true);
    assert.equal(caBc.critical, true);
    assert.equal(caBc.pathLenConstraint, 0);
    const caKu = forgeExtension(base.caCertPem, 'keyUsage');
    assert.equal(caKu.critical, true);
    assert.equal(caKu.keyCertSign, true);
    assert.equal(caKu.cRLSign, true);
    assert.equal(caKu.digitalSignature, false);
    const ski = keyIdHex(forgeExtension(base.caCertPem, 'subjectKeyIdentifier'), 'ski');
    assert.equal(ski.length, 40);

    const leafBc = forgeExtension(base.certPem, 'basicConstraints');
    assert.equal(leafBc.cA, false);
    const leafKu = forgeExtension(base.certPem, 'keyUsage');
    assert.equal(leafKu.digitalSignature, true);
    assert.equal(leafKu.keyEncipherment, true);
    assert.equal(leafKu.keyCertSign, false);
    const eku = forgeExtension(base.certPem, 'extKeyUsage');
    assert.equal(eku.serverAuth, true);
    assert.equal(eku.clientAuth, true);
    assert.deepEqual(new X509Certificate(base.certPem).keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.equal(keyIdHex(forgeExtension(base.certPem, 'authorityKeyIdentifier'), 'aki'), ski, 'AKI is the CA key id');

    const leaf = new X509Certificate(base.certPem);
    assert.match(leaf.serialNumber, /^[0-9A-F]{32}$/i, '16-byte serial');
    assert.ok(parseInt(leaf.serialNumber.slice(0, 2), 16) < 0x80, 'positive serial');
    assert.notEqual(leaf.serialNumber, new X509Certificate(base.caCertPem).serialNumber);
    const sigOid = forge.pki.certificateFromPem(base.certPem).siginfo.algorithmOid;
    assert.equal(sigOid, forge.pki.oids.sha256WithRSAEncryption);

    const caCn = new X509Certificate(base.caCertPem).subject;
    assert.match(caCn, new RegExp(`CN=Parley local CA \\(${DOMAIN.replace('.', '\\.')}\\) [0-9A-F]{8}`));
  });

  test('fingerprints are those Node computes', () => {
    const leaf = new X509Certificate(base.certPem);
    const ca = new X509Certificate(base.caCertPem);
    assert.equal(base.fingerprintSha256, leaf.fingerprint256);
    assert.equal(base.caFingerprintSha256, ca.fingerprint256);
    assert.match(base.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test('validity: 397 days from an hour ago, within the 398-day limit', () => {
    const leaf = new X509Certificate(base.certPem);
    assert.equal(base.notBefore.getTime(), new Date(leaf.validFrom).getTime());
    assert.equal(base.notAfter.getTime(), new Date(leaf.validTo).getTime());
    const span = base.notAfter.getTime() - base.notBefore.getTime();
    assert.ok(span <= 398 * DAY, `span ${span / DAY} days`);
    assert.equal(span, 397 * DAY);
    const back = baseStarted - base.notBefore.getTime();
    assert.ok(back >= 60 * 60 * 1000 - 1000 && back <= 60 * 60 * 1000 + 60_000, `notBefore ${back} ms back`);
    const ca = new X509Certificate(base.caCertPem);
    const caYears = (new Date(ca.validTo).getTime() - new Date(ca.validFrom).getTime()) / (365.25 * DAY);
    assert.ok(caYears > 9.99 && caYears < 10.01, `CA valid ${caYears} years`);
  });

  test('key sizes: CA RSA 3072, leaf RSA 2048; the key belongs to the leaf', () => {
    const leaf = new X509Certificate(base.certPem);
    const ca = new X509Certificate(base.caCertPem);
    assert.equal(leaf.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
    const key = crypto.createPrivateKey(base.keyPem);
    assert.ok(leaf.checkPrivateKey(key));
    assert.match(base.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  test('describeCertificate reports subject, issuer, names, dates and fingerprint', () => {
    const d = describeCertificate(base.certPem);
    assert.match(d.subject, new RegExp(`CN=${DOMAIN.replace('.', '\\.')}`));
    assert.match(d.issuer, /CN=Parley local CA/);
    assert.deepEqual(d.dnsNames, base.dnsNames);
    assert.equal(d.notBefore.getTime(), base.notBefore.getTime());
    assert.equal(d.notAfter.getTime(), base.notAfter.getTime());
    assert.equal(d.fingerprintSha256, base.fingerprintSha256);
    assert.throws(() => describeCertificate('hello'), /PEM/);
  });

  test('a TLS client that trusts only the CA accepts the server for the domain and conference.domain', async () => {
    const server = tls.createServer({ cert: base.certPem, key: base.keyPem }, (socket) => socket.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const connect = (servername: string) =>
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: [base.caCertPem] }, () => resolve(socket));
        socket.once('error', reject);
      });
    try {
      for (const name of [DOMAIN, `conference.${DOMAIN}`]) {
        const socket = await connect(name);
        assert.equal(socket.authorized, true, `authorized for ${name}`);
        assert.equal(socket.getPeerX509Certificate()?.fingerprint256, base.fingerprintSha256);
        socket.destroy();
      }
      await assert.rejects(connect('other.example'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('later runs', () => {
  test('a second call reuses both certificates', async () => {
    const s = steps();
    const again = await ensureCertificates(baseDir, DOMAIN, { onProgress: s.onProgress });
    assert.deepEqual(s.list, []);
    assert.equal(again.fingerprintSha256, base.fingerprintSha256);
    assert.equal(again.caFingerprintSha256, base.caFingerprintSha256);
    assert.equal(again.keyPem, base.keyPem);
    assert.deepEqual(again, base);
  });

  test('loadCertificates returns what is on disk, or null', async () => {
    assert.deepEqual(await loadCertificates(baseDir), base);
    assert.equal(await loadCertificates(await freshDir()), null);
    assert.equal(await loadCertificates(path.join(root, 'does-not-exist')), null);
  });

  test('the leaf is renewed, with the same CA, when it expires within 30 days', async () => {
    const dir = await copyOfBase();
    const later = new Date(Date.now() + 380 * DAY);
    const s = steps();
    const renewed = await ensureCertificates(dir, DOMAIN, { now: later, onProgress: s.onProgress });
    assert.deepEqual(s.list, [STEP_LEAF, STEP_SAVE]);
    assert.notEqual(renewed.fingerprintSha256, base.fingerprintSha256);
    assert.equal(renewed.caFingerprintSha256, base.caFingerprintSha256);
    assert.equal(renewed.caCertPem, base.caCertPem);
    assert.notEqual(renewed.keyPem, base.keyPem);
    const leaf = new X509Certificate(renewed.certPem);
    assert.ok(leaf.checkIssued(new X509Certificate(base.caCertPem)));
    assert.ok(leaf.verify(new X509Certificate(base.caCertPem).publicKey));
    assert.equal(renewed.notBefore.getTime(), Math.floor((later.getTime() - 60 * 60 * 1000) / 1000) * 1000);
    // and kept on the next start at that time
    const next = await ensureCertificates(dir, DOMAIN, { now: later });
    assert.equal(next.fingerprintSha256, renewed.fingerprintSha256);
  });

  test('renewBeforeDays decides how early', async () => {
    const dir = await copyOfBase();
    const at = new Date(Date.now() + 300 * DAY);
    const kept = await ensureCertificates(dir, DOMAIN, { now: at });
    assert.equal(kept.fingerprintSha256, base.fingerprintSha256);
    const renewed = await ensureCertificates(dir, DOMAIN, { now: at, renewBeforeDays: 120 });
    assert.notEqual(renewed.fingerprintSha256, base.fingerprintSha256);
    assert.equal(renewed.caFingerprintSha256, base.caFingerprintSha256);
    await assert.rejects(ensureCertificates(dir, DOMAIN, { renewBeforeDays: -1 }), RangeError);
  });

  // Changed on purpose with the CA's name constraints (certs-constraints.test.ts): the old CA cannot vouch for
  // the new domain, so a changed domain gets a new CA (with a warning for devices that trusted the old one).
  test('a changed domain gets a new CA limited to it, and a new leaf', async () => {
    const dir = await copyOfBase();
    const s = steps();
    const moved = await ensureCertificates(dir, 'Example.NET.', { onProgress: s.onProgress });
    assert.deepEqual(s.list.map((x) => x.replace(/^Warning: .*/, 'Warning')), [STEP_CA, 'Warning', STEP_LEAF, STEP_SAVE]);
    assert.equal(moved.domain, 'example.net');
    assert.deepEqual(moved.dnsNames, ['example.net', 'conference.example.net', 'upload.example.net']);
    assert.notEqual(moved.caFingerprintSha256, base.caFingerprintSha256);
    const leaf = new X509Certificate(moved.certPem);
    assert.equal(leaf.checkHost('example.net'), 'example.net');
    assert.equal(leaf.checkHost(DOMAIN), undefined);
    assert.ok(leaf.checkIssued(new X509Certificate(moved.caCertPem)));
  });

  test('an IP-literal domain gets an iPAddress SAN', async () => {
    const dir = await copyOfBase();
    const v4 = await ensureCertificates(dir, '192.168.1.20');
    const leaf = new X509Certificate(v4.certPem);
    assert.match(leaf.subjectAltName ?? '', /IP Address:192\.168\.1\.20/);
    assert.equal(leaf.checkIP('192.168.1.20'), '192.168.1.20');
    assert.deepEqual(v4.dnsNames, []);
    assert.equal(v4.domain, '192.168.1.20');
    assert.equal((await loadCertificates(dir))?.domain, '192.168.1.20');
    const v6 = await ensureCertificates(dir, '[::1]');
    assert.equal(v6.domain, '::1');
    assert.equal(new X509Certificate(v6.certPem).checkIP('::1'), '::1');
    assert.equal((await loadCertificates(dir))?.domain, '::1');
    assert.equal((await ensureCertificates(dir, '::1')).fingerprintSha256, v6.fingerprintSha256);
  });

  test('a CA that expires within a year is replaced together with the leaf', async () => {
    const dir = await copyOfBase();
    const s = steps();
    const late = new Date(Date.now() + 9.5 * 365 * DAY);
    const fresh = await ensureCertificates(dir, DOMAIN, { now: late, onProgress: s.onProgress });
    assert.deepEqual(s.list.map((x) => x.replace(/^Warning: .*because it expires within a year.*/, 'Warning')), [STEP_CA, 'Warning', STEP_LEAF, STEP_SAVE]);
    assert.notEqual(fresh.caFingerprintSha256, base.caFingerprintSha256);
    assert.notEqual(fresh.fingerprintSha256, base.fingerprintSha256);
    assert.ok(new X509Certificate(fresh.certPem).checkIssued(new X509Certificate(fresh.caCertPem)));
    assert.ok(new X509Certificate(fresh.certPem).verify(new X509Certificate(fresh.caCertPem).publicKey));
  });

  test('no temporary files are left behind', async () => {
    const dir = await copyOfBase();
    await ensureCertificates(dir, 'example.com');
    const names = await fs.readdir(dir);
    assert.deepEqual(names.filter((n) => n.endsWith('.tmp')), []);
  });

  test('rejects something that is not a domain', async () => {
    await assert.rejects(ensureCertificates(await freshDir(), ''), /not a domain name/);
    await assert.rejects(ensureCertificates(await freshDir(), 'a..b'), /not a domain name/);
    await assert.rejects(ensureCertificates(await freshDir(), '*.example.org'), /not a domain name/);
  });
});

describe('new installs', () => {
  test('concurrent first calls make one CA, which differs from another install', async () => {
    const dir = await freshDir();
    const [a, b] = await Promise.all([ensureCertificates(dir, 'bücher.example'), ensureCertificates(dir, 'bücher.example')]);
    assert.deepEqual(a, b);
    assert.notEqual(a.caFingerprintSha256, base.caFingerprintSha256);
    const caSubject = new X509Certificate(a.caCertPem).subject;
    assert.match(caSubject, /CN=Parley local CA \(bücher\.example\) [0-9A-F]{8}/);
    assert.notEqual(caSubject, new X509Certificate(base.caCertPem).subject.replace(DOMAIN, 'bücher.example'));
    // IDN: DNS-IDs in A-labels; a leaf issued later by the CA as read back from disk still chains
    assert.equal(a.domain, 'xn--bcher-kva.example');
    assert.equal(new X509Certificate(a.certPem).checkHost('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    assert.match(new X509Certificate(a.certPem).subjectAltName ?? '', /XmppAddr:bücher\.example/);
    await fs.rm(path.join(dir, 'server.pem'));
    const moved = await ensureCertificates(dir, 'bücher.example');
    assert.equal(moved.caFingerprintSha256, a.caFingerprintSha256);
    assert.notEqual(moved.fingerprintSha256, a.fingerprintSha256, 'a new leaf');
    const leaf = new X509Certificate(moved.certPem);
    const ca = new X509Certificate(moved.caCertPem);
    assert.ok(leaf.checkIssued(ca), 'issuer DN equals the CA subject byte for byte');
    assert.ok(leaf.verify(ca.publicKey));
  });
});

describe('imported certificates', () => {
  test('a key that does not belong to the certificate is refused', async () => {
    const dir = await copyOfBase();
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(importCertificate(dir, base.certPem, other), /private key does not belong to this certificate/);
    assert.equal(await fs.stat(path.join(dir, 'imported.json')).catch(() => null), null);
    assert.equal((await loadCertificates(dir))?.fingerprintSha256, base.fingerprintSha256);
  });

  test('unreadable input is refused with a message for people', async () => {
    const dir = await freshDir();
    await assert.rejects(importCertificate(dir, 'not a cert', base.keyPem), /PEM format/);
    await assert.rejects(importCertificate(dir, base.certPem, 'not a key'), /private key cannot be read/);
    const locked = crypto
      .createPrivateKey(base.keyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    await assert.rejects(importCertificate(dir, base.certPem, locked), /passphrase/);
    await assert.rejects(importCertificate(dir, base.caCertPem, base.keyPem), /does not belong/);
  });

  test('an imported certificate is used and never replaced automatically', async () => {
    // The "bought" certificate: a leaf made by another Parley install, with its CA as chain.
    const elsewhere = await ensureCertificates(await copyOfBase(), 'chat.example.com');
    const dir = await copyOfBase();
    const imported = await importCertificate(dir, elsewhere.certPem, elsewhere.keyPem, elsewhere.caCertPem);
    assert.equal(imported.fingerprintSha256, elsewhere.fingerprintSha256);
    assert.equal(imported.caFingerprintSha256, elsewhere.caFingerprintSha256);
    assert.equal(imported.domain, 'chat.example.com');
    assert.deepEqual(splitPem(imported.certPem), [...splitPem(elsewhere.certPem), ...splitPem(elsewhere.caCertPem)]);
    assert.ok(JSON.parse(await fs.readFile(path.join(dir, 'imported.json'), 'utf8')));

    const s = steps();
    const later = await ensureCertificates(dir, DOMAIN, { now: new Date(Date.now() + 380 * DAY), onProgress: s.onProgress });
    assert.equal(later.fingerprintSha256, elsewhere.fingerprintSha256, 'not replaced, though expiring and for another domain');
    assert.ok(s.list.length === 2 && s.list.every((w) => w.startsWith('Warning:')), s.list.join(' | '));
    assert.ok(!s.list.includes(STEP_LEAF));
    assert.equal((await loadCertificates(dir))?.fingerprintSha256, elsewhere.fingerprintSha256);

    // The bundle works as it is for a TLS server (chain included in certPem).
    const server = tls.createServer({ cert: later.certPem, key: later.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const sock = tls.connect(
          { host: '127.0.0.1', port, servername: 'chat.example.com', ca: [elsewhere.caCertPem] },
          () => resolve(sock),
        );
        sock.once('error', reject);
      });
      assert.equal(socket.authorized, true);
      socket.destroy();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    // Removing the mark goes back to Parley's own certificate.
    await fs.rm(path.join(dir, 'imported.json'));
    const own = await ensureCertificates(dir, DOMAIN);
    assert.equal(own.caFingerprintSha256, base.caFingerprintSha256);
    assert.notEqual(own.fingerprintSha256, elsewhere.fingerprintSha256);
  });
});

describe('damaged files', () => {
  test('a corrupt server.pem names the file and says what to do', async () => {
    const dir = await copyOfBase();
    await fs.writeFile(path.join(dir, 'server.pem'), 'this is not a certificate\n');
    const expected = (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.ok(err.message.includes(path.join(dir, 'server.pem')), err.message);
      assert.match(err.message, /[Dd]elete server\.pem and server\.key to have Parley make a new/);
      return true;
    };
    await assert.rejects(ensureCertificates(dir, DOMAIN), expected);
    await assert.rejects(loadCertificates(dir), expected);
  });

  test('a corrupt ca.pem, a truncated ca.key and a missing ca.key are reported too', async () => {
    const dir = await copyOfBase();
    await fs.writeFile(path.join(dir, 'ca.pem'), base.caCertPem.slice(0, 200));
    await assert.rejects(ensureCertificates(dir, DOMAIN), (err: Error) => {
      assert.ok(err.message.includes(path.join(dir, 'ca.pem')), err.message);
      assert.match(err.message, /Delete ca\.pem and ca\.key/);
      return true;
    });

    const dir2 = await copyOfBase();
    const key = await fs.readFile(path.join(dir2, 'ca.key'), 'utf8');
    await fs.writeFile(path.join(dir2, 'ca.key'), key.slice(0, key.length / 2));
    await assert.rejects(ensureCertificates(dir2, DOMAIN), (err: Error) => {
      assert.ok(err.message.includes(path.join(dir2, 'ca.key')), err.message);
      assert.match(err.message, /damaged/);
      return true;
    });

    const dir3 = await copyOfBase();
    await fs.rm(path.join(dir3, 'ca.key'));
    await assert.rejects(ensureCertificates(dir3, DOMAIN), /ca\.key is missing.*backup/);
  });

  test('a leaf whose key went missing is simply reissued', async () => {
    const dir = await copyOfBase();
    await fs.rm(path.join(dir, 'server.key'));
    const again = await ensureCertificates(dir, DOMAIN);
    assert.notEqual(again.fingerprintSha256, base.fingerprintSha256);
    assert.equal(again.caFingerprintSha256, base.caFingerprintSha256);
  });

  test('an unreadable file is reported as such', { skip: process.platform === 'win32' || process.getuid?.() === 0 }, async () => {
    const dir = await copyOfBase();
    await fs.chmod(path.join(dir, 'server.key'), 0o000);
    await assert.rejects(ensureCertificates(dir, DOMAIN), /cannot read .*server\.key.*permission denied/);
  });

  test('a directory where a file should be is reported', async () => {
    const dir = await copyOfBase();
    await fs.rm(path.join(dir, 'ca.pem'));
    await fs.mkdir(path.join(dir, 'ca.pem'));
    await assert.rejects(ensureCertificates(dir, DOMAIN), (err: Error) => {
      assert.match(err.message, /cannot read .*ca\.pem \(it is a directory, not a file\)/);
      assert.match(err.message, /Delete ca\.pem and ca\.key/);
      return true;
    });
  });
});

function splitPem(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => b.trim());
}
