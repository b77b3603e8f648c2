// The bodies the protocol package also names (it builds and reads them) are the same types as the schemas'.
// Checked by tsc: a field added to one side and not the other fails `npm run check`.
import type * as P from '@moneybag/protocol';
import type { Static } from 'typebox';
import { expectTypeOf, it } from 'vitest';
import type * as A from '../src/index.ts';

it("the protocol package's JSON types are the schemas' types", () => {
  expectTypeOf<Static<typeof A.BagAnswer>>().toEqualTypeOf<P.BagAnswerJson>();
  expectTypeOf<Static<typeof A.RejectedUse>>().toEqualTypeOf<P.RejectedUseJson>();
  expectTypeOf<Static<typeof A.WellKnown>>().toEqualTypeOf<P.WellKnownJson>();
  expectTypeOf<Static<typeof A.Refusal>>().toEqualTypeOf<P.RefusalJson>();
  expectTypeOf<Static<typeof A.ReturnAnswer>>().toEqualTypeOf<P.SettlementAnswer>();
  expectTypeOf<Static<typeof A.ReclaimAnswer>>().toEqualTypeOf<P.ReclaimAnswerJson>();
});
