import type { Rng } from '../labels/rng.js';
import type { ItemSource } from './mosaic.js';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross', 'ring', 'bars', 'diamond', 'star', 'hexagon', 'frame'] as const;

export type ShapeName = (typeof SHAPE_CLASSES)[number];

/** Vertices x0, y0, x1, y1, … of a regular polygon (or a star when `inner` differs from `outer`). */
function polygon(sides: number, outer: number, inner = outer, phase = -Math.PI / 2): Float64Array {
  const steps = inner === outer ? sides : sides * 2;
  const points = new Float64Array(steps * 2);
  for (let k = 0; k < steps; k++) {
    const r = k % 2 === 1 && inner !== outer ? inner : outer;
    const a = phase + (2 * Math.PI * k) / steps;
    points[2 * k] = r * Math.cos(a);
    points[2 * k + 1] = r * Math.sin(a);
  }
  return points;
}

/** Even–odd rule. */
function insidePolygon(points: Float64Array, u: number, v: number): boolean {
  let inside = false;
  const n = points.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = points[2 * i];
    const yi = points[2 * i + 1];
    const xj = points[2 * j];
    const yj = points[2 * j + 1];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const TRIANGLE = polygon(3, 1);
const HEXAGON = polygon(6, 1, 1, 0);
const STAR = polygon(5, 1, 0.42);
const BAR_HALF = 0.11 * Math.SQRT2 * 2;

/** Whether the point (u, v), in units of the shape's radius around its centre, is inside the shape. */
export function insideShape(shape: ShapeName, u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  // Every shape lies within the unit square.
  if (au > 1 || av > 1) return false;
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return Math.max(au, av) <= 0.78;
    case 'triangle':
      return insidePolygon(TRIANGLE, u, v);
    case 'cross':
      return Math.max(au, av) <= 0.8 && (Math.abs(u - v) <= BAR_HALF || Math.abs(u + v) <= BAR_HALF);
    case 'ring': {
      const r2 = u * u + v * v;
      return r2 <= 1 && r2 >= 0.55 * 0.55;
    }
    case 'bars':
      return au <= 0.85 && (av <= 0.17 || (av >= 0.55 && av <= 0.9));
    case 'diamond':
      return au + av <= 1;
    case 'star':
      return insidePolygon(STAR, u, v);
    case 'hexagon':
      return insidePolygon(HEXAGON, u, v);
    case 'frame':
      return Math.max(au, av) <= 0.85 && Math.max(au, av) >= 0.55;
  }
}

const SUPERSAMPLE = 3;

/**
 * One shape on a black square canvas: seeded centre, radius (a quarter to ~0.45 of the canvas),
 * ink brightness, and Gaussian pixel noise of standard deviation `noise` (a fraction of 255).
 * Edges are antialiased by 3 × 3 supersampling so small shapes keep their outline.
 */
export function drawShape(shape: ShapeName, rng: Rng, size = 28, noise = 0.06, out: Uint8Array = new Uint8Array(size * size)): Uint8Array {
  const radius = size * (0.25 + 0.2 * rng.float());
  const margin = radius + 1;
  const cx = margin + rng.float() * Math.max(0, size - 2 * margin);
  const cy = margin + rng.float() * Math.max(0, size - 2 * margin);
  const ink = 170 + rng.float() * 85;
  const step = 1 / SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const u = (x + (sx + 0.5) * step - cx) / radius;
          const v = (y + (sy + 0.5) * step - cy) / radius;
          if (insideShape(shape, u, v)) hits++;
        }
      }
      const value = (ink * hits) / (SUPERSAMPLE * SUPERSAMPLE) + (noise > 0 ? rng.normal() * noise * 255 : 0);
      out[y * size + x] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
    }
  }
  return out;
}

/** Shapes drawn on demand: the pool is unbounded, and each split draws from its own seeded stream. */
export function shapeSource(noise: number, size = 28): ItemSource {
  return {
    classNames: SHAPE_CLASSES,
    itemSize: size,
    poolSize: () => Infinity,
    draw(_split, cls, count, rng) {
      const out = new Uint8Array(count * size * size);
      for (let k = 0; k < count; k++) drawShape(SHAPE_CLASSES[cls], rng, size, noise, out.subarray(k * size * size, (k + 1) * size * size));
      return out;
    },
  };
}
