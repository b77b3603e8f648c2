// A changed key in an app's words: one sentence shape for the POS and the wallet, each with its own catalog.
import { type KeyChange, keyFingerprint } from '@moneybag/protocol';

/** The catalog entries the sentence needs: `keyChanged` with {party} {id} {served} {pinned}, and the party names. */
type KeyWords = (
  key: 'keyChanged' | 'partyIssuer' | 'partyCollector',
  vars?: Record<string, string | number>,
) => string;

/** Which party changed its key, and the fingerprints of the key served now and of the one pinned. */
export const keyChangeText = (c: KeyChange, t: KeyWords): string =>
  t('keyChanged', {
    party: t(c.party === 'issuer' ? 'partyIssuer' : 'partyCollector'),
    id: c.id,
    served: keyFingerprint(c.served),
    pinned: keyFingerprint(c.pinned),
  });
