export { nativeSigner, nativeVerifier, nativeVerifyRaw, useNativeHashes } from './native.ts';
export { type PoolVerifier, poolVerifier } from './pool.ts';
