/**
 * Runs a cell N times for the explorer, one after another through the bridge (its queue limits
 * how many run at once anyway, and in turn each run's progress is plain): each run recorded,
 * its outcome (stdout, exit code) and schedule signature read with the protocol's own functions
 * (the same as `slowmo explore`), and the runs grouped at the end.
 */
import {
  exploredRun,
  groupRuns,
  perturbLabel,
  whichPerturbed,
  type ExploredRun,
  type RunRequestInput,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import type { BridgeClient, RunControl } from '../client';
import { runRequest, type SlowmoMetadata } from '../metadata';
import { recordedEnd, runOptions, type Recording } from '../recording';
import type { ExploreStore } from './explore-store';
import type { Setting } from './sweep';

/** One run to its end: its recording, or why it did not run. */
function recordOne(
  client: BridgeClient,
  request: RunRequestInput,
  source: string,
  meta: SlowmoMetadata,
  started: (control: RunControl) => void,
): Promise<Recording | string> {
  // A refused perturbation comes as a compile error at its line: say it was the perturbation.
  const building = request.perturb
    ? `it cannot be built perturbed (${request.perturb.map(perturbLabel).join(', ')})`
    : 'the program does not compile';
  return new Promise((resolve) => {
    const events: SlowmoEvent[] = [];
    void client
      .run(request, {
        status: () => {},
        events: (batch) => {
          for (const e of batch) events.push(e);
        },
        compileError: (diagnostics) =>
          resolve(
            `${building}: ${diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('; ')}`,
          ),
        // The runs are recorded at full speed, whatever the cell's mode.
        end: (end) =>
          resolve({ source, options: runOptions(meta, 'record'), events, end: recordedEnd(end) }),
        error: (message) => resolve(message),
      })
      .then(started);
  });
}

/**
 * Runs the cell `store.total` times into `store`, an equal share with each of `settings` (one
 * after another; by default the cell's own); the grouping (or the error) when done. Stopped
 * by the learner, the runs that ended are grouped and the one cut short is left out: its output
 * is not one the program gives.
 */
export async function exploreCell(
  client: BridgeClient,
  source: string,
  meta: SlowmoMetadata,
  store: ExploreStore,
  settings: readonly Setting[] = [{}],
): Promise<void> {
  const runs: ExploredRun[] = [];
  const perturb = store.perturb;
  const per = Math.max(1, Math.round(store.total / settings.length));
  // The share perturbed within each setting's runs, as `slowmo explore` spreads it.
  const which = perturb ? whichPerturbed(per, perturb.share) : [];
  // Always recorded at full speed: slow motion would wait for a learner's steps.
  const recordMeta = { ...meta, mode: 'record' as const };

  for (let k = 1; k <= store.total && !store.stopping; k++) {
    const id = `r${k}`;
    const perturbed = perturb && which[(k - 1) % per] ? perturb.at : undefined;
    const setting = settings[Math.min(settings.length - 1, Math.floor((k - 1) / per))] ?? {};
    const withSetting = {
      ...recordMeta,
      ...(setting.procs ? { gomaxprocs: setting.procs } : {}),
      ...(setting.go ? { goVersion: setting.go } : {}),
    };
    const ran = await recordOne(
      client,
      {
        ...runRequest(`${store.id}-${id}`, source, withSetting),
        ...(perturbed ? { perturb: perturbed } : {}),
      },
      source,
      { ...withSetting, mode: meta.mode },
      (control) => {
        store.current = control;
        if (store.stopping) control.control('stop');
      },
    );
    store.current = undefined;
    if (store.stopping) break;
    if (typeof ran === 'string') {
      store.update({ error: `run ${k} of ${store.total} did not run: ${ran}` });
      return;
    }
    store.recordings.set(id, ran);
    runs.push(
      exploredRun(
        id,
        ran.events,
        { perturb: perturbed },
        perturb ? perturbed !== undefined : undefined,
      ),
    );
    store.update({ done: k });
  }
  if (runs.length === 0) {
    store.update({ error: 'stopped before any run ended' });
    return;
  }
  store.update({ exploration: groupRuns(runs, perturb) });
}
