/**
 * Writes the files `prnet reconstruct` produces for one image, all or none: every file
 * is encoded and written to a temporary name (in parallel), and only when all of them are
 * on disk are they renamed into place; any failure removes them all. Names: `<base>_<i>.<ext>` and `<base>_<i>_<kind>.<ext>` per face, `<base>.json`,
 * `<base>_depth.png`, `<base>_overlay.png` per image.
 */
import { faceRelief, type FaceReliefOptions } from '../../print/faceRelief.js';
import { encodeStl } from '../../io/stl.js';
import { encodePts } from '../../io/pts.js';
import { alignFace, type AlignFaceOptions } from '../../face/alignFace.js';
import { cameraSpaceVertices } from '../../geometry/cameraSpaceVertices.js';
import { canonicalEyeCentres } from '../../uv/canonicalEyeCentres.js';
import { frontalize } from '../../reconstruct/frontalize.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RgbImage } from '../../io/rgbImage.js';
import type { UvAssets } from '../../uv/uvAssets.js';
import type { FaceResult } from '../../reconstruct/faceResult.js';
import { encodeObj } from '../../io/obj.js';
import { encodePly } from '../../io/ply.js';
import { encodeGlb } from '../../io/glb.js';
import { faceJson, type FaceJsonModel } from '../../io/faceJson.js';
import { drawLandmarks } from '../../render/drawLandmarks.js';
import { drawPoseBox } from '../../render/drawPoseBox.js';
import { encodeImage } from './encodeImage.js';
import { decodeImage } from './decodeImage.js';
import { overlayStrokes } from '../../render/overlayStrokes.js';
import sharp from 'sharp';
import { commitStagedFiles, stageFile, type StagedFile } from '../files/stageFile.js';
import { writeToStream } from '../files/writeToStream.js';
import { encodeNpy } from '../../io/encodeNpy.js';
import { nccColors } from '../../render/nccColors.js';
import { renderPncc } from '../../render/renderPncc.js';
import { mergeDepth } from '../../service/mergeDepth.js';
import type { OutputKind } from '../../io/outputKinds.js';

export { OUTPUT_KINDS, type OutputKind } from '../../io/outputKinds.js';

/** What {@link writeOutputs} writes. */
export interface WriteOutputsInput {
  /** Existing output folder. */
  outDir: string;
  /** The input file, as given (recorded in the JSON). */
  file: string;
  /** The encoded image, when there is no file to read it again from (standard input): the overlay of a transparent photo. */
  bytes?: Uint8Array;
  /** The model, for the JSON. */
  model?: FaceJsonModel;
  /** Why there are no faces (recorded in the JSON when `faces` is empty). */
  reason?: string;
  /** Base of the file names, relative to `outDir` with `/` separators (see `outputBases`). */
  base: string;
  /** The decoded photo (overlay, sizes). */
  image: RgbImage;
  /** The image's reconstructed faces, in face-index order. */
  faces: FaceResult[];
  /** UV assets (triangles). */
  assets: UvAssets;
  /** Which files to write. */
  kinds: readonly OutputKind[];
  /** Meshes in the frontalized (canonical) frame instead of image space. */
  front: boolean;
  /** Meshes in the space of each face's perspective camera (`face.camera`), metres, y up: for a 3D scene whose camera sits at the origin. */
  cameraSpace?: boolean;
  /** Send the JSON record here as one line instead of `<base>.json` (`prnet reconstruct -o -`), once the files are written. */
  jsonTo?: NodeJS.WritableStream;
  /** `stl`: the printed relief's size and resolution (`faceRelief`'s options; 80 mm wide by default). */
  relief?: Partial<FaceReliefOptions>;
  /** `aligned`: which aligned face picture (`alignFace`'s options; ArcFace's 112×112 by default). */
  align?: Partial<AlignFaceOptions>;
}

/**
 * The photo with each face's 68 landmarks and head-pose box drawn on it (official
 * `plot_kpt`, `plot_pose_box`), strokes scaled with the face's size.
 */
function overlay(image: RgbImage, faces: FaceResult[]): RgbImage {
  let out = image;
  for (const f of faces) {
    const s = overlayStrokes(Math.max(f.box[2], f.box[3]));
    out = drawLandmarks(out, f.landmarks, { dotRadius: s.dotRadius, lineWidth: s.lineWidth });
    if (f.pose) out = drawPoseBox(out, f.pose.cameraMatrix, f.landmarks, { lineWidth: s.poseLineWidth });
  }
  return out;
}

/** White, which transparent parts of a photo are shown over in its overlay. */
const OVERLAY_BACKGROUND = { r: 255, g: 255, b: 255 };

/** The photo to draw the overlay on: as decoded, or decoded again over white when it has transparency. */
async function overlayBase(file: string | Uint8Array, image: RgbImage): Promise<RgbImage> {
  const meta = await sharp(file).metadata().catch(() => undefined);
  if (!meta?.hasAlpha) return image;
  const again = await decodeImage(file, { maxPixels: Math.max(1, image.width * image.height), background: OVERLAY_BACKGROUND });
  return again.width === image.width && again.height === image.height ? again : image;
}

/**
 * Writes the chosen files for one image; resolves when all are on disk, rejects with the
 * first error, leaving none of this image's files (and no temporary file) behind.
 *
 * ```ts
 * await writeOutputs({ outDir: 'out', base: 'photo', image, faces, assets, kinds: ['obj', 'json'], front: false });
 * ```
 */
export async function writeOutputs(input: WriteOutputsInput): Promise<string[]> {
  const { outDir, base, image, faces, assets, front, jsonTo } = input;
  const kinds = jsonTo ? input.kinds.filter((k) => k !== 'json') : input.kinds;
  if (base.includes('/') && kinds.length > 0) await mkdir(path.dirname(path.join(outDir, base)), { recursive: true });
  const jobs: Array<Promise<StagedFile>> = [];
  // Encoders run inside the promise chain, so a throwing encoder rejects its own job
  // instead of escaping while other jobs are in flight.
  const write = (name: string, encode: () => Uint8Array | string | Promise<Uint8Array>): void => {
    const file = path.join(outDir, name);
    jobs.push(Promise.resolve().then(encode).then((b) => stageFile(file, b)));
  };
  faces.forEach((f, i) => {
    if (input.cameraSpace && !(f.pose && f.camera)) throw new Error(`face ${i} has no perspective pose to place its mesh in camera space`);
    const vertices = input.cameraSpace ? cameraSpaceVertices(f.vertices, f.pose!, f.camera!, canonicalEyeCentres(assets)) : front && f.frontalVertices ? f.frontalVertices : f.vertices;
    // Frontalized and camera-space meshes are not in the photo's frame: no image-height flip.
    const flip = front || input.cameraSpace ? {} : { imageHeight: image.height };
    // glTF counts metres: pixels are scaled by its default 0.001, camera space is in metres already.
    const glbScale = input.cameraSpace ? { scale: 1 } : {};
    const mesh = { vertices, triangles: assets.triangles, colors: f.colors };
    // The texture PNG is encoded once: its own file, and inside the GLB.
    let png: Promise<Uint8Array> | undefined;
    const texturePng = (): Promise<Uint8Array> => (png ??= encodeImage(f.texture!));
    const textureFile = `${base}_${i}_texture.png`;
    const textured = kinds.includes('texture') && f.texture !== undefined;
    if (kinds.includes('obj')) {
      if (textured) {
        // The official write_obj_with_texture: vt per vertex, an MTL naming the PNG.
        const mtlFile = `${base}_${i}.mtl`;
        // The OBJ names its MTL, and the MTL its PNG, relative to their own folder.
        const files = encodeObj(mesh, { ...flip, texture: { faceIndices: assets.faceIndices, uvSize: assets.uvSize, mtlFile: path.posix.basename(mtlFile), textureFile: path.posix.basename(textureFile) } });
        write(`${base}_${i}.obj`, () => files.obj);
        write(mtlFile, () => files.mtl!);
      } else {
        write(`${base}_${i}.obj`, () => encodeObj(mesh, flip).obj);
      }
    }
    if (kinds.includes('ply')) write(`${base}_${i}.ply`, () => encodePly(mesh, flip));
    if (kinds.includes('glb')) {
      write(`${base}_${i}.glb`, async () => encodeGlb({
        ...mesh,
        texture: f.texture ? { png: await texturePng(), faceIndices: assets.faceIndices, uvSize: assets.uvSize } : undefined,
      }, { ...flip, ...glbScale }));
    }
    if (textured) write(textureFile, texturePng);
    // The paper's output itself, as official PRNet's demo saves it (`<name>_posmap.npy`):
    // float32 256×256×3, each UV texel's x, y, z in image pixels (z in the same units).
    if (kinds.includes('posmap')) write(`${base}_${i}_posmap.npy`, () => encodeNpy(f.positionMap, [assets.uvSize, assets.uvSize, 3]));
    // A closed solid to 3D-print: the frontalised face as a relief plaque, millimetres.
    // The 68 landmarks as an iBUG .pts file (300-W's format and its 1-based pixels), for
    // annotation tools and landmark datasets.
    if (kinds.includes('pts')) write(`${base}_${i}.pts`, () => encodePts(f.landmarks, 3));
    // The aligned face picture face-recognition models and face datasets take (ArcFace's 112×112, FFHQ's square).
    if (kinds.includes('aligned')) write(`${base}_${i}_aligned.png`, () => encodeImage(alignFace(image, f.landmarks, input.align).image));
    if (kinds.includes('stl')) write(`${base}_${i}.stl`, () => encodeStl(faceRelief(f.frontalVertices ?? frontalize(f.vertices, assets.canonicalVertices), assets.triangles, input.relief)));
  });
  const json = (indent?: number): string => {
    const records = faces.map((f) => ({
      landmarks: f.landmarks,
      vertices: f.vertices,
      pose: f.pose,
      camera: f.camera,
      box: f.box,
      score: f.score,
    }));
    return faceJson({ image: { width: image.width, height: image.height, file: input.file }, model: input.model, faces: records, reason: faces.length === 0 ? input.reason : undefined }, { indent });
  };
  if (kinds.includes('json')) write(`${base}.json`, () => json());
  if (kinds.includes('depth')) write(`${base}_depth.png`, () => encodeImage(mergeDepth(image.width, image.height, faces.flatMap((f) => (f.depth ? [f.depth] : [])))));
  if (kinds.includes('pncc')) write(`${base}_pncc.png`, () => encodeImage(renderPncc(faces.map((f) => f.vertices), assets.triangles, nccColors(assets.canonicalVertices), image.width, image.height)));
  if (kinds.includes('overlay')) write(`${base}_overlay.png`, async () => encodeImage(overlay(await overlayBase(input.bytes ?? input.file, image), faces)));
  const settled = await Promise.allSettled(jobs);
  const staged = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.all(staged.map((f) => f.discard()));
    throw failure.reason;
  }
  const written = await commitStagedFiles(staged);
  if (jsonTo && input.kinds.includes('json')) await writeToStream(jsonTo, `${json(0)}\n`);
  return written;
}
