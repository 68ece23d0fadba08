/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by PNG chunks, zip and gzip.
 *
 * @example crc32(new TextEncoder().encode('123456789')) === 0xcbf43926
 * Source: PNG specification, Annex D "Sample CRC implementation".
 */

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Updates a running CRC (start with 0) with `bytes`; returns the new CRC as an unsigned integer. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTable();
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
