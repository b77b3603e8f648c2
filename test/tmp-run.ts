// vitest's globalSetup: the run's root for every folder its tests make (test/tmp.ts), removed when the run
// ends. vitest has set a failed run's exit code by then.
import { endRun, startRun } from './tmp.ts';

export default function setup(): () => void {
  const root = startRun();
  return () => endRun(root, Boolean(process.exitCode));
}
