import { preloadScanner } from '@moneybag/qr';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './style.css';

createRoot(document.getElementById('root')!).render(<App />);
// The camera's decoder now, while online: its worker script is fetched when it starts.
preloadScanner();

// The service worker after the first paint: it precaches the POS, so that it starts with no network.
if ('serviceWorker' in navigator && import.meta.env.PROD)
  import('virtual:pwa-register').then(({ registerSW }) => registerSW({ immediate: true }));
