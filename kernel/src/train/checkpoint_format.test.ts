import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packTensors, unpackTensors } from './checkpoint_format';

test('pack/unpack: float32 little-endian, offsets in the table, exact round trip', () => {
  const a = new Float32Array([1.5, -2, 3.25e-20, NaN]);
  const b = new Float32Array([7]);
  const { bytes, table } = packTensors([
    { name: 'w', group: 'weights', shape: [2, 2], values: a },
    { name: 'optimizer/m/0', group: 'optimizer', shape: [1], values: b },
  ]);
  assert.equal(bytes.byteLength, 20);
  assert.deepEqual(table.map((e) => [e.name, e.offset, e.byteLength]), [['w', 0, 16], ['optimizer/m/0', 16, 4]]);
  assert.equal(new DataView(bytes.buffer).getFloat32(4, true), -2, 'little-endian');
  const back = unpackTensors(bytes, table);
  assert.deepEqual(Buffer.from(back[0].values.buffer), Buffer.from(a.buffer));
  assert.deepEqual(Array.from(back[1].values), [7]);
  assert.throws(() => unpackTensors(bytes.subarray(0, 8), table), /'w' entry .* does not fit the 8-byte weights file/);
  assert.throws(() => packTensors([{ name: 'x', group: 'weights', shape: [3], values: b }]), /'x' has 1 values but shape \[3\]/);
});
