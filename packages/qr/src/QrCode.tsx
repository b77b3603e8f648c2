// Showing a message or a link as a QR code: SVG, whole modules, black on white, with the quiet zone.
import { needsFrames, toFrames, toText } from '@moneybag/protocol';
import { type CSSProperties, useEffect, useMemo, useState } from 'react';
import { matrixPath, type QrMatrix, QUIET_ZONE, qrMatrices, qrMatrix } from './matrix.ts';
import { t } from './text.ts';

/** Frames of a loop shown per second (4.2: about 4). */
export const FRAMES_PER_SECOND = 4;
const DEFAULT_SIZE = 320;

const figureStyle: CSSProperties = {
  margin: 0,
  display: 'inline-flex',
  flexDirection: 'column',
  alignItems: 'center',
};
const svgStyle: CSSProperties = { display: 'block', background: '#fff', maxWidth: '100%', height: 'auto' };

function QrSvg(props: { matrix: QrMatrix; size: number; label?: string; frames?: number; frame?: number }) {
  const { matrix, size, label, frames, frame } = props;
  const total = matrix.size + 2 * QUIET_ZONE;
  // A whole number of pixels a module keeps every edge sharp (on a 1x screen, in a screenshot).
  const px = Math.max(1, Math.floor(size / total)) * total;
  const d = useMemo(() => matrixPath(matrix), [matrix]);
  return (
    <svg
      data-testid="qr"
      data-frames={frames}
      data-frame={frame}
      role="img"
      aria-label={label ?? t('qrCode')}
      width={px}
      height={px}
      viewBox={`0 0 ${total} ${total}`}
      shapeRendering="crispEdges"
      style={svgStyle}
    >
      <rect width={total} height={total} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/**
 * A message as a QR code, raw in byte mode at ECC level M. A message longer than QR_MAX_BYTES is shown as
 * its loop of Frames, about 4 a second, each at the same QR version so the code does not change size.
 */
export function QrCode(props: { message: Uint8Array; size?: number; label?: string }) {
  const { message, size = DEFAULT_SIZE, label } = props;
  // Keyed by content, not identity: a new array with the same bytes keeps the loop going.
  const key = toText(message);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the bytes of `message`
  const matrices = useMemo(() => qrMatrices(needsFrames(message) ? toFrames(message) : [message]), [key]);
  const [index, setIndex] = useState(0);
  useEffect(() => {
    setIndex(0);
    if (matrices.length < 2) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % matrices.length), 1000 / FRAMES_PER_SECOND);
    return () => clearInterval(timer);
  }, [matrices]);
  const looping = matrices.length > 1;
  return (
    <figure style={figureStyle}>
      <QrSvg
        matrix={matrices[index % matrices.length]}
        size={size}
        label={label}
        frames={looping ? matrices.length : undefined}
        frame={looping ? index % matrices.length : undefined}
      />
      {label && <figcaption>{label}</figcaption>}
    </figure>
  );
}

/** A text, such as a pairing link, as a QR code. */
export function QrText(props: { text: string; size?: number; label?: string }) {
  const { text, size = DEFAULT_SIZE, label } = props;
  const matrix = useMemo(() => qrMatrix(text), [text]);
  return (
    <figure style={figureStyle}>
      <QrSvg matrix={matrix} size={size} label={label} />
      {label && <figcaption>{label}</figcaption>}
    </figure>
  );
}
