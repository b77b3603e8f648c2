// @moneybag/protocol: every rule of PROTOCOL.md, once. No DOM, no Node: runs in a browser, Node and a worker.
// What the apps use, by name; the encoders' internals (Reader, Writer, the body writers) stay inside.
export { formatAmount, parseAmount, unitDigits } from './amount.ts';
export { equal, fromBase64url, fromHex, toBase64url, toHex, utf8 } from './bytes.ts';
export { type Keys, keysOf, ticketId, totalsOf } from './checks.ts';
export { isId } from './codec.ts';
export {
  type AcceptedUse,
  type AllocationRecord,
  allocate,
  type BagAnswer,
  type BagContext,
  type BagPath,
  checkBag,
  checkDirect,
  DIRECT_WINDOW_MS,
  type DirectAnswer,
  type DirectContext,
  makeReturns,
  type RejectedUse,
} from './collector.ts';
export {
  bestVerifier,
  hashes,
  hasWebCryptoEd25519,
  makeVerifier,
  nobleVerifier,
  precheck,
  type RawVerify,
  randomBytes,
  type SignatureCheck,
  type Signer,
  seedSigner,
  sha256,
  type Verifier,
  webCryptoSigner,
  webCryptoVerifier,
} from './crypto.ts';
export {
  CODE_TEXT,
  CODES,
  type Code,
  codeText,
  fail,
  isCode,
  isProtocolError,
  ProtocolError,
} from './errors.ts';
export { FrameReader, frameWhole, needsFrames, QR_MAX_BYTES, toFrames, wholeOf } from './frames.ts';
export {
  type BagAnswerJson,
  bagAnswerJson,
  type PartyKey,
  type RefusalJson,
  type RejectedUseJson,
  readWellKnown,
  type WellKnownJson,
} from './http.ts';
export {
  type Blame,
  issueTicket,
  type SettledUse,
  type Settlement,
  type SettlementAnswer,
  type SettlementStore,
  settleReturn,
  ticketFingerprint,
} from './issuer.ts';
export {
  type Allocation,
  type Bag,
  type BagChild,
  type BagNode,
  type Bytes,
  type Challenge,
  type DirectPayment,
  decode,
  decodeViews,
  encode,
  type Frame,
  type HolderKey,
  type Message,
  type MessageOf,
  type MessageType,
  type PathStep,
  type Payment,
  peekType,
  type Receipt,
  type Report,
  type Return,
  type ReturnItem,
  type Spend,
  type Ticket,
  type Use,
} from './messages.ts';
export {
  checkPayment,
  closeBag,
  makeChallenge,
  mergeBags,
  numberOfAllocation,
  type OpenChallenge,
  type PaymentContext,
  type PaymentVerdict,
  passDown,
  usesOf,
  verifyAllocation,
  verifyReport,
} from './pos.ts';
export { bodyOfUse, challengeOf, digestOf, directChallengeOf, ticketBody } from './signed.ts';
export { fromText, readContent, toText, toUrl } from './text.ts';
export {
  type Choice,
  type Holding,
  selectTickets,
  signDirectPayment,
  signPayment,
  verifyReceipt,
  verifyReceivedTicket,
} from './wallet.ts';
