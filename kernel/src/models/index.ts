import '../backend/fast_matmul_gradient';

export { Module } from './module';
export { mergeConfig } from './config';
export { deriveSeed } from './init';
export { Linear } from './linear';
export { affine } from './affine';
export { LayerNorm, layerNormOp } from './layer_norm';
export { gelu } from './gelu';
export { groupedMatMul } from './grouped_matmul';
export { MultiHeadAttention } from './attention';
export { Mlp } from './mlp';
export { TransformerBlock, type TransformerBlockConfig } from './transformer_block';
export {
  PatchEncoder,
  DEFAULT_PATCH_ENCODER_CONFIG,
  patchEncoderConfig,
  patchify,
  type PatchEncoderConfig,
} from './patch_encoder';
export { TextEncoder, DEFAULT_TEXT_ENCODER_CONFIG, textEncoderConfig, type TextEncoderConfig } from './text_encoder';
