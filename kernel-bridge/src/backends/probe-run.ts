/**
 * A run under the probe engine, for both backends: `slowmo-probe run`
 * (eBPF, privileged) or `slowmo-probe trace` (the execution tracer, no
 * privilege) runs the program with the sandbox as its launcher, so the
 * program itself never has privilege. The NDJSON is validated line by line,
 * renumbered (the bridge may drop events past a limit, and seq must have no
 * gaps), given back the learner's file names, and passed to the sink.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { learnerPath } from '../build';
import type { BridgeConfig } from '../config';
import { parseEvent, type EndReason, type RunLimit, type SlowmoEvent } from '../protocol';
import { RunLimits } from '../run-limits';
import { RunCgroup } from '../sandbox/cgroup';
import { sandboxLaunch, sandboxScratchDir } from '../sandbox/sandbox';
import type { Backend } from './detect';
import { nextRunName, PROBE_ENV, PROBE_PROCESSES, type Spare } from './probe-spare';
import type { BackendRun, EventSink, RunOutcome, RunSpec } from './run';
import { readClockReports } from './clock-reports';

const INSIDE = '/prog/main';
/**
 * How long the probe gets to end the run after SIGTERM before it is killed:
 * it first lets the program print its goroutines' stacks (up to half a
 * second, bpf/internal/probe/ending.go), then kills it.
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
  const { limits } = config;
  const name = spare?.name ?? nextRunName();
  const cgroup = RunCgroup.create(name, {
    memoryBytes: limits.memoryBytes,
    processes: limits.processes,
  });
  // The recorder (root) gets a group of its own beside the program's: what the
  // program makes it hold is charged to this run, capped, instead of to the
  // bridge and the host; and in the program's group it would eat into the
  // learner's memory limit, where an OOM kill could pick it instead of the program.
  const probeGroup = spare
    ? spare.group
    : cgroup
      ? RunCgroup.create(`${name}-probe`, {
          memoryBytes: limits.probeMemoryBytes,
          processes: PROBE_PROCESSES,
        })
      : null;
  const sandbox = sandboxLaunch(
    {
      uid: spec.uid,
      binds: [{ src: spec.binary, dest: INSIDE }],
      tmpBytes: limits.tmpBytes,
      cwd: '/tmp',
      processes: limits.processes,
      fileBytes: limits.tmpBytes,
      cpuSeconds: cgroup ? undefined : limits.cpuSeconds,
      addressBytes: cgroup ? undefined : limits.memoryBytes * 2 + 256 * 1024 * 1024,
    },
    { mode: config.sandbox, scratchDir: sandboxScratchDir(config.workDir) },
  );
  const launcher = [...(cgroup?.joinCommand() ?? []), ...sandbox.argv];
  // Without a sandbox the program runs where it stands: give it a directory of its own.
  const boxed = config.sandbox === 'bwrap';
  const cwd = boxed ? undefined : mkdtempSync(path.join(config.workDir, 'run-'));
  const args = [backend === 'ebpf' ? 'run' : 'trace', '--procs', String(spec.gomaxprocs)];
  // The probe applies the output limit as the output arrives, even output it still holds.
  args.push('--output-limit', String(limits.outputBytes));
  const paced = spec.paced && backend === 'ebpf';
  if (paced) args.push('--pace', String(spec.pace ?? 0));
  if (spec.paced && backend === 'ebpf' && spec.sysmon) args.push('--sysmon', spec.sysmon);
  // Both backends stop the program rather than lose events or fall behind it
  // (the tracer's: bpf/internal/trace/throttle.go), and say on fd 3 when the
  // program stops and starts running (clock-reports.ts).
  args.push('--clock-fd', '3');
  args.push(
    '--launcher',
    JSON.stringify(launcher),
    '--inside',
    boxed ? INSIDE : spec.binary,
    '--',
    spec.binary,
  );

  const started = performance.now();
  // Joined before exec, so that the recorder never allocates outside its group.
  const [command, ...commandArgs] = [
    ...(probeGroup?.joinCommand() ?? []),
    config.probeBinary,
    ...args,
  ] as [string, ...string[]];
  const probe =
    spare && backend === 'ebpf'
      ? spare.start(args.slice(1), cwd)
      : spawn(command, commandArgs, {
          env: PROBE_ENV,
          stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
          ...(cwd ? { cwd } : {}),
        });
  probe.stdin.on('error', () => {}); // the probe may be gone when a command arrives

  let stopTimer: NodeJS.Timeout | undefined;
  /** The recorder did not end the run within its grace period and was killed. */
  let killed = false;
  /** After resume the probe has removed its line probes (pace.go): no stepline can end. */
  let resumed = false;
  const limitsGuard = new RunLimits(
    limits,
    cgroup,
    () => {
      probe.kill('SIGTERM');
      stopTimer = setTimeout(() => {
        killed = true;
        probe.kill('SIGKILL');
        void cgroup?.killAll();
      }, STOP_GRACE_MS);
    },
    paced ? { pace: spec.pace ?? 0 } : undefined,
  );
  const reports = probe.stdio[3];
  if (reports instanceof Readable) {
    readClockReports(reports, (running) => limitsGuard.programRuns(running), log);
  }

  let seq = 0;
  let ended: SlowmoEvent | undefined;
  let invalid = 0;
  const pass = (e: SlowmoEvent): void => {
    if (ended) return;
    if (e.kind === 'run.start') limitsGuard.start();
    let out = limitsGuard.admit(e);
    if (!out) return;
    out = { ...out, seq: seq++ } as SlowmoEvent;
    if ('file' in out && typeof out.file === 'string') out.file = learnerPath(out.file);
    if (out.kind === 'run.end') {
      out.reason = limitsGuard.endReason(out.reason, out.exitCode);
      ended = out;
    }
    sink(out, limitsGuard.held);
  };

  let partial = '';
  probe.stdout.setEncoding('utf8');
  probe.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      try {
        pass(parseEvent(line));
      } catch (err) {
        // A probe bug, not the learner's: log it, count it, keep going.
        if (invalid++ < 5) log(`invalid event from slowmo-probe: ${(err as Error).message}`);
      }
    }
  });
  let stderr = '';
  probe.stderr.setEncoding('utf8');
  probe.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });

  const done = new Promise<RunOutcome>((resolve) => {
    let finished = false;
    /** The limit the run ended at when the bridge knows better than limitsGuard (the recorder's). */
    let recorderLimit: RunLimit | undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(stopTimer);
      limitsGuard.dispose();
      if (!ended) {
        // The probe failed before it could end the run: end it here, saying why.
        // Out of memory: its group reached its cap, and it was killed for it or failed to allocate.
        const outOfMemory =
          !killed &&
          (probeGroup?.memoryLimitHit() ?? false) &&
          (signal === 'SIGKILL' || /cannot allocate memory|out of memory/i.test(stderr));
        if (outOfMemory) {
          recorderLimit = {
            name: 'probeMemoryBytes',
            value: limits.probeMemoryBytes / MiB,
            unit: 'MiB',
          };
        }
        const why = outOfMemory
          ? `it ran out of its memory (${limits.probeMemoryBytes / MiB} MiB, the limit probeMemoryBytes)${signal ? ' and the kernel killed it' : `: ${stderr.trim()}`}`
          : killed
            ? `it did not end the run within ${STOP_GRACE_MS / 1000} s of being asked to, so it was killed`
            : (err?.message ?? stderr.trim()) ||
              `slowmo-probe ${signal ? `was killed by ${signal}` : `exited with ${code}`}`;
        log(`probe failed: ${why}`);
        // Only the recorder counts what it dropped: once it has started the run
        // or been killed, nobody knows what is missing, and it must not read 0.
        const lost = seq === 0 && signal === null && !killed ? 0 : null;
        if (seq === 0) {
          pass({
            seq: 0,
            t: 0,
            kind: 'output',
            m: -1,
            p: -1,
            g: 0,
            stream: 'stderr',
            data: `slowmo: the probe engine failed: ${why}\n`,
          });
        }
        pass({
          seq: 0,
          t: Math.round((performance.now() - started) * 1e6),
          kind: 'run.end',
          m: -1,
          p: -1,
          g: 0,
          exitCode: -1,
          signal: null,
          lost,
          reason: limitsGuard.stoppedFor ?? (outOfMemory ? 'memory-limit' : 'probe-error'),
        });
      }
      const end = ended as Extract<SlowmoEvent, { kind: 'run.end' }>;
      if (cwd) rmSync(cwd, { recursive: true, force: true });
      sandbox.dispose();
      const limit =
        recorderLimit && end.reason === 'memory-limit'
          ? recorderLimit
          : limitsGuard.limitFor(end.reason);
      void Promise.all([cgroup?.remove(), probeGroup?.remove()]).finally(() =>
        resolve({
          reason: end.reason,
          exitCode: end.exitCode,
          lost: end.lost,
          ...(end.throttledMs !== undefined ? { throttledMs: end.throttledMs } : {}),
          events: seq,
          runMs: Math.round(performance.now() - started),
          ...(limit ? { limit } : {}),
        }),
      );
    };
    probe.on('error', (err) =>
      finish(null, null, new Error(`cannot start ${config.probeBinary}: ${err.message}`)),
    );
    // The program never outlives its recorder (killed, or out of memory):
    // nobody would watch its limits, and it would hold the output pipes open.
    probe.on('exit', () => void cgroup?.killAll());
    probe.on('close', (code, signal) => finish(code, signal));
  });

  return {
    control(action, value) {
      if (action === 'stepline') {
        const why = lineStepRefusal(backend, spec.paced, resumed);
        if (why) return why;
      }
      if (action === 'resume') resumed = true;
      if (!spec.paced)
        return `"${action}" needs a paced run (mode "paced"); this run records at full speed`;
      const command = action === 'speed' ? `speed ${value ?? 1}` : action;
      // The limits mirror the probe's pacer from the commands it gets (run-clock.ts).
      const refused = limitsGuard.command(command);
      if (refused) return refused;
      probe.stdin.write(`${command}\n`);
      return undefined;
    },
    stop(reason: EndReason) {
      limitsGuard.hit(reason);
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
