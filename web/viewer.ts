/**
 * The three.js view of a reconstructed face: the mesh (vertex colours or the UV texture),
 * the 68 landmarks as points, and the pose axes, under OrbitControls. Geometry buffers are
 * reused from frame to frame so the webcam mode does not allocate 43,867-vertex arrays each time.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import type { FaceResult } from '../src/reconstruct/faceResult.js';
import type { UvAssets } from '../src/uv/uvAssets.js';
import { vertexNormals } from '../src/geometry/vertexNormals.js';

/** A face shown in the viewer. */
export interface FaceViewer {
  /** Shows a face (image coordinates: x right, y down, z toward the viewer); `recenter` also resets the camera. */
  show(face: FaceResult, assets: UvAssets, recenter: boolean): void;
  /** Removes the face. */
  clear(): void;
}

/**
 * Creates the viewer inside `container`.
 *
 * ```ts
 * const viewer = createFaceViewer(document.getElementById('viewer')!);
 * viewer.show(faces[0], assets, true);
 * ```
 */
export function createFaceViewer(container: HTMLElement): FaceViewer {
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
  container.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x111111);
  const camera = new THREE.PerspectiveCamera(35, 4 / 3, 0.01, 100);
  camera.position.set(0, 0, 3);
  const controls = new OrbitControls(camera, renderer.domElement);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.4);
  sun.position.set(0.5, 0.8, 2);
  scene.add(sun);

  // The face is normalised to about one unit: centred on its mean, scaled by its crop.
  const root = new THREE.Group();
  scene.add(root);
  const geometry = new THREE.BufferGeometry();
  const material = new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.85, metalness: 0, side: THREE.DoubleSide });
  const mesh = new THREE.Mesh(geometry, material);
  const pointsGeometry = new THREE.BufferGeometry();
  const points = new THREE.Points(pointsGeometry, new THREE.PointsMaterial({ color: 0xff3030, size: 0.025, depthTest: false }));
  points.renderOrder = 1;
  const axes = new THREE.Group();
  const axisColors = [0xff4040, 0x40ff40, 0x4080ff];
  const axisLines = axisColors.map((color) => {
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(new Float32Array(6), 3));
    const line = new THREE.Line(g, new THREE.LineBasicMaterial({ color, depthTest: false }));
    line.renderOrder = 2;
    axes.add(line);
    return line;
  });
  root.add(mesh, points, axes);
  // The face is always in view (normalised, camera on it): no culling, so no bounding spheres to recompute per frame.
  for (const o of [mesh, points, ...axisLines]) o.frustumCulled = false;
  let shaderMode = '';
  root.visible = false;
  let texture: THREE.DataTexture | undefined;
  let indexedFor: Uint32Array | undefined;

  function resize(): void {
    const w = container.clientWidth || 640;
    const h = container.clientHeight || 480;
    renderer.setSize(w, h, false);
    renderer.domElement.style.width = '100%';
    renderer.domElement.style.height = '100%';
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
  }
  // Render on demand (new face, camera moved, resize), not in a loop: on a small machine
  // a continuous 43,867-vertex render loop would take cores from the network.
  let pending = false;
  function requestRender(): void {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      renderer.render(scene, camera);
    });
  }
  controls.addEventListener('change', requestRender);
  new ResizeObserver(() => {
    resize();
    requestRender();
  }).observe(container);
  resize();

  function attribute(g: THREE.BufferGeometry, name: string, length: number, itemSize: number): THREE.BufferAttribute {
    let a = g.getAttribute(name) as THREE.BufferAttribute | undefined;
    if (!a || a.array.length !== length) {
      a = new THREE.BufferAttribute(new Float32Array(length), itemSize);
      g.setAttribute(name, a);
    }
    a.needsUpdate = true;
    return a;
  }

  return {
    show(face, assets, recenter) {
      const v = face.vertices;
      const n = v.length / 3;
      let cx = 0, cy = 0, cz = 0;
      for (let i = 0; i < n; i++) {
        cx += v[3 * i]; cy += v[3 * i + 1]; cz += v[3 * i + 2];
      }
      cx /= n; cy /= n; cz /= n;
      // Scale by the crop, not the mesh: the view stays steady from frame to frame.
      const s = 1.6 / Math.max(1e-6, face.crop.size);
      // Image frame (y down) → three.js frame (y up): flip y, keep z toward the viewer.
      const toView = (x: number, y: number, z: number, out: ArrayLike<number> & { [i: number]: number }, o: number) => {
        out[o] = (x - cx) * s; out[o + 1] = -(y - cy) * s; out[o + 2] = (z - cz) * s;
      };
      const pos = attribute(geometry, 'position', v.length, 3);
      const pa = pos.array as Float32Array;
      for (let i = 0; i < n; i++) toView(v[3 * i], v[3 * i + 1], v[3 * i + 2], pa, 3 * i);
      if (indexedFor !== assets.triangles) {
        geometry.setIndex(new THREE.BufferAttribute(assets.triangles, 1));
        // UV of each vertex: its texel centre in the 256×256 map (three's v points up).
        const uv = attribute(geometry, 'uv', 2 * n, 2).array as Float32Array;
        const size = assets.uvSize;
        for (let i = 0; i < n; i++) {
          const t = assets.faceIndices[i];
          uv[2 * i] = ((t % size) + 0.5) / size;
          uv[2 * i + 1] = 1 - (Math.floor(t / size) + 0.5) / size;
        }
        indexedFor = assets.triangles;
      }
      if (face.colors) attribute(geometry, 'color', face.colors.length, 3).array.set(face.colors);
      if (face.texture) {
        const { width, height, data } = face.texture;
        const rgba = new Uint8Array(width * height * 4);
        for (let i = 0; i < width * height; i++) {
          rgba[4 * i] = data[3 * i]; rgba[4 * i + 1] = data[3 * i + 1]; rgba[4 * i + 2] = data[3 * i + 2]; rgba[4 * i + 3] = 255;
        }
        texture?.dispose();
        texture = new THREE.DataTexture(rgba, width, height, THREE.RGBAFormat);
        texture.flipY = true;
        texture.colorSpace = THREE.SRGBColorSpace;
        texture.needsUpdate = true;
        material.map = texture;
        material.vertexColors = false;
      } else {
        material.map = null;
        material.vertexColors = Boolean(face.colors);
      }
      // A new shader only when the colouring changes (a recompile each frame costs more than the frame).
      const mode = `${Boolean(material.map)}|${material.vertexColors}`;
      if (mode !== shaderMode) {
        shaderMode = mode;
        material.needsUpdate = true;
      }
      vertexNormals(pa, assets.triangles, { out: attribute(geometry, 'normal', v.length, 3).array as Float32Array });

      const lm = attribute(pointsGeometry, 'position', face.landmarks.length, 3).array as Float32Array;
      for (let i = 0; i < face.landmarks.length / 3; i++) toView(face.landmarks[3 * i], face.landmarks[3 * i + 1], face.landmarks[3 * i + 2] + 1, lm, 3 * i);

      axes.visible = Boolean(face.pose);
      if (face.pose) {
        // Rotation columns: the canonical face's axes in the image frame; drawn from the nose tip.
        const r = face.pose.rotation;
        const o = 30 * 3;
        const [ox, oy, oz] = [face.landmarks[o], face.landmarks[o + 1], face.landmarks[o + 2]];
        const len = 0.5 / s;
        axisLines.forEach((line, k) => {
          const a = line.geometry.getAttribute('position') as THREE.BufferAttribute;
          const arr = a.array as Float32Array;
          toView(ox, oy, oz, arr, 0);
          toView(ox + len * r[k], oy + len * r[3 + k], oz + len * r[6 + k], arr, 3);
          a.needsUpdate = true;
        });
      }
      root.visible = true;
      if (recenter) {
        camera.position.set(0, 0, 2.4);
        controls.target.set(0, 0, 0);
        controls.update();
      }
      requestRender();
    },
    clear() {
      if (!root.visible) return;
      root.visible = false;
      requestRender();
    },
  };
}
