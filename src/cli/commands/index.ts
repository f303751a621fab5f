/** The registry of CLI commands: one import and one entry per command file. */
import type { Command } from 'commander';
import { register as convert } from './convert.js';
import { register as data } from './data.js';
import { register as doctor } from './doctor.js';
import { register as reconstruct } from './reconstruct.js';
import { register as weights } from './weights.js';
import { register as evaluate } from './eval.js';
import { register as exportModel } from './export.js';
import { register as label } from './label.js';
import { register as swap } from './swap.js';
import { register as train } from './train.js';
import { register as serve } from './serve.js';
import { register as enqueue } from './enqueue.js';
import { register as worker } from './worker.js';
import { register as jobs } from './jobs.js';
import { register as video } from './video.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  convert,
  data,
  doctor,
  evaluate,
  exportModel,
  label,
  reconstruct,
  serve,
  enqueue,
  worker,
  jobs,
  swap,
  train,
  video,
  weights,
];
