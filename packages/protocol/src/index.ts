// @moneybag/protocol: every rule of PROTOCOL.md, once. No DOM, no Node: runs in a browser, Node and a worker.
export * from './amount.ts';
export * from './bytes.ts';
export * from './checks.ts';
export * from './codec.ts';
export * from './collector.ts';
export * from './crypto.ts';
export * from './errors.ts';
export * from './frames.ts';
export * from './http.ts';
export * from './issuer.ts';
export * from './messages.ts';
export * from './pos.ts';
export * from './relay.ts';
export * from './signed.ts';
export * from './text.ts';
export * from './wallet.ts';
