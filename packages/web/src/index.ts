// @moneybag/web: browser pieces that both PWAs (wallet and POS) need.
export { holdTab, type TabState } from './tab.ts';
