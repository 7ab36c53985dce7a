// XEP-0157: Contact Addresses for XMPP Services — the configured addresses as a
// `http://jabber.org/network/serverinfo` extended-info form (XEP-0128) in the server's disco#info (SVC-06/07).
import { el } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { CONTACT_ROLES, type ContactAddresses } from '../core/config.js';
import type { ServerModule } from './module.js';

export const NS_SERVERINFO = 'http://jabber.org/network/serverinfo';

/** The serverinfo form: FORM_TYPE first and hidden (XEP-0128 §3), then one list-multi field per role in use. */
export function serverInfoForm(addresses: ContactAddresses) {
  return el('x', { xmlns: NS.dataForms, type: 'result' },
    el('field', { var: 'FORM_TYPE', type: 'hidden' }, el('value', null, NS_SERVERINFO)),
    CONTACT_ROLES.filter((role) => (addresses[role]?.length ?? 0) > 0).map((role) =>
      el('field', { var: `${role}-addresses`, type: 'list-multi' }, addresses[role]!.map((uri) => el('value', null, uri)))));
}

export const contactAddressesModule: ServerModule = {
  name: 'contact-addresses',
  spec: 'XEP-0157: Contact Addresses for XMPP Services',
  load(ctx) {
    const configured = (): boolean => CONTACT_ROLES.some((r) => (ctx.config.contactAddresses[r]?.length ?? 0) > 0);
    // Built on every disco#info, so it shows the addresses as they are now; left out when none are set.
    if (configured()) ctx.disco.addForm(() => serverInfoForm(ctx.config.contactAddresses));
  },
};
