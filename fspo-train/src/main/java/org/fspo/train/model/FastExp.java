package org.fspo.train.model;

/**
 * e^x in float precision for the fused kernels' inner loops (GELU's tanh, softmax), where {@link Math#exp} measured
 * about 14 ns a call on this project's 2-core machine and dominated the decode step's activations: Cody-Waite range
 * reduction x = n ln 2 + r, |r| <= ln 2 / 2, then Cephes' degree-7 minimax polynomial for e^r (Moshier, Cephes
 * expf.c; relative error under 2^-23, i.e. about one float ulp), scaled by 2^n through the exponent bits. Exact 0
 * below ln(2^-126) (flushing what would be subnormal) and +inf above ln(Float.MAX_VALUE); NaN stays NaN.
 */
final class FastExp {
  private static final float LOG2E = 1.44269504088896341f;
  private static final float C1 = 0.693359375f, C2 = -2.12194440e-4f; // ln 2 = C1 + C2, C1 exact in few bits
  private static final float MAX = 88.72283905206835f, MIN = -87.33654475055310f; // ln(FLT_MAX), ln(2^-126)

  private FastExp() {}

  static float exp(float x) {
    if (!(x < MAX)) return x != x ? x : Float.POSITIVE_INFINITY;
    if (x < MIN) return 0f;
    float n = (float) Math.floor(x * LOG2E + 0.5f);
    float r = x - n * C1 - n * C2;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1f;
    int e = (int) n;
    if (e > 127) return p * 2f * Float.intBitsToFloat((e - 1 + 127) << 23); // 2^128 is not a float; p < 1 here
    return p * Float.intBitsToFloat((e + 127) << 23);
  }
}
