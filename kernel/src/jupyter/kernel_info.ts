/**
 * kernel_info_reply content: language TypeScript, versions, and a banner that says which compute
 * backend and device the kernel runs on (from initBackend, called at kernel start).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBackendReport, type BackendReport } from '../backend';
import { kernelPackageRoot, tslabTypeScript } from './module_resolution';
import { PROTOCOL_VERSION } from './wire';

import { KERNEL_LANGUAGE } from './kernelspec';

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface KernelInfoInputs {
  backend?: BackendReport;
  /** Why no backend could be initialised, when that happened. */
  backendError?: string;
}

export function kernelInfoContent(inputs: KernelInfoInputs): Record<string, unknown> {
  const version = packageVersion(kernelPackageRoot());
  const tsVersion = tslabTypeScript().version;
  const tslabVersion = packageVersion(path.dirname(require.resolve('tslab/package.json')));
  const backendLine = inputs.backend
    ? formatBackendReport(inputs.backend).split('\n')[0]
    : `alignscope backend: none (${inputs.backendError ?? 'not initialised'})`;
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'alignscope',
    implementation_version: version,
    language_info: {
      name: KERNEL_LANGUAGE,
      version: tsVersion,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      pygments_lexer: 'typescript',
      // JupyterLab reads `mode`; the classic notebook reads `name` + `typescript`.
      codemirror_mode: { name: 'javascript', mode: 'typescript', typescript: true },
    },
    banner: [
      `alignscope ${version} — TypeScript ${tsVersion} on Node ${process.version} (tslab ${tslabVersion})`,
      backendLine,
      "import { tf, ot, ... } from '@alignscope/kernel'",
    ].join('\n'),
    help_links: [{ text: 'alignscope', url: 'https://github.com/alignscope/alignscope' }],
    debugger: false,
    alignscope: inputs.backend
      ? { backend: inputs.backend.backend, tfBackend: inputs.backend.tfBackend, device: inputs.backend.device }
      : { backend: null, error: inputs.backendError ?? null },
  };
}
