/**
 * What library code and notebook cells use from the kernel layer (light: no sockets, no tslab).
 * The kernel process itself is `kernel_server.ts`; the Jupyter client is `client/`; the headless runner
 * is `runner/`.
 */
export { publishDisplay, clearOutput, isInsideKernel, setDisplaySink, type DisplayOptions, type DisplaySink, type MimeBundle } from './display_bridge';
export { currentCancellation, InterruptedError, isInterruptError, type CancellationToken } from './interrupt';
export { formatValue, registerValueFormatter, tensorSummary, MIME_BUNDLE_METHOD, type ValueFormatter } from './format_value';
