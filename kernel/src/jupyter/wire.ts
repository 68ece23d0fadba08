/**
 * The Jupyter wire format (messaging spec 5.3): a message travels as ZeroMQ frames
 *
 *   [ident...] "<IDS|MSG>" signature header parent_header metadata content [buffers...]
 *
 * where signature = hex HMAC-SHA256(key, header ‖ parent_header ‖ metadata ‖ content) over the JSON
 * frames exactly as sent. An empty key means "no signing" (signature ""), as the spec allows.
 * Pure functions, no sockets: the kernel (kernel_server.ts, io_thread.ts) and the client share them.
 *
 * Source: https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
export const DELIMITER = Buffer.from('<IDS|MSG>');

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  /** Subshell id (5.5) and the like: kept as sent. */
  [extra: string]: unknown;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  /** ZeroMQ routing identities (ROUTER sockets); empty for PUB/DEALER. */
  identities: Buffer[];
  header: MessageHeader;
  /** The header of the request this message answers, or {} for none. */
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Thrown by `decodeMessage` for a message that must be dropped (bad signature, malformed frames). */
export class WireError extends Error {
  override name = 'WireError';
}

/** HMAC-SHA256 over the four JSON frames, hex; '' when the key is empty (signing disabled). */
export function sign(key: string | Buffer, frames: readonly (Buffer | string)[]): string {
  if (key.length === 0) return '';
  const hmac = createHmac('sha256', key);
  for (const f of frames) hmac.update(f);
  return hmac.digest('hex');
}

function signatureMatches(expected: string, got: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(got, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newHeader(msgType: string, session: string, username = 'alignscope'): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Encodes a message into frames, signing with `key` (no signature when the key is empty). */
export function encodeMessage(
  key: string | Buffer,
  msg: Pick<JupyterMessage<unknown>, 'header' | 'parent_header' | 'metadata' | 'content'> &
    Partial<Pick<JupyterMessage<unknown>, 'identities' | 'buffers'>>,
): Buffer[] {
  const body = [msg.header, msg.parent_header ?? {}, msg.metadata ?? {}, msg.content ?? {}].map((part) =>
    Buffer.from(JSON.stringify(part), 'utf8'),
  );
  const signature = Buffer.from(sign(key, body), 'utf8');
  return [...(msg.identities ?? []), DELIMITER, signature, ...body, ...(msg.buffers ?? [])];
}

function parseFrame(frame: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch (e) {
    throw new WireError(`malformed ${what} frame: not JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireError(`malformed ${what} frame: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes frames into a message and checks its signature. With a non-empty key, an unsigned or badly
 * signed message throws WireError (the caller drops it); with an empty key, signatures are ignored.
 */
export function decodeMessage(key: string | Buffer, frames: readonly Buffer[]): JupyterMessage {
  const delim = frames.findIndex((f) => f.equals(DELIMITER));
  if (delim < 0) throw new WireError('message has no <IDS|MSG> delimiter');
  if (frames.length < delim + 6) {
    throw new WireError(`message has ${frames.length - delim - 1} frames after the delimiter; expected at least 5`);
  }
  const signature = frames[delim + 1].toString('utf8');
  const body = frames.slice(delim + 2, delim + 6);
  if (key.length > 0) {
    if (signature.length === 0) throw new WireError('unsigned message rejected (the connection has a key)');
    if (!signatureMatches(sign(key, body), signature)) throw new WireError('message with an invalid signature rejected');
  }
  const header = parseFrame(body[0], 'header');
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') {
    throw new WireError('malformed header: msg_type and msg_id must be strings');
  }
  return {
    identities: frames.slice(0, delim).map((f) => Buffer.from(f)),
    header: header as MessageHeader,
    parent_header: parseFrame(body[1], 'parent_header') as JupyterMessage['parent_header'],
    metadata: parseFrame(body[2], 'metadata'),
    content: parseFrame(body[3], 'content'),
    buffers: frames.slice(delim + 6).map((f) => Buffer.from(f)),
  };
}

/** A reply/child of `parent` sent by `session`: parent_header = parent's header, routed to the same identities. */
export function replyTo<C>(
  parent: Pick<JupyterMessage<unknown>, 'header' | 'identities'>,
  session: string,
  msgType: string,
  content: C,
  metadata: Record<string, unknown> = {},
): JupyterMessage<C> {
  return {
    identities: parent.identities,
    header: newHeader(msgType, session, parent.header.username),
    parent_header: parent.header,
    metadata,
    content,
    buffers: [],
  };
}
