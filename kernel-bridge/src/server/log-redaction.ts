/**
 * Keeps tokens out of the bridge's log. A token reaches the bridge in a URL
 * (`?token=`) or an `Authorization` header, and URLs are logged: refusals,
 * Fastify's per-request lines and its "Route ... not found" at debug level,
 * errors that quote a URL. Logs outlive runs and are read by more people
 * than the bridge's users, so every line is scrubbed as it is written,
 * whatever logged it: query values named `token`, Authorization header
 * values, the bytes of a request Node could not parse, and the configured
 * token wherever it appears.
 */
import type { FastifyLoggerOptions, FastifyRequest } from 'fastify';
import type { BridgeConfig } from '../config';

/** Where log lines go (stdout unless a test wants to read them). */
export interface LogSink {
  write(line: string): void;
}

export const REDACTED = '[redacted]';

/** A URL with the value of every `token` query parameter replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&;]token=)[^&#\s]*/gi, `$1${REDACTED}`);
}

/**
 * One serialized log line (JSON) with every token taken out: a query value
 * ends at a quote or a backslash too there, and a header value is a JSON
 * string.
 */
export function scrubLine(line: string, token?: string): string {
  let s = line;
  if (token) {
    const forms = new Set([token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)]);
    for (const form of forms) s = s.split(form).join(REDACTED);
  }
  return (
    s
      .replace(/([?&;]token=)[^&#\s"\\]*/gi, `$1${REDACTED}`)
      .replace(/("authorization"\s*:\s*")(?:[^"\\]|\\.)*"/gi, `$1${REDACTED}"`)
      // Fastify logs a client error (at trace level) with the raw bytes it could not parse.
      .replace(/("rawPacket"\s*:\s*)\{"type":"Buffer","data":\[[\d,]*\]\}/g, `$1"${REDACTED}"`)
  );
}

/** Fastify's logger options with the redaction in place; `stream` is for tests that read the log. */
export function loggerOptions(
  config: Pick<BridgeConfig, 'logLevel' | 'token'>,
  stream?: LogSink,
): FastifyLoggerOptions & { hooks: { streamWrite(line: string): string } } {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    hooks: { streamWrite: (line: string) => scrubLine(line, config.token) },
  };
}
