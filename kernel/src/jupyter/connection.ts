/**
 * The connection file: where a kernel binds and with which key it signs. Read by the kernel, written
 * by the client (random free ports on 127.0.0.1, a random key).
 *
 * Source: https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';

export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  control_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type ChannelName = 'shell' | 'control' | 'iopub' | 'stdin' | 'hb';

const PORT_FIELDS = ['shell_port', 'control_port', 'iopub_port', 'stdin_port', 'hb_port'] as const;

/** Checks a parsed connection file; throws an Error naming the bad field. */
export function validateConnectionInfo(value: unknown, source = 'connection file'): ConnectionInfo {
  if (value === null || typeof value !== 'object') throw new Error(`${source}: expected a JSON object`);
  const info = value as Record<string, unknown>;
  const transport = info.transport ?? 'tcp';
  if (transport !== 'tcp') throw new Error(`${source}: transport must be 'tcp'; got '${String(transport)}'`);
  for (const field of PORT_FIELDS) {
    const port = info[field];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`${source}: ${field} must be a port number; got ${JSON.stringify(port)}`);
    }
  }
  const scheme = info.signature_scheme ?? 'hmac-sha256';
  const key = info.key ?? '';
  if (typeof key !== 'string') throw new Error(`${source}: key must be a string`);
  if (key !== '' && scheme !== 'hmac-sha256') {
    throw new Error(`${source}: signature_scheme '${String(scheme)}' is not supported (only hmac-sha256)`);
  }
  return {
    ...(info as unknown as ConnectionInfo),
    transport: 'tcp',
    ip: typeof info.ip === 'string' && info.ip !== '' ? info.ip : '127.0.0.1',
    key,
    signature_scheme: String(scheme),
  };
}

export async function readConnectionFile(file: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read connection file '${file}': ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`connection file '${file}' is not JSON: ${(e as Error).message}`);
  }
  return validateConnectionInfo(parsed, `connection file '${file}'`);
}

export function endpoint(info: ConnectionInfo, channel: ChannelName): string {
  const port = info[`${channel}_port` as (typeof PORT_FIELDS)[number]];
  return `${info.transport}://${info.ip}:${port}`;
}

/** Asks the OS for `count` distinct free TCP ports on `ip` (held together, then released). */
export async function freePorts(count: number, ip = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, ip, () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** A fresh connection on 127.0.0.1 with random free ports and a random 256-bit key. */
export async function createConnectionInfo(kernelName?: string): Promise<ConnectionInfo> {
  const [shell, control, iopub, stdin, hb] = await freePorts(5);
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    control_port: control,
    iopub_port: iopub,
    stdin_port: stdin,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    ...(kernelName ? { kernel_name: kernelName } : {}),
  };
}
