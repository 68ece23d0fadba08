export { sinkhorn, KERNEL_SAFE_RANGE } from './sinkhorn';
export type { SinkhornOptions, SinkhornResult } from './sinkhorn_types';
