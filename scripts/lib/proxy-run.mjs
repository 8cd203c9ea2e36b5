// One small Go program run as the notebook runs it: over the bridge's
// WebSocket behind Jupyter's proxy. The Binder check and the container image
// check both end with this run; each checks what its backend should show.
import WebSocket from 'ws';

/** A program whose output is `${greeting} 1`: one goroutine, one channel. */
const program = (greeting) =>
  `package main\n\nimport "fmt"\n\nfunc main() {\n\tdone := make(chan int)\n\tgo func() { done <- 1 }()\n\tfmt.Println(${JSON.stringify(greeting)}, <-done)\n}\n`;

/**
 * Runs that program at `${base}/api/runs` (base: "http://host:port/slowmo") with
 * `token`, sending Origin `origin` and the request's other fields (`id`,
 * `backend`, ...) as given. Resolves with the run's last message (end, error
 * or compile_error), its events and its output; rejects after three minutes.
 */
export function runThroughProxy({ base, token, origin, greeting, request }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/runs?token=${token}`, {
      headers: { Origin: origin },
    });
    const events = [];
    const timer = setTimeout(() => reject(new Error('no end within 180 s')), 180_000);
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'run', ...request, code: program(greeting) })),
    );
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === 'events') events.push(...msg.events);
      if (msg.type === 'end' || msg.type === 'error' || msg.type === 'compile_error') {
        clearTimeout(timer);
        ws.close();
        const output = events
          .filter((e) => e.kind === 'output')
          .map((e) => e.data)
          .join('');
        resolve({ msg, events, output });
      }
    });
    ws.on('error', reject);
  });
}
