export { nativeSigner, nativeVerifier, nativeVerifyRaw, useNativeHashes } from './native.ts';
