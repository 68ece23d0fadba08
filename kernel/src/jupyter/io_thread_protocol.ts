/**
 * Messages between the kernel's main thread (shell, executor) and its I/O thread (control, heartbeat,
 * IOPub, stdin). The I/O thread keeps answering heartbeats and `interrupt_request` while a cell blocks
 * the main thread.
 */
import type { ConnectionInfo } from './connection';
import type { MessageHeader } from './wire';

export interface IoThreadData {
  connection: ConnectionInfo;
  session: string;
  /** interrupt.ts counter: the I/O thread bumps it on interrupt_request. */
  interruptCounter: SharedArrayBuffer;
  /** kernel_info_reply content, for kernel_info_request on the control channel. */
  kernelInfo: Record<string, unknown>;
  /** ms to wait for the main thread to acknowledge an interrupt before raising SIGINT. */
  sigintAfterMs: number;
}

export type MainToIo =
  | { type: 'iopub'; msgType: string; content: unknown; parent: MessageHeader | Record<string, never>; metadata?: Record<string, unknown> }
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string; parent: MessageHeader | Record<string, never> }
  | { type: 'interrupt-ack'; count: number }
  | { type: 'close' };

export type IoToMain =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'interrupt'; count: number }
  | { type: 'shutdown'; restart: boolean }
  | { type: 'closed' };
