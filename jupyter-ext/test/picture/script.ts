/**
 * Event sequences for the picture's tests, written the way a run would
 * produce them: `seq` and `t` are numbered, the context defaults to M0 on P0,
 * and every event goes through the protocol's parseEvent, so a test can never
 * build a state from something the bridge would reject. States come from the
 * real reducer.
 */
import {
  initialState,
  parseEvent,
  replay,
  type EventKind,
  type EventOf,
  type Fidelity,
  type SchedState,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';

type Fields<K extends EventKind> = Omit<EventOf<K>, 'seq' | 't' | 'kind' | 'm' | 'p' | 'g'> &
  Partial<Pick<EventOf<K>, 'm' | 'p' | 'g'>>;

export const FULL: Fidelity = { runq: true, runnext: true, steals: true, lines: true };
/** What the trace backend sees: no run queue contents, no runnext, no steals. */
export const TRACE: Fidelity = { runq: false, runnext: false, steals: false, lines: false };

export class Script {
  readonly events: SlowmoEvent[] = [];

  add<K extends EventKind>(kind: K, fields: Fields<K>): this {
    const seq = this.events.length;
    this.events.push(parseEvent({ seq, t: seq * 100, m: 0, p: 0, g: 0, kind, ...fields }));
    return this;
  }

  start(gomaxprocs = 2, fidelity: Fidelity = FULL): this {
    return this.add('run.start', {
      goVersion: 'go1.26.8',
      gomaxprocs,
      backend: fidelity.runq ? 'ebpf' : 'trace',
      fidelity,
    });
  }

  create(goid: number, opts: { p?: number; fn?: string; line?: number } = {}): this {
    const p = opts.p ?? 0;
    return this.add('g.create', {
      goid,
      parent: 1,
      fn: opts.fn ?? 'main.worker',
      file: '/tmp/build/main.go',
      line: opts.line ?? 12,
      p,
      m: p,
    });
  }

  /** Created and put in a queue, as newproc does. */
  spawn(goid: number, queue: 'runnext' | 'local' | 'global' = 'local', p = 0): this {
    return this.create(goid, { p }).put(goid, queue, p, 'create');
  }

  put(
    goid: number,
    queue: 'runnext' | 'local' | 'global',
    qp: number,
    reason: EventOf<'g.runnable'>['reason'] = 'ready',
  ): this {
    return this.add('g.runnable', { goid, queue, qp: queue === 'global' ? -1 : qp, reason });
  }

  run(goid: number, p: number, m = p): this {
    return this.add('g.running', { goid, inheritTime: false, p, m, g: goid });
  }

  park(goid: number, reason: string, p = 0): this {
    return this.add('g.waiting', { goid, reason, file: '/tmp/build/main.go', line: 20, p, m: p });
  }

  syscall(goid: number, p: number, m = p): this {
    return this.add('g.syscall', { goid, p, m, g: goid });
  }

  exit(goid: number, p = 0): this {
    return this.add('g.exit', { goid, p, m: p, g: goid });
  }

  mState(m: number, state: EventOf<'m.state'>['state'], p = -1): this {
    return this.add('m.state', { state, m, p });
  }

  pState(p: number, state: EventOf<'p.state'>['state'], pm: number): this {
    return this.add('p.state', { state, pm, p, m: pm });
  }

  /** The state after every event so far, from the real reducer. */
  state(): SchedState {
    return replay(this.events, initialState());
  }
}

export function script(): Script {
  return new Script();
}
