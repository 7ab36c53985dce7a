// The server certificate as the CLI and the console show it: what devices should trust, fingerprints, names, dates.
import { parseCertificate, sanOf, toLf } from '../certs/describe.js';
import { AdminError, type CertificateInfo } from './admin-api.js';
import type { AdminHost } from './admin-host.js';

/** The host's certificate; an AdminError when there is none yet. */
export async function certificateInfo(host: AdminHost): Promise<CertificateInfo> {
  const bundle = await host.certificate();
  if (bundle === null) {
    throw new AdminError(`There is no certificate in ${host.dataDir} yet; Parley makes one when it first starts (parley serve).`);
  }
  const san = sanOf(parseCertificate(bundle.certPem));
  return {
    domain: bundle.domain,
    caPem: toLf(bundle.caCertPem),
    caFingerprintSha256: bundle.caFingerprintSha256,
    fingerprintSha256: bundle.fingerprintSha256,
    subjectAltNames: {
      dnsNames: [...san.dnsNames],
      ipAddresses: [...san.ipAddresses],
      xmppAddrs: [...san.xmppAddrs],
      srvNames: [...san.srvNames],
    },
    notBefore: bundle.notBefore.toISOString(),
    notAfter: bundle.notAfter.toISOString(),
  };
}
