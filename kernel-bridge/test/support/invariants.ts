/**
 * What must hold in any state the reducer builds from a real stream: every
 * goroutine is in exactly one place, and every place names a goroutine that
 * agrees it is there.
 */
import type { SchedState } from '../../src/protocol';

export function invariantViolations(state: SchedState): string[] {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  const place = (goid: number, where: string) => {
    const before = seen.get(goid);
    if (before) problems.push(`g${goid} is both ${before} and ${where}`);
    seen.set(goid, where);
  };
  for (const p of state.procs) {
    if (p.runnext !== 0) place(p.runnext, `P${p.id}.runnext`);
    p.runq.forEach((goid) => place(goid, `P${p.id}.runq`));
    if (p.running !== 0) place(p.running, `running on P${p.id}`);
  }
  state.globalq.forEach((goid) => place(goid, 'globalq'));
  state.gs.forEach((g) => {
    const where = seen.get(g.goid);
    if (g.status === 'running' && where !== undefined && !where.startsWith('running')) {
      problems.push(`g${g.goid} is running but recorded in ${where}`);
    }
    if (g.queue === 'global' && where !== 'globalq')
      problems.push(`g${g.goid} thinks it is in globalq, is ${where}`);
    if (
      (g.queue === 'local' || g.queue === 'runnext') &&
      where !== `P${g.qp}.${g.queue === 'local' ? 'runq' : 'runnext'}`
    ) {
      problems.push(`g${g.goid} thinks it is in P${g.qp}'s ${g.queue}, is ${where}`);
    }
    if (
      (g.status === 'dead' || g.status === 'waiting' || g.status === 'syscall') &&
      where !== undefined
    ) {
      problems.push(`g${g.goid} is ${g.status} but recorded in ${where}`);
    }
  });
  return problems;
}
