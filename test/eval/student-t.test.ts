import { describe, expect, it } from 'vitest';
import { logBeta, logGamma, regularizedIncompleteBeta, studentTCdf, studentTQuantile } from '../../src/eval/student-t.js';

describe('studentTQuantile', () => {
  it('matches printed t tables (4 decimals)', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 4);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.8125, 4);
    expect(studentTQuantile(0.995, 3)).toBeCloseTo(5.8409, 4);
  });

  it('matches high-precision values (mpmath, 40 digits) to 12 significant digits', () => {
    const cases: Array<[number, number, number]> = [
      [0.975, 3, 3.1824463052837084],
      [0.975, 4, 2.7764451051977935],
      [0.975, 30, 2.0422724563012379],
      [0.975, 2.5, 3.5746548420036818], // fractional df, as Welch's interval produces
      [0.995, 7, 3.4994832973504933],
      [0.9, 1000, 1.2823987214609246],
      [0.999999, 3, 103.29946777942897],
    ];
    for (const [p, df, t] of cases) expect(Math.abs(studentTQuantile(p, df) - t) / t, `t(${p}, ${df})`).toBeLessThan(1e-12);
  });

  it('equals the closed forms for 1 and 2 degrees of freedom', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 12);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(0.95 / Math.sqrt(2 * 0.975 * 0.025), 12);
    // the general path (df just off the closed form) lands next to it
    expect(studentTQuantile(0.975, 1 + 1e-9)).toBeCloseTo(12.7062047, 5);
  });

  it('is antisymmetric around the median and inverts the CDF', () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.025, 5)).toBe(-studentTQuantile(0.975, 5));
    for (const df of [1.5, 3, 9, 60]) {
      for (const p of [0.6, 0.9, 0.99]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 13);
    }
  });

  it('approaches the normal quantile for large df', () => {
    expect(studentTQuantile(0.975, 1e5)).toBeCloseTo(1.959987707534609, 10);
  });

  it('rejects p outside (0, 1) and df ≤ 0', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, NaN)).toThrow(RangeError);
  });
});

describe('special functions', () => {
  it('logGamma matches factorials and Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13);
  });
  it('logBeta is accurate when one argument is large', () => {
    // ln B(5000, 0.5), mpmath
    expect(logBeta(5000, 0.5)).toBeCloseTo(-3.6862066527834603, 12);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
  });
  it('regularizedIncompleteBeta matches closed forms', () => {
    // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a
    expect(regularizedIncompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 14);
    expect(regularizedIncompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 14);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });
  it('studentTCdf is ½ at 0 and symmetric', () => {
    expect(studentTCdf(0, 4)).toBe(0.5);
    expect(studentTCdf(-1.3, 4) + studentTCdf(1.3, 4)).toBeCloseTo(1, 15);
    expect(studentTCdf(Infinity, 4)).toBe(1);
  });
});
