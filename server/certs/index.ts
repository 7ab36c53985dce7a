/**
 * TLS certificates for Parley: a local certificate authority and a server
 * certificate issued by it, kept in one directory, or a certificate the user
 * imported.
 */

export type { CertBundle, CertificateDescription, EnsureOptions } from './types.js';
export { ensureCertificates, loadCertificates, importCertificate } from './store.js';
export { describeCertificate } from './describe.js';
export { CertificateFileError } from './errors.js';
