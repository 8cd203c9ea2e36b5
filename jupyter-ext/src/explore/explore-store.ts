/**
 * An exploration of a cell in this page: its runs as they end (each a recording the picture can
 * open), how many are done, and the grouping once all are. Found by id from its output, in this
 * module's registry, for as long as the page lives (the notebook keeps only the grouping).
 */
import type { Exploration, Perturbation } from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import type { RunControl } from '../client';
import type { Recording } from '../recording';

export class ExploreStore {
  readonly recordings = new Map<string, Recording>();
  done = 0;
  exploration: Exploration | undefined;
  error: string | undefined;
  readonly changed = new Signal<this, void>(this);
  /**
   * Explores the same cell again, perturbed as given (undefined: as written): set by the plugin,
   * for the explorer's own form; absent once the page has let the cell go.
   */
  rerun: ((perturb: Perturbation[] | undefined) => void) | undefined;

  constructor(
    readonly id: string,
    readonly total: number,
    /** The schedule perturbation asked for, and the share of runs it is made in. */
    readonly perturb?: { at: Perturbation[]; share: number },
  ) {}

  /** The learner asked to stop: no run starts after the one going, which is stopped. */
  stopping = false;
  /** The run going now, to stop it. */
  current: RunControl | undefined;

  stop(): void {
    if (this.stopping || this.exploration || this.error) return;
    this.stopping = true;
    this.current?.control('stop');
    this.changed.emit();
  }

  update(change: Partial<Pick<ExploreStore, 'done' | 'exploration' | 'error'>>): void {
    Object.assign(this, change);
    this.changed.emit();
  }
}

/** Explorations kept at most: the runs of older ones are let go. */
const KEEP = 8;
const stores = new Map<string, ExploreStore>();

export function keepExploration(store: ExploreStore): void {
  stores.set(store.id, store);
  while (stores.size > KEEP) stores.delete(stores.keys().next().value as string);
}

export function exploration(id: string): ExploreStore | undefined {
  return stores.get(id);
}
