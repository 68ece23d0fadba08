export { initBackend, backendReport, type InitBackendOptions } from './init_backend';
export {
  BACKEND_ORDER,
  formatBackendReport,
  isBackendChoice,
  type BackendChoice,
  type BackendName,
  type BackendReport,
  type GpuAdapterInfo,
  type SkippedBackend,
} from './backend_report';
export { explainLoadError } from './explain_load_error';
