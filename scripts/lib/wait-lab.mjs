// Waits for a JupyterLab the scripts started to answer `/api/status`: up to
// three minutes (make test runs the Binder check at the lowest priority beside
// the browser tests), or until its process ends; the error carries the end of
// its log.

/** get(path) → fetch Response; proc: the lab's ChildProcess; log(): what it printed so far. */
export async function waitForLab(get, proc, log) {
  for (let i = 0; ; i++) {
    try {
      if ((await get('/api/status')).ok) return;
    } catch {
      // not up yet
    }
    if (i > 900 || proc.exitCode !== null)
      throw new Error(`JupyterLab did not start:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
