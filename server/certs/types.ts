/** Shared types of the certificate module. */

export interface CertBundle {
  /**
   * The certificate that vouches for the leaf: Parley's local CA, or for an
   * imported certificate the chain it came with ('' if none was given).
   */
  caCertPem: string;
  /**
   * The server (leaf) certificate in PEM. For an imported certificate any
   * intermediate certificates follow the leaf, so the string can be handed
   * to Node's `tls` `cert` option as it is.
   */
  certPem: string;
  /** The leaf's private key, PKCS#8 PEM. */
  keyPem: string;
  /** Leaf, uppercase hex with colons, as Node's X509Certificate.fingerprint256. */
  fingerprintSha256: string;
  /** Same for caCertPem's first certificate ('' if there is none). */
  caFingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  /** SAN DNS-IDs of the leaf. */
  dnsNames: string[];
  /** The XMPP domain the certificate serves (A-label form, or an IP literal). */
  domain: string;
}

export interface EnsureOptions {
  /** The current time; for tests. */
  now?: Date;
  /** Reissue the server certificate when it expires within this many days (default 30). */
  renewBeforeDays?: number;
  /** Called with a human-readable step before each slow step. */
  onProgress?: (step: string) => void;
}

export interface CertificateDescription {
  subject: string;
  issuer: string;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
}
