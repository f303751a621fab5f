import test from 'node:test';
import assert from 'node:assert/strict';
import { trainStepLine } from '../../src/cli/trainStepLine.js';

const info = { epoch: 0, step: 540, stepInEpoch: 40, stepsPerEpoch: 1274, loss: 0.01452, samplesPerSecond: 14.58 };

test('trainStepLine: the epoch\'s time left comes from the pace since the previous line; none without one or at the epoch\'s end', () => {
  // No previous line in this session (a start or a resume): no estimate.
  assert.equal(trainStepLine(info, 1000), 'epoch 1 step 40/1274 loss 1.452e-2 14.58 samples/s');
  // 20 steps in 22 s: 1.1 s a step, 1,234 steps left → 1357 s = 22 min 37 s.
  assert.equal(trainStepLine(info, 32_000, { step: 520, epoch: 0, time: 10_000 }), 'epoch 1 step 40/1274 loss 1.452e-2 14.58 samples/s, epoch ends in 22m37s');
  // Over an hour (10,000 steps: 3 h 3 min 20 s), and under a minute.
  assert.match(trainStepLine({ ...info, stepsPerEpoch: 10_040 }, 32_000, { step: 520, epoch: 0, time: 10_000 }), /epoch ends in 03h03m$/);
  assert.match(trainStepLine({ ...info, stepInEpoch: 1264 }, 32_000, { step: 520, epoch: 0, time: 10_000 }), /epoch ends in 11s$/);
  // The first line of an epoch: the pace since the last epoch's line includes its validation.
  assert.doesNotMatch(trainStepLine({ ...info, epoch: 1, stepInEpoch: 20, step: 1294 }, 32_000, { step: 1260, epoch: 0, time: 10_000 }), /ends in/);
  // The last step of an epoch: nothing left to estimate.
  assert.doesNotMatch(trainStepLine({ ...info, stepInEpoch: 1274 }, 32_000, { step: 520, epoch: 0, time: 10_000 }), /ends in/);
});
