// Trust on first use of the keys a well-known document serves. The POS and the wallet pin each issuer's and
// collector's key, per party id, the first time they see it; a document that later serves another key for a
// pinned party is a change the operator (POS) or holder (wallet) must confirm. Until then nothing is checked
// under the served key: the party keeps its pinned one.
import { fromHex, toHex } from './bytes.ts';
import type { PartyKey } from './http.ts';
import type { Bytes } from './messages.ts';

export type PartyRole = 'issuer' | 'collector';

/** Pinned keys (hex) per party id. A party the document stops listing stays pinned: it cannot come back with another key unseen. */
export interface Pins {
  issuer: Record<string, string>;
  collector: Record<string, string>;
}

/** A pinned party whose key the document no longer serves. */
export interface KeyChange {
  party: PartyRole;
  id: string;
  pinned: Bytes;
  served: Bytes;
}

/** The parties of a well-known document (as `readWellKnown` gives them). */
export interface PartyLists {
  issuers: PartyKey[];
  collectors: PartyKey[];
}

const ROLES = [
  ['issuer', 'issuers'],
  ['collector', 'collectors'],
] as const;

/**
 * Compare a served document with the pins. `pins` adds every party seen for the first time; `trusted` is the
 * document with each changed party holding its pinned key; `changes` names what changed.
 */
export function checkPins<D extends PartyLists>(
  pins: Pins | undefined,
  served: D,
): { pins: Pins; changes: KeyChange[]; trusted: D } {
  const next: Pins = { issuer: { ...pins?.issuer }, collector: { ...pins?.collector } };
  const changes: KeyChange[] = [];
  const trusted = { ...served };
  for (const [party, list] of ROLES) {
    trusted[list] = served[list].map((p) => {
      const hex = toHex(p.publicKey);
      const pinned = next[party][p.id];
      if (pinned === undefined) next[party][p.id] = hex;
      else if (pinned !== hex) {
        changes.push({ party, id: p.id, pinned: fromHex(pinned), served: p.publicKey });
        return { ...p, publicKey: fromHex(pinned) };
      }
      return p;
    }) as D[typeof list];
  }
  return { pins: next, changes, trusted };
}

/** The pins after the operator or holder confirmed a document: every key it serves pinned, changed ones included. */
export function confirmPins(pins: Pins | undefined, served: PartyLists): Pins {
  const next: Pins = { issuer: { ...pins?.issuer }, collector: { ...pins?.collector } };
  for (const [party, list] of ROLES) for (const p of served[list]) next[party][p.id] = toHex(p.publicKey);
  return next;
}
