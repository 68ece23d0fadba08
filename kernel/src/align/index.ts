import '../backend/fast_matmul_gradient';

export type { LossOutput, Temperature } from './types';
export { l2Normalize, meanPatches, meanValidTokens, pairwiseCosine } from './features';
export { infoNce, symmetricInfoNce } from './info_nce';
export { globalLoss, globalScores, type GlobalLossOptions } from './global_loss';
export { filipLoss, filipScores, type FilipLossOptions } from './filip_loss';
export { otLoss, otScores, DEFAULT_OT_LOSS_OPTIONS, type OtLossOptions } from './ot_loss';
export { alignmentLoss, weightedSum, type AlignmentLossWeights, type AlignmentLossOptions } from './weighted_loss';
export { LearnableTemperature } from './temperature';
