// The student pod that Zero to JupyterHub makes from containers/jupyterhub/
// values.yaml, written out as a Kubernetes Pod, so that `podman kube play`
// runs the same spec a cluster would: the notebook container with the
// spawner's security context, the sidecar as the values give it, the socket
// volume both mount. Only what needs a hub is replaced: the notebook runs the
// image's `lab` role (JupyterLab with a token) instead of jupyterhub-singleuser,
// and its home is an emptyDir instead of the user's claim.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

/**
 * values: the parsed values (overlays merged); image: what both containers
 * run; port: the host port of JupyterLab (127.0.0.1); token: its token;
 * sidecarSecurity: overrides the sidecar's securityContext (the capability
 * checks take one away). Returns the Pod as YAML text.
 */
export function podSpec({ values, name, image, port, token, sidecarSecurity }) {
  const su = values.singleuser;
  const sc = values.hub.config.KubeSpawner.container_security_context;
  const env = (o) => Object.entries(o).map(([k, v]) => ({ name: k, value: String(v) }));
  const homeMount = { name: 'home', mountPath: su.storage.homeMountPath };
  const notebook = {
    name: 'notebook',
    image,
    args: ['lab'],
    env: env({ ...su.extraEnv, JUPYTER_TOKEN: token }),
    securityContext: { ...sc, runAsGroup: su.fsGid ?? su.uid },
    ports: [{ containerPort: 8888, hostPort: port, hostIP: '127.0.0.1' }],
    volumeMounts: [homeMount, ...(su.storage.extraVolumeMounts ?? [])],
  };
  const sidecars = (su.extraContainers ?? []).map((x) => ({
    name: x.name,
    image,
    args: x.args,
    env: x.env,
    securityContext: sidecarSecurity ?? x.securityContext,
    volumeMounts: x.volumeMounts,
  }));
  const volumes = [
    { name: 'home', emptyDir: {} },
    ...(su.storage.extraVolumes ?? []).map((v) => ({
      name: v.name,
      emptyDir: { medium: v.emptyDir?.medium ?? '' },
    })),
  ];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      securityContext: { fsGroup: su.fsGid ?? su.uid },
      containers: [notebook, ...sidecars],
      volumes,
      restartPolicy: 'Never',
    },
  };
  return YAML.stringify(pod);
}

function merge(a, b) {
  if (Array.isArray(b) || typeof b !== 'object' || b === null) return b;
  const out = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

/** values.yaml with the overlays after it, as helm merges them (lists replaced). */
export function loadValues(...files) {
  return files.map((f) => YAML.parse(readFileSync(f, 'utf8'))).reduce((a, b) => merge(a, b));
}
