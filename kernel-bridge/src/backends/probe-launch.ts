/**
 * Starting the probe engine for one run: `slowmo-probe run` (eBPF,
 * privileged) or `slowmo-probe trace` (the execution tracer, no privilege),
 * with the sandbox as the program's launcher so that the program itself never
 * has privilege. The program gets a control group, the recorder one of its
 * own beside it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { BridgeConfig, Limits } from '../config';
import { RunCgroup } from '../sandbox/cgroup';
import { RACE_LAUNCH, raceAddressBytes } from '../race-support';
import { sandboxedLauncher, type SandboxedLauncher } from '../sandbox/launcher';
import { sandboxScratchDir } from '../sandbox/sandbox';
import type { Backend } from './detect';
import { nextRunName, PROBE_ENV, PROBE_PROCESSES, type Spare } from './probe-spare';
import type { RunSpec } from './run';

/** Where the program is in its sandbox. */
const INSIDE = '/prog/main';

export type ProbeProcess = ChildProcess & { stdin: Writable; stdout: Readable; stderr: Readable };

export interface LaunchedProbe {
  readonly probe: ProbeProcess;
  /** The program's group and sandbox. */
  readonly program: SandboxedLauncher;
  /** The recorder's group (null where control groups cannot be used). */
  readonly probeGroup: RunCgroup | null;
  /** The program's own directory when it runs without a sandbox; to remove afterwards. */
  readonly cwd: string | undefined;
  /** performance.now() as the recorder was started. */
  readonly started: number;
}

export function launchProbe(
  backend: Backend,
  config: BridgeConfig,
  spec: RunSpec,
  /** An eBPF recorder with its probes loaded already (probe-spare.ts), in its group. */
  spare?: Spare,
): LaunchedProbe {
  const { limits } = config;
  const name = spare?.name ?? nextRunName();
  const program = programLauncher(name, config, spec);
  // The recorder (root) gets a group of its own beside the program's: what the
  // program makes it hold is charged to this run, capped, instead of to the
  // bridge and the host; and in the program's group it would eat into the
  // learner's memory limit, where an OOM kill could pick it instead of the program.
  const probeGroup = spare
    ? spare.group
    : program.cgroup
      ? RunCgroup.create(`${name}-probe`, {
          memoryBytes: limits.probeMemoryBytes,
          processes: PROBE_PROCESSES,
        })
      : null;
  // Without a sandbox the program runs where it stands: give it a directory of its own.
  const boxed = config.sandbox === 'bwrap';
  const cwd = boxed ? undefined : mkdtempSync(path.join(config.workDir, 'run-'));
  const args = probeArgs(backend, spec, limits, program.argv, boxed);
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
      : (spawn(command, commandArgs, {
          env: PROBE_ENV,
          stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
          ...(cwd ? { cwd } : {}),
        }) as ProbeProcess);
  probe.stdin.on('error', () => {}); // the probe may be gone when a command arrives
  return { probe, program, probeGroup, cwd, started };
}

/** The program's control group and sandbox. */
function programLauncher(name: string, config: BridgeConfig, spec: RunSpec): SandboxedLauncher {
  const { limits } = config;
  return sandboxedLauncher(
    { name, limits: { memoryBytes: limits.memoryBytes, processes: limits.processes } },
    {
      uid: spec.uid,
      binds: [{ src: spec.binary, dest: INSIDE }],
      tmpBytes: limits.tmpBytes,
      cwd: '/tmp',
      processes: limits.processes,
      fileBytes: limits.tmpBytes,
    },
    { mode: config.sandbox, scratchDir: sandboxScratchDir(config.workDir) },
    // Go reserves more address space than it uses; the race detector more again (race-support.ts).
    {
      cpuSeconds: limits.cpuSeconds,
      addressBytes: spec.race
        ? raceAddressBytes(limits.memoryBytes)
        : limits.memoryBytes * 2 + 256 * 1024 * 1024,
    },
  );
}

/** `slowmo-probe run|trace` and its options, the program's launcher among them. */
function probeArgs(
  backend: Backend,
  spec: RunSpec,
  limits: Limits,
  launcher: string[],
  boxed: boolean,
): string[] {
  const args = [backend === 'ebpf' ? 'run' : 'trace', '--procs', String(spec.gomaxprocs)];
  // The probe applies the output limit as the output arrives, even output it still holds.
  args.push('--output-limit', String(limits.outputBytes));
  // The trace backend's lens is heap dumps (the binary built with trace-prepare --gc).
  if (spec.gc) args.push('--gc');
  if (spec.godebug) args.push('--godebug', spec.godebug);
  if (spec.paced && backend === 'ebpf') {
    args.push('--pace', String(spec.pace ?? 0));
    if (spec.sysmon) args.push('--sysmon', spec.sysmon);
  }
  if (spec.profileDir) args.push('--profile-dir', spec.profileDir);
  else if (spec.profile) args.push('--profile');
  if (spec.leak) args.push('--leak');
  // Both backends stop the program rather than lose events or fall behind it
  // (the tracer's: bpf/internal/trace/throttle.go), and say on fd 3 when the
  // program stops and starts running (clock-reports.ts).
  args.push('--clock-fd', '3');
  args.push(
    '--launcher',
    JSON.stringify(spec.race ? [...launcher, ...RACE_LAUNCH] : launcher),
    '--inside',
    boxed ? INSIDE : spec.binary,
    '--',
    spec.binary,
  );
  return args;
}
