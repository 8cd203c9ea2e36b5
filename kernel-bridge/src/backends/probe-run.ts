/**
 * A run under the probe engine, for both backends: the recorder launched
 * (probe-launch.ts), its events through the run's limits to the sink
 * (probe-events.ts), the learner's commands passed on, and the run ended
 * and cleaned up when the recorder exits, with an end of its own when the
 * recorder failed to give one.
 */
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { BridgeConfig } from '../config';
import type { EndReason, RunLimit } from '../protocol';
import { RunLimits } from '../run-limits';
import type { RunCgroup } from '../sandbox/cgroup';
import { readClockReports } from './clock-reports';
import type { Backend } from './detect';
import { runtimeTracesOf } from '../protocol/runtime-trace-read';
import { EventPipeline, type RunEndEvent } from './probe-events';
import { launchProbe, type LaunchedProbe, type ProbeProcess } from './probe-launch';
import type { Spare } from './probe-spare';
import type { BackendRun, EventSink, RunOutcome, RunSpec } from './run';

/**
 * How long the probe gets to end the run after SIGTERM before it is killed:
 * it first lets the program print its goroutines' stacks (up to half a
 * second, bpf/internal/stream/ending.go), then kills it.
 */
const STOP_GRACE_MS = 5000;
const MiB = 1024 * 1024;

export function startProbeRun(
  backend: Backend,
  config: BridgeConfig,
  spec: RunSpec,
  sink: EventSink,
  log: (msg: string) => void = () => {},
  /** An eBPF recorder with its probes loaded already (probe-spare.ts), in its group. */
  spare?: Spare,
): BackendRun {
  const launched = launchProbe(backend, config, spec, spare);
  const { probe } = launched;
  const stopper = new RecorderStop(probe, launched.program.cgroup);
  const paced = spec.paced && backend === 'ebpf';
  const limits = new RunLimits(
    config.limits,
    launched.program.cgroup,
    () => stopper.stop(),
    paced ? { pace: spec.pace ?? 0 } : undefined,
  );
  const reports = probe.stdio[3];
  if (reports instanceof Readable) {
    readClockReports(reports, (running) => limits.programRuns(running), log);
  }
  const events = new EventPipeline(
    limits,
    sink,
    log,
    runtimeTracesOf(spec.godebug),
    spec.race === true,
  );
  events.readFrom(probe.stdout);
  let stderr = '';
  probe.stderr.setEncoding('utf8');
  probe.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });

  const done = new Promise<RunOutcome>((resolve) => {
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (finished) return;
      finished = true;
      stopper.dispose();
      limits.dispose();
      const ended = { code, signal, err, stderr, killed: stopper.killed };
      resolve(endRun(launched, config, events, limits, ended, log));
    };
    probe.on('error', (err) =>
      finish(null, null, new Error(`cannot start ${config.probeBinary}: ${err.message}`)),
    );
    // The program never outlives its recorder (killed, or out of memory):
    // nobody would watch its limits, and it would hold the output pipes open.
    probe.on('exit', () => void launched.program.cgroup?.killAll());
    probe.on('close', (code, signal) => finish(code, signal));
  });

  return {
    control: commands(backend, spec, limits, probe),
    stop(reason: EndReason) {
      limits.hit(reason);
    },
    pauseReading() {
      probe.stdout.pause();
    },
    resumeReading() {
      probe.stdout.resume();
    },
    done,
  };
}

/** Stops the recorder: SIGTERM, then SIGKILL with the whole program if it has not ended the run in time. */
class RecorderStop {
  /** The recorder did not end the run within its grace period and was killed. */
  killed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: ProbeProcess,
    private readonly cgroup: RunCgroup | null,
  ) {}

  stop(): void {
    this.probe.kill('SIGTERM');
    this.timer = setTimeout(() => {
      this.killed = true;
      this.probe.kill('SIGKILL');
      void this.cgroup?.killAll();
    }, STOP_GRACE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** How the recorder ended: its exit, the error that kept it from starting, what it said. */
interface RecorderEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  err?: Error | undefined;
  stderr: string;
  killed: boolean;
}

/** Ends the run once its recorder is gone: its end (made here if it gave none), its cleanup, its outcome. */
async function endRun(
  launched: LaunchedProbe,
  config: BridgeConfig,
  events: EventPipeline,
  limits: RunLimits,
  ended: RecorderEnd,
  log: (msg: string) => void,
): Promise<RunOutcome> {
  /** The limit the run ended at when the bridge knows better than `limits` (the recorder's). */
  let recorderLimit: RunLimit | undefined;
  if (!events.ended) {
    const failure = recorderFailure(ended, launched.probeGroup, config.limits.probeMemoryBytes);
    log(`probe failed: ${failure.why}`);
    if (failure.outOfMemory) {
      recorderLimit = {
        name: 'probeMemoryBytes',
        value: config.limits.probeMemoryBytes / MiB,
        unit: 'MiB',
      };
    }
    // Only the recorder counts what it dropped: once it has started the run
    // or been killed, nobody knows what is missing, and it must not read 0.
    const lost = events.seq === 0 && ended.signal === null && !ended.killed ? 0 : null;
    events.endFailed(
      failure.why,
      Math.round((performance.now() - launched.started) * 1e6),
      lost,
      limits.stoppedFor ?? (failure.outOfMemory ? 'memory-limit' : 'probe-error'),
    );
  }
  const end = events.ended as RunEndEvent;
  if (launched.cwd) rmSync(launched.cwd, { recursive: true, force: true });
  const limit =
    recorderLimit && end.reason === 'memory-limit' ? recorderLimit : limits.limitFor(end.reason);
  await Promise.all([launched.program.dispose(), launched.probeGroup?.remove()]).catch(() => {});
  return {
    reason: end.reason,
    exitCode: end.exitCode,
    lost: end.lost,
    ...(end.throttledMs !== undefined ? { throttledMs: end.throttledMs } : {}),
    events: events.seq,
    runMs: Math.round(performance.now() - launched.started),
    ...(limit ? { limit } : {}),
  };
}

/** Why the recorder failed, and whether it was for want of memory (its group reached its cap). */
function recorderFailure(
  ended: RecorderEnd,
  probeGroup: RunCgroup | null,
  probeMemoryBytes: number,
): { why: string; outOfMemory: boolean } {
  const { code, signal, err, stderr, killed } = ended;
  // Out of memory: it was killed for it or failed to allocate.
  const outOfMemory =
    !killed &&
    (probeGroup?.memoryLimitHit() ?? false) &&
    (signal === 'SIGKILL' || /cannot allocate memory|out of memory/i.test(stderr));
  const why = outOfMemory
    ? `it ran out of its memory (${probeMemoryBytes / MiB} MiB, the limit probeMemoryBytes)${signal ? ' and the kernel killed it' : `: ${stderr.trim()}`}`
    : killed
      ? `it did not end the run within ${STOP_GRACE_MS / 1000} s of being asked to, so it was killed`
      : (err?.message ?? stderr.trim()) ||
        `slowmo-probe ${signal ? `was killed by ${signal}` : `exited with ${code}`}`;
  return { why, outOfMemory };
}

/** The learner's commands to a paced run, to the recorder's pacer on its stdin. */
function commands(
  backend: Backend,
  spec: RunSpec,
  limits: RunLimits,
  probe: ProbeProcess,
): BackendRun['control'] {
  /** After resume the probe has removed its line probes (pace.go): no stepline can end. */
  let resumed = false;
  return (action, value) => {
    if (action === 'stepline') {
      const why = lineStepRefusal(backend, spec.paced, resumed);
      if (why) return why;
    }
    if (action === 'resume') resumed = true;
    if (!spec.paced)
      return `"${action}" needs a paced run (mode "paced"); this run records at full speed`;
    const command = action === 'speed' ? `speed ${value ?? 1}` : action;
    // The limits mirror the probe's pacer from the commands it gets (run-clock.ts).
    const refused = limits.command(command);
    if (refused) return refused;
    probe.stdin.write(`${command}\n`);
    return undefined;
  };
}

/**
 * Why `stepline` cannot run here, if it cannot: it waits for a line event, and only a paced
 * eBPF run has them, until it is resumed. Said rather than sent, so that it never waits for a
 * line that cannot come.
 */
function lineStepRefusal(backend: Backend, paced: boolean, resumed: boolean): string | undefined {
  if (backend !== 'ebpf')
    return `"stepline" needs the eBPF backend: only its paced runs see a goroutine reach a source line; this run uses the ${backend} backend, which records at full speed with no line events`;
  if (!paced)
    return '"stepline" needs a paced run (mode "paced"): only paced runs have line events; this run records at full speed';
  if (resumed)
    return '"stepline" after "resume": resuming at full speed removed the line probes, so no line can stop the program; start a new paced run to step by line';
  return undefined;
}
