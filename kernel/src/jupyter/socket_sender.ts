/**
 * zeromq@6 allows one send in flight per socket; `SerialSender` queues sends so concurrent callers never
 * collide ("Socket is busy writing"), and keeps their order.
 */
/** The one method used of a zeromq socket. */
export interface FrameSocket {
  send(frames: Buffer[]): Promise<void>;
}

export class SerialSender {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: FrameSocket,
    private readonly onError: (e: unknown) => void = (e) => process.emitWarning(`zeromq send failed: ${String(e)}`),
  ) {}

  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames)).catch((e: unknown) => this.onError(e));
    this.tail = next;
    return next;
  }

  /** Resolves when every queued send is done. */
  drain(): Promise<void> {
    return this.tail;
  }
}
