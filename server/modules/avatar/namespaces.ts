// XEP-0084 (User Avatar), XEP-0153 (vCard-Based Avatars) and XEP-0398 (their conversion).
export const NS_AVATAR_DATA = 'urn:xmpp:avatar:data';
export const NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
export const NS_VCARD_UPDATE = 'vcard-temp:x:update';
export const NS_PEP_VCARD_CONVERSION = 'urn:xmpp:pep-vcard-conversion:0';
