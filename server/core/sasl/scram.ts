/**
 * Server side of SCRAM-SHA-1(-PLUS) and SCRAM-SHA-256(-PLUS)
 * (RFC 5802, RFC 7677, channel binding per RFC 5929/9266, XEP-0440) — CORE-27, CORE-28, CORE-31.
 *
 * Exchange:
 *   step(client-first)  → challenge(server-first)
 *   step(client-final)  → success(data = server-final) | failure
 * An empty first step (no initial response) yields an empty challenge once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  decodeUtf8,
  failure,
  isChannelBindingType,
  strictBase64Decode,
  type ChannelBindingType,
  type MechanismOptions,
  type SaslContext,
  type SaslMechanism,
  type SaslStep,
} from './mechanism.js';
import {
  decodeScramCredential,
  fakeScramCredential,
  h,
  hashLength,
  hmac,
  type DecodedScramCredential,
  type ScramHash,
} from './scram-credential.js';

/** Upper bound for a single client message; real ones are far smaller. */
const MAX_MESSAGE_LENGTH = 8192;

/** Attribute letters defined by RFC 5802; they may not appear as extensions. */
const RESERVED_ATTRIBUTES = new Set(['a', 'n', 'm', 'r', 'c', 's', 'i', 'p', 'v', 'e']);

const NONCE_RE = /^[\x21-\x2b\x2d-\x7e]+$/;
const CB_NAME_RE = /^[A-Za-z0-9.-]+$/;

class Malformed extends Error {}

/** saslname → string: '=2C' → ',', '=3D' → '='; anything else after '=' is an error. */
export function decodeSaslName(value: string): string | null {
  if (value.length === 0) return null;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === ',' || c === '\0') return null;
    if (c === '=') {
      const esc = value.slice(i + 1, i + 3).toUpperCase();
      if (esc === '2C') out += ',';
      else if (esc === '3D') out += '=';
      else return null;
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

/** string → saslname (for clients and tests). */
export function encodeSaslName(value: string): string {
  return value.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** attr-val / extension: ALPHA "=" 1*value-char (value-char excludes NUL and ','). */
function parseAttribute(part: string): { name: string; value: string } {
  if (part.length < 3 || part[1] !== '=' || !/^[A-Za-z]$/.test(part[0]!)) {
    throw new Malformed(`invalid attribute '${part.slice(0, 16)}'`);
  }
  const value = part.slice(2);
  if (value.includes('\0')) throw new Malformed('NUL in attribute value');
  return { name: part[0]!, value };
}

function checkExtensions(parts: string[]): void {
  for (const part of parts) {
    const { name } = parseAttribute(part);
    if (name === 'm') throw new Malformed('mandatory extension not supported');
    if (RESERVED_ATTRIBUTES.has(name)) throw new Malformed(`unexpected attribute '${name}'`);
  }
}

interface ClientFirst {
  cbFlag: 'n' | 'y' | 'p';
  cbName?: string;
  authzid?: string;
  gs2Header: string;
  bare: string;
  username: string;
  clientNonce: string;
}

function parseClientFirst(msg: string): ClientFirst {
  const c1 = msg.indexOf(',');
  const c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
  if (c1 < 0 || c2 < 0) throw new Malformed('missing GS2 header');
  const flag = msg.slice(0, c1);
  const authzPart = msg.slice(c1 + 1, c2);
  const gs2Header = msg.slice(0, c2 + 1);
  const bare = msg.slice(c2 + 1);

  let cbFlag: ClientFirst['cbFlag'];
  let cbName: string | undefined;
  if (flag === 'n' || flag === 'y') {
    cbFlag = flag;
  } else if (flag.startsWith('p=')) {
    cbFlag = 'p';
    cbName = flag.slice(2);
    if (!CB_NAME_RE.test(cbName)) throw new Malformed('invalid channel binding name');
  } else {
    throw new Malformed('invalid gs2-cbind-flag');
  }

  let authzid: string | undefined;
  if (authzPart !== '') {
    if (!authzPart.startsWith('a=')) throw new Malformed('invalid authzid');
    const decoded = decodeSaslName(authzPart.slice(2));
    if (decoded === null) throw new Malformed('invalid authzid');
    authzid = decoded;
  }

  const parts = bare.split(',');
  if (parts[0]?.startsWith('m=')) throw new Malformed('mandatory extension not supported');
  if (parts.length < 2) throw new Malformed('missing username or nonce');
  if (!parts[0]!.startsWith('n=')) throw new Malformed('missing username');
  const username = decodeSaslName(parts[0]!.slice(2));
  if (username === null) throw new Malformed('invalid username');
  if (!parts[1]!.startsWith('r=')) throw new Malformed('missing nonce');
  const clientNonce = parts[1]!.slice(2);
  if (!NONCE_RE.test(clientNonce)) throw new Malformed('invalid nonce');
  checkExtensions(parts.slice(2));

  const out: ClientFirst = { cbFlag, gs2Header, bare, username, clientNonce };
  if (cbName !== undefined) out.cbName = cbName;
  if (authzid !== undefined) out.authzid = authzid;
  return out;
}

interface ClientFinal {
  channelBinding: string;
  nonce: string;
  proof: string;
  withoutProof: string;
}

function parseClientFinal(msg: string): ClientFinal {
  const parts = msg.split(',');
  if (parts.some((p) => p.startsWith('m='))) throw new Malformed('mandatory extension not supported');
  if (parts.length < 3) throw new Malformed('missing attributes');
  const [c, r] = parts as [string, string];
  const p = parts[parts.length - 1]!;
  if (!c.startsWith('c=')) throw new Malformed('missing channel binding');
  if (!r.startsWith('r=')) throw new Malformed('missing nonce');
  if (!p.startsWith('p=')) throw new Malformed('missing proof');
  checkExtensions(parts.slice(2, -1));
  const nonce = r.slice(2);
  if (!NONCE_RE.test(nonce)) throw new Malformed('invalid nonce');
  return {
    channelBinding: c.slice(2),
    nonce,
    proof: p.slice(2),
    withoutProof: parts.slice(0, -1).join(','),
  };
}

/**
 * A client message as `parse` reads it, or the malformed-request failure to answer with: an empty message or one
 * longer than MAX_MESSAGE_LENGTH, invalid UTF-8, or what `parse` rejects as Malformed.
 */
function readMessage<T>(data: Buffer, parse: (msg: string) => T): { message: T } | { failure: SaslStep } {
  if (data.length === 0 || data.length > MAX_MESSAGE_LENGTH) return { failure: failure('malformed-request') };
  const msg = decodeUtf8(data);
  if (msg === null) return { failure: failure('malformed-request', 'invalid UTF-8') };
  try {
    return { message: parse(msg) };
  } catch (e) {
    if (e instanceof Malformed) return { failure: failure('malformed-request', e.message) };
    throw e;
  }
}

function defaultServerNonce(): string {
  return randomBytes(24).toString('base64');
}

type State =
  | { phase: 'initial'; emptyChallengeSent: boolean }
  | { phase: 'busy' }
  | {
      phase: 'first-sent';
      first: ClientFirst;
      cbData: Buffer;
      serverFirst: string;
      nonce: string;
      cred: DecodedScramCredential;
      real: boolean;
      disabled: boolean;
    }
  | { phase: 'done' };

export class ScramMechanism implements SaslMechanism {
  readonly name: string;
  private state: State = { phase: 'initial', emptyChallengeSent: false };
  private readonly serverNonce: () => string;

  constructor(
    private readonly hash: ScramHash,
    private readonly plus: boolean,
    private readonly ctx: SaslContext,
    opts: MechanismOptions = {},
  ) {
    this.name = `SCRAM-${hash}${plus ? '-PLUS' : ''}`;
    this.serverNonce = opts.serverNonce ?? defaultServerNonce;
  }

  async step(data: Buffer): Promise<SaslStep> {
    const state = this.state;
    switch (state.phase) {
      case 'initial':
        if (data.length === 0 && !state.emptyChallengeSent) {
          state.emptyChallengeSent = true;
          return { kind: 'challenge', data: Buffer.alloc(0) };
        }
        this.state = { phase: 'busy' };
        return this.finish(await this.clientFirst(data));
      case 'first-sent':
        this.state = { phase: 'busy' };
        return this.finish(this.clientFinal(data, state));
      default:
        this.state = { phase: 'done' };
        return failure('malformed-request', 'exchange already finished');
    }
  }

  private finish(step: SaslStep): SaslStep {
    if (step.kind !== 'challenge') this.state = { phase: 'done' };
    return step;
  }

  private async clientFirst(data: Buffer): Promise<SaslStep> {
    const read = readMessage(data, parseClientFirst);
    if ('failure' in read) return read.failure;
    const first = read.message;

    // Channel-binding policy (RFC 5802 §6, XEP-0440).
    let cbData: Buffer = Buffer.alloc(0);
    if (this.plus) {
      if (first.cbFlag !== 'p') return failure('malformed-request', 'channel binding required by this mechanism');
      const type = first.cbName!;
      const cb = isChannelBindingType(type) ? this.ctx.channelBinding(type as ChannelBindingType) : null;
      if (!cb) return failure('malformed-request', 'unsupported channel binding type');
      cbData = cb;
    } else {
      if (first.cbFlag === 'p') return failure('malformed-request', 'channel binding requested on a non-PLUS mechanism');
      if (first.cbFlag === 'y' && this.ctx.plusOffered) {
        return failure('not-authorized', 'channel binding downgrade detected');
      }
    }

    let stored;
    try {
      stored = await this.ctx.lookup(first.username);
    } catch {
      return failure('temporary-auth-failure');
    }
    const raw = stored?.[this.hash];
    let cred: DecodedScramCredential;
    let real = false;
    if (raw) {
      const decoded = decodeScramCredential(this.hash, raw);
      if (!decoded) return failure('temporary-auth-failure', 'stored credential unusable');
      cred = decoded;
      real = true;
    } else {
      cred = fakeScramCredential(this.hash, first.username);
    }

    const serverPart = this.serverNonce();
    if (!NONCE_RE.test(serverPart)) throw new Error('SCRAM server nonce must be printable ASCII without ","');
    const nonce = first.clientNonce + serverPart;
    const serverFirst = `r=${nonce},s=${cred.salt.toString('base64')},i=${cred.iterations}`;
    this.state = {
      phase: 'first-sent',
      first,
      cbData,
      serverFirst,
      nonce,
      cred,
      real,
      disabled: stored?.disabled === true,
    };
    return { kind: 'challenge', data: Buffer.from(serverFirst, 'utf8') };
  }

  private clientFinal(data: Buffer, st: Extract<State, { phase: 'first-sent' }>): SaslStep {
    const read = readMessage(data, parseClientFinal);
    if ('failure' in read) return read.failure;
    const fin = read.message;

    const cbInput = strictBase64Decode(fin.channelBinding);
    if (cbInput === null) return failure('malformed-request', 'invalid channel binding encoding');
    const expectedCb = Buffer.concat([Buffer.from(st.first.gs2Header, 'utf8'), st.cbData]);
    if (fin.channelBinding !== expectedCb.toString('base64')) {
      return failure('not-authorized', 'channel bindings do not match');
    }

    if (!fin.nonce.startsWith(st.first.clientNonce) || fin.nonce !== st.nonce) {
      return failure('not-authorized', 'nonce mismatch');
    }

    const proof = strictBase64Decode(fin.proof);
    if (proof === null) return failure('malformed-request', 'invalid proof encoding');

    const authMessage = `${st.first.bare},${st.serverFirst},${fin.withoutProof}`;
    const clientSignature = hmac(this.hash, st.cred.storedKey, authMessage);
    const len = hashLength(this.hash);
    // Always do the full computation, whatever the proof length or user.
    const proofBytes = proof.length === len ? proof : Buffer.alloc(len);
    const clientKey = Buffer.alloc(len);
    for (let i = 0; i < len; i++) clientKey[i] = proofBytes[i]! ^ clientSignature[i]!;
    const matches = timingSafeEqual(h(this.hash, clientKey), st.cred.storedKey);
    if (!matches || proof.length !== len || !st.real) return failure('not-authorized');
    if (st.disabled) return failure('account-disabled');

    const serverSignature = hmac(this.hash, st.cred.serverKey, authMessage);
    const out: SaslStep = {
      kind: 'success',
      username: st.first.username,
      data: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
    };
    if (st.first.authzid !== undefined) out.authzid = st.first.authzid;
    return out;
  }
}
