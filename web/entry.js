// What the explorable page (anim/write/web/page.js) uses of three.js, and nothing else: esbuild
// keeps only these and what they need. Add a name here when the page needs it, then run build.sh.
export {
  WebGLRenderer, Scene, PerspectiveCamera, OrthographicCamera, Group,
  BufferGeometry, BufferAttribute, Float32BufferAttribute, Uint32BufferAttribute,
  Mesh, Line, LineSegments, Points, PlaneGeometry,
  MeshBasicMaterial, MeshLambertMaterial, LineBasicMaterial, ShaderMaterial,
  AmbientLight, DirectionalLight, Texture, Color, Vector2, Vector3, Plane,
  SRGBColorSpace, DoubleSide, NormalBlending,
} from "three";
export { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
export { Line2 } from "three/examples/jsm/lines/Line2.js";
export { LineMaterial } from "three/examples/jsm/lines/LineMaterial.js";
export { LineGeometry } from "three/examples/jsm/lines/LineGeometry.js";
