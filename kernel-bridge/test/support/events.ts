/**
 * Hand-written event sequences for tests: `seq` and `t` are numbered for you,
 * the context defaults to M0 on P0 running g0, and every event is run through
 * parseEvent so a test can never feed the reducer something the protocol
 * would reject.
 */
import { parseEvent, type EventKind, type EventOf, type SlowmoEvent } from '../../src/protocol';

type Fields<K extends EventKind> = Omit<EventOf<K>, 'seq' | 't' | 'kind' | 'm' | 'p' | 'g'> &
  Partial<Pick<EventOf<K>, 'm' | 'p' | 'g'>>;

export class Script {
  readonly events: SlowmoEvent[] = [];

  add<K extends EventKind>(kind: K, fields: Fields<K>): this {
    const seq = this.events.length;
    this.events.push(parseEvent({ seq, t: seq * 100, m: 0, p: 0, g: 0, kind, ...fields }));
    return this;
  }

  start(gomaxprocs = 2): this {
    return this.add('run.start', {
      goVersion: 'go1.26.8',
      gomaxprocs,
      backend: 'ebpf',
      fidelity: { runq: true, runnext: true, steals: true, lines: true },
    });
  }

  create(goid: number, opts: { parent?: number; line?: number; p?: number } = {}): this {
    const p = opts.p ?? 0;
    return this.add('g.create', {
      goid,
      parent: opts.parent ?? 1,
      fn: 'main.worker',
      file: '/tmp/build/main.go',
      line: opts.line ?? 12,
      p,
      m: p,
    });
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
}

export function script(): Script {
  return new Script();
}

const deeplyFrozen = new WeakSet<object>();

/**
 * Freezes a value and everything reachable from it, so any later mutation
 * throws. States share structure, so what was frozen once is skipped.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || deeplyFrozen.has(value)) return value;
  deeplyFrozen.add(value);
  for (const key of Reflect.ownKeys(value))
    deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}
