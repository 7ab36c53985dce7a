// Invitations (XEP-0401): making, listing and revoking them in the console, and their web side (the landing page
// and the sign-up that uses one).
import { makeJid, type Jid } from '../core/jid.js';
import { accountName, AccountAddressError } from '../accounts/username.js';
import type { ServerConfig } from '../core/config.js';
import { inviteState, type InviteDoc, type InviteStore } from '../storage/invites.js';
import { AdminError, type UserChange } from './admin-api.js';
import type { InviteInfo, InviteState, NewInvite } from './console-api.js';
import type { AdminHost } from './admin-host.js';
import { checkPassword } from './account-password.js';
import { landingUrl, qrSvg, registerUri, shareLink, trustFingerprint } from './invite-links.js';
import { weakPasswordReason } from '../accounts/password-policy.js';
import { InviteRefusedError } from '../accounts/account-service.js';
import { savedConfig } from './settings.js';

/** What the landing page of an invitation needs (server/http/invite-pages.ts). */
export interface InviteLanding {
  invite: InviteInfo;
  serverName: string;
  domain: string;
  /** False when the registration setting is "closed": the invitation cannot be used now. */
  signupOpen: boolean;
  /** The fingerprint the invited person compares (invite-links.ts trustFingerprint): the CA's SHA-256. */
  fingerprintSha256: string | null;
  /** The server (leaf) certificate's SHA-256, for an app that asks about the server certificate itself. */
  serverFingerprintSha256: string | null;
  /** Whether there is a CA certificate to install (/invite/ca.pem). */
  caAvailable: boolean;
}

/** A refused web sign-up; `field` says where the form shows the sentence. */
export class SignupError extends AdminError {
  /** `conflict`: the name is taken (HTTP 409), not merely unacceptable. */
  constructor(readonly field: 'invite' | 'username' | 'password', message: string, readonly conflict = false) {
    super(message);
  }
}

/** Why an invitation that is not valid cannot be used, for people. */
export const INVITE_STATE_TEXT: Record<Exclude<InviteState, 'valid'>, string> = {
  expired: 'This invitation has expired. Ask the person who invited you for a new one.',
  used: 'This invitation has already been used. Ask the person who invited you for a new one.',
  revoked: 'This invitation was cancelled by the person who sent it. Ask them for a new one if you still need it.',
};

const MAX_INVITE_USES = 100;
const MAX_INVITE_HOURS = 365 * 24;
const HOUR_MS = 3600 * 1000;

export class InviteAdmin {
  constructor(private readonly host: AdminHost) {}

  /** A new invitation link: single or multi use, with an expiry, optionally reserving the invited person's name. */
  async createInvite(invite: NewInvite, createdBy?: string): Promise<InviteInfo> {
    const store = this.inviteStore();
    if (typeof invite !== 'object' || invite === null) throw new AdminError('Say how many people the invitation is for and how long it works.');
    if (await this.registrationPolicy() === 'closed') {
      throw new AdminError('Sign-up is switched off (Who may join: “Only accounts I create”), so nobody could use an invitation. ' +
        'Choose “People I invite” under Settings first, or add the person under Users.');
    }
    const uses = invite.uses;
    if (typeof uses !== 'number' || !Number.isInteger(uses) || uses < 1 || uses > MAX_INVITE_USES) {
      throw new AdminError(`An invitation is for 1 to ${MAX_INVITE_USES} people.`);
    }
    const hours = invite.expiresInHours;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > MAX_INVITE_HOURS) {
      throw new AdminError(`An invitation works for 1 hour to ${MAX_INVITE_HOURS / 24} days; give the time in whole hours.`);
    }
    let username: string | null = null;
    if (invite.username !== undefined && invite.username !== null && (typeof invite.username !== 'string' || invite.username.trim() !== '')) {
      username = this.newAccountName(invite.username).local;
      if (uses !== 1) throw new AdminError('An invitation that reserves a name creates that one account, so it is for 1 person.');
      const jid = makeJid(username, this.host.domain).bareString();
      if (await this.host.accounts.exists(username)) throw new AdminError(`The account ${jid} already exists; choose another name.`);
      if (await store.reservation(username)) throw new AdminError(`${jid} is already reserved by another invitation. Revoke that one first, or choose another name.`);
    }
    const now = Date.now();
    const doc = await store.create({ maxUses: uses, expiresAt: now + hours * HOUR_MS, createdBy: createdBy ?? '', username, now });
    const who = createdBy ? makeJid(createdBy, this.host.domain).bareString() : 'the desktop window';
    this.host.runtime?.log.info('invites', `${who} created an invitation for ${uses === 1 ? '1 person' : `${uses} people`}` +
      `${username ? ` (reserving ${username})` : ''}, valid for ${hours} hours`);
    return this.inviteInfo(doc);
  }

  async listInvites(): Promise<InviteInfo[]> {
    const docs = await this.inviteStore().list();
    return Promise.all(docs.map((d) => this.inviteInfo(d)));
  }

  async revokeInvite(token: string): Promise<InviteInfo> {
    const store = this.inviteStore();
    if (typeof token !== 'string' || token === '') throw new AdminError('Say which invitation to revoke.');
    if (!(await store.revoke(token))) throw new AdminError('There is no such invitation; it may have been removed.');
    this.host.runtime?.log.info('invites', `an invitation was revoked (${token.slice(0, 4)}…)`);
    return this.inviteInfo((await store.get(token))!);
  }

  /** What the landing page of an invitation shows; null when there is no such invitation. */
  async inviteLanding(token: string): Promise<InviteLanding | null> {
    const store = this.host.invites;
    if (!store) return null;
    const doc = await store.get(token);
    if (!doc) return null;
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    const bundle = await this.host.certificate();
    return {
      invite: await this.inviteInfo(doc),
      serverName: config.serverName,
      domain: this.host.domain,
      signupOpen: config.registration !== 'closed',
      fingerprintSha256: trustFingerprint(bundle),
      serverFingerprintSha256: bundle?.fingerprintSha256 ?? null,
      caAvailable: (bundle?.caCertPem ?? '') !== '',
    };
  }

  /**
   * The web sign-up of an invitation: create the account `username` (ignored when the invitation reserves a name)
   * with `password`, taking one use of the invitation. Refusals are SignupErrors that say which field is wrong.
   */
  async redeemInvite(token: string, username: unknown, password: unknown): Promise<UserChange> {
    const store = this.host.invites;
    const doc = store ? await store.get(token) : null;
    if (!store || !doc) throw new SignupError('invite', 'This invitation link is not valid. Check that you copied all of it, or ask for a new one.');
    if (await this.registrationPolicy() === 'closed') {
      throw new SignupError('invite', 'Sign-up is switched off on this server right now. Ask the person who invited you.');
    }
    const state = inviteState(doc);
    if (state !== 'valid') throw new SignupError('invite', INVITE_STATE_TEXT[state]);
    let local: string;
    if (doc.username) {
      local = doc.username;
    } else {
      if (typeof username !== 'string' || username.trim() === '') throw new SignupError('username', 'Choose a user name.');
      local = signupName(username.trim(), this.host.domain);
    }
    const jid = makeJid(local, this.host.domain).bareString();
    const taken = new SignupError('username', `The name ${local} is already taken on ${this.host.domain}. Choose another.`, true);
    if (!(await this.host.accounts.nameAvailable(local, token))) throw taken;
    let pw: string;
    try {
      pw = checkPassword(password);
    } catch (err) {
      if (err instanceof AdminError) throw new SignupError('password', err.message.replace(/^The password/, 'Your password'));
      throw err;
    }
    const weak = weakPasswordReason(pw, local);
    if (weak) throw new SignupError('password', weak);
    // The one redemption of the account lifecycle (also XEP-0445's in register.ts): name, use, account, note.
    try {
      await this.host.accounts.redeemInvite(token, local, pw);
    } catch (err) {
      if (!(err instanceof InviteRefusedError)) throw err;
      if (err.reason === 'taken') throw taken;
      throw new SignupError('invite', err.reason === 'unknown' ? 'This invitation link is not valid.' : INVITE_STATE_TEXT[err.reason]);
    }
    this.host.runtime?.log.info('invites', `${jid} signed up on the web with an invitation`);
    return { jid };
  }

  private inviteStore(): InviteStore {
    if (!this.host.invites) throw new AdminError('Invitations are only available while Parley runs. Start it with "parley serve" first.');
    return this.host.invites;
  }

  private async registrationPolicy(): Promise<ServerConfig['registration']> {
    return (this.host.runtime?.config ?? await savedConfig(this.host.dataDir)).registration;
  }

  private async inviteInfo(doc: InviteDoc): Promise<InviteInfo> {
    const { domain } = this.host;
    const ports = this.host.ports();
    const http = ports.http ? landingUrl('http', domain, ports.http, doc._id) : null;
    const https = ports.https ? landingUrl('https', domain, ports.https, doc._id) : null;
    const xmppUri = registerUri(domain, doc._id, doc.username);
    const state = inviteState(doc);
    const fingerprintSha256 = trustFingerprint(await this.host.certificate());
    return {
      token: doc._id,
      createdAt: new Date(doc.createdAt).toISOString(),
      expiresAt: new Date(doc.expiresAt).toISOString(),
      maxUses: doc.maxUses,
      uses: doc.uses,
      createdBy: doc.createdBy ? makeJid(doc.createdBy, domain).bareString() : null,
      reservedJid: doc.username ? makeJid(doc.username, domain).bareString() : null,
      revoked: doc.revoked,
      state,
      accounts: doc.accounts.map((a) => makeJid(a, domain).bareString()),
      xmppUri,
      landingUrl: http,
      secureLandingUrl: https,
      shareLink: shareLink(https, xmppUri),
      fingerprintSha256,
      qrSvg: state === 'valid' ? qrSvg(shareLink(https, xmppUri)) : '',
    };
  }

  /** A name for an account to be created (invitations), as a name or an address at this server's domain. */
  private newAccountName(user: unknown): Jid {
    try {
      return makeJid(accountName(user, this.host.domain), this.host.domain);
    } catch (err) {
      if (!(err instanceof AccountAddressError)) throw err;
      if (err.reason === 'empty') throw new AdminError('Give the name to reserve, or leave it empty.');
      if (err.reason === 'other-domain') throw new AdminError(`The address must be at ${this.host.domain}; write just the name, e.g. ${err.localAsWritten}.`);
      throw new AdminError(`"${err.input}" cannot be an account name: ${err.message.replace(/\.$/, '')}.`);
    }
  }
}

/** The user name someone chose on the sign-up page, PRECIS-prepared (UsernameCaseMapped), with errors as sentences. */
function signupName(raw: string, domain: string): string {
  const at = raw.lastIndexOf('@');
  const s = at >= 0 ? raw.slice(0, at) : raw;
  // Said before PRECIS would: these are the characters people actually try, and the sentence names them.
  if (at < 0 || raw.slice(at + 1).toLowerCase() === domain) {
    if (/[\s"&'/:<>@]/u.test(s)) throw new SignupError('username', 'A user name cannot contain spaces or any of these characters: " & \' / : < > @');
  }
  try {
    return accountName(raw, domain);
  } catch (err) {
    if (!(err instanceof AccountAddressError)) throw err;
    if (err.reason === 'other-domain') throw new SignupError('username', `Write just your user name, without “@” — your address will end in @${domain}.`);
    throw new SignupError('username', `“${s}” cannot be used as a user name. Use letters, digits, dots, dashes or underscores.`);
  }
}
