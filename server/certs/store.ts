/**
 * The certificate directory: ca.pem, ca.key, server.pem, server.key and, for
 * a certificate the user brought, imported.json. Decides what to reuse, what
 * to renew and what to create.
 */

import crypto, { X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CA_RENEW_BEFORE_MS, createCa, type CaMaterial } from './ca.js';
import { constraintsProblem } from './constraints.js';
import { commonNameOf, parseCertificate, sanOf, splitCertificates, validityOf } from './describe.js';
import { CertificateFileError, corruptFile, errorText, remedyFor } from './errors.js';
import { ensureDir, exists, filePath, readOptional, serialized, writeFilesAtomically, type FileKind } from './files.js';
import { DAY_MS } from './keys.js';
import { createLeaf } from './leaf.js';
import { serverIdentity, type SanEntries, type ServerIdentity } from './names.js';
import type { CertBundle, EnsureOptions } from './types.js';

export const DEFAULT_RENEW_BEFORE_DAYS = 30;

export const STEP_CA = 'Creating the local certificate authority';
export const STEP_LEAF = 'Creating the server certificate';
export const STEP_SAVE = 'Saving';

interface StoredCa {
  material: CaMaterial;
  x509: X509Certificate;
}

interface StoredLeaf {
  /** Leaf first, then any chain certificates (imported only). */
  certPem: string;
  keyPem: string;
  x509: X509Certificate;
  san: SanEntries;
  /** Whether server.key belongs to server.pem. */
  keyMatches: boolean;
}

interface ImportRecord {
  importedAt?: string;
  fingerprintSha256?: string;
}

// ---------------------------------------------------------------- reading

function parseCertFile(file: string, text: string, imported = false): X509Certificate {
  try {
    return parseCertificate(text);
  } catch (err) {
    throw corruptFile(file, 'a certificate', errorText(err), imported);
  }
}

function parseKeyFile(file: string, text: string, imported = false): KeyObject {
  try {
    return crypto.createPrivateKey(text);
  } catch (err) {
    throw corruptFile(file, 'a private key', errorText(err), imported);
  }
}

async function readImportRecord(dir: string): Promise<ImportRecord | null> {
  const file = filePath(dir, 'imported');
  const text = await readOptional(file);
  if (text === null) return null;
  try {
    const record: unknown = JSON.parse(text);
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error('not a JSON object');
    return record as ImportRecord;
  } catch (err) {
    throw corruptFile(file, "Parley's note about an imported certificate", errorText(err));
  }
}

async function readCa(dir: string): Promise<StoredCa | null> {
  const certFile = filePath(dir, 'caCert');
  const keyFile = filePath(dir, 'caKey');
  const certText = await readOptional(certFile);
  const keyText = await readOptional(keyFile);
  // A key without its certificate is of no use; a new CA will replace it.
  if (certText === null) return null;
  if (keyText === null) {
    throw new CertificateFileError(
      keyFile,
      `${keyFile} is missing, so Parley cannot use the local certificate authority in ${certFile}. ` +
        `Put ca.key back from a backup, or ${remedyFor(certFile, false).replace(/^Delete/, 'delete')}`,
    );
  }
  const x509 = parseCertFile(certFile, certText);
  if (!x509.ca) throw corruptFile(certFile, 'a certificate authority', 'the certificate in it is not a CA');
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certText);
  } catch (err) {
    throw corruptFile(certFile, 'an RSA certificate authority made by Parley', errorText(err));
  }
  const keyObject = parseKeyFile(keyFile, keyText);
  let privateKey: forge.pki.rsa.PrivateKey;
  try {
    privateKey = forge.pki.privateKeyFromPem(keyText) as forge.pki.rsa.PrivateKey;
  } catch (err) {
    throw corruptFile(keyFile, 'an RSA private key', errorText(err));
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new CertificateFileError(keyFile, `${keyFile} does not belong to ${certFile}. ${remedyFor(keyFile, false)}`);
  }
  return { material: { cert, privateKey, certPem: splitCertificates(certText)[0]!, keyPem: keyText }, x509 };
}

async function readLeaf(dir: string, imported: boolean): Promise<StoredLeaf | null> {
  const certFile = filePath(dir, 'cert');
  const keyFile = filePath(dir, 'key');
  const certText = await readOptional(certFile, imported);
  const keyText = await readOptional(keyFile, imported);
  if (certText === null || keyText === null) {
    if (!imported) return null; // half a pair: a new leaf is made
    const missing = certText === null ? certFile : keyFile;
    throw new CertificateFileError(missing, `${missing} is missing. ${remedyFor(missing, true)}`);
  }
  const x509 = parseCertFile(certFile, certText, imported);
  const keyObject = parseKeyFile(keyFile, keyText, imported);
  const keyMatches = x509.checkPrivateKey(keyObject);
  if (imported && !keyMatches) {
    throw new CertificateFileError(keyFile, `${keyFile} does not belong to ${certFile}. ${remedyFor(keyFile, true)}`);
  }
  let san: SanEntries;
  try {
    san = sanOf(x509);
  } catch (err) {
    throw corruptFile(certFile, 'a readable server certificate', errorText(err), imported);
  }
  return { certPem: splitCertificates(certText).join(''), keyPem: keyText, x509, san, keyMatches };
}

// ---------------------------------------------------------------- bundles

function domainOf(leaf: StoredLeaf): string {
  return leaf.san.dnsNames[0] ?? leaf.san.ipAddresses[0] ?? commonNameOf(leaf.x509);
}

function bundleOf(caCertPem: string, leaf: StoredLeaf, domain: string): CertBundle {
  const caFirst = splitCertificates(caCertPem)[0];
  return {
    caCertPem,
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    fingerprintSha256: leaf.x509.fingerprint256,
    caFingerprintSha256: caFirst === undefined ? '' : new X509Certificate(caFirst).fingerprint256,
    ...validityOf(leaf.x509),
    dnsNames: [...leaf.san.dnsNames],
    domain,
  };
}

/** For an imported server.pem (leaf then chain), the chain part. */
function chainOf(leaf: StoredLeaf): string {
  return splitCertificates(leaf.certPem).slice(1).join('');
}

function storedLeafFromPem(certPem: string, keyPem: string): StoredLeaf {
  const x509 = parseCertificate(certPem);
  return { certPem, keyPem, x509, san: sanOf(x509), keyMatches: true };
}

// ---------------------------------------------------------------- decisions

function coversIdentity(leaf: StoredLeaf, id: ServerIdentity): boolean {
  if (id.ip !== null) return leaf.x509.checkIP(id.ip) !== undefined;
  const have = new Set(leaf.san.dnsNames.map((n) => n.toLowerCase()));
  return id.dnsNames.every((n) => have.has(n));
}

function issuedBy(leaf: StoredLeaf, ca: StoredCa): boolean {
  return leaf.x509.checkIssued(ca.x509) && leaf.x509.verify(ca.x509.publicKey);
}

/** Why the server certificate must be made again, or null if it can stay. */
function leafProblem(leaf: StoredLeaf | null, ca: StoredCa, id: ServerIdentity, now: Date, renewBeforeMs: number): string | null {
  if (leaf === null) return 'there is none';
  if (!leaf.keyMatches) return 'server.key does not belong to server.pem';
  if (!issuedBy(leaf, ca)) return 'it was not issued by the local certificate authority';
  if (!coversIdentity(leaf, id)) return `it does not cover ${id.ascii}`;
  const { notBefore, notAfter } = validityOf(leaf.x509);
  if (notAfter.getTime() - now.getTime() < renewBeforeMs) return 'it expires soon';
  if (notBefore.getTime() > now.getTime()) return 'it is not valid yet (the clock was set back)';
  return null;
}

/** Why the local CA must be made again (null if it can stay); 'new' when there is none yet. */
function caProblem(ca: StoredCa | null, id: ServerIdentity, now: Date): string | null {
  if (ca === null) return 'new';
  if (validityOf(ca.x509).notAfter.getTime() - now.getTime() < CA_RENEW_BEFORE_MS) return 'it expires within a year';
  return constraintsProblem(ca.material.cert, id);
}

/**
 * What the log says when an existing CA is replaced: devices that installed it, or apps that pinned a
 * fingerprint, will distrust the server until they are given the new one, and people must know which.
 */
export function caReplacedWarning(reason: string, id: ServerIdentity, oldFingerprint: string, newFingerprint: string): string {
  return `Warning: Parley replaced its local certificate authority because ${reason}; the new one can only vouch for ` +
    `${id.ascii}${id.ip === null ? ' and the names below it' : ''}, so a stolen ca.key cannot be used against other sites. ` +
    `Devices that installed the old certificate authority (SHA-256 ${oldFingerprint}) or apps that accepted the old server ` +
    `certificate will warn once: install the new certificate authority on them (Certificates page, or /invite/ca.pem), ` +
    `accept only the new fingerprint ${newFingerprint}, and remove the old certificate authority from every device that ` +
    'installed it (it is not limited, and copies of its key may remain in backups).';
}

function importedWarnings(leaf: StoredLeaf, id: ServerIdentity, now: Date, renewBeforeMs: number): string[] {
  const warnings: string[] = [];
  const covered = id.ip !== null ? leaf.x509.checkIP(id.ip) !== undefined : leaf.x509.checkHost(id.ascii) !== undefined;
  if (!covered) {
    warnings.push(`Warning: the imported certificate does not cover ${id.ascii}; clients will not accept it. Import one that does.`);
  }
  const { notAfter } = validityOf(leaf.x509);
  if (notAfter.getTime() <= now.getTime()) {
    warnings.push(`Warning: the imported certificate expired on ${notAfter.toISOString()}. Import a renewed one.`);
  } else if (notAfter.getTime() - now.getTime() < renewBeforeMs) {
    warnings.push(`Warning: the imported certificate expires on ${notAfter.toISOString()}. Import a renewed one soon.`);
  }
  return warnings;
}

// ---------------------------------------------------------------- API

export async function ensureCertificates(certDir: string, domain: string, opts: EnsureOptions = {}): Promise<CertBundle> {
  const id = serverIdentity(domain);
  const renewBeforeDays = opts.renewBeforeDays ?? DEFAULT_RENEW_BEFORE_DAYS;
  if (!Number.isFinite(renewBeforeDays) || renewBeforeDays < 0) {
    throw new RangeError(`renewBeforeDays must be a number of days of 0 or more, not ${String(opts.renewBeforeDays)}.`);
  }
  const renewBeforeMs = renewBeforeDays * DAY_MS;
  const progress = opts.onProgress ?? (() => undefined);

  return serialized(certDir, async () => {
    const now = opts.now ?? new Date();
    await ensureDir(certDir);

    if ((await readImportRecord(certDir)) !== null) {
      const leaf = (await readLeaf(certDir, true))!;
      for (const warning of importedWarnings(leaf, id, now, renewBeforeMs)) progress(warning);
      return bundleOf(chainOf(leaf), leaf, id.ascii);
    }

    let ca = await readCa(certDir);
    let leaf = await readLeaf(certDir, false);
    const toWrite: Array<{ kind: FileKind; content: string }> = [];

    const whyNewCa = caProblem(ca, id, now);
    if (whyNewCa !== null) {
      progress(STEP_CA);
      const material = await createCa(id, now);
      const old = ca;
      ca = { material, x509: new X509Certificate(material.certPem) };
      if (old !== null) progress(caReplacedWarning(whyNewCa, id, old.x509.fingerprint256, ca.x509.fingerprint256));
      toWrite.push({ kind: 'caKey', content: material.keyPem }, { kind: 'caCert', content: material.certPem });
      leaf = null;
    }
    const currentCa = ca!;

    if (leafProblem(leaf, currentCa, id, now, renewBeforeMs) !== null) {
      progress(STEP_LEAF);
      const made = await createLeaf(currentCa.material, id, now);
      leaf = storedLeafFromPem(made.certPem, made.keyPem);
      toWrite.push({ kind: 'key', content: made.keyPem }, { kind: 'cert', content: made.certPem });
    }

    if (toWrite.length > 0) {
      progress(STEP_SAVE);
      await writeFilesAtomically(certDir, toWrite);
    }
    return bundleOf(currentCa.material.certPem, leaf!, id.ascii);
  });
}

export async function loadCertificates(certDir: string): Promise<CertBundle | null> {
  return serialized(certDir, async () => {
    if (!(await exists(certDir))) return null;
    if ((await readImportRecord(certDir)) !== null) {
      const leaf = (await readLeaf(certDir, true))!;
      return bundleOf(chainOf(leaf), leaf, domainOf(leaf));
    }
    const leaf = await readLeaf(certDir, false);
    if (leaf === null || !leaf.keyMatches) return null; // ensureCertificates makes a new one
    const ca = await readCa(certDir);
    if (ca === null) return null;
    return bundleOf(ca.material.certPem, leaf, domainOf(leaf));
  });
}

function readImportKey(keyPem: string): KeyObject {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/.test(keyPem);
  try {
    return crypto.createPrivateKey(keyPem);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (
      encrypted ||
      code === 'ERR_MISSING_PASSPHRASE' ||
      code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED' ||
      /passphrase/i.test(errorText(err))
    ) {
      throw new Error(
        'The private key is protected by a passphrase, which Parley cannot type in at every start. ' +
          'Remove the passphrase (for example: openssl pkey -in key.pem -out key-plain.pem) and import that file.',
      );
    }
    throw new Error(
      `The private key cannot be read (${errorText(err)}). ` +
        'Choose the key file in PEM format, starting with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----.',
    );
  }
}

export async function importCertificate(certDir: string, certPem: string, keyPem: string, chainPem?: string): Promise<CertBundle> {
  const certs = splitCertificates(String(certPem ?? ''));
  const leafX = parseCertificate(String(certPem ?? ''));
  // People often paste a full chain as the certificate; keep the extra ones as chain.
  const chain = [...certs.slice(1), ...splitCertificates(String(chainPem ?? ''))];
  if (chainPem !== undefined && chainPem.trim() !== '' && splitCertificates(chainPem).length === 0) {
    throw new Error('The chain is not in PEM format (it should hold blocks starting with -----BEGIN CERTIFICATE-----).');
  }
  for (const [i, pem] of chain.entries()) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new Error(`Certificate ${i + 1} of the chain cannot be read: ${errorText(err)}.`);
    }
  }
  const key = readImportKey(String(keyPem ?? ''));
  if (key.type !== 'private') throw new Error('The key file holds no private key.');
  if (!leafX.checkPrivateKey(key)) {
    throw new Error(
      'The private key does not belong to this certificate (their public keys differ). ' +
        'Choose the key that was made together with this certificate or its signing request.',
    );
  }
  if (leafX.ca) {
    throw new Error('This is a certificate authority, not a server certificate. Import the certificate issued for your server.');
  }
  const { notAfter } = validityOf(leafX);
  if (notAfter.getTime() <= Date.now()) {
    throw new Error(`This certificate expired on ${notAfter.toISOString()}. Renew it and import the new one.`);
  }

  const fullPem = [certs[0]!, ...chain].join('');
  const normalizedKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const record: ImportRecord = { importedAt: new Date().toISOString(), fingerprintSha256: leafX.fingerprint256 };

  return serialized(certDir, async () => {
    await ensureDir(certDir);
    await writeFilesAtomically(certDir, [
      { kind: 'key', content: normalizedKey },
      { kind: 'cert', content: fullPem },
      { kind: 'imported', content: `${JSON.stringify(record, null, 2)}\n` },
    ]);
    const leaf = storedLeafFromPem(fullPem, normalizedKey);
    return bundleOf(chain.join(''), leaf, domainOf(leaf));
  });
}
