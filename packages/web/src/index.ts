// @moneybag/web: browser pieces every app needs (wallet, POS, collector and issuer pages).
export {
  DATE_FORMATS,
  formatClock,
  formatDay,
  formatMoment,
  formatNumber,
  formatSpan,
  formatTime,
  validUntil,
} from './format.ts';
export { type Catalog, type Lang, pickLang, type Translator, translator } from './i18n.ts';
export { keyChangeText } from './keys.ts';
export { Aside, SaidText } from './Said.tsx';
export { askPersistentStorage } from './storage.ts';
export { holdTab, type TabState } from './tab.ts';
export { type Said, SaidError, say } from './words.ts';
