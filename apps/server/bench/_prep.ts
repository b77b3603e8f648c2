import { preparedHistory } from '/work/wt/scale/apps/server/bench/history.ts';

for (const n of [1_000_000, 5_000_000]) {
  const t = performance.now();
  const r = await preparedHistory(n);
  console.log(n, r, (performance.now() - t) / 1000);
}
