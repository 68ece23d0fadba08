/**
 * Seed line (ii): a text-only language model further trained on detection, region captioning, REC and
 * object listing cast as sequences — coordinate codecs, task templates, vocabulary extension, a causal
 * LM with an image prefix, constrained decoding, evaluation and the ablation's pieces.
 */
export * from './coordinate_codec';
export { binsCodec } from './codec_bins';
export { gridCodec } from './codec_grid';
export { textCodec, DIGIT_TOKENS, COORD_SEPARATOR } from './codec_text';
export { codecByName } from './codec_registry';
export { codecOracle, type OracleReport } from './codec_oracle';
export * from './sequence_vocabulary';
export * from './box_check';
export * from './task_templates';
export * from './sequence_batch';
export { weightedTokenLoss } from './sequence_loss';
export { CausalSelfAttention } from './causal_attention';
export { CausalBlock, type CausalBlockConfig } from './causal_block';
export { CausalLM, causalLMConfig, DEFAULT_CAUSAL_LM_CONFIG, type CausalLMConfig } from './causal_lm';
export { extendVocabulary } from './vocabulary_extension';
export { GroundedLM } from './grounded_lm';
export { ScenePool, type SceneSource } from './scene_pool';
export { recordToScene, objectNameToken, newRecordSceneReport, type RecordSceneLimits, type RecordSceneReport } from './record_scene';
export { RecordScenes, buildRecordScenes, type RecordScenesData, type RecordScenesOptions } from './record_scenes';
export { stage0TextTask, type Stage0Options } from './stage0_text_task';
export { stage1GroundedTask, type Stage1Options, type Stage1Batch } from './stage1_grounded_task';
export { answerGrammar, type AnswerGrammar, type GrammarOptions } from './answer_grammar';
export { decodeGreedy, type NextLogProbs, type DecodeOptions, type Decoded } from './decode_greedy';
export { decodeBeam } from './decode_beam';
export { modelStep, type ModelStep } from './model_step';
export * from './parse_answer';
export * from './grounded_metrics';
export { evaluateGrounded, type EvaluateOptions, type GroundedEvaluation } from './evaluate_grounded';
export * from './grounded_lm_config';
export * from './grounded_lm_run';
export * from './grounded_lm_ablation';
export { groundedLMReport } from './grounded_lm_report';
export { lineIRecBaseline, type LineIRecResult } from './line_i_rec_baseline';
