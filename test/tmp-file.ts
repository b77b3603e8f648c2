// vitest's setupFiles: the folders a test file made are removed at its end (after its own afterAll hooks
// stopped its services), so that a run holds the disk of the files running, not of all of them.
import type { RunnerTask } from 'vitest';
import { afterAll } from 'vitest';
import { removeMade } from './tmp.ts';

const failed = (task: RunnerTask): boolean =>
  task.result?.state === 'fail' || ('tasks' in task && task.tasks.some(failed));

// biome-ignore lint/correctness/noEmptyPattern: vitest hands the file as the 2nd argument, after a destructured context
afterAll(({}, file) => removeMade(failed(file)));
