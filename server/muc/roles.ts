// XEP-0045 §5: affiliations (long-lived, by bare JID) and roles (for the time of a visit), their ranks, and the
// default role each affiliation gets on entering (§5.1.2's table).
export const AFFILIATIONS = ['owner', 'admin', 'member', 'none', 'outcast'] as const;
export type Affiliation = typeof AFFILIATIONS[number];
export const ROLES = ['moderator', 'participant', 'visitor', 'none'] as const;
export type Role = typeof ROLES[number];

const AFFILIATION_RANK: Record<Affiliation, number> = { owner: 4, admin: 3, member: 2, none: 1, outcast: 0 };
const ROLE_RANK: Record<Role, number> = { moderator: 3, participant: 2, visitor: 1, none: 0 };

export function affiliationRank(a: Affiliation): number {
  return AFFILIATION_RANK[a];
}

export function roleRank(r: Role): number {
  return ROLE_RANK[r];
}

export function isAffiliation(v: unknown): v is Affiliation {
  return typeof v === 'string' && (AFFILIATIONS as readonly string[]).includes(v);
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** The role an occupant with this affiliation gets on entering (XEP-0045 §5.1.2); null: may not enter. */
export function defaultRole(affiliation: Affiliation, room: { moderated: boolean; membersOnly: boolean }): Role | null {
  switch (affiliation) {
    case 'owner':
    case 'admin':
      return 'moderator';
    case 'member':
      return 'participant';
    case 'none':
      if (room.membersOnly) return null;
      return room.moderated ? 'visitor' : 'participant';
    case 'outcast':
      return null;
  }
}
