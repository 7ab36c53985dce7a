// The addresses of an invitation: the XEP-0401 / XEP-0445 xmpp: URI chat apps open, the landing page URLs, a QR
// code (SVG) of one of them, and the fingerprint the invited person compares.
import qrcode from 'qrcode-generator';

/**
 * The one fingerprint an invited person is asked to compare, wherever it is shown (console, invitation card, the
 * pages): the SHA-256 of the certificate authority they install, which their device shows when installing it and
 * browsers show for the HTTPS page's root. Without a CA of Parley's (an imported certificate without a chain),
 * the server certificate's. Node's format (X509Certificate.fingerprint256): uppercase hex pairs joined by colons.
 */
export function trustFingerprint(bundle: { caFingerprintSha256: string; fingerprintSha256: string } | null): string | null {
  if (bundle === null) return null;
  return bundle.caFingerprintSha256 || bundle.fingerprintSha256 || null;
}

/**
 * The link an invitation is shared by (copied, in the QR code): the HTTPS landing page, where the sign-up password
 * and the CA travel encrypted; without HTTPS the xmpp: URI, which chat apps open over their own TLS. Never the
 * plain HTTP page: anyone on the network could change what it says, the CA and its fingerprint included.
 */
export function shareLink(secureLandingUrl: string | null, xmppUri: string): string {
  return secureLandingUrl ?? xmppUri;
}

/**
 * The account-creation URI of XEP-0401 §5 / XEP-0445 §2: xmpp:DOMAIN?register;preauth=TOKEN, or with the reserved
 * name xmpp:NAME@DOMAIN?register;preauth=TOKEN. (`ibr=y` belongs only to contact invitations, `?roster;…`.)
 * The token is base64url, so it needs no escaping; the name is escaped as RFC 5122 asks.
 */
export function registerUri(domain: string, token: string, username: string | null): string {
  const who = username ? `${encodeNode(username)}@` : '';
  return `xmpp:${who}${domain}?register;preauth=${token}`;
}

/** RFC 5122 §2.2: percent-encode what is not allowed in a URI path segment (UTF-8 first). */
function encodeNode(local: string): string {
  return encodeURIComponent(local).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path of an invitation's landing page, below the web listener. */
export function landingPath(token: string): string {
  return `/invite/${token}`;
}

/** `scheme://host[:port]/invite/TOKEN`; the default port of the scheme is left out, IPv6 literals get brackets. */
export function landingUrl(scheme: 'http' | 'https', host: string, port: number, token: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const standard = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return `${scheme}://${h}${standard ? '' : `:${port}`}${landingPath(token)}`;
}

/** Modules of quiet zone around the code (ISO/IEC 18004 asks for 4; phone cameras read 2 fine on a white card). */
const QR_MARGIN = 2;

/**
 * A QR code (byte mode, UTF-8, error correction M) of `text` as SVG markup: a white square and one black path of
 * horizontal runs, presentation attributes only (no style attribute, no script), so strict CSPs allow it inline or
 * as a data: image. Deterministic: the same text gives the same markup.
 */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  // The library maps each UTF-16 code unit to one byte; hand it the UTF-8 bytes as Latin-1 characters.
  qr.addData(Buffer.from(text, 'utf8').toString('latin1'), 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 2 * QR_MARGIN;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!qr.isDark(row, col)) continue;
      let run = 1;
      while (col + run < n && qr.isDark(row, col + run)) run++;
      d += `M${col + QR_MARGIN} ${row + QR_MARGIN}h${run}v1h-${run}z`;
      col += run - 1;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#ffffff"/><path fill="#000000" d="${d}"/></svg>`;
}
