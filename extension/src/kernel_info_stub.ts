/**
 * Stands in for kernel/src/jupyter/kernel_info.ts inside the extension bundle (see extension/build.mjs):
 * the shared client's kernelspec module needs only these constants, and the real module loads TF.js.
 */
export const KERNEL_LANGUAGE = 'typescript';
export const KERNEL_DISPLAY_NAME = 'alignscope (TypeScript)';
