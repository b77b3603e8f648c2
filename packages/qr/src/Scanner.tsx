// A camera viewfinder that reports whole protocol messages.
import { type CSSProperties, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { CameraError, cameraError, startScanner } from './camera.ts';
import { MessageReader } from './reader.ts';
import { t } from './text.ts';

export interface ScannerProps {
  /** A whole message read (bytes, not yet decoded); the same message again only after another one. */
  onMessage(message: Uint8Array): void;
  /** Frames of a loop gathered so far. */
  onProgress?(p: { have: number; count: number }): void;
  /** A code that holds no message (a ProtocolError), throttled. */
  onError?(e: Error): void;
  /** The camera could not start; the scanner shows why itself, with a way to try again. */
  onCameraError?(e: CameraError): void;
  /** Camera off; on resume, a message still in view is reported again. */
  paused?: boolean;
}

const boxStyle: CSSProperties = { display: 'flex', flexDirection: 'column', gap: '0.5rem', maxWidth: '100%' };
const videoStyle: CSSProperties = {
  width: '100%',
  maxWidth: '32rem',
  aspectRatio: '4 / 3',
  objectFit: 'cover',
  background: '#000',
  borderRadius: '0.5rem',
};

export function Scanner(props: ScannerProps) {
  const { paused = false } = props;
  const video = useRef<HTMLVideoElement>(null);
  // The latest handlers, so that a parent's new closures do not restart the camera.
  const handlers = useRef(props);
  useLayoutEffect(() => {
    handlers.current = props;
  });
  const [problem, setProblem] = useState<CameraError>();
  const [progress, setProgress] = useState<{ have: number; count: number }>();
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` restarts the camera on "Try again"
  useEffect(() => {
    if (paused || !video.current) return;
    // Aborting stops the camera, also one still opening (StrictMode, a quick pause).
    const abort = new AbortController();
    const reader = new MessageReader({
      onMessage: (m) => {
        setProgress(undefined);
        handlers.current.onMessage(m);
      },
      onProgress: (p) => {
        setProgress(p);
        handlers.current.onProgress?.(p);
      },
      onError: (e) => handlers.current.onError?.(e),
    });
    setProblem(undefined);
    const fail = (error: CameraError) => {
      setProblem(error);
      handlers.current.onCameraError?.(error);
    };
    const element = video.current;
    startScanner(element, (content) => reader.read(content), abort.signal).then(
      (stop) => {
        // A camera taken away later (unplugged, permission revoked) ends its track: say so, offer a retry.
        const stream = element.srcObject as MediaStream | null;
        for (const track of stream?.getVideoTracks() ?? [])
          track.addEventListener('ended', () => {
            if (abort.signal.aborted) return;
            stop();
            fail(new CameraError('lost'));
          });
      },
      (e: unknown) => {
        if (!abort.signal.aborted) fail(cameraError(e));
      },
    );
    return () => {
      abort.abort();
      setProgress(undefined);
    };
  }, [paused, attempt]);

  return (
    <div style={boxStyle} data-testid="scanner">
      <video ref={video} playsInline muted style={videoStyle} aria-label={t('camera')} />
      {progress && progress.count > 0 && (
        <progress data-testid="scan-progress" value={progress.have} max={progress.count}>
          {progress.have}/{progress.count}
        </progress>
      )}
      {problem && !paused && (
        <div role="alert" data-testid="camera-error">
          <p>{problem.message}</p>
          <button onClick={() => setAttempt((a) => a + 1)}>{t('tryAgain')}</button>
        </div>
      )}
    </div>
  );
}
