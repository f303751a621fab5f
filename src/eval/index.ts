/**
 * `prnet/eval`: AFLW2000-3D evaluation, isomorphic. The ground truth from the `.mat`
 * files, the 68-point NME normalised by the landmark box, pose error, the predictors it
 * compares (prnet models, 3DDFA_V2 models, the mean-face and teacher-fit baselines), and
 * the summaries, CSV and CED curve. `prnet eval aflw2000` is its command-line edge.
 */
export * from './aflw2000GroundTruth.js';
export * from './landmarkNme.js';
export * from './aflwPose.js';
export * from './meanFaceBaseline.js';
export * from './modelPredictor.js';
export * from './tddfaPredictor.js';
export * from './teacherFitPredictor.js';
export * from './evaluateAflw2000.js';
export * from './summarizeEvaluation.js';
export * from './evaluationCsv.js';
export * from './cedCurveSvg.js';
export * from './paperResults.js';
