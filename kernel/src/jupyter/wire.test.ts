import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { decodeMessage, DELIMITER, encodeMessage, newHeader, replyTo, sign, WireError } from './wire';

const KEY = 'a0f3c9e1-secret';

function sample() {
  const header = newHeader('execute_request', 'session-1', 'tester');
  return { identities: [Buffer.from('client-id')], header, parent_header: {}, metadata: { m: 1 }, content: { code: '1 + 1', nested: { x: [1, 2] } }, buffers: [Buffer.from([1, 2, 3])] };
}

test('sign is HMAC-SHA256 hex over the four JSON frames, empty for an empty key', () => {
  const frames = ['{"a":1}', '{}', '{}', '{"b":2}'];
  const expected = createHmac('sha256', KEY).update(frames.join('')).digest('hex');
  assert.equal(sign(KEY, frames), expected);
  assert.equal(sign('', frames), '');
});

test('encode → decode round trip keeps identities, every part and buffers', () => {
  const msg = sample();
  const frames = encodeMessage(KEY, msg);
  assert.ok(frames[1].equals(DELIMITER));
  const back = decodeMessage(KEY, frames);
  assert.deepEqual(back.identities.map(String), ['client-id']);
  assert.deepEqual(back.header, msg.header);
  assert.deepEqual(back.parent_header, {});
  assert.deepEqual(back.metadata, { m: 1 });
  assert.deepEqual(back.content, msg.content);
  assert.deepEqual([...back.buffers[0]], [1, 2, 3]);
});

test('a bad signature, a tampered body and an unsigned message are rejected when a key is set', () => {
  const frames = encodeMessage(KEY, sample());
  assert.throws(() => decodeMessage('other-key', frames), WireError);
  const tampered = frames.slice();
  tampered[6] = Buffer.from('{"code":"evil()"}'); // content frame (ident, delim, sig, header, parent, metadata, content)
  assert.throws(() => decodeMessage(KEY, tampered), /invalid signature/);
  assert.throws(() => decodeMessage(KEY, encodeMessage('', sample())), /unsigned message rejected/);
});

test('an empty key disables signing: any signature is accepted', () => {
  const frames = encodeMessage(KEY, sample());
  assert.equal(decodeMessage('', frames).header.msg_type, 'execute_request');
  assert.equal(encodeMessage('', sample())[2].toString(), '');
});

test('malformed frames are WireErrors naming the problem', () => {
  assert.throws(() => decodeMessage(KEY, [Buffer.from('x')]), /no <IDS\|MSG> delimiter/);
  assert.throws(() => decodeMessage('', [DELIMITER, Buffer.from(''), Buffer.from('{}')]), /expected at least 5/);
  assert.throws(() => decodeMessage('', [DELIMITER, Buffer.from(''), Buffer.from('nope'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}')]), /header frame: not JSON/);
});

test('replyTo routes to the same identities with the request as parent', () => {
  const req = decodeMessage(KEY, encodeMessage(KEY, sample()));
  const reply = replyTo(req, 'kernel-session', 'execute_reply', { status: 'ok' });
  assert.deepEqual(reply.identities.map(String), ['client-id']);
  assert.equal(reply.parent_header.msg_id, req.header.msg_id);
  assert.equal(reply.header.session, 'kernel-session');
  assert.equal(reply.header.version, '5.3');
});
