// The words of the camera and the QR code itself, shared by every app, English first and German second (issue 13):
// the browser's language picks one, as in each app's own catalog.
import { type Catalog, translator } from '@moneybag/web';

const en = {
  insecure:
    'The camera can only be used on a secure (https) page. Open this page with https:// and try again.',
  unsupported: 'This browser cannot use a camera. Try another browser.',
  denied:
    'The camera is blocked for this page. Allow the camera in the browser (the icon next to the address), then try again.',
  none: 'No camera was found on this device.',
  busy: 'The camera is in use by another app or could not start. Close the other app, then try again.',
  lost: 'The camera stopped. Check that it is connected and allowed for this page, then try again.',
  other: 'The camera could not start.',
  camera: 'Camera',
  tryAgain: 'Try again',
  qrCode: 'QR code',
};

const de: Catalog<typeof en> = {
  insecure:
    'Die Kamera lässt sich nur auf einer sicheren (https-)Seite nutzen. Diese Seite mit https:// öffnen und es noch einmal versuchen.',
  unsupported: 'Dieser Browser kann keine Kamera nutzen. Einen anderen Browser versuchen.',
  denied:
    'Die Kamera ist für diese Seite gesperrt. Die Kamera im Browser erlauben (das Symbol neben der Adresse), dann noch einmal versuchen.',
  none: 'Auf diesem Gerät wurde keine Kamera gefunden.',
  busy: 'Die Kamera wird von einer anderen App genutzt oder konnte nicht starten. Die andere App schließen, dann noch einmal versuchen.',
  lost: 'Die Kamera hat aufgehört. Prüfen, ob sie angeschlossen und für diese Seite erlaubt ist, dann noch einmal versuchen.',
  other: 'Die Kamera konnte nicht starten.',
  camera: 'Kamera',
  tryAgain: 'Noch einmal versuchen',
  qrCode: 'QR-Code',
};

export const t = translator({ en, de });
