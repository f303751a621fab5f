/**
 * `prnet/eval`: landmark evaluation, isomorphic. AFLW2000-3D (the ground truth from the
 * `.mat` files, the 68-point NME normalised by the landmark box, pose error) and any
 * 68-point set annotated in iBUG `.pts` files (300-W's normalisers, the inner 51 points,
 * failure rate and AUC); the predictors they compare (prnet models with benchmark or
 * detector crops, 3DDFA_V2 models, the mean-face and teacher-fit baselines), and the
 * summaries, CSV and CED curve. `prnet eval aflw2000` and `prnet eval pts` are the
 * command-line edges.
 */
export * from './aflw2000GroundTruth.js';
export * from './landmarkNme.js';
export * from './aflwPose.js';
export * from './meanFaceBaseline.js';
export * from './modelPredictor.js';
export * from './tddfaPredictor.js';
export * from './teacherFitPredictor.js';
export * from './evaluateSamples.js';
export * from './evaluateAflw2000.js';
export * from './evaluatePts.js';
export * from './expressionResponse.js';
export * from './nmeNormalizers.js';
export * from './matchFace.js';
export * from './summarizeEvaluation.js';
export * from './evaluationCsv.js';
export * from './cedCurveSvg.js';
export * from './paperResults.js';
