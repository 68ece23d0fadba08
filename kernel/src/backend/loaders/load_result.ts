import type { GpuAdapterInfo } from '../backend_report';

/** The outcome of trying one backend: it runs (and on what), or why not, in plain words. */
export type LoadResult =
  | { ok: true; tfBackend: string; device: string; adapter?: GpuAdapterInfo }
  | { ok: false; reason: string };

export interface LoadOptions {
  /** The user forced this backend; loaders may accept what `auto` would refuse (a software GPU adapter). */
  forced: boolean;
}

export type BackendLoader = (options: LoadOptions) => Promise<LoadResult>;
