// Certificates: the server certificate's details and fingerprint, and the CA certificate to install on devices.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CertificateInfo } from '../transport/types.js';
import { useConsole } from '../lib/context.js';
import { CopyButton, ErrorMessage, Loading, PageTitle } from '../components/ui.js';
import { date, daysFromNow, errorText } from '../lib/format.js';

export function Certificates(): JSX.Element {
  const { transport } = useConsole();
  const [cert, setCert] = useState<CertificateInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    transport.call('certificate', {}).then(setCert, (err: unknown) => setError(errorText(err)));
  }, []);
  if (!cert) return <><PageTitle>Certificates</PageTitle>{error ? <ErrorMessage error={error} /> : <Loading what="the certificate" />}</>;
  const days = Math.floor((new Date(cert.notAfter).getTime() - Date.now()) / 86_400_000);
  const san = cert.subjectAltNames;
  const names = [...san.dnsNames, ...san.ipAddresses, ...san.xmppAddrs.map((x) => `xmpp: ${x}`), ...san.srvNames.map((x) => `srv: ${x}`)];
  const url = transport.caDownloadUrl();
  const download = (): void => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([cert.caPem], { type: 'application/x-pem-file' }));
    a.download = `parley-${cert.domain}-ca.pem`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <>
      <PageTitle sub="Devices use these to know they talk to this server.">Certificates</PageTitle>
      <section class="card" aria-labelledby="c-server">
        <h2 id="c-server">Server certificate</h2>
        <dl class="facts">
          <dt>For</dt><dd>{cert.domain}</dd>
          <dt>Server certificate fingerprint (SHA-256)</dt><dd><code class="fingerprint" data-testid="cert-fingerprint">{cert.fingerprintSha256}</code> <CopyButton text={cert.fingerprintSha256} /></dd>
          <dt>Valid from</dt><dd>{date(cert.notBefore)}</dd>
          <dt>Valid until</dt><dd>{date(cert.notAfter)} ({days < 0 ? `expired ${daysFromNow(days)}` : `expires ${daysFromNow(days)}`})</dd>
          <dt>Names</dt><dd>{names.map((n) => <code key={n} class="chip">{n}</code>)}</dd>
        </dl>
        <p class="hint">{cert.caPem ? 'Some chat apps show this one when they ask whether to trust the server; it changes when the certificate is renewed. '
          + 'The fingerprint to give people is the certificate authority’s, below.' : 'When a chat app asks whether to trust this server, compare the fingerprint it shows with the one above.'}</p>
      </section>
      <section class="card" aria-labelledby="c-ca">
        <h2 id="c-ca">Certificate authority</h2>
        {cert.caPem ? (
          <>
            <p>Parley signs its server certificate with its own certificate authority. Installing this CA certificate on a device lets it trust the server without asking, also after the server certificate is renewed.</p>
            <dl class="facts"><dt>Fingerprint to compare (SHA-256)</dt><dd><code class="fingerprint" data-testid="ca-fingerprint">{cert.caFingerprintSha256}</code> <CopyButton text={cert.caFingerprintSha256} /></dd></dl>
            <p class="hint">This is the fingerprint on every invitation. People compare it with the one their device or browser shows for
              this certificate authority before trusting it. The certificate authority can only vouch for this server’s own names.</p>
            <div class="actions start">
              {url ? <a class="button primary" href={url} download>Download CA certificate</a>
                : <button type="button" class="button primary" onClick={download}>Download CA certificate</button>}
              <CopyButton text={cert.caPem} label="Copy as text" />
            </div>
            <details><summary>Show the CA certificate</summary><pre class="pem">{cert.caPem}</pre></details>
          </>
        ) : <p>This certificate was imported without a chain; there is no CA certificate to install.</p>}
      </section>
    </>
  );
}
