// `npm run bench`: every benchmark, printing figures and ratios measured side by side in one run.
// The browser benches need the built apps (`npm run build`) and Chromium.
import { benchVerdict } from '../apps/pos/bench/verdict.ts';
import { benchWallet } from '../apps/wallet/bench/wallet.ts';
import { benchProtocol, printSizes } from './protocol.ts';

console.log('# protocol');
await printSizes();
await benchProtocol();
console.log('\n# wallet');
await benchWallet();
console.log('\n# pos');
await benchVerdict();
