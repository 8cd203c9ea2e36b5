#!/usr/bin/env node
// The privilege split of the container images (containers/README.md).
//
// JupyterLab and the learner's notebook kernels run unprivileged; the bridge
// needs root for eBPF. This file is both halves of the hand-over:
//
//   node privileged-bridge.mjs daemon SOCKET     (root, in the privileged
//     container or sidecar) listens on a Unix socket. For each connection it
//     reads one line {"port": P, "token": T} and starts the bridge as root on
//     127.0.0.1:P requiring token T; the bridge lives exactly as long as the
//     connection (either end closing stops the other).
//   node privileged-bridge.mjs serve --host 127.0.0.1 --port P --token T
//     (unprivileged: jupyter-server-proxy runs this as SLOWMO_BRIDGE_CLI in
//     place of the bridge) asks the daemon at $SLOWMO_BRIDGE_SOCKET for a
//     bridge with that port and token and stays until it ends.
//
// Nothing but a port number and a token crosses the socket, both checked, and
// the bridge is started without a shell, so whoever can reach the socket gets
// a bridge on loopback and nothing else: the learner's programs still run in
// the bridge's sandbox with no privilege.
import { spawn } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.SLOWMO_REAL_BRIDGE_CLI ?? path.join(ROOT, 'kernel-bridge/dist/src/cli.js');

function log(msg) {
  process.stderr.write(`privileged-bridge: ${msg}\n`);
}

/** The request line, or why it is refused. */
function parseRequest(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return { why: 'not JSON' };
  }
  const { port, token } = req ?? {};
  if (!Number.isInteger(port) || port < 1024 || port > 65535)
    return { why: 'port must be an integer from 1024 to 65535' };
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(token))
    return { why: 'token must be 16 to 128 letters, digits, - or _' };
  return { port, token };
}

function daemon(socketPath) {
  if (!socketPath) throw new Error('usage: privileged-bridge.mjs daemon SOCKET');
  rmSync(socketPath, { force: true });
  const server = net.createServer((conn) => {
    let buf = '';
    let child;
    conn.setEncoding('utf8');
    conn.on('data', (chunk) => {
      if (child) return;
      buf += chunk;
      if (buf.length > 4096) return conn.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const req = parseRequest(buf.slice(0, nl));
      if (req.why) {
        conn.end(`refused: ${req.why}\n`);
        return;
      }
      const args = [CLI, 'serve', '--host', '127.0.0.1', '--port', String(req.port)];
      // A container sees the host's cores: say how many runs its CPU limit allows.
      const parallel = process.env.SLOWMO_PARALLEL;
      if (parallel && /^[1-9][0-9]{0,2}$/.test(parallel)) args.push('--parallel', parallel);
      child = spawn(process.execPath, [...args, '--token', req.token], {
        stdio: ['ignore', 'inherit', 'pipe'],
      });
      log(`bridge ${child.pid} on 127.0.0.1:${req.port}`);
      child.stderr.on('data', (d) => {
        process.stderr.write(d);
        if (!conn.destroyed) conn.write(d);
      });
      child.on('exit', (code, signal) => {
        log(`bridge ${child.pid} ended (${signal ?? code})`);
        conn.end();
      });
    });
    const stop = () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    conn.on('close', stop);
    conn.on('error', stop);
  });
  server.listen(socketPath, () => {
    // Any local user may ask (the socket's directory decides who is local).
    chmodSync(socketPath, 0o666);
    log(`listening on ${socketPath}`);
  });
  const shutdown = () => server.close(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function client(argv) {
  const at = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const socketPath = process.env.SLOWMO_BRIDGE_SOCKET ?? '/run/slowmo/bridge.sock';
  const req = { port: Number(at('--port')), token: at('--token') };
  const conn = net.createConnection(socketPath, () => conn.write(JSON.stringify(req) + '\n'));
  conn.pipe(process.stderr);
  conn.on('error', (err) => {
    log(`cannot reach the privileged bridge at ${socketPath}: ${err.message}`);
    process.exit(1);
  });
  conn.on('close', () => process.exit(0));
  const stop = () => conn.end();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'daemon') daemon(rest[0]);
else if (mode === 'serve') client(rest);
else {
  process.stderr.write('usage: privileged-bridge.mjs daemon SOCKET | serve --port P --token T\n');
  process.exit(2);
}
