/**
 * Requests node:http refuses before any handler sees them (a request line or header its parser cannot
 * read, a method it does not know, headers over its limit): answered with the status node would give
 * and a one-line reason, as every error of the app has. Node's own answer has an empty body, which left
 * a client without the reason. Written by hand because it is below Hono: node hands these over as a
 * socket and an error, never as a request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Status and reason for node's parse error codes; anything else is a 400. */
const ANSWERS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request\'s header section is too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', 'the request\'s chunk extensions are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request did not arrive in time'],
  // RFC 9110 §15.6.2: the answer to a method the server does not recognise (405 is for one it knows).
  HPE_INVALID_METHOD: [501, 'Not Implemented', 'the method is not one this server knows (GET, HEAD and OPTIONS are answered)'],
};

/** The `clientError` listener of the server. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way on the socket cannot be followed by another (node's own check).
  const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  // llhttp reads the method first, so a line that is no request line at all fails as a method too:
  // only a well-formed request line with a method it does not know is a 501.
  const packet = (error as NodeJS.ErrnoException & { rawPacket?: Buffer }).rawPacket;
  const unknownMethod = error.code === 'HPE_INVALID_METHOD' && packet !== undefined && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ \S+ HTTP\/\d\.\d\r?\n/u.test(packet.toString('latin1', 0, 8192));
  const [status, text, reason] = (unknownMethod || error.code !== 'HPE_INVALID_METHOD' ? ANSWERS[error.code ?? ''] : undefined) ?? [400, 'Bad Request', `the request cannot be read (${(error.code ?? 'malformed').replace(/^HPE_/u, '').toLowerCase().replace(/_/gu, ' ')})`];
  const body = `${text}: ${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * A Host as RFC 9110 §7.2 allows it: a name or IPv4 address of URL host characters, or an IPv6
 * address in brackets, and an optional port. A regular expression, not `new URL`, for it runs on
 * every request (~0.1 µs against ~1 µs).
 */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/u;

/**
 * Why a request that node:http parsed cannot be answered, if it cannot: no Host on HTTP/1.1 (node's
 * own check answers it with an empty body, so the server turns that check off and makes it here), a
 * Host that is no host, or a target in asterisk form for another method than OPTIONS.
 */
export function requestProblem(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined) return req.httpVersionMajor === 1 && req.httpVersionMinor === 0 ? undefined : 'the request has no Host header (HTTP/1.1 requires one)';
  if (!HOST.test(host)) return `the Host header ${JSON.stringify(host.slice(0, 100))} names no host`;
  if (req.url === '*' && req.method !== 'OPTIONS') return 'the target * is for OPTIONS only';
  return undefined;
}

/** Answers a request `requestProblem` refused: 400 with the reason, and the connection closed. */
export function answerBadRequest(res: ServerResponse, problem: string): void {
  const body = `Bad request: ${problem}\n`;
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', Connection: 'close' });
  res.end(body);
}
