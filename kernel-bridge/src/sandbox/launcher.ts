/**
 * The way every build and every program is started: a control group of its
 * own (cgroup.ts: memory and processes, counted and killed together) entered
 * before the sandbox (sandbox.ts). The command line this makes is a prefix: a
 * build spawns it with `go build` after it, a run hands it to the probe
 * engine, which starts the program with it.
 */
import { RunCgroup, type CgroupLimits } from './cgroup';
import { sandboxLaunch, type SandboxOptions, type SandboxSpec } from './sandbox';

export interface SandboxedLauncher {
  /** The argv prefix: join the group, enter the sandbox; append the command. */
  readonly argv: string[];
  /** The group (null where control groups cannot be used). */
  readonly cgroup: RunCgroup | null;
  /** Once what it launched has ended: removes the sandbox's files, then the group. */
  dispose(): Promise<void>;
}

export function sandboxedLauncher(
  group: { name: string; limits: CgroupLimits },
  spec: SandboxSpec,
  options: SandboxOptions,
  /** The rlimits that stand in for the group where there is none (CPU time, address space). */
  withoutGroup: Pick<SandboxSpec, 'cpuSeconds' | 'addressBytes'> = {},
): SandboxedLauncher {
  const cgroup = RunCgroup.create(group.name, group.limits);
  const sandbox = sandboxLaunch(cgroup ? spec : { ...spec, ...withoutGroup }, options);
  return {
    argv: [...(cgroup?.joinCommand() ?? []), ...sandbox.argv],
    cgroup,
    async dispose() {
      sandbox.dispose();
      await cgroup?.remove();
    },
  };
}
