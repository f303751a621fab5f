/**
 * The line `prnet train` logs every 20 steps when standard error is not a terminal (nohup,
 * CI): the progress bar's figures, with the time the epoch has left estimated from the pace
 * of the steps since the previous line.
 */
import cliProgress from 'cli-progress';
import type { StepInfo } from '../train/loop/trainLoop.js';

/** A step that was logged, and when (milliseconds, any monotonic clock). */
export interface LoggedStep {
  step: number;
  epoch: number;
  time: number;
}

/**
 * The log line of step `s`, logged at `time`; `previous` is the last step logged in this
 * session (none, or one of an earlier epoch, whose pace includes validation: no estimate yet).
 *
 * ```ts
 * trainStepLine(info, performance.now(), last); // 'epoch 1 step 40/1274 loss 1.452e-2 14.58 samples/s, epoch ends in 23m10s'
 * ```
 */
export function trainStepLine(s: Pick<StepInfo, 'epoch' | 'step' | 'stepInEpoch' | 'stepsPerEpoch' | 'loss' | 'samplesPerSecond'>, time: number, previous?: LoggedStep): string {
  const left = previous && previous.epoch === s.epoch && s.step > previous.step && s.stepInEpoch < s.stepsPerEpoch
    ? ((time - previous.time) / (s.step - previous.step)) * (s.stepsPerEpoch - s.stepInEpoch) / 1000
    : undefined;
  const eta = left === undefined ? '' : `, epoch ends in ${cliProgress.Format.TimeFormat(Math.round(left), { autopaddingChar: '0' }, 1)}`;
  return `epoch ${s.epoch + 1} step ${s.stepInEpoch}/${s.stepsPerEpoch} loss ${s.loss.toExponential(3)} ${s.samplesPerSecond.toFixed(2)} samples/s${eta}`;
}
