/**
 * Who may use the bridge. jupyter-server-proxy checks Jupyter's login but
 * skips XSRF checks, so a page from another origin could open a WebSocket
 * through it with the learner's cookies: the bridge refuses any Origin but
 * its own host's and the configured ones. When the bridge listens on its own
 * (not behind the proxy) it can also require a token.
 *
 * Without a token, the Origin check alone is not enough: a page can point its
 * own name at 127.0.0.1 (DNS rebinding), and then its Origin and the Host
 * header both say `evil.example:PORT` and agree. Such a bridge therefore
 * answers only to Host names that cannot be rebound: a loopback address or
 * `localhost`. Behind jupyter-server-proxy the bridge always has a token and
 * the proxy forwards the browser's Host (the Jupyter server's public name),
 * so this check must not apply there.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

export interface AccessRules {
  token?: string;
  allowedOrigins: string[];
}

/** Why a request is refused, or undefined when it may go on. */
export function refuse(
  rules: AccessRules,
  headers: IncomingHttpHeaders,
  url: string,
): string | undefined {
  if (rules.token === undefined) {
    const why = refuseHost(headers.host);
    if (why) return why;
  }
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return `the Origin header "${origin}" is not a URL`;
    }
    // URL lowercases the host; names are case-insensitive.
    if (host !== headers.host?.toLowerCase() && !rules.allowedOrigins.includes(origin)) {
      return `requests from ${origin} are not allowed (add it to allowedOrigins to allow it)`;
    }
  } else if (origin === 'null') {
    return 'requests from an opaque origin ("null") are not allowed';
  }
  if (rules.token !== undefined) {
    const given = tokenOf(headers, url);
    if (given === undefined)
      return 'this bridge needs a token: add ?token=... or an "Authorization: token ..." header';
    const a = Buffer.from(given);
    const b = Buffer.from(rules.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return 'the token is wrong';
  }
  return undefined;
}

/**
 * Why a liveness probe (`/api/health`) is refused: never for want of the
 * token, but a token-less bridge answers to no other name there either.
 */
export function refuseHealth(rules: AccessRules, headers: IncomingHttpHeaders): string | undefined {
  return rules.token === undefined ? refuseHost(headers.host) : undefined;
}

/** Why a token-less bridge refuses this Host header, or undefined when it names this machine. */
export function refuseHost(host: string | undefined): string | undefined {
  const fix =
    'a bridge without a token answers only to localhost, 127.0.0.1 or [::1] ' +
    '(start it with --token to reach it by another name)';
  if (host === undefined || host === '') return `the request has no Host header: ${fix}`;
  if (isLoopbackHost(host)) return undefined;
  // The client's words, quoted: cut short.
  const shown = host.length > 100 ? `${host.slice(0, 100)}…` : host;
  return `the Host header "${shown}" does not name this machine: ${fix}`;
}

/**
 * Whether a Host header (with or without a port) names a loopback address
 * (127.0.0.0/8, ::1) or `localhost`. Browsers send IP hosts in their
 * canonical form, so other spellings (`127.1`, `0x7f.0.0.1`) are refused.
 */
export function isLoopbackHost(hostHeader: string): boolean {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(hostHeader);
  if (!m) return false;
  const ipv6 = m[1];
  if (ipv6 !== undefined) return isIPv6(ipv6) && canonicalIPv6(ipv6) === '[::1]';
  const name = (m[2] ?? '').toLowerCase();
  if (name === 'localhost') return true;
  return isIPv4(name) && name.split('.')[0] === '127';
}

function canonicalIPv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return '';
  }
}

function tokenOf(headers: IncomingHttpHeaders, url: string): string | undefined {
  const auth = headers.authorization;
  const m = auth ? /^(?:token|bearer)\s+(\S+)$/i.exec(auth) : null;
  if (m?.[1]) return m[1];
  return new URL(url, 'http://bridge').searchParams.get('token') ?? undefined;
}
