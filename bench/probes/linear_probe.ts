import * as tf from '@tensorflow/tfjs-core';

/**
 * A softmax probe fitted on rows `train` of X [N, D] to labels y (features standardised by the training
 * rows' mean and spread; Adam 0.05, 200 full-batch steps; `l2`: a penalty on the weights) and scored on rows
 * `test`: accuracy and mean cross-entropy (nats).
 */
export function linearProbe(X: tf.Tensor2D, y: number[], train: number[], test: number[], classes: number, l2 = 0): { accuracy: number; crossEntropy: number } {
  return tf.tidy(() => {
    const Xt = tf.gather(X, train);
    const { mean, variance } = tf.moments(Xt, 0);
    const sd = tf.add(tf.sqrt(variance), 1e-5);
    const standard = (a: tf.Tensor) => tf.div(tf.sub(a, mean), sd);
    const xs = standard(Xt);
    const ys = tf.oneHot(train.map((i) => y[i]!), classes);
    const W = tf.variable(tf.zeros([X.shape[1], classes]));
    const b = tf.variable(tf.zeros([classes]));
    const opt = tf.train.adam(0.05);
    for (let s = 0; s < 200; s++) opt.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(xs, W), b)), tf.mul(l2, tf.sum(tf.square(W)))) as tf.Scalar);
    const logits = tf.add(tf.matMul(standard(tf.gather(X, test)), W), b);
    const crossEntropy = tf.losses.softmaxCrossEntropy(tf.oneHot(test.map((i) => y[i]!), classes), logits).dataSync()[0]!;
    const pred = tf.argMax(logits, -1).dataSync();
    const right = test.filter((i, k) => pred[k] === y[i]).length;
    W.dispose();
    b.dispose();
    opt.dispose();
    return { accuracy: right / test.length, crossEntropy };
  });
}
