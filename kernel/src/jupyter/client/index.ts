export { KernelClient, KernelDiedError, type Execution, type ExecuteOptions } from './kernel_client';
export { launchKernelProcess, resolveSpec, type KernelProcess, type LaunchOptions } from './kernel_process';
export { MessageQueue } from './message_queue';
export { makeKernelSpec, findKernelspec, listKernelspecs, type KernelSpec } from '../kernelspec';
export type { ConnectionInfo } from '../connection';
export type { JupyterMessage, MessageHeader } from '../wire';
