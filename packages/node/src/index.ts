export { nativeVerifier, nativeVerifyRaw } from './native.ts';
