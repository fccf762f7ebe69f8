/* optianim's explorable page: the glue between a render's data (the JSON element above) and three.js
   (THREE). Both views draw from the same buffers, so they always show the same step and the same runs;
   a step only moves draw ranges and the heads, so its script time does not grow with the paths. */
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("optianim-data").textContent);
  const $ = (id) => document.getElementById(id);
  D.runs = (function (c) {  // the runs' columns as one object per run
    const bold = new Set(c.bold), exact = new Set(c.exact), stops = new Map(c.stops.map(([i, step, reason]) => [i, {step, reason}]));
    return c.optimizer.map((o, i) => ({optimizer: o, run: c.run[i], drawn: c.drawn[i], stop: stops.get(i) || null,
                                       bold: bold.has(i), exact: exact.has(i)}));
  })(D.runs);
  const T = D.steps, R = D.runs.length, O = D.optimizers.length;
  const ZH = 1.4;  // the 3-D box: w1 and w2 over [-1, 1], the loss over [0, ZH]
  const [x0, x1] = D.window.x, [y0, y1] = D.window.y, [z0, z1] = D.window.z;
  const X = (w) => 2 * (w - x0) / (x1 - x0) - 1;
  const Y = (w) => 2 * (w - y0) / (y1 - y0) - 1;
  const Z = (l) => ZH * (Math.min(Math.max(l, z0), z1) - z0) / ((z1 - z0) || 1);
  const SHAPES = {"circle": 0, "square": 1, "diamond": 2, "up triangle": 3, "down triangle": 4, "star": 5,
                  "left triangle": 6, "right triangle": 7, "pentagon": 8, "hexagon": 9};
  const CROSS = 10, MINIMUM = 11;
  const PACE = 30;  // updates a second at 1x, as the videos play them
  const S = {step: 0, playing: false, speed: 1, theme: D.theme, shown: new Array(O).fill(true), sweep: {}, start: null};

  // ---- numbers as trajectories.csv writes them -------------------------------------------------
  function pyExp(e) { return (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0"); }
  function strip(m) { return m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m; }
  function fmt9g(v) {  // Python's format(v, ".9g"): float32 values read back exactly
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (v === 0) return Object.is(v, -0) ? "-0" : "0";
    const [m, e] = v.toExponential(8).split("e"), exp = Number(e);
    if (exp < -4 || exp >= 9) return strip(m) + "e" + pyExp(exp);
    return strip(v.toFixed(Math.max(0, 8 - exp)));
  }
  function pyRepr(v) {  // Python's repr of a float (the CSV's lr)
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    const [m, e] = v.toExponential().split("e"), exp = Number(e);
    if (exp < -4 || exp >= 16) return m + "e" + pyExp(exp);
    const digits = m.replace("-", "").replace(".", "").length;
    return v.toFixed(Math.max(1, digits - 1 - exp));
  }

  // ---- data --------------------------------------------------------------------------------------
  async function unpack(b64) {
    const text = atob(b64), bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }
  const P = new Float32Array(R * T * 3);   // every run's points (w1, w2, loss) [run][step]
  const W = new Float32Array(R * T * 3);   // the same in the views' coordinates, held after a run stops
  const exactRow = new Int32Array(R).fill(-1);
  let EXTRA = null, LR = null, CURVES = null;
  const F = D.fields.length;

  async function load() {
    if (D.points) {
      const exact = new Float32Array(await unpack(D.points));
      EXTRA = new Float32Array(await unpack(D.extras));
      LR = new Float64Array(await unpack(D.lr));
      let e = 0;
      D.runs.forEach((run, r) => { if (run.exact) { P.set(exact.subarray(e * T * 3, (e + 1) * T * 3), r * T * 3); exactRow[r] = e++; } });
    }
    if (D.approx) {
      const planes = new Uint8Array(await unpack(D.approx.data)), half = planes.length / 2;
      const lo = D.approx.low, hi = D.approx.high;
      const q = (i) => planes[i] | (planes[half + i] << 8);  // low bytes first, then high bytes
      let a = 0;
      D.runs.forEach((run, r) => {
        if (run.exact) return;
        for (let c = 0; c < 3; c++) {
          let acc = 0;
          const row = (a * 3 + c) * T, span = (hi[c] - lo[c]) / 65535;
          for (let t = 0; t < T; t++) { acc = (acc + q(row + t)) & 65535; P[(r * T + t) * 3 + c] = lo[c] + acc * span; }
        }
        a++;
      });
    }
    if (D.loss) CURVES = new Float32Array(await unpack(D.loss));
    D.runs.forEach((run, r) => {
      for (let t = 0; t < T; t++) {
        const s = (r * T + Math.min(t, Math.max(run.drawn - 1, 0))) * 3, d = (r * T + t) * 3;
        W[d] = X(P[s]); W[d + 1] = Y(P[s + 1]); W[d + 2] = Z(P[s + 2]);
      }
    });
  }

  // ---- colours -----------------------------------------------------------------------------------
  const color = (o) => D.optimizers[o].colors[S.theme];
  const outline = (o) => D.optimizers[o].outline[S.theme];
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  function linearRGB(hex) { const c = new THREE.Color(); c.setStyle(hex, THREE.SRGBColorSpace); return c; }

  // ---- what is shown -----------------------------------------------------------------------------
  function sweepAllows(o) {
    for (const sweep of D.sweeps) {
      const member = sweep.members[String(o)];
      if (!member) continue;
      const chosen = S.sweep[sweep.label] || {};
      for (const name of sweep.names) if (chosen[name] != null && chosen[name] !== member[name]) return false;
    }
    return true;
  }
  const visible = (o) => S.shown[o] && sweepAllows(o);
  const headAt = (r, k) => Math.min(k, Math.max(D.runs[r].drawn - 1, 0));

  // ---- three.js: one canvas, two viewports ---------------------------------------------------------
  let renderer, scene2, scene3, cam2, cam3, controls, heads, trails = null, box3, minima = null;
  const bold = [];  // {r, geometry, objects, halo, lines, segments}
  const BOX_SIDES = [[-1, 0], [1, 0], [0, -1], [0, 1]].map(([a, b]) => new THREE.Plane(new THREE.Vector3(a, b, 0), 1.0001));
  const lineMaterials2 = [], lineMaterials3 = [];
  const rects = {contour: null, surface: null, views: null};

  function headMaterial(inBox) {
    return new THREE.ShaderMaterial({
      transparent: true, depthTest: false, depthWrite: false,
      uniforms: {ratio: {value: 1}, inBox: {value: inBox ? 1 : 0}},
      vertexShader: `
        attribute vec3 hue; attribute vec3 edge; attribute float shape; attribute float px;
        uniform float ratio; uniform float inBox;
        varying vec3 vHue; varying vec3 vEdge; varying float vShape; varying float vPx;
        void main() {
          bool outside = inBox > 0.5 && (abs(position.x) > 1.0001 || abs(position.y) > 1.0001);
          vHue = hue; vEdge = edge; vShape = shape; vPx = outside ? 0.0 : px * ratio;
          gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
          gl_PointSize = vPx;
        }`,
      fragmentShader: `
        varying vec3 vHue; varying vec3 vEdge; varying float vShape; varying float vPx;
        float polygon(vec2 p, float n, float turn, float r) {
          float a = atan(p.x, p.y) + turn, s = 6.2831853 / n;
          return cos(floor(0.5 + a / s) * s - a) * length(p) - r;
        }
        float star(vec2 p, float r, float rf) {
          const vec2 k1 = vec2(0.809016994375, -0.587785252292);
          const vec2 k2 = vec2(-0.809016994375, -0.587785252292);
          p.x = abs(p.x);
          p -= 2.0 * max(dot(k1, p), 0.0) * k1;
          p -= 2.0 * max(dot(k2, p), 0.0) * k2;
          p.x = abs(p.x);
          p.y -= r;
          vec2 ba = rf * vec2(-k1.y, k1.x) - vec2(0.0, 1.0);
          float h = clamp(dot(p, ba) / dot(ba, ba), 0.0, r);
          return length(p - ba * h) * sign(p.y * ba.x - p.x * ba.y);
        }
        float bar(vec2 p, vec2 b) { vec2 d = abs(p) - b; return length(max(d, 0.0)) + min(max(d.x, d.y), 0.0); }
        void main() {
          vec2 p = vec2(gl_PointCoord.x * 2.0 - 1.0, 1.0 - gl_PointCoord.y * 2.0);
          float d;
          int s = int(vShape + 0.5);
          if (s == 0) d = length(p) - 0.78;
          else if (s == 1) d = max(abs(p.x), abs(p.y)) - 0.7;
          else if (s == 2) d = (abs(p.x) + abs(p.y)) * 0.7071 - 0.66;
          else if (s == 3) d = polygon(p + vec2(0.0, 0.18), 3.0, 1.0471976, 0.42);
          else if (s == 4) d = polygon(p - vec2(0.0, 0.18), 3.0, 0.0, 0.42);
          else if (s == 5) d = star(p + vec2(0.0, 0.08), 0.95, 0.45);
          else if (s == 6) d = polygon(p - vec2(0.18, 0.0), 3.0, 0.5235988, 0.42);
          else if (s == 7) d = polygon(p + vec2(0.18, 0.0), 3.0, -0.5235988, 0.42);
          else if (s == 8) d = polygon(p, 5.0, 0.6283185, 0.66);
          else if (s == 9) d = polygon(p, 6.0, 0.0, 0.7);
          else if (s == 10) {
            vec2 q = vec2(p.x + p.y, p.y - p.x) * 0.7071;
            d = min(bar(q, vec2(0.85, 0.2)), bar(vec2(q.y, q.x), vec2(0.85, 0.2)));
          } else {
            d = min(abs(length(p) - 0.7) - 0.14, min(bar(p, vec2(0.5, 0.07)), bar(p, vec2(0.07, 0.5))));
          }
          float unit = 2.0 / max(vPx, 1.0);
          float alpha = 1.0 - smoothstep(-unit * 0.5, unit * 0.5, d);
          if (alpha <= 0.0) discard;
          float rim = vPx < 10.0 ? 0.3 : 1.0;  // a small (swarm) head keeps its colour, with a thin rim
          float inner = smoothstep(-unit * (1.2 + rim), -unit * rim, d);
          gl_FragColor = vec4(mix(vHue, vEdge, inner), alpha);
          #include <colorspace_fragment>
        }`,
    });
  }

  function trailMaterial() {
    return new THREE.ShaderMaterial({
      transparent: true, depthTest: false, depthWrite: false,
      uniforms: {step: {value: 0}, span: {value: D.trail}, opacity: {value: 0.6}},
      vertexShader: `
        attribute vec3 hue; attribute vec2 meta;
        uniform float step; uniform float span; uniform float opacity;
        varying vec4 vColor;
        void main() {
          float fade = clamp(1.0 - (step - meta.x) / span, 0.0, 1.0);
          vColor = vec4(hue, opacity * fade * meta.y);
          gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
        }`,
      fragmentShader: `
        varying vec4 vColor;
        void main() { if (vColor.a <= 0.0) discard; gl_FragColor = vColor;
          #include <colorspace_fragment>
        }`,
    });
  }

  function software() {
    // Without a GPU (SwiftShader, llvmpipe, WARP) multisampling costs a third of every frame: the heads
    // and fat lines smooth their own edges, so only a GPU gets it.
    try {
      const gl = document.createElement("canvas").getContext("webgl");
      const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
      const name = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : "";
      if (gl) gl.getExtension("WEBGL_lose_context")?.loseContext();
      return /swiftshader|llvmpipe|softpipe|software|warp/i.test(name);
    } catch (error) {
      return false;
    }
  }

  function buildGL() {
    const canvas = $("canvas");
    renderer = new THREE.WebGLRenderer({canvas, antialias: !software(), alpha: true});
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    renderer.setClearColor(0x000000, 0);
    renderer.autoClear = false;
    renderer.localClippingEnabled = true;  // the 3-D paths end at the box's sides, as the video's axes clip them
    scene2 = new THREE.Scene();
    scene3 = new THREE.Scene();
    cam2 = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.1, 100);
    cam2.position.set(0, 0, 10);
    cam3 = new THREE.PerspectiveCamera(32, 1, 0.05, 100);
    cam3.up.set(0, 0, 1);
    scene3.add(cam3);
    scene3.add(new THREE.AmbientLight(0xffffff, 0.72));
    const light = new THREE.DirectionalLight(0xffffff, 0.55);
    light.position.set(-1, 1, 2);  // from the viewer's upper left, turning with the camera
    cam3.add(light);
    cam3.add(light.target);
    light.target.position.set(0, 0, -1);
    controls = new THREE.OrbitControls(cam3, $("surface"));
    controls.target.set(0, 0, ZH / 2);
    pose(D.camera[0], D.camera[1]);
    controls.addEventListener("change", () => { placeLabels3(); request(); });
  }

  function pose(elevation, azimuth) {
    const e = elevation * Math.PI / 180, a = azimuth * Math.PI / 180, distance = 6.2;
    cam3.position.set(distance * Math.cos(e) * Math.cos(a), distance * Math.cos(e) * Math.sin(a),
                      ZH / 2 + distance * Math.sin(e));
    controls.target.set(0, 0, ZH / 2);
    controls.update();
  }

  async function buildContour() {
    const image = new Image();
    image.src = D.contour;
    await image.decode();
    const texture = new THREE.Texture(image);
    texture.colorSpace = THREE.SRGBColorSpace;
    texture.needsUpdate = true;
    const plane = new THREE.Mesh(new THREE.PlaneGeometry(2, 2),
                                 new THREE.MeshBasicMaterial({map: texture, depthTest: false, depthWrite: false}));
    plane.renderOrder = -10;
    scene2.add(plane);
  }

  async function buildSurface() {
    const nx = D.mesh.nx, ny = D.mesh.ny;
    const z = new Float32Array(await unpack(D.mesh.z)), rgb = new Uint8Array(await unpack(D.mesh.colors));
    const positions = new Float32Array(nx * ny * 3), colors = new Float32Array(nx * ny * 3), index = [];
    const c = new THREE.Color();
    for (let i = 0; i < ny; i++) for (let j = 0; j < nx; j++) {
      const v = i * nx + j;
      positions[3 * v] = -1 + 2 * j / (nx - 1);
      positions[3 * v + 1] = -1 + 2 * i / (ny - 1);
      positions[3 * v + 2] = Number.isFinite(z[v]) ? Z(z[v]) : 0;
      c.setRGB(rgb[3 * v] / 255, rgb[3 * v + 1] / 255, rgb[3 * v + 2] / 255, THREE.SRGBColorSpace);
      colors[3 * v] = c.r; colors[3 * v + 1] = c.g; colors[3 * v + 2] = c.b;
    }
    for (let i = 0; i + 1 < ny; i++) for (let j = 0; j + 1 < nx; j++) {
      const a = i * nx + j, b = a + 1, d = a + nx, e = d + 1;
      if ([a, b, d, e].every((v) => Number.isFinite(z[v]))) index.push(a, b, e, a, e, d);
    }
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(positions, 3));
    geometry.setAttribute("color", new THREE.BufferAttribute(colors, 3));
    geometry.setIndex(index);
    geometry.computeVertexNormals();
    const surface = new THREE.Mesh(geometry, new THREE.MeshLambertMaterial({
      vertexColors: true, side: THREE.DoubleSide, polygonOffset: true, polygonOffsetFactor: 1, polygonOffsetUnits: 1}));
    scene3.add(surface);
    const edges = [];
    const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1]];
    for (let i = 0; i < 4; i++) {
      const [ax, ay] = corners[i], [bx, by] = corners[(i + 1) % 4];
      edges.push(ax, ay, 0, bx, by, 0, ax, ay, ZH, bx, by, ZH, ax, ay, 0, ax, ay, ZH);
    }
    const boxGeometry = new THREE.BufferGeometry();
    boxGeometry.setAttribute("position", new THREE.Float32BufferAttribute(edges, 3));
    box3 = new THREE.LineSegments(boxGeometry, new THREE.LineBasicMaterial({transparent: true, opacity: 0.5}));
    scene3.add(box3);
  }

  function buildPaths() {
    D.runs.forEach((run, r) => {
      if (run.bold) bold.push(boldRun(r));
    });
  }

  function boldRun(r) {
    const run = D.runs[r], n = Math.max(run.drawn, 1), o = run.optimizer;
    const points = new Float32Array(Math.max(n, 2) * 3);
    points.set(W.subarray(r * T * 3, (r * T + n) * 3));
    if (n < 2) points.set(points.subarray(0, 3), 3);
    const geometry = new THREE.LineGeometry();
    geometry.setPositions(points);
    geometry.instanceCount = 0;
    const make = (width, options) => new THREE.LineMaterial(Object.assign({linewidth: width, worldUnits: false}, options));
    const halo = make(4.6, {depthTest: false, depthWrite: false});
    const line2 = make(2.4, {depthTest: false, depthWrite: false});
    const hidden = make(1.6, {transparent: true, opacity: 0.35, depthTest: false, depthWrite: false, clippingPlanes: BOX_SIDES});
    const line3 = make(2.4, {depthTest: true, clippingPlanes: BOX_SIDES});
    const objects2 = [new THREE.Line2(geometry, halo), new THREE.Line2(geometry, line2)];
    const objects3 = [new THREE.Line2(geometry, hidden), new THREE.Line2(geometry, line3)];
    objects2[0].renderOrder = 1; objects2[1].renderOrder = 2; objects3[0].renderOrder = 1; objects3[1].renderOrder = 2;
    objects2.forEach((object) => scene2.add(object));
    objects3.forEach((object) => scene3.add(object));
    lineMaterials2.push(halo, line2);
    lineMaterials3.push(hidden, line3);
    const entry = {r, geometry, objects: objects2.concat(objects3), halo, lines: [line2, hidden, line3], segments: n - 1};
    paint(entry);
    return entry;
  }

  function paint(entry) {
    const o = D.runs[entry.r].optimizer;
    entry.halo.color.set(linearRGB(outline(o)));
    entry.lines.forEach((m) => m.color.set(linearRGB(color(o))));
  }

  function removeBold(entry) {
    entry.objects.forEach((object) => object.parent.remove(object));
    entry.objects.forEach((object) => object.material.dispose());
    entry.geometry.dispose();
    for (const list of [lineMaterials2, lineMaterials3]) {
      for (const m of entry.objects.map((x) => x.material)) { const i = list.indexOf(m); if (i >= 0) list.splice(i, 1); }
    }
  }

  function buildHeads() {
    const geometry = new THREE.BufferGeometry();
    const position = new Float32Array(R * 3), hue = new Float32Array(R * 3), edge = new Float32Array(R * 3);
    const shape = new Float32Array(R), px = new Float32Array(R);
    D.runs.forEach((run, r) => { shape[r] = SHAPES[D.optimizers[run.optimizer].marker] || 0; px[r] = D.swarm && !run.bold ? 7 : 15; });
    geometry.setAttribute("position", new THREE.BufferAttribute(position, 3));
    geometry.setAttribute("hue", new THREE.BufferAttribute(hue, 3));
    geometry.setAttribute("edge", new THREE.BufferAttribute(edge, 3));
    geometry.setAttribute("shape", new THREE.BufferAttribute(shape, 1));
    geometry.setAttribute("px", new THREE.BufferAttribute(px, 1));
    const material = headMaterial(false), boxed = headMaterial(true);
    heads = {geometry, materials: [material, boxed], position, hue, edge, shape, px, base: px.slice(),
             objects: [new THREE.Points(geometry, material), new THREE.Points(geometry, boxed)]};
    heads.objects.forEach((object) => { object.renderOrder = 5; object.frustumCulled = false; });
    scene2.add(heads.objects[0]);
    scene3.add(heads.objects[1]);
    if (D.minima && D.minima.length) {
      const g = new THREE.BufferGeometry(), m = D.minima;
      g.setAttribute("position", new THREE.Float32BufferAttribute(m.flatMap(([a, b, l]) => [X(a), Y(b), l == null ? 0 : Z(l)]), 3));
      g.setAttribute("hue", new THREE.Float32BufferAttribute(m.flatMap(() => [1, 1, 1]), 3));
      g.setAttribute("edge", new THREE.Float32BufferAttribute(m.flatMap(() => [0, 0, 0]), 3));
      g.setAttribute("shape", new THREE.Float32BufferAttribute(m.map(() => MINIMUM), 1));
      g.setAttribute("px", new THREE.Float32BufferAttribute(m.map(() => 17), 1));
      minima = [new THREE.Points(g, material), new THREE.Points(g, boxed)];
      minima.forEach((object) => { object.renderOrder = 4; object.frustumCulled = false; });
      scene2.add(minima[0]);
      scene3.add(minima[1]);
    }
  }

  function buildTrails() {
    if (!D.swarm || T < 2) return;
    const meta = new Float32Array(R * T * 2), hue = new Uint8Array(R * T * 3);
    for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) meta[(r * T + t) * 2] = t;
    const index = new Uint32Array(2 * R * (T - 1));
    let i = 0;
    for (let t = 0; t + 1 < T; t++) for (let r = 0; r < R; r++) { index[i++] = r * T + t; index[i++] = r * T + t + 1; }
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(W, 3));
    geometry.setAttribute("meta", new THREE.BufferAttribute(meta, 2));
    geometry.setAttribute("hue", new THREE.BufferAttribute(hue, 3, true));
    geometry.setIndex(new THREE.BufferAttribute(index, 1));
    geometry.setDrawRange(0, 0);
    const material = trailMaterial();
    trails = {geometry, material, meta, hue, objects: [new THREE.LineSegments(geometry, material)]};
    trails.objects.forEach((object) => { object.frustumCulled = false; object.renderOrder = 0; scene2.add(object); });
  }

  // ---- what changes --------------------------------------------------------------------------------
  function recolor() {
    const c = new THREE.Color();
    D.runs.forEach((run, r) => {
      c.set(linearRGB(color(run.optimizer))); heads.hue.set([c.r, c.g, c.b], 3 * r);
      c.set(linearRGB(outline(run.optimizer))); heads.edge.set([c.r, c.g, c.b], 3 * r);
    });
    heads.geometry.attributes.hue.needsUpdate = true;
    heads.geometry.attributes.edge.needsUpdate = true;
    bold.forEach(paint);
    if (trails) {
      const rgb = D.optimizers.map((o) => { const x = new THREE.Color(); x.setStyle(o.colors[S.theme]); return [x.r, x.g, x.b].map((v) => Math.round(v * 255)); });
      D.runs.forEach((run, r) => { for (let t = 0; t < T; t++) trails.hue.set(rgb[run.optimizer], (r * T + t) * 3); });
      trails.geometry.attributes.hue.needsUpdate = true;
      trails.material.uniforms.opacity.value = 0.55;
    }
    if (box3) box3.material.color.set(linearRGB(css("--muted")));
  }

  function applyVisibility() {
    const shown = D.optimizers.map((_, o) => visible(o));
    D.runs.forEach((run, r) => { heads.px[r] = shown[run.optimizer] && run.drawn > 0 ? heads.base[r] : 0; });
    heads.geometry.attributes.px.needsUpdate = true;
    bold.forEach((entry) => entry.objects.forEach((object) => { object.visible = shown[D.runs[entry.r].optimizer]; }));
    if (trails) {
      D.runs.forEach((run, r) => { const v = shown[run.optimizer] ? 1 : 0; for (let t = 0; t < T; t++) trails.meta[(r * T + t) * 2 + 1] = v; });
      trails.geometry.attributes.meta.needsUpdate = true;
    }
    document.querySelectorAll("#legend button").forEach((b) => {
      const o = Number(b.dataset.optimizer);
      b.setAttribute("aria-pressed", String(S.shown[o]));
      b.title = sweepAllows(o) ? "" : "left out by the sweep sliders";
    });
    drawLoss();
  }

  function applyStep() {
    const k = S.step;
    for (let r = 0; r < R; r++) {
      const run = D.runs[r], s = (r * T + k) * 3;
      heads.position[3 * r] = W[s]; heads.position[3 * r + 1] = W[s + 1]; heads.position[3 * r + 2] = W[s + 2];
      heads.shape[r] = run.stop && k >= run.stop.step - 1 ? CROSS : SHAPES[D.optimizers[run.optimizer].marker] || 0;
    }
    heads.geometry.attributes.position.needsUpdate = true;
    heads.geometry.attributes.shape.needsUpdate = true;
    for (const entry of bold) entry.geometry.instanceCount = Math.min(k, entry.segments);
    if (trails) {
      const first = Math.max(0, k - D.trail);
      trails.geometry.setDrawRange(2 * R * first, 2 * R * (k - first));
      trails.material.uniforms.step.value = k;
    }
    $("step").value = String(k);
    $("stepText").value = `step ${k} of ${T - 1}`;
    placeCursor();
  }

  // ---- drawing -------------------------------------------------------------------------------------
  let pending = false, waiters = [], fallback = 0;
  function request() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(draw);
      // A browser gives no animation frames to a hidden tab or an iframe scrolled out of view: draw anyway,
      // so a script (a test, a slide deck) is never left waiting.
      fallback = setTimeout(draw, 250);
    }
    return new Promise((resolve) => waiters.push(resolve));
  }

  function draw() {
    if (!pending) return;
    pending = false;
    clearTimeout(fallback);
    const done = waiters;
    waiters = [];
    const views = rects.views;
    renderer.setScissorTest(true);
    for (const [name, scene, camera] of [["contour", scene2, cam2], ["surface", scene3, cam3]]) {
      const r = rects[name];
      if (!r || r.width < 1 || r.height < 1) continue;
      const left = r.left - views.left, bottom = views.height - (r.top - views.top) - r.height;
      renderer.setViewport(left, bottom, r.width, r.height);
      renderer.setScissor(left, bottom, r.width, r.height);
      renderer.clear();  // this view's box only: the canvas between and around the views stays as it was (clear)
      renderer.render(scene, camera);
    }
    setTimeout(() => done.forEach((resolve) => resolve()), 0);
  }

  function layout() {
    const views = $("views"), contour = $("contour"), surface = $("surface");
    const cell = surface.getBoundingClientRect();
    const stacked = getComputedStyle(views).gridTemplateColumns.split(" ").length < 2;
    const room = stacked ? cell.width - 64 : contour.parentElement.getBoundingClientRect().width / 2 - 80;
    let width = Math.max(120, room), height = width / D.aspect;
    const most = Math.max(200, cell.height - 62);
    if (height > most) { height = most; width = height * D.aspect; }
    contour.style.width = `${Math.round(width)}px`;
    contour.style.height = `${Math.round(height)}px`;
    const box = views.getBoundingClientRect();
    rects.views = box;
    rects.contour = contour.getBoundingClientRect();
    rects.surface = surface.getBoundingClientRect();
    renderer.setSize(box.width, box.height, false);
    cam3.aspect = rects.surface.width / Math.max(rects.surface.height, 1);
    cam3.updateProjectionMatrix();
    const ratio = renderer.getPixelRatio();
    lineMaterials2.forEach((m) => m.resolution.set(rects.contour.width, rects.contour.height));
    lineMaterials3.forEach((m) => m.resolution.set(rects.surface.width, rects.surface.height));
    heads.materials.forEach((m) => { m.uniforms.ratio.value = ratio; });
    placeLabels2();
    placeLabels3();
    sizeLoss();
    request();
  }

  // ---- axes: tick labels and names as HTML over the canvas -------------------------------------------
  const labels = {two: [], three: []};
  function tick(v) { return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(4)); }
  function span(text, cls) {
    const s = document.createElement("span");
    s.textContent = text;
    if (cls) s.className = cls;
    $("labels").appendChild(s);
    return s;
  }
  function buildLabels() {
    for (const v of D.ticks.x) labels.two.push({s: span(tick(v)), at: (r) => [r.left + (X(v) + 1) / 2 * r.width, r.bottom + 12]});
    for (const v of D.ticks.y) labels.two.push({s: span(tick(v)), at: (r) => [r.left - 22, r.top + (1 - Y(v)) / 2 * r.height]});
    labels.two.push({s: span(D.axes[0], "axis"), at: (r) => [r.left + r.width / 2, r.bottom + 30]});
    labels.two.push({s: span(D.axes[1], "axis"), at: (r) => [r.left - 46, r.top + r.height / 2]});
    const sx = () => (cam3.position.y > controls.target.y ? 1 : -1), sy = () => (cam3.position.x > controls.target.x ? 1 : -1);
    for (const v of D.ticks.x) labels.three.push({s: span(tick(v)), p: () => [X(v), 1.16 * sx(), 0]});
    for (const v of D.ticks.y) labels.three.push({s: span(tick(v)), p: () => [1.16 * sy(), Y(v), 0]});
    for (const v of D.ticks.z) labels.three.push({s: span(tick(v)), p: () => [-1.12 * sy(), 1.12 * sx(), Z(v)]});
    labels.three.push({s: span(D.axes[0], "axis"), p: () => [0, 1.42 * sx(), 0]});
    labels.three.push({s: span(D.axes[1], "axis"), p: () => [1.42 * sy(), 0, 0]});
    labels.three.push({s: span(D.zlabel, "axis"), p: () => [-1.12 * sy(), 1.12 * sx(), ZH * 1.16]});
  }
  function placeLabels2() {
    const v = rects.views, c = rects.contour;
    const r = {left: c.left - v.left, top: c.top - v.top, width: c.width, height: c.height, bottom: c.bottom - v.top};
    for (const l of labels.two) { const [x, y] = l.at(r); l.s.style.left = `${x}px`; l.s.style.top = `${y}px`; }
  }
  const scratch = () => new THREE.Vector3();
  function placeLabels3() {
    if (!rects.surface) return;
    const v = rects.views, s = rects.surface, p = scratch();
    cam3.updateMatrixWorld();
    for (const l of labels.three) {
      p.set(...l.p()).project(cam3);
      l.s.style.left = `${s.left - v.left + (p.x + 1) / 2 * s.width}px`;
      l.s.style.top = `${s.top - v.top + (1 - p.y) / 2 * s.height}px`;
    }
  }

  // ---- the loss panel (Canvas 2D): curves drawn once per change of what is shown; a cursor per step ------
  let lossScale = null;
  function sizeLoss() {
    const canvas = $("loss"), r = canvas.getBoundingClientRect(), ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(r.width * ratio);
    canvas.height = Math.round(r.height * ratio);
    drawLoss();
  }
  function lossSeries() {
    const series = [];
    if (CURVES) {
      D.optimizers.forEach((_, o) => { if (visible(o)) series.push({o, median: CURVES.subarray((o * 3) * T, (o * 3 + 1) * T), low: CURVES.subarray((o * 3 + 1) * T, (o * 3 + 2) * T), high: CURVES.subarray((o * 3 + 2) * T, (o * 3 + 3) * T)}); });
    } else {
      D.runs.forEach((run, r) => {
        if (!visible(run.optimizer)) return;
        const values = new Float32Array(run.drawn);
        for (let t = 0; t < run.drawn; t++) values[t] = P[(r * T + t) * 3 + 2];
        series.push({o: run.optimizer, median: values});
      });
    }
    return series;
  }
  function drawLoss() {
    const canvas = $("loss"), g = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1;
    if (!canvas.width) return;
    const w = canvas.width / ratio, h = canvas.height / ratio, left = 52, right = 8, top = 6, bottom = 26;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const series = lossSeries();
    let low = Infinity, high = -Infinity;
    for (const s of series) for (const a of [s.median, s.low, s.high]) if (a) for (const v of a) if (Number.isFinite(v)) { low = Math.min(low, v); high = Math.max(high, v); }
    if (!(low < Infinity)) { low = 0; high = 1; }
    const log = low > 0 && high / low > 50;
    let f, lo, hi;
    if (log) { f = Math.log10; lo = Math.log10(low / 1.5); hi = Math.log10(high * 1.5); } else {
      const m = 0.06 * (high - low) || Math.max(Math.abs(high), 1) * 0.06; f = (v) => v; lo = low - m; hi = high + m;
    }
    const sx = (t) => left + t / Math.max(T - 1, 1) * (w - left - right);
    const sy = (v) => top + (1 - (f(v) - lo) / (hi - lo)) * (h - top - bottom);
    lossScale = {sx};
    g.strokeStyle = css("--rule"); g.fillStyle = css("--muted"); g.font = "11px system-ui, sans-serif"; g.lineWidth = 1;
    g.strokeRect(left, top, w - left - right, h - top - bottom);
    const yt = log ? Array.from({length: Math.floor(hi) - Math.ceil(lo) + 1}, (_, i) => 10 ** (Math.ceil(lo) + i)) : niceTicks(lo, hi, 4);
    g.textAlign = "right"; g.textBaseline = "middle";
    for (const v of yt) { const y = sy(v); if (y < top - 1 || y > h - bottom + 1) continue; g.fillText(tick(v), left - 4, y); g.beginPath(); g.moveTo(left, y); g.lineTo(w - right, y); g.globalAlpha = 0.35; g.stroke(); g.globalAlpha = 1; }
    g.textAlign = "center"; g.textBaseline = "top";
    for (const v of niceTicks(0, T - 1, 4)) if (Number.isInteger(v)) g.fillText(String(v), sx(v), h - bottom + 4);
    g.fillText("update step", left + (w - left - right) / 2, h - 12);
    g.save(); g.translate(10, top + (h - top - bottom) / 2); g.rotate(-Math.PI / 2); g.textBaseline = "middle";
    g.fillText(CURVES ? `median ${D.zlabel}, 10-90 % band` : D.zlabel, 0, 0); g.restore();
    g.save(); g.beginPath(); g.rect(left, top, w - left - right, h - top - bottom); g.clip();
    for (const s of series) {
      g.strokeStyle = color(s.o); g.fillStyle = color(s.o);
      if (s.low) {
        g.globalAlpha = 0.15; g.beginPath();
        let started = false;
        for (let t = 0; t < T; t++) if (Number.isFinite(s.high[t])) { started ? g.lineTo(sx(t), sy(s.high[t])) : g.moveTo(sx(t), sy(s.high[t])); started = true; }
        for (let t = T - 1; t >= 0; t--) if (Number.isFinite(s.low[t])) g.lineTo(sx(t), sy(s.low[t]));
        g.fill(); g.globalAlpha = 1;
      }
      g.lineWidth = 1.8; g.beginPath();
      let on = false;
      for (let t = 0; t < s.median.length; t++) {
        const v = s.median[t];
        if (!Number.isFinite(v) || (log && v <= 0)) { on = false; continue; }
        on ? g.lineTo(sx(t), sy(v)) : g.moveTo(sx(t), sy(v)); on = true;
      }
      g.stroke();
    }
    g.restore();
    placeCursor();
  }
  function niceTicks(lo, hi, n) {
    const step0 = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(step0 || 1));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || mag;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function placeCursor() {
    if (lossScale) $("cursor").style.left = `${lossScale.sx(S.step)}px`;
  }

  // ---- the legend, the sweep sliders, the description ---------------------------------------------------
  function markerSVG(o, size) {
    const s = D.optimizers[o].marker, c = color(o), e = outline(o);
    const k = size / 2;
    const poly = (n, turn, r, dx = 0, dy = 0) => Array.from({length: n}, (_, i) => {
      const a = turn + i * 2 * Math.PI / n; return `${k + dx + r * Math.sin(a)},${k + dy - r * Math.cos(a)}`; }).join(" ");
    let body;
    if (s === "circle") body = `<circle cx="${k}" cy="${k}" r="${k * 0.78}"/>`;
    else if (s === "square") body = `<rect x="${k * 0.3}" y="${k * 0.3}" width="${k * 1.4}" height="${k * 1.4}"/>`;
    else if (s === "diamond") body = `<polygon points="${poly(4, 0, k * 0.93)}"/>`;
    else if (s === "up triangle") body = `<polygon points="${poly(3, 0, k * 0.85, 0, k * 0.15)}"/>`;
    else if (s === "down triangle") body = `<polygon points="${poly(3, Math.PI, k * 0.85, 0, -k * 0.15)}"/>`;
    else if (s === "left triangle") body = `<polygon points="${poly(3, -Math.PI / 2, k * 0.85, k * 0.15, 0)}"/>`;
    else if (s === "right triangle") body = `<polygon points="${poly(3, Math.PI / 2, k * 0.85, -k * 0.15, 0)}"/>`;
    else if (s === "star") body = `<polygon points="${Array.from({length: 10}, (_, i) => { const a = i * Math.PI / 5, r = i % 2 ? k * 0.42 : k * 0.95; return `${k + r * Math.sin(a)},${k - r * Math.cos(a) + k * 0.08}`; }).join(" ")}"/>`;
    else if (s === "pentagon") body = `<polygon points="${poly(5, 0, k * 0.85)}"/>`;
    else body = `<polygon points="${poly(6, Math.PI / 6, k * 0.85)}"/>`;
    return `<svg width="${size}" height="${size}" aria-hidden="true" fill="${c}" stroke="${e}" stroke-width="1">${body}</svg>`;
  }
  let clickTimer = null;
  function buildLegend() {
    const list = $("legend");
    list.innerHTML = "";
    D.optimizers.forEach((opt, o) => {
      const item = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.dataset.optimizer = String(o);
      button.setAttribute("aria-pressed", String(S.shown[o]));
      button.setAttribute("aria-label", `${opt.label} (${opt.marker}): shown; press to hide, double-click to show only it`);
      button.innerHTML = markerSVG(o, 16) + `<span></span>`;
      button.querySelector("span").textContent = opt.label;
      button.addEventListener("click", () => { setShown(o, !S.shown[o]); });
      button.addEventListener("dblclick", (event) => { event.preventDefault(); only(o); });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (D.minima && D.minima.length) {
      const item = document.createElement("li");
      item.innerHTML = `<span class="hint">&#8853; minimum${D.minima.length > 1 ? "a" : ""}: ${D.minima.map(([a, b]) => `(${tick(a)}, ${tick(b)})`).join(", ")}</span>`;
      list.appendChild(item);
    }
  }
  function setShown(o, shown) {
    S.shown[o] = shown;
    const b = document.querySelector(`#legend button[data-optimizer="${o}"]`);
    if (b) b.setAttribute("aria-label", `${D.optimizers[o].label} (${D.optimizers[o].marker}): ${shown ? "shown" : "hidden"}; press to ${shown ? "hide" : "show"}, double-click to show only it`);
    applyVisibility();
    return request();
  }
  function only(o) {
    // double-click: only this optimizer (its two clicks have toggled it and back); again: every optimizer
    const alone = S.shown.every((v, i) => v === (i === o));
    S.shown = S.shown.map((_, i) => alone || i === o);
    D.optimizers.forEach((_, i) => setShown(i, S.shown[i]));
  }
  function buildSweeps() {
    const box = $("sweeps");
    for (const sweep of D.sweeps) {
      const h = document.createElement("h2");
      h.textContent = `${sweep.label}: sweep`;
      box.appendChild(h);
      S.sweep[sweep.label] = {};
      for (const name of sweep.names) {
        const values = sweep.values[name], id = `sweep-${box.children.length}`;
        const label = document.createElement("label"), input = document.createElement("input");
        label.htmlFor = id;
        input.id = id; input.type = "range"; input.min = "0"; input.max = String(values.length); input.step = "1"; input.value = "0";
        const text = () => (input.value === "0" ? "all" : values[Number(input.value) - 1]);
        label.textContent = `${name} = ${text()}`;
        input.setAttribute("aria-valuetext", `${name} ${text()}`);
        input.addEventListener("input", () => {
          S.sweep[sweep.label][name] = input.value === "0" ? null : values[Number(input.value) - 1];
          label.textContent = `${name} = ${text()}`;
          input.setAttribute("aria-valuetext", `${name} ${text()}`);
          applyVisibility();
          request();
        });
        box.appendChild(label);
        box.appendChild(input);
      }
    }
    if (D.sweeps.length) {
      const p = document.createElement("p");
      p.className = "hint";
      p.textContent = "Each position is a run torch computed; 'all' shows every value.";
      box.appendChild(p);
    }
  }
  function buildDescription() {
    if (!D.description) return;
    const box = $("description");
    box.querySelector("pre").textContent = Object.values(D.description).join("\n\n");
    box.hidden = false;
  }

  // ---- hover: the nearest drawn point of a visible run reads its numbers --------------------------------
  function nearest(view, x, y) {
    const r = rects[view], p = scratch(), k = S.step;
    let best = null, bestD = 14 * 14;
    const consider = (run, t) => {
      const s = (run * T + t) * 3;
      let sx, sy;
      if (view === "contour") { sx = (W[s] + 1) / 2 * r.width; sy = (1 - W[s + 1]) / 2 * r.height; } else {
        p.set(W[s], W[s + 1], W[s + 2]).project(cam3); sx = (p.x + 1) / 2 * r.width; sy = (1 - p.y) / 2 * r.height;
      }
      const d = (sx - x) ** 2 + (sy - y) ** 2;
      if (d < bestD) { bestD = d; best = {run, t}; }
    };
    const boldRuns = new Set(bold.map((entry) => entry.r));
    D.runs.forEach((run, r) => {
      if (!visible(run.optimizer) || run.drawn === 0) return;
      const last = headAt(r, k);
      if (boldRuns.has(r)) for (let t = 0; t <= last; t++) consider(r, t); else consider(r, last);
    });
    return best;
  }
  function describe(hit) {
    const run = D.runs[hit.run], opt = D.optimizers[run.optimizer], s = (hit.run * T + hit.t) * 3;
    const rows = [[D.axes[0], P[s]], [D.axes[1], P[s + 1]], [D.zlabel, P[s + 2]]];
    const exact = exactRow[hit.run] >= 0;
    const out = rows.map(([name, v]) => [name, exact ? fmt9g(v) : "\u2248 " + fmt9g(v)]);
    if (exact) {
      const e = exactRow[hit.run], base = (e * T + hit.t) * F;
      for (const name of opt.fields) out.push([name, fmt9g(EXTRA[base + D.fields.indexOf(name)])]);
      out.push(["lr", pyRepr(LR[e * T + hit.t])]);
    }
    const head = `<b></b> run ${run.run}, step ${hit.t}`;
    return {head, label: opt.label, rows: out, exact};
  }
  function showTip(view, event) {
    const r = rects[view], x = event.clientX - r.left, y = event.clientY - r.top;
    const hit = nearest(view, x, y), tip = $("tip");
    if (!hit) { tip.hidden = true; return; }
    const d = describe(hit);
    tip.innerHTML = `<div>${d.head}</div><table>${d.rows.map(([n, v]) => `<tr><td>${n.replace(/[<&]/g, "")}</td><td data-field="${n.replace(/[<&"]/g, "")}">${v}</td></tr>`).join("")}</table>` +
      (d.exact ? "" : `<div class="hint">kept to 1/65535 of the range in this big swarm's page</div>`);
    tip.querySelector("b").textContent = d.label;
    tip.hidden = false;
    const v = rects.views;
    tip.style.left = `${Math.min(event.clientX - v.left + 14, v.width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${Math.max(event.clientY - v.top - tip.offsetHeight - 10, 0)}px`;
  }

  // ---- the nearest start, picked on the contour (a swarm) ------------------------------------------------
  let startRuns = [];
  function pickStart(event) {
    if (!D.starts) return;
    const r = rects.contour;
    const w1 = x0 + (event.clientX - r.left) / r.width * (x1 - x0), w2 = y1 - (event.clientY - r.top) / r.height * (y1 - y0);
    let best = 0, bestD = Infinity;
    D.starts.forEach(([a, b], i) => { const d = ((a - w1) / (x1 - x0)) ** 2 + ((b - w2) / (y1 - y0)) ** 2; if (d < bestD) { bestD = d; best = i; } });
    chooseStart(best);
  }
  function chooseStart(index) {
    startRuns.forEach(removeBold);
    startRuns.forEach((entry) => bold.splice(bold.indexOf(entry), 1));
    startRuns = [];
    S.start = index;
    if (index != null) {
      D.runs.forEach((run, r) => { if (run.run === index && !run.bold) { const entry = boldRun(r); bold.push(entry); startRuns.push(entry); } });
      layout();
    }
    applyVisibility();
    applyStep();
    return request();
  }

  // ---- playing and keys ---------------------------------------------------------------------------------
  let last = 0, carry = 0;
  function tickPlay(now) {
    if (!S.playing) return;
    carry += (now - last) / 1000 * PACE * S.speed;
    last = now;
    const n = Math.floor(carry);
    if (n > 0) {
      carry -= n;
      S.step = Math.min(S.step + n, T - 1);
      applyStep();
      request();
      if (S.step >= T - 1) { pause(); return; }
    }
    requestAnimationFrame(tickPlay);
  }
  function play() {
    if (S.playing) return;
    if (S.step >= T - 1) { S.step = 0; applyStep(); }
    S.playing = true;
    $("play").innerHTML = "&#10074;&#10074;";
    $("play").setAttribute("aria-label", "Pause");
    $("stepText").setAttribute("aria-live", "off");
    last = performance.now(); carry = 0;
    requestAnimationFrame(tickPlay);
  }
  function pause() {
    S.playing = false;
    $("play").innerHTML = "&#9654;";
    $("play").setAttribute("aria-label", "Play");
    $("stepText").setAttribute("aria-live", "polite");
    describeViews();
  }
  function setStep(k) {
    S.step = Math.max(0, Math.min(T - 1, Math.round(Number(k)) || 0));
    applyStep();
    if (!S.playing) describeViews();
    return request();
  }
  function describeViews() {
    const shown = D.optimizers.filter((_, o) => visible(o)).map((o) => o.label);
    const what = `${shown.length} of ${O} optimizers (${shown.join(", ")}) at step ${S.step} of ${T - 1}`;
    $("contour").setAttribute("aria-label", `Contour view of ${D.zlabel} over ${D.axes[0]} and ${D.axes[1]}: paths of ${what}`);
    $("surface").setAttribute("aria-label", `3-D view of the ${D.zlabel} surface: paths of ${what}`);
  }
  function turn(dAzimuth, dElevation, zoom) {
    const offset = cam3.position.clone().sub(controls.target);
    const radius = offset.length() * zoom;
    let azimuth = Math.atan2(offset.y, offset.x) + dAzimuth;
    let elevation = Math.asin(Math.max(-1, Math.min(1, offset.z / offset.length()))) + dElevation;
    elevation = Math.max(-1.5, Math.min(1.5, elevation));
    cam3.position.set(controls.target.x + radius * Math.cos(elevation) * Math.cos(azimuth),
                      controls.target.y + radius * Math.cos(elevation) * Math.sin(azimuth),
                      controls.target.z + radius * Math.sin(elevation));
    controls.update();
  }
  function onKey(event) {
    const target = event.target, tag = target.tagName;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (target.id === "surface") {
      const moves = {ArrowLeft: [-0.1, 0, 1], ArrowRight: [0.1, 0, 1], ArrowUp: [0, 0.08, 1], ArrowDown: [0, -0.08, 1],
                     "+": [0, 0, 0.9], "=": [0, 0, 0.9], "-": [0, 0, 1.1]};
      if (moves[event.key]) { event.preventDefault(); turn(...moves[event.key]); return; }
    }
    if (tag === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    if (tag === "SELECT") return;
    const range = tag === "INPUT";
    if (event.key === " ") { event.preventDefault(); S.playing ? pause() : play(); return; }
    if (range) return;  // a slider steps itself with the arrows, Home and End
    const by = event.shiftKey ? 10 : 1;
    const to = {ArrowLeft: S.step - by, ArrowRight: S.step + by, Home: 0, End: T - 1}[event.key];
    if (to !== undefined) { event.preventDefault(); pause(); setStep(to); }
    if (event.key === "Escape" && S.start != null) chooseStart(null);
  }

  function wire() {
    const slider = $("step");
    slider.max = String(T - 1);
    slider.addEventListener("input", () => { pause(); setStep(slider.value); });
    $("play").addEventListener("click", () => (S.playing ? pause() : play()));
    $("speed").addEventListener("change", () => { S.speed = Number($("speed").value); });
    $("theme").addEventListener("click", () => setTheme(S.theme === "dark" ? "light" : "dark"));
    $("reset").addEventListener("click", () => { pose(D.camera[0], D.camera[1]); });
    document.addEventListener("keydown", onKey);
    for (const view of ["contour", "surface"]) {
      const el = $(view);
      let frame = 0;
      el.addEventListener("pointermove", (event) => { cancelAnimationFrame(frame); frame = requestAnimationFrame(() => showTip(view, event)); });
      el.addEventListener("pointerleave", () => { cancelAnimationFrame(frame); $("tip").hidden = true; });
    }
    let down = null;
    $("contour").addEventListener("pointerdown", (event) => { down = [event.clientX, event.clientY]; });
    $("contour").addEventListener("pointerup", (event) => {
      if (down && Math.hypot(event.clientX - down[0], event.clientY - down[1]) < 5) pickStart(event);
      down = null;
    });
    new ResizeObserver(() => layout()).observe($("views"));
    window.addEventListener("resize", layout);
  }
  function setTheme(theme) {
    S.theme = theme;
    document.documentElement.dataset.theme = theme;
    $("theme").textContent = theme === "dark" ? "light theme" : "dark theme";
    $("theme").setAttribute("aria-label", `Switch to the ${theme === "dark" ? "light" : "dark"} theme`);
    recolor();
    buildLegend();
    applyVisibility();
    return request();
  }

  // ---- the scripting face ------------------------------------------------------------------------------
  function state() {
    const k = S.step, out = [];
    D.runs.forEach((run, r) => {
      if (!visible(run.optimizer)) return;
      const s = (r * T + k) * 3;
      const head = {label: D.optimizers[run.optimizer].label, run: run.run, w1: P[s], w2: P[s + 1], loss: P[s + 2]};
      if (run.stop && k >= run.stop.step) head.stopped = run.stop.reason;
      if (!run.exact) head.exact = false;
      out.push(head);
    });
    const sweep = {};
    for (const [label, chosen] of Object.entries(S.sweep)) sweep[label] = Object.assign({}, chosen);
    const start = S.start == null ? null : {run: S.start, w1: D.starts[S.start][0], w2: D.starts[S.start][1]};
    return {step: k, heads: out, visible: D.optimizers.filter((_, o) => visible(o)).map((o) => o.label),
            playing: S.playing, theme: S.theme, sweep, start};
  }
  let started = false;
  const once = (f) => (...args) => api.ready.then(() => f(...args));  // a call made while the page loads waits for it
  const api = {
    steps: T,
    runs: D.runs.map((run) => ({label: D.optimizers[run.optimizer].label, run: run.run, color: D.optimizers[run.optimizer].colors[D.theme]})),
    setStep: once(setStep),
    state() {
      if (!started) throw new Error("the page is still loading: await window.optianim.ready (or setStep) first");
      return state();
    },
    play: once(play), pause: once(pause),
    setVisible: once((label, shown) => {
      const o = D.optimizers.findIndex((opt) => opt.label === label);
      if (o < 0) throw new Error(`no optimizer labelled ${JSON.stringify(label)}; the labels are ${D.optimizers.map((x) => JSON.stringify(x.label)).join(", ")}`);
      return setShown(o, Boolean(shown));
    }),
    setTheme: once(setTheme),
    setSweep: once((label, name, value) => {
      const sweep = D.sweeps.find((s) => s.label === label);
      if (!sweep || !sweep.names.includes(name)) throw new Error(`no sweep ${JSON.stringify(label)} of ${JSON.stringify(name)}`);
      S.sweep[label][name] = value == null ? null : String(value);
      applyVisibility();
      return request();
    }),
    chooseStart: once(chooseStart),
  };
  window.optianim = api;

  async function start() {
    await load();
    buildGL();
    await buildContour();
    await buildSurface();
    buildPaths();
    buildHeads();
    buildTrails();
    buildLabels();
    buildLegend();
    buildSweeps();
    buildDescription();
    setTheme(S.theme);
    wire();
    applyVisibility();
    applyStep();
    describeViews();
    layout();
    await request();
    started = true;
    document.documentElement.dataset.ready = "true";
  }
  api.ready = start().catch((error) => {
    const box = $("views");
    box.textContent = `This page could not draw its views: ${error && error.message ? error.message : error}`;
    throw error;
  });
})();
