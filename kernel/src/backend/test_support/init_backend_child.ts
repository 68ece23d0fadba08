/**
 * Child-process fixture for init_backend.test.ts: runs `initBackend()` with the environment it was given
 * (ALIGNSCOPE_BACKEND, VK_DRIVER_FILES, ...) and prints one JSON line: the report, or the error message.
 * A child process because Dawn reads the Vulkan environment once per process.
 */
import { initBackend } from '../init_backend';

initBackend({ log: null }).then(
  (report) => console.log(JSON.stringify({ ok: true, report })),
  (error: Error) => console.log(JSON.stringify({ ok: false, message: error.message })),
);
