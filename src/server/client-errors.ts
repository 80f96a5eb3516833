/**
 * Requests node:http refuses before any handler sees them (a request line or header its parser cannot
 * read, a method it does not know, headers over its limit): answered with the status node would give
 * and a one-line reason, as every error of the app has. Node's own answer has an empty body, which left
 * a client without the reason. Written by hand because it is below Hono: node hands these over as a
 * socket and an error, never as a request.
 */
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
  const [status, text, reason] = ANSWERS[error.code ?? ''] ?? [400, 'Bad Request', `the request cannot be read (${(error.code ?? 'malformed').replace(/^HPE_/u, '').toLowerCase().replace(/_/gu, ' ')})`];
  const body = `${text}: ${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
}
