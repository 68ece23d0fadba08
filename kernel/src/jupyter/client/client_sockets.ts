/** The client's ZeroMQ sockets to one kernel: DEALERs for shell/control/stdin, a SUB for IOPub. */
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { endpoint, type ConnectionInfo } from '../connection';
import { SerialSender } from '../socket_sender';

export type RequestChannel = 'shell' | 'control';

export class ClientSockets {
  readonly session = randomUUID();
  readonly shell = new zmq.Dealer({ linger: 0 });
  readonly control = new zmq.Dealer({ linger: 0 });
  readonly stdin = new zmq.Dealer({ linger: 0 });
  readonly iopub = new zmq.Subscriber({ linger: 0 });
  readonly out: Record<RequestChannel, SerialSender>;
  closed = false;

  constructor(readonly info: ConnectionInfo) {
    this.out = { shell: new SerialSender(this.shell), control: new SerialSender(this.control) };
    this.shell.connect(endpoint(info, 'shell'));
    this.control.connect(endpoint(info, 'control'));
    this.stdin.connect(endpoint(info, 'stdin'));
    this.iopub.connect(endpoint(info, 'iopub'));
    this.iopub.subscribe();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
  }
}

