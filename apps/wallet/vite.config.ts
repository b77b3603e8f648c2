// The wallet PWA, served by the service at /wallet/.
import { fileURLToPath } from 'node:url';
import { pwaConfig } from '../../packages/web/vite.ts';

export default pwaConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  app: 'wallet',
  name: 'Moneybag wallet',
  shortName: 'Wallet',
  description: 'Tickets on your phone; pay by QR code, offline.',
  orientation: 'portrait',
  themeColor: '#0b3d2e',
  port: 5302,
});
