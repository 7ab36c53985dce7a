// XEP-0077: In-Band Registration — account creation before login when `registration` is 'open' (over TLS,
// rate-limited per address), or with an invitation token (XEP-0445 pre-authenticated IBR, XEP-0401 invitations)
// when it is 'invite' or 'open'; password change and account removal for logged-in users always.
import { el, childElements, firstChildElement, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { StanzaError, stanzaErrorReply, type StanzaErrorCondition, type StanzaErrorOptions } from '../core/errors.js';
import { tryParseJid } from '../core/jid.js';
import type { PreAuthStream } from '../core/context.js';
import type { StanzaEvent } from '../core/router.js';
import { inviteState, inviteStore } from '../storage/invites.js';
import type { ServerModule } from './module.js';
import { AccountExistsError, InviteRefusedError } from '../accounts/account-service.js';
import { parseUsername, UsernameError } from '../accounts/username.js';
import { passwordProblem, PasswordRejectedError, type PasswordProblem } from '../accounts/password-policy.js';
import { replyResult } from './iq-reply.js';
import { addressGroup, WindowReservations } from '../core/limits.js';

export const NS_REGISTER = 'jabber:iq:register';
export const NS_REGISTER_FEATURE = 'http://jabber.org/features/iq-register';
/** XEP-0379 / XEP-0445: the <preauth token=…/> payload. */
export const NS_PARS = 'urn:xmpp:pars:0';
/** XEP-0445 §3: the stream feature of a server that takes invitation tokens. */
export const NS_IBR_TOKEN = 'urn:xmpp:ibr-token:0';
/** The feature's name before XEP-0445 (XEP-0401 v0.3), still looked for by Conversations and sent by Prosody. */
export const NS_INVITE_LEGACY = 'urn:xmpp:invite';

const HOUR = 3600 * 1000;
const INSTRUCTIONS = 'Choose a username and password for use with this server.';

/** The username and password of a registration or password change, from the data form if one was sent (§4). */
function submitted(query: Element): { username: string | null; password: string | null } {
  const form = query.getChild('x', NS.dataForms);
  if (form) {
    const value = (name: string): string | null => {
      const f = form.getChildren('field').find((x) => x.attrs.var === name);
      return f ? f.getChildText('value') ?? '' : null;
    };
    return { username: value('username'), password: value('password') };
  }
  return { username: query.getChildText('username'), password: query.getChildText('password') };
}

/** The registration form; `username` pre-fills the name an invitation reserved. */
function registrationForm(username?: string): Element {
  return el('x', { xmlns: NS.dataForms, type: 'form' },
    el('title', null, 'Create an account'),
    el('instructions', null, INSTRUCTIONS),
    el('field', { type: 'hidden', var: 'FORM_TYPE' }, el('value', null, NS_REGISTER)),
    el('field', { type: 'text-single', var: 'username', label: 'Username' }, el('required'), username ? el('value', null, username) : null),
    el('field', { type: 'text-private', var: 'password', label: 'Password' }, el('required')));
}

/** The account lifecycle's password policy, worded for XEP-0077 (not-acceptable). */
function passwordError(problem: PasswordProblem): StanzaError {
  // An empty password never replaces one (§3.3) nor creates an account (§3.1). The password itself is never echoed
  // in errors (SVC-14).
  switch (problem.kind) {
    case 'empty': return new StanzaError('not-acceptable', { text: 'a password is required' });
    case 'too-long': return new StanzaError('not-acceptable', { text: `passwords are limited to ${problem.max} characters` });
    default: return new StanzaError('not-acceptable', { text: 'the password contains characters that cannot be used to log in' });
  }
}

function checkPassword(password: string | null): string {
  const problem = passwordProblem(password);
  if (problem) throw passwordError(problem);
  return password!;
}

/** The one username parser, worded for XEP-0077. */
function checkUsername(raw: string): string {
  try {
    return parseUsername(raw);
  } catch (err) {
    if (err instanceof UsernameError) throw new StanzaError('not-acceptable', { text: 'this username cannot be used in an address' });
    throw err;
  }
}

/** Refusals of the account lifecycle, as stanza errors. */
function lifecycleError(err: unknown): unknown {
  if (err instanceof AccountExistsError) return new StanzaError('conflict', { text: 'this username is taken' });
  if (err instanceof PasswordRejectedError) return passwordError(err.problem);
  if (err instanceof UsernameError) return new StanzaError('not-acceptable', { text: 'this username cannot be used in an address' });
  if (err instanceof InviteRefusedError) {
    return err.reason === 'taken'
      ? new StanzaError('conflict', { text: 'this username is taken' })
      : new StanzaError('not-allowed', { text: 'the invitation has been used up or revoked' });
  }
  return err;
}

// ---- the module -----------------------------------------------------------------------------------------------

export const registerModule: ServerModule = {
  name: 'register',
  spec: 'XEP-0077: In-Band Registration, with XEP-0445 Pre-Authenticated In-Band Registration',
  async load(ctx) {
    const { config } = ctx;
    const invites = await ctx.storage.open(inviteStore);
    const open = (): boolean => config.registration === 'open';
    /** Invitation tokens are taken unless sign-up is closed altogether. */
    const invitesOn = (): boolean => config.registration !== 'closed';
    // Disco lists registration only when anyone may register (DISCO 11a); password change works regardless. Invited
    // people learn of token registration from the stream features (XEP-0445 §3), before they can ask disco.
    if (open()) ctx.disco.addFeature('host', NS_REGISTER);

    // XEP-0445 §3: <register xmlns='urn:xmpp:ibr-token:0'/> (and its older name) when tokens are taken. The XEP-0077
    // feature is offered with it, as Prosody does: Conversations only registers where it sees that feature, and then
    // sends the token first when it also sees the invitation feature. Without a token, registration is refused.
    ctx.featureProviders.push({
      postAuthFeatures: () => [],
      preAuthFeatures: (stream) => {
        if (!stream.secure || !invitesOn()) return [];
        return [el('register', { xmlns: NS_REGISTER_FEATURE }), el('register', { xmlns: NS_IBR_TOKEN }), el('register', { xmlns: NS_INVITE_LEGACY })];
      },
    });

    /**
     * Registrations per remote address (an IPv6 /64) in the last hour (SVC-13 rate limit). A place is reserved before
     * the account is created and given back if that fails, so parallel streams cannot all pass the check at once.
     */
    const registrations = new WindowReservations(HOUR, () => config.limits.registrationsPerIpPerHour);
    /** Streams that already created an account: one per stream, then log in (§3.1.1). */
    const registeredOn = new WeakSet<PreAuthStream>();
    /** Streams that presented an acceptable invitation token (XEP-0445 §4), and the token. */
    const tokenOf = new WeakMap<PreAuthStream, string>();

    const createAccount = async (stream: PreAuthStream, query: Element): Promise<void> => {
      if (firstChildElement(query)?.getName() === 'remove') {
        // Cancelling a registration before logging in: there is no account to cancel (§3.2 error table).
        throw new StanzaError('unexpected-request', { text: 'log in to remove your account' });
      }
      if (registeredOn.has(stream)) throw new StanzaError('not-acceptable', { text: 'an account was already created on this connection; log in with it' });
      const token = tokenOf.get(stream);
      if (token !== undefined) return createInvited(stream, query, token);
      const { username: rawUser, password: rawPassword } = submitted(query);
      if (rawUser === null || rawUser === '') throw new StanzaError('not-acceptable', { text: 'a username is required' });
      const password = checkPassword(rawPassword);
      const username = checkUsername(rawUser);
      const place = registrations.reserve(addressGroup(stream.remoteAddress));
      if (!place) throw new StanzaError('not-acceptable', { text: 'too many accounts were created from your address; try again later' });
      try {
        // Names that map to an existing account under PRECIS (case, width…) are the same account (BAD-31). A name an
        // invitation reserves is kept for it until it expires (XEP-0445 §5).
        if (!(await ctx.accounts.nameAvailable(username))) throw new StanzaError('conflict', { text: 'this username is taken' });
        await ctx.accounts.create(username, password).catch((err: unknown) => {
          throw lifecycleError(err);
        });
      } catch (err) {
        place.release();
        throw err;
      }
      registeredOn.add(stream);
      ctx.log.info('register', `${stream.id} created the account ${username}@${config.domain} from ${stream.remoteAddress}`);
    };

    /** XEP-0445 §4: an account with a token the stream presented; the token's expiry was checked then, not now. */
    const createInvited = async (stream: PreAuthStream, query: Element, token: string): Promise<void> => {
      const { username: rawUser, password: rawPassword } = submitted(query);
      const doc = await invites.get(token);
      if (rawUser === null || rawUser === '') {
        if (!doc?.username) throw new StanzaError('not-acceptable', { text: 'a username is required' });
      }
      const password = checkPassword(rawPassword);
      const username = rawUser === null || rawUser === '' ? doc!.username! : checkUsername(rawUser);
      if (doc?.username && doc.username !== username) {
        throw new StanzaError('not-acceptable', { text: `this invitation is for the username ${doc.username}` });
      }
      // The one redemption of the account lifecycle (also the web sign-up's): name free, use taken, account made.
      await ctx.accounts.redeemInvite(token, username, password, { ignoreExpiry: true }).catch((err: unknown) => {
        throw lifecycleError(err);
      });
      registeredOn.add(stream);
      ctx.log.info('register', `${stream.id} created the account ${username}@${config.domain} with an invitation from ${stream.remoteAddress}`);
    };

    /** Pre-auth iq plumbing: replies come from the domain only when the request was addressed to it. */
    const preAuth = (handle: (iq: Element, answer: (reply: Element) => void) => Promise<void>) => async (stream: PreAuthStream, iq: Element): Promise<void> => {
      const a = iq.attrs as Record<string, string | undefined>;
      const answer = (reply: Element): void => {
        delete reply.attrs.to;
        if (a.to !== undefined) reply.attrs.from = config.domain;
        else delete reply.attrs.from;
        stream.send(reply);
      };
      const fail = (condition: StanzaErrorCondition, opts: StanzaErrorOptions = {}): void => answer(stanzaErrorReply(iq, condition, opts));
      try {
        const target = a.to === undefined ? null : tryParseJid(a.to);
        if (a.to !== undefined && (!target || target.toString() !== config.domain)) return fail('service-unavailable');
        await handle(iq, answer);
      } catch (err) {
        if (err instanceof StanzaError) return fail(err.condition, err.options);
        ctx.log.error('register', `registration failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        fail('internal-server-error');
      }
    };

    // Before authentication (handed over by the c2s stream): XEP-0077 §3.1 with a server.
    ctx.preAuthIq.set(NS_REGISTER, (stream, iq) => preAuth(async (iq, answer) => {
      const a = iq.attrs as Record<string, string | undefined>;
      const query = firstChildElement(iq)!;
      if (query.getName() !== 'query') throw new StanzaError('service-unavailable');
      // Registration off: as if unsupported (§3.1, SVC-12).
      if (!invitesOn()) throw new StanzaError('service-unavailable', { text: 'accounts are created by the administrator' });
      if (!stream.secure) throw new StanzaError('not-authorized', { text: 'registration needs an encrypted connection' });
      const token = tokenOf.get(stream);
      if (!open() && token === undefined) {
        throw new StanzaError('not-allowed', { text: 'accounts on this server are created with an invitation: open your invitation link' });
      }
      if (a.type === 'get') {
        const reserved = token === undefined ? undefined : (await invites.get(token))?.username ?? undefined;
        return answer(el('iq', { type: 'result', id: a.id },
          el('query', { xmlns: NS_REGISTER }, el('instructions', null, INSTRUCTIONS), el('username', null, reserved ?? null), el('password'),
            registrationForm(reserved))));
      }
      await createAccount(stream, query);
      answer(el('iq', { type: 'result', id: a.id }));
    })(stream, iq));

    // XEP-0445 §4: the invitation token, before registering. Its use is taken only when the account is created.
    ctx.preAuthIq.set(NS_PARS, (stream, iq) => preAuth(async (iq, answer) => {
      const a = iq.attrs as Record<string, string | undefined>;
      const preauth = firstChildElement(iq)!;
      if (a.type !== 'set' || preauth.getName() !== 'preauth') throw new StanzaError('bad-request', { text: 'send the token as <preauth token=…/> in an iq set' });
      if (!invitesOn()) throw new StanzaError('service-unavailable', { text: 'accounts are created by the administrator' });
      if (!stream.secure) throw new StanzaError('not-authorized', { text: 'registration needs an encrypted connection' });
      if (registeredOn.has(stream)) throw new StanzaError('not-acceptable', { text: 'an account was already created on this connection; log in with it' });
      const token = preauth.attrs.token as string | undefined;
      const doc = token ? await invites.get(token) : null;
      if (!doc || inviteState(doc) !== 'valid') {
        ctx.log.info('register', `${stream.id} presented an invitation token that is unknown, used up, revoked or expired`);
        throw new StanzaError('item-not-found', { text: 'the invitation token is invalid or expired' });
      }
      tokenOf.set(stream, doc._id);
      answer(el('iq', { type: 'result', id: a.id }));
    })(stream, iq));

    // After authentication: the account's own registration (§3.1 "already registered", §3.2, §3.3).
    // Only a local client session manages its own registration: a stanza from a federated peer (origin null) with
    // the same localpart is someone else's account (bob@other.example must not remove or re-key bob@us).
    const mine = (ev: StanzaEvent): boolean => ev.origin !== null && ev.from.domain === config.domain && ev.to.domain === config.domain;
    ctx.router.hookIq('get', ['self', 'host'], NS_REGISTER, 'query', (ev) => {
      if (!mine(ev)) return false;
      return replyResult(ev, el('query', { xmlns: NS_REGISTER },
        el('registered'), el('instructions', null, 'You are registered. Send a new password to change it, or <remove/> to delete your account.'),
        el('username', null, ev.from.local), el('password')));
    });

    ctx.router.hookIq('set', ['self', 'host'], NS_REGISTER, 'query', async (ev) => {
      if (!mine(ev)) return false;
      const user = ev.from.local;
      const query = firstChildElement(ev.stanza)!;
      const children = childElements(query);
      if (children.some((c) => c.getName() === 'remove')) {
        // <remove/> must be the only child (§3.2 bad-request).
        if (children.length !== 1) throw new StanzaError('bad-request', { text: '<remove/> must be the only child of <query/>' });
        // The account lifecycle: the account, its subscriptions (contacts told) and every store's data go, then the
        // result is sent, then every stream of the account is closed with <not-authorized/> (SVC-15).
        await ctx.accounts.remove(user, { beforeDisconnect: () => replyResult(ev), reason: 'the account was removed', evenIfMissing: true });
        return true;
      }
      // Password change (§3.3).
      if ((ev.origin as { secure?: boolean } | null)?.secure === false) {
        throw new StanzaError('not-authorized', { text: 'change passwords only over an encrypted connection' });
      }
      const { username, password } = submitted(query);
      if (username !== null && username !== '') {
        let prepped: string | null;
        try {
          prepped = parseUsername(username);
        } catch {
          prepped = null;
        }
        if (prepped !== user) throw new StanzaError('bad-request', { text: 'you can only change the password of the account you are logged in with' });
      }
      await ctx.accounts.setPassword(user, checkPassword(password)).catch((err: unknown) => {
        throw lifecycleError(err);
      });
      ctx.log.info('register', `${user}@${config.domain} changed their password`);
      return replyResult(ev);
    });
  },
};
