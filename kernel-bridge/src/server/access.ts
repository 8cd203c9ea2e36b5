/**
 * Who may use the bridge. jupyter-server-proxy checks Jupyter's login but
 * skips XSRF checks, so a page from another origin could open a WebSocket
 * through it with the learner's cookies: the bridge refuses any Origin but
 * its own host's and the configured ones. When the bridge listens on its own
 * (not behind the proxy) it can also require a token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

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
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return `the Origin header "${origin}" is not a URL`;
    }
    if (host !== headers.host && !rules.allowedOrigins.includes(origin)) {
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

function tokenOf(headers: IncomingHttpHeaders, url: string): string | undefined {
  const auth = headers.authorization;
  const m = auth ? /^(?:token|bearer)\s+(\S+)$/i.exec(auth) : null;
  if (m?.[1]) return m[1];
  return new URL(url, 'http://bridge').searchParams.get('token') ?? undefined;
}
