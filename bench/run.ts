// `npm run bench`: every benchmark, printing figures and ratios measured side by side in one run; it asserts
// nothing. The browser benches need the built apps (`npm run bench` builds them first) and Chromium.
import { benchVerdict } from '../apps/pos/bench/verdict.ts';
import { benchIngest } from '../apps/server/bench/ingest.ts';
import { benchWallet } from '../apps/wallet/bench/wallet.ts';
import { benchProtocol, printSizes } from './protocol.ts';

console.log('# protocol');
await printSizes();
await benchProtocol();
console.log('\n# server');
await benchIngest();
console.log('\n# wallet');
await benchWallet();
console.log('\n# pos');
await benchVerdict();
