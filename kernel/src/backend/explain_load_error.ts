/**
 * Turns the error thrown when a native TF.js backend fails to load into a sentence a
 * researcher can act on. The raw message is kept at the end for bug reports.
 */

export function explainLoadError(packageName: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (/Cannot find module ['"]?@tensorflow\/tfjs-node|MODULE_NOT_FOUND/.test(message) && message.includes(packageName)) {
    return `${packageName} is not installed (it is an optional dependency; its libtensorflow download fails without internet access). Install it with \`npm install ${packageName}\` on a machine with internet.`;
  }
  if (/libcudart\.so|libcublas|libcufft|libcurand|libcusolver|libcusparse/.test(message)) {
    return `${packageName} needs the CUDA 11.2 runtime libraries, which were not found (${firstLine}). tfjs-node-gpu 4.x is built against CUDA 11.2 / cuDNN 8.1 exactly; newer CUDA versions do not satisfy it. Use the webgpu backend instead, or install CUDA 11.2 and cuDNN 8.1.`;
  }
  if (/libcudnn/.test(message)) {
    return `${packageName} needs cuDNN 8.1, which was not found (${firstLine}). Install cuDNN 8.1 for CUDA 11.2, or use the webgpu backend.`;
  }
  if (/tfjs_binding\.node|napi-v\d|libtensorflow/.test(message)) {
    return `${packageName} is installed but its native libtensorflow binding is missing or broken (${firstLine}). Reinstall it with internet access (\`npm rebuild ${packageName}\`).`;
  }
  return `${packageName} failed to load: ${firstLine}`;
}
