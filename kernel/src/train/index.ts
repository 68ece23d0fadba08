export { train, type TrainOptions, type TrainResult, type StoppedReason } from './trainer';
export type { TrainTask, LossOutput } from './train_task';
export { resolveTrainConfig, firstDifference, DEFAULT_TRAIN_CONFIG, type TrainConfig, type TrainConfigInput } from './train_config';
export { AdamOptimizer, type OptimizerConfig, type AdamStateValues } from './adam';
export { warmupCosine, warmupConstant, makeSchedule, type ScheduleConfig, type LrSchedule } from './lr_schedule';
export { clipByGlobalNorm } from './clip_grad_norm';
export { stepRng, replicaRng, type Rng } from './step_rng';
export { startThreadPeers, type GradientPeers, type PeerGradients, type ThreadPeersOptions } from './gradient_peers';
export { CancellationSource, NEVER_CANCELLED, type CancellationToken } from './cancellation';
export { EventFanout, ThroughputMeter, type TrainEvent, type TrainListener } from './progress';
export { saveCheckpoint, loadCheckpoint, hasCheckpoint, type CheckpointContent } from './checkpoint_io';
export { restoreWeights, assignWeights } from './restore_weights';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  MANIFEST_FILE,
  packTensors,
  unpackTensors,
  type CheckpointManifest,
  type TensorEntry,
  type HostTensor,
} from './checkpoint_format';
