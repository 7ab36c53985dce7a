// What the server says about itself in disco#info and disco#items (XEP-0030): filled by the modules as they load,
// so the feature list is never kept by hand (DESIGN.md).
import type { Element } from '../core/xml.js';

export interface DiscoIdentity { category: string; type: string; name?: string }
export interface DiscoItem { jid: string; name?: string; node?: string }
/** Where a feature is advertised: on the server domain, or on each account's bare JID. */
export type DiscoScope = 'host' | 'account';

export class DiscoRegistry {
  private readonly features: Record<DiscoScope, Set<string>> = { host: new Set(), account: new Set() };
  private readonly identities: Record<DiscoScope, DiscoIdentity[]> = { host: [], account: [] };
  private readonly items: DiscoItem[] = [];
  private readonly forms: (() => Element)[] = [];
  /** Changes whenever a feature, identity or form is added or removed (what the server's caps hash covers). */
  revision = 0;

  addFeature(scope: DiscoScope, feature: string): void {
    this.features[scope].add(feature);
    this.revision++;
  }

  removeFeature(scope: DiscoScope, feature: string): void {
    this.revision++;
    this.features[scope].delete(feature);
  }

  addIdentity(scope: DiscoScope, identity: DiscoIdentity): void {
    this.revision++;
    this.identities[scope].push(identity);
  }

  addItem(item: DiscoItem): void {
    this.items.push(item);
  }

  /** An extended-info data form (XEP-0128), built fresh for each answer so it reflects current settings. */
  addForm(build: () => Element): void {
    this.revision++;
    this.forms.push(build);
  }

  featuresOf(scope: DiscoScope): string[] {
    return [...this.features[scope]].sort();
  }

  identitiesOf(scope: DiscoScope): DiscoIdentity[] {
    return this.identities[scope].slice();
  }

  itemsOf(): DiscoItem[] {
    return this.items.slice();
  }

  formsOf(): Element[] {
    return this.forms.map((f) => f());
  }
}
