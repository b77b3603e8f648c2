import { keyFingerprint } from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { keyChangeText } from '../src/index.ts';

describe('keyChangeText', () => {
  it('names the party and both keys by their fingerprints, the served one first', () => {
    const pinned = new Uint8Array(32).fill(1);
    const served = new Uint8Array(32).fill(2);
    const text = keyChangeText({ party: 'collector', id: 'demo-bank', pinned, served });
    expect(text).toBe(
      `The collector demo-bank now presents another key: ${keyFingerprint(served)} instead of ${keyFingerprint(pinned)}.`,
    );
    expect(keyFingerprint(served)).not.toBe(keyFingerprint(pinned));
  });
});
