/**
 * The teacher panel's side of `/api/class` (protocol/class-grading.ts),
 * through jupyter-server-proxy at `<base_url>/slowmo/api/class` with
 * Jupyter's own request settings (its login and XSRF token).
 */
import { parseClassJob, type ClassJob, type ClassRequest } from '@go-slowmo/kernel-bridge/protocol';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** How often the panel asks how far the grading is. */
const POLL_MS = 1000;

async function call(
  settings: ServerConnection.ISettings,
  route: string,
  init: RequestInit,
): Promise<unknown> {
  const url = URLExt.join(settings.baseUrl, 'slowmo/api/class', route);
  const r = await ServerConnection.makeRequest(url, init, settings);
  const text = await r.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(`the go-slowmo bridge answered ${r.status}: ${text.slice(0, 200)}`);
  }
  if (!r.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new Error(typeof message === 'string' ? message : `the bridge answered ${r.status}`);
  }
  return body;
}

/**
 * Sends the class, then reports its progress until it is graded; resolves
 * with the last report (with its grades, or why not). `signal` stops it.
 */
export async function gradeClassFolder(
  settings: ServerConnection.ISettings,
  request: ClassRequest,
  onProgress: (job: ClassJob) => void,
  signal: AbortSignal,
): Promise<ClassJob> {
  let job = parseClassJob(
    await call(settings, '', {
      method: 'POST',
      body: JSON.stringify(request),
      headers: { 'Content-Type': 'application/json' },
    }),
  );
  const stop = () => void call(settings, job.id, { method: 'DELETE' }).catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (!job.done && !signal.aborted) {
      onProgress(job);
      await new Promise((r) => setTimeout(r, POLL_MS));
      job = parseClassJob(await call(settings, job.id, { method: 'GET' }));
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return job;
}
