/**
 * Who is calling the service, and what each role may do. Shared by the HTTP API (bearer tokens) and
 * the web console (session cookies), so a role means the same thing on both faces.
 *
 * Viewer: read. Operator: allocate, release, VM lifecycle, adapter changes, scans, fix plans.
 * Admin: everything, including pools, tokens and hosts.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An authenticated caller: the token's name (the audit log's actor) and its role. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a caller with `role` may do what needs `needed`. */
export const roleAllows = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];
