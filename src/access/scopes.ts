/**
 * What a token may do. Scopes nest: `admin` ⊇ `operate` ⊇ `read`. A state-changing route needs `operate` unless it
 * says otherwise with @RequireScope; reads need `read` only when they are not open (see AccessPolicy).
 */
export const SCOPES = ['read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 0, operate: 1, admin: 2 };

export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.some((s) => RANK[s] >= RANK[needed]);
}

export function parseScopes(text: string): Scope[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as Scope[];
}
