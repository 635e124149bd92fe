/**
 * log h(z) with h(z) = φ(z) + z·Φ(z), the kernel of expected improvement: EI = σ·h((μ − best)/σ), so
 * log EI = log h(z) + log σ. Computed without underflow for any z (Ament et al., "Unexpected improvements to
 * expected improvement", NeurIPS 2023; BoTorch's `_log_ei_helper`), so the acquisition keeps a useful gradient
 * where plain EI is exactly zero in double precision.
 */
import { logNormalPdf, lowerMillsRatio, normalCdf, normalPdf } from './special.js';

/** Below this, 1 + z·R(z) is taken from its asymptotic series instead of by subtraction. */
const ASYMPTOTIC_BELOW = -30;

/** 1 + z·R(z), R = Φ/φ, for z ≤ −1: equals h(z)/φ(z). */
function onePlusZR(z: number, R: number): number {
  if (z > ASYMPTOTIC_BELOW) return 1 + z * R;
  // 1 + zR = z⁻² − 3z⁻⁴ + 15z⁻⁶ − 105z⁻⁸ + 945z⁻¹⁰ − …; at |z| ≥ 30 six terms reach double precision.
  const w = 1 / (z * z);
  return w * (1 - w * (3 - w * (15 - w * (105 - w * (945 - w * 10395)))));
}

/** log h(z) and its derivative d/dz log h(z) = Φ(z)/h(z). */
export function logH(z: number): { value: number; dz: number } {
  if (z > -1) {
    const cdf = normalCdf(z);
    const h = normalPdf(z) + z * cdf;
    return { value: Math.log(h), dz: cdf / h };
  }
  const R = lowerMillsRatio(z);
  const q = onePlusZR(z, R);
  return { value: logNormalPdf(z) + Math.log(q), dz: R / q };
}
