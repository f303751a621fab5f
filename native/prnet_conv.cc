// Fast single-precision convolution kernels for prnet training (N-API addon).
//
// Three kernels, NHWC activations and TF filter layout [kh, kw, in, out], exactly the
// tfjs kernels Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter. Each is im2col (or
// col2im) around one blocked GEMM with a register-tiled micro-kernel written with GCC
// vector extensions (AVX-512 / AVX2 / SSE chosen by -march=native at install), split
// over a few std::threads. The JS side checks every kernel against tfjs-backend-cpu.
#include <node_api.h>
#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__AVX512F__)
typedef float vf __attribute__((vector_size(64)));
static constexpr int VL = 16;
static constexpr int MR2 = 12;  // rows of the 2-vector-wide tile (24 accumulators)
static constexpr int MR1 = 24;  // rows of the 1-vector-wide tile
#elif defined(__AVX__)
typedef float vf __attribute__((vector_size(32)));
static constexpr int VL = 8;
static constexpr int MR2 = 6;
static constexpr int MR1 = 12;
#else
typedef float vf __attribute__((vector_size(16)));
static constexpr int VL = 4;
static constexpr int MR2 = 6;
static constexpr int MR1 = 12;
#endif

static constexpr int KC = 256;  // depth of one packed panel (fits L1/L2 with the tiles)
static constexpr int MC = 120;  // rows of A packed at once (multiple of MR1/MR2 handled by edges)
static int g_threads = 2;

static float* alignedAlloc(size_t n) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, std::max<size_t>(n, 16) * sizeof(float)) != 0) return nullptr;
  return static_cast<float*>(p);
}

struct Buf {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t want) {
    if (want > n) { free(p); p = alignedAlloc(want); n = want; }
    return p;
  }
  ~Buf() { free(p); }
};

// A strided matrix view: element (i, j) = base[i * rs + j * cs].
struct View {
  const float* base;
  long rs, cs;
  inline float at(long i, long j) const { return base[i * rs + j * cs]; }
};

// Packs rows [i0, i0+mc) × depth [k0, k0+kc) of A into MR-row slivers, zero padded.
template <int MR>
static void packA(const View& a, long i0, int mc, long k0, int kc, float* out) {
  for (int ii = 0; ii < mc; ii += MR) {
    int mr = std::min(MR, mc - ii);
    float* o = out + (long)ii * kc;
    if (a.cs == 1) {
      // Row-major A: read each row sequentially, scatter into the sliver (stays in L1).
      for (int r = 0; r < mr; r++) {
        const float* src = a.base + (i0 + ii + r) * a.rs + k0;
        for (int k = 0; k < kc; k++) o[(long)k * MR + r] = src[k];
      }
      for (int r = mr; r < MR; r++)
        for (int k = 0; k < kc; k++) o[(long)k * MR + r] = 0.f;
    } else {
      for (int k = 0; k < kc; k++) {
        const float* src = a.base + (i0 + ii) * a.rs + (k0 + k) * a.cs;
        int r = 0;
        for (; r < mr; r++) o[(long)k * MR + r] = src[r * a.rs];
        for (; r < MR; r++) o[(long)k * MR + r] = 0.f;
      }
    }
  }
}

// Packs depth [k0, k0+kc) × columns [0, n) of B into NR-column slivers, zero padded.
template <int NR>
static void packB(const View& b, long k0, int kc, int n, float* out) {
  for (int jj = 0; jj < n; jj += NR) {
    int nr = std::min(NR, n - jj);
    float* o = out + (long)jj * kc;
    if (b.cs == 1) {
      for (int k = 0; k < kc; k++) {
        const float* src = b.base + (k0 + k) * b.rs + jj;
        float* ok = o + (long)k * NR;
        int c = 0;
        for (; c < nr; c++) ok[c] = src[c];
        for (; c < NR; c++) ok[c] = 0.f;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        float* ok = o + (long)k * NR;
        int c = 0;
        for (; c < nr; c++) ok[c] = b.at(k0 + k, jj + c);
        for (; c < NR; c++) ok[c] = 0.f;
      }
    }
  }
}

// C[MR × NV·VL] (+)= Apacked · Bpacked over kc; writes only the valid mr × nr corner.
template <int MR, int NV>
static inline void microKernel(int kc, const float* __restrict A, const float* __restrict B,
                               float* C, long ldc, int mr, int nr, bool accumulate) {
  vf acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = (vf){} ;
  for (int k = 0; k < kc; k++) {
    vf b[NV];
    for (int v = 0; v < NV; v++) b[v] = *reinterpret_cast<const vf*>(B + (long)k * NV * VL + v * VL);
    const float* a = A + (long)k * MR;
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      float ai = a[i];
      for (int v = 0; v < NV; v++) acc[i][v] += ai * b[v];
    }
  }
  const int NR = NV * VL;
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      float* c = C + i * ldc;
      for (int v = 0; v < NV; v++) {
        vf cur;
        if (accumulate) { memcpy(&cur, c + v * VL, sizeof(vf)); cur += acc[i][v]; }
        else cur = acc[i][v];
        memcpy(c + v * VL, &cur, sizeof(vf));
      }
    }
  } else {
    alignas(64) float tile[MR * NR];
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) memcpy(tile + i * NR + v * VL, &acc[i][v], sizeof(vf));
    for (int i = 0; i < mr; i++)
      for (int j = 0; j < nr; j++) {
        float* c = C + i * ldc + j;
        *c = accumulate ? *c + tile[i * NR + j] : tile[i * NR + j];
      }
  }
}

// C[m × n] (row stride ldc) = (accumulate ? C : 0) + A[m × k] · B[k × n]; single thread.
template <int MR, int NV>
static void gemmT(long m, int n, long k, const View& a, const View& b, float* C, long ldc,
                  bool accumulate, Buf& bufA, Buf& bufB) {
  const int NR = NV * VL;
  int nPad = (n + NR - 1) / NR * NR;
  float* pb = bufB.get((size_t)KC * nPad);
  float* pa = bufA.get((size_t)KC * (MC + MR));
  for (long k0 = 0; k0 < k; k0 += KC) {
    int kc = (int)std::min<long>(KC, k - k0);
    bool acc = accumulate || k0 > 0;
    packB<NR>(b, k0, kc, n, pb);
    for (long i0 = 0; i0 < m; i0 += MC) {
      int mc = (int)std::min<long>(MC, m - i0);
      packA<MR>(a, i0, mc, k0, kc, pa);
      for (int jj = 0; jj < n; jj += NR) {
        int nr = std::min(NR, n - jj);
        for (int ii = 0; ii < mc; ii += MR) {
          int mr = std::min(MR, mc - ii);
          microKernel<MR, NV>(kc, pa + (long)ii * kc, pb + (long)jj * kc, C + (i0 + ii) * ldc + jj, ldc,
                              mr, nr, acc);
        }
      }
    }
  }
  if (k == 0 && !accumulate)
    for (long i = 0; i < m; i++) memset(C + i * ldc, 0, sizeof(float) * n);
}

static void gemmF32(long m, int n, long k, const View& a, const View& b, float* C, long ldc, bool accumulate,
                    Buf& bufA, Buf& bufB) {
  if (n <= VL) gemmT<MR1, 1>(m, n, k, a, b, C, ldc, accumulate, bufA, bufB);
  else gemmT<MR2, 2>(m, n, k, a, b, C, ldc, accumulate, bufA, bufB);
}

// ---- bf16 operands, fp32 accumulation (AVX512_BF16) ---------------------------------
// Opt-in (setPrecision(1)): the GEMM packs its A and B panels as bf16 pairs, rounding
// each fp32 operand once per packed panel to nearest-even (VCVTNE2PS2BF16), and the
// micro-kernel accumulates with VDPBF16PS: lane j += a[2j]·b[2j] + a[2j+1]·b[2j+1], each
// product exact in fp32, sums in fp32. Weights and activations stay fp32 outside the
// kernels (fp32 master weights, as mixed-precision training does). These functions
// carry their own target attribute, so the addon builds without -mavx512bf16 and runs
// on any CPU: setPrecision(1) checks the CPU at run time and otherwise keeps fp32.
// Packed layout: A sliver [kc/2][MR] and B sliver [kc/2][NR] of uint32, each the bf16 of
// depth 2p in the low half and of depth 2p+1 in the high half (an odd tail pairs with 0).
#if defined(__x86_64__) && (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 10))
#define PRNET_HAVE_BF16 1
#include <immintrin.h>
#define PRNET_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#else
#define PRNET_HAVE_BF16 0
#endif

static int g_prec = 0;  // 0: fp32 kernels; 1: bf16 operands with fp32 accumulation

static bool cpuHasBf16() {
#if PRNET_HAVE_BF16
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

// fp32 → bf16 bits as VCVTNE2PS2BF16 does: round to nearest even, denormals to signed
// zero, NaN stays a quiet NaN.
static inline uint32_t bf16Bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
  if ((u & 0x7f800000u) == 0) return (u >> 16) & 0x8000u;
  if ((u & 0x7f800000u) == 0x7f800000u) return u >> 16;
  return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

#if PRNET_HAVE_BF16
static constexpr int KCB = 512;  // depth of one bf16 panel (same bytes as KC fp32)
static constexpr int BMR2 = 12, BMR1 = 24;

alignas(64) static const uint16_t kInterleave[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                                     8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

// 16 pairs (lo[i], hi[i]) as uint32 lanes: low half bf16(lo[i]), high half bf16(hi[i]).
PRNET_BF16 static inline __m512i pairLanes(__m512 lo, __m512 hi) {
  __m512i v = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);  // elements 0–15 = lo, 16–31 = hi
  return _mm512_permutexvar_epi16(_mm512_load_si512(kInterleave), v);
}

// A contiguous run src[0, n) as ceil(n/2) pairs (src[2p], src[2p+1]); odd tail paired with 0.
PRNET_BF16 static inline void runPairs(const float* src, int n, uint32_t* out) {
  int p = 0;
  for (; 2 * p + 32 <= n; p += 16) {
    __m512i v = (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + 2 * p + 16), _mm512_loadu_ps(src + 2 * p));
    _mm512_storeu_si512(out + p, v);
  }
  if (2 * p < n) {
    int rest = n - 2 * p;  // 1..31
    __mmask16 m0 = (__mmask16)(rest >= 16 ? 0xffff : (1u << rest) - 1);
    __mmask16 m1 = (__mmask16)(rest > 16 ? (1u << (rest - 16)) - 1 : 0);
    __m512i v = (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(m1, src + 2 * p + 16), _mm512_maskz_loadu_ps(m0, src + 2 * p));
    _mm512_mask_storeu_epi32(out + p, (__mmask16)((1u << ((rest + 1) / 2)) - 1), v);
  }
}

// Rows [i0, i0+mc) × depth [k0, k0+kc) of A into MR-row slivers of pairs, zero padded.
template <int MR>
PRNET_BF16 static void packABf16(const View& a, long i0, int mc, long k0, int kc, uint32_t* out) {
  const int kp = (kc + 1) / 2;
  alignas(64) uint32_t tmp[KCB / 2];
  for (int ii = 0; ii < mc; ii += MR) {
    int mr = std::min(MR, mc - ii);
    uint32_t* o = out + (long)ii * kp;
    if (a.cs == 1) {
      // Depth runs along a row: convert the row, scatter its pairs into the sliver.
      for (int r = 0; r < mr; r++) {
        runPairs(a.base + (i0 + ii + r) * a.rs + k0, kc, tmp);
        for (int p = 0; p < kp; p++) o[(long)p * MR + r] = tmp[p];
      }
      for (int r = mr; r < MR; r++)
        for (int p = 0; p < kp; p++) o[(long)p * MR + r] = 0;
    } else if (a.rs == 1) {
      // Rows run along memory (Aᵀ stored row-major): two depths at a time, 16 rows a vector.
      for (int p = 0; p < kp; p++) {
        const float* s0 = a.base + (i0 + ii) + (k0 + 2 * p) * a.cs;
        bool two = 2 * p + 1 < kc;
        for (int r = 0; r < MR; r += 16) {
          int cnt = std::min(16, MR - r), valid = std::max(0, std::min(cnt, mr - r));
          __mmask16 mv = (__mmask16)((1u << valid) - 1);
          __m512 lo = _mm512_maskz_loadu_ps(mv, s0 + r);
          __m512 hi = two ? _mm512_maskz_loadu_ps(mv, s0 + a.cs + r) : _mm512_setzero_ps();
          _mm512_mask_storeu_epi32(o + (long)p * MR + r, (__mmask16)((1u << cnt) - 1), pairLanes(lo, hi));
        }
      }
    } else {
      for (int p = 0; p < kp; p++)
        for (int r = 0; r < MR; r++) {
          uint32_t lo = 0, hi = 0;
          if (r < mr) {
            lo = bf16Bits(a.at(i0 + ii + r, k0 + 2 * p));
            if (2 * p + 1 < kc) hi = bf16Bits(a.at(i0 + ii + r, k0 + 2 * p + 1));
          }
          o[(long)p * MR + r] = lo | hi << 16;
        }
    }
  }
}

// Depth [k0, k0+kc) × columns [0, n) of B into NR-column slivers of pairs, zero padded.
template <int NR>
PRNET_BF16 static void packBBf16(const View& b, long k0, int kc, int n, uint32_t* out) {
  const int kp = (kc + 1) / 2;
  alignas(64) uint32_t tmp[KCB / 2];
  for (int jj = 0; jj < n; jj += NR) {
    int nr = std::min(NR, n - jj);
    uint32_t* o = out + (long)jj * kp;
    if (b.cs == 1) {
      for (int p = 0; p < kp; p++) {
        const float* s0 = b.base + (k0 + 2 * p) * b.rs + jj;
        bool two = 2 * p + 1 < kc;
        for (int c = 0; c < NR; c += 16) {
          int valid = std::max(0, std::min(16, nr - c));
          __mmask16 mv = (__mmask16)((1u << valid) - 1);
          __m512 lo = _mm512_maskz_loadu_ps(mv, s0 + c);
          __m512 hi = two ? _mm512_maskz_loadu_ps(mv, s0 + b.rs + c) : _mm512_setzero_ps();
          _mm512_storeu_si512(o + (long)p * NR + c, pairLanes(lo, hi));
        }
      }
    } else if (b.rs == 1) {
      // Depth runs along memory for each column (Wᵀ): convert each column's run.
      for (int c = 0; c < nr; c++) {
        runPairs(b.base + k0 + (long)(jj + c) * b.cs, kc, tmp);
        for (int p = 0; p < kp; p++) o[(long)p * NR + c] = tmp[p];
      }
      for (int c = nr; c < NR; c++)
        for (int p = 0; p < kp; p++) o[(long)p * NR + c] = 0;
    } else {
      for (int p = 0; p < kp; p++)
        for (int c = 0; c < NR; c++) {
          uint32_t lo = 0, hi = 0;
          if (c < nr) {
            lo = bf16Bits(b.at(k0 + 2 * p, jj + c));
            if (2 * p + 1 < kc) hi = bf16Bits(b.at(k0 + 2 * p + 1, jj + c));
          }
          o[(long)p * NR + c] = lo | hi << 16;
        }
    }
  }
}

template <int MR, int NV>
PRNET_BF16 static inline void microKernelBf16(int kp, const uint32_t* __restrict A, const uint32_t* __restrict B,
                                              float* C, long ldc, int mr, int nr, bool accumulate) {
  __m512 acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();
  for (int p = 0; p < kp; p++) {
    __m512bh b[NV];
    for (int v = 0; v < NV; v++) b[v] = (__m512bh)_mm512_loadu_si512(B + ((long)p * NV + v) * 16);
    const uint32_t* a = A + (long)p * MR;
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      __m512bh ai = (__m512bh)_mm512_set1_epi32((int)a[i]);
      for (int v = 0; v < NV; v++) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], ai, b[v]);
    }
  }
  const int NR = NV * 16;
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) {
        float* c = C + i * ldc + v * 16;
        _mm512_storeu_ps(c, accumulate ? _mm512_add_ps(_mm512_loadu_ps(c), acc[i][v]) : acc[i][v]);
      }
  } else {
    for (int i = 0; i < mr; i++)
      for (int v = 0; v < NV; v++) {
        int valid = std::max(0, std::min(16, nr - v * 16));
        if (!valid) continue;
        __mmask16 m = (__mmask16)((1u << valid) - 1);
        float* c = C + i * ldc + v * 16;
        __m512 r = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(m, c), acc[i][v]) : acc[i][v];
        _mm512_mask_storeu_ps(c, m, r);
      }
  }
}

template <int MR, int NV>
PRNET_BF16 static void gemmBf16T(long m, int n, long k, const View& a, const View& b, float* C, long ldc,
                                 bool accumulate, Buf& bufA, Buf& bufB) {
  const int NR = NV * 16;
  int nPad = (n + NR - 1) / NR * NR;
  uint32_t* pb = reinterpret_cast<uint32_t*>(bufB.get((size_t)(KCB / 2) * nPad));
  uint32_t* pa = reinterpret_cast<uint32_t*>(bufA.get((size_t)(KCB / 2) * (MC + MR)));
  for (long k0 = 0; k0 < k; k0 += KCB) {
    int kc = (int)std::min<long>(KCB, k - k0), kp = (kc + 1) / 2;
    bool acc = accumulate || k0 > 0;
    packBBf16<NR>(b, k0, kc, n, pb);
    for (long i0 = 0; i0 < m; i0 += MC) {
      int mc = (int)std::min<long>(MC, m - i0);
      packABf16<MR>(a, i0, mc, k0, kc, pa);
      for (int jj = 0; jj < n; jj += NR) {
        int nr = std::min(NR, n - jj);
        for (int ii = 0; ii < mc; ii += MR) {
          int mr = std::min(MR, mc - ii);
          microKernelBf16<MR, NV>(kp, pa + (long)ii * kp, pb + (long)jj * kp, C + (i0 + ii) * ldc + jj, ldc,
                                  mr, nr, acc);
        }
      }
    }
  }
  if (k == 0 && !accumulate)
    for (long i = 0; i < m; i++) memset(C + i * ldc, 0, sizeof(float) * n);
}

PRNET_BF16 static void gemmBf16(long m, int n, long k, const View& a, const View& b, float* C, long ldc,
                                bool accumulate, Buf& bufA, Buf& bufB) {
  if (n <= 16) gemmBf16T<BMR1, 1>(m, n, k, a, b, C, ldc, accumulate, bufA, bufB);
  else gemmBf16T<BMR2, 2>(m, n, k, a, b, C, ldc, accumulate, bufA, bufB);
}
#endif

// C[m × n] (row stride ldc) = (accumulate ? C : 0) + A[m × k] · B[k × n], in the
// selected precision; single thread.
static void gemm(long m, int n, long k, const View& a, const View& b, float* C, long ldc, bool accumulate,
                 Buf& bufA, Buf& bufB) {
#if PRNET_HAVE_BF16
  if (g_prec == 1) { gemmBf16(m, n, k, a, b, C, ldc, accumulate, bufA, bufB); return; }
#endif
  gemmF32(m, n, k, a, b, C, ldc, accumulate, bufA, bufB);
}

struct ConvGeom {
  int n, h, w, ci;     // input x
  int oh, ow, co;      // output y
  int kh, kw, sh, sw;  // kernel and strides
  int padT, padL;
  long K() const { return (long)kh * kw * ci; }
  long pixelsOut() const { return (long)n * oh * ow; }
  bool pointwise() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padT == 0 && padL == 0; }
};

// im2col rows [m0, m0+rows) of the output pixels: row = (ky, kx, c) patch, zeros outside.
static void im2col(const ConvGeom& g, const float* x, long m0, int rows, float* col) {
  long K = g.K();
  long ohw = (long)g.oh * g.ow;
  for (int r = 0; r < rows; r++) {
    long m = m0 + r;
    long b = m / ohw, rem = m % ohw;
    int oy = (int)(rem / g.ow), ox = (int)(rem % g.ow);
    float* o = col + (long)r * K;
    for (int ky = 0; ky < g.kh; ky++) {
      int iy = oy * g.sh - g.padT + ky;
      for (int kx = 0; kx < g.kw; kx++, o += g.ci) {
        int ix = ox * g.sw - g.padL + kx;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) memset(o, 0, sizeof(float) * g.ci);
        else memcpy(o, x + (((b * g.h + iy) * g.w + ix) * (long)g.ci), sizeof(float) * g.ci);
      }
    }
  }
}

// Adds patch rows back into the image: the adjoint of im2col.
static void col2im(const ConvGeom& g, const float* col, long m0, int rows, float* x) {
  long K = g.K();
  long ohw = (long)g.oh * g.ow;
  for (int r = 0; r < rows; r++) {
    long m = m0 + r;
    long b = m / ohw, rem = m % ohw;
    int oy = (int)(rem / g.ow), ox = (int)(rem % g.ow);
    const float* o = col + (long)r * K;
    for (int ky = 0; ky < g.kh; ky++) {
      int iy = oy * g.sh - g.padT + ky;
      for (int kx = 0; kx < g.kw; kx++, o += g.ci) {
        int ix = ox * g.sw - g.padL + kx;
        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
        float* d = x + (((b * g.h + iy) * g.w + ix) * (long)g.ci);
        for (int c = 0; c < g.ci; c++) d[c] += o[c];
      }
    }
  }
}

template <typename F>
static void parallelFor(int parts, F f) {
  if (parts <= 1) { f(0); return; }
  std::vector<std::thread> ts;
  for (int t = 1; t < parts; t++) ts.emplace_back(f, t);
  f(0);
  for (auto& t : ts) t.join();
}

// Rows of one im2col chunk: keep the buffer near 2 MB.
static int chunkRows(long K) { return (int)std::max<long>(64, std::min<long>(4096, (1 << 19) / std::max<long>(K, 1))); }


// ---- Direct kernels for few channels ----------------------------------------------
// With ≤ VL output channels (the light network's 128×128 layers have 3–16) im2col +
// GEMM spends its time packing and fills few SIMD lanes. These loop over pixels with
// one vector of output channels per pixel, P pixels at a time for independent FMA
// chains. The vector is the narrowest of 4, 8 or 16 floats that holds the channels:
// empty lanes cost full price (on Zen 4 a 16-float op is two 8-float ones).
// g_direct: 1 = use them where they apply (default), 0 = never (benchmarks).
static int g_direct = 1;
static constexpr int P = 8;

template <int L> struct Lanes;
template <> struct Lanes<4> { typedef float v __attribute__((vector_size(16))); };
template <> struct Lanes<8> { typedef float v __attribute__((vector_size(32))); };
template <> struct Lanes<16> { typedef float v __attribute__((vector_size(64))); };

template <class V>
static inline V loadLanes(const float* p, int n) { V v = {}; memcpy(&v, p, sizeof(float) * n); return v; }
template <class V>
static inline void storeLanes(float* p, const V& v, int n) { memcpy(p, &v, sizeof(float) * n); }

// Weights as vectors over `lanes` channels: out[(tap·inner + i)] lane j = w at (tap, i, j)
// where w's layout is [taps][a][b] and lanes run over b (transpose = false) or a (true).
template <class V>
static std::vector<V> packWeights(const float* w, int taps, int a, int b, bool transpose) {
  std::vector<V> out((size_t)taps * (transpose ? b : a));
  for (int t = 0; t < taps; t++) {
    if (!transpose) for (int i = 0; i < a; i++) out[(size_t)t * a + i] = loadLanes<V>(w + ((size_t)t * a + i) * b, b);
    else for (int o = 0; o < b; o++) {
      V v = {};
      for (int i = 0; i < a; i++) v[i] = w[((size_t)t * a + i) * b + o];
      out[(size_t)t * b + o] = v;
    }
  }
  return out;
}

// y[b, oy, ox, :co] = Σ_{ky,kx,c} x[b, oy·sh − padT + ky, ox·sw − padL + kx, c] · w[ky, kx, c, :]
template <class V>
static void directConv2d(const ConvGeom& g, const float* x, const float* w, float* y) {
  std::vector<V> wp = packWeights<V>(w, g.kh * g.kw, g.ci, g.co, false);
  long rows = (long)g.n * g.oh;
  int T = (int)std::max<long>(1, std::min<long>(g_threads, rows / 4));
  parallelFor(T, [&](int t) {
    for (long row = rows * t / T; row < rows * (t + 1) / T; row++) {
      int b = (int)(row / g.oh), oy = (int)(row % g.oh);
      for (int ox0 = 0; ox0 < g.ow; ox0 += P) {
        int np = std::min(P, g.ow - ox0);
        V acc[P] = {};
        for (int ky = 0; ky < g.kh; ky++) {
          int iy = oy * g.sh - g.padT + ky;
          if (iy < 0 || iy >= g.h) continue;
          const float* xrow = x + ((long)b * g.h + iy) * g.w * g.ci;
          for (int kx = 0; kx < g.kw; kx++) {
            const V* wt = &wp[(size_t)(ky * g.kw + kx) * g.ci];
            int ix0 = ox0 * g.sw - g.padL + kx, ixl = (ox0 + np - 1) * g.sw - g.padL + kx;
            if (np == P && ix0 >= 0 && ixl < g.w) {
              for (int c = 0; c < g.ci; c++) {
                V wv = wt[c];
                for (int q = 0; q < P; q++) acc[q] += xrow[(long)(ix0 + q * g.sw) * g.ci + c] * wv;
              }
            } else {
              for (int q = 0; q < np; q++) {
                int ix = ix0 + q * g.sw;
                if (ix < 0 || ix >= g.w) continue;
                const float* xp = xrow + (long)ix * g.ci;
                for (int c = 0; c < g.ci; c++) acc[q] += xp[c] * wt[c];
              }
            }
          }
        }
        float* yp = y + (row * g.ow + ox0) * g.co;
        for (int q = 0; q < np; q++) storeLanes<V>(yp + (long)q * g.co, acc[q], g.co);
      }
    }
  });
}

// dx[b, iy, ix, :ci] = Σ over (ky, kx) with oy = (iy + padT − ky)/sh, ox likewise integral
// and in range, Σ_o dy[b, oy, ox, o] · w[ky, kx, :, o]. Each thread writes its own rows.
template <class V>
static void directConv2dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  std::vector<V> wp = packWeights<V>(w, g.kh * g.kw, g.ci, g.co, true);  // [tap][o] → lanes over c
  long rows = (long)g.n * g.h;
  int T = (int)std::max<long>(1, std::min<long>(g_threads, rows / 4));
  parallelFor(T, [&](int t) {
    for (long row = rows * t / T; row < rows * (t + 1) / T; row++) {
      int b = (int)(row / g.h), iy = (int)(row % g.h);
      // Pixels of one group share ix mod sw, so each kx is valid for all or none of them.
      for (int phase = 0; phase < g.sw; phase++) {
        for (int ix0 = phase; ix0 < g.w; ix0 += P * g.sw) {
          int np = std::min(P, (g.w - ix0 + g.sw - 1) / g.sw);
          V acc[P] = {};
          for (int ky = 0; ky < g.kh; ky++) {
            int ny = iy + g.padT - ky;
            if (ny < 0 || ny % g.sh != 0 || ny / g.sh >= g.oh) continue;
            const float* dyrow = dy + ((long)b * g.oh + ny / g.sh) * g.ow * g.co;
            for (int kx = 0; kx < g.kw; kx++) {
              int nx0 = ix0 + g.padL - kx;
              if (((nx0 % g.sw) + g.sw) % g.sw != 0) continue;
              const V* wt = &wp[(size_t)(ky * g.kw + kx) * g.co];
              // ox = (nx0 + q·sw)/sw = ox0 + q (nx0 may be negative: floor division).
              int ox0 = nx0 >= 0 ? nx0 / g.sw : -((-nx0) / g.sw);
              if (np == P && ox0 >= 0 && ox0 + P - 1 < g.ow) {
                for (int o = 0; o < g.co; o++) {
                  V wv = wt[o];
                  for (int q = 0; q < P; q++) acc[q] += dyrow[(long)(ox0 + q) * g.co + o] * wv;
                }
              } else {
                for (int q = 0; q < np; q++) {
                  int ox = ox0 + q;
                  if (ox < 0 || ox >= g.ow) continue;
                  const float* dp = dyrow + (long)ox * g.co;
                  for (int o = 0; o < g.co; o++) acc[q] += dp[o] * wt[o];
                }
              }
            }
          }
          float* xp = dx + (row * g.w) * g.ci;
          for (int q = 0; q < np; q++) storeLanes<V>(xp + (long)(ix0 + q * g.sw) * g.ci, acc[q], g.ci);
        }
      }
    }
  });
}

// dw[ky, kx, c, :co] = Σ_{b,oy,ox} x[b, oy·sh − padT + ky, ox·sw − padL + kx, c] · dy[b, oy, ox, :]
// Per-thread accumulators [tap][c] of co lanes; P output pixels folded per update.
template <class V>
static void directConv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  int taps = g.kh * g.kw;
  long rows = (long)g.n * g.oh;
  int T = (int)std::max<long>(1, std::min<long>(g_threads, rows / 4));
  std::vector<std::vector<V>> part(T, std::vector<V>((size_t)taps * g.ci));
  parallelFor(T, [&](int t) {
    V* acc = part[t].data();
    V d[P];
    for (long row = rows * t / T; row < rows * (t + 1) / T; row++) {
      int b = (int)(row / g.oh), oy = (int)(row % g.oh);
      for (int ox0 = 0; ox0 < g.ow; ox0 += P) {
        int np = std::min(P, g.ow - ox0);
        const float* dp = dy + (row * g.ow + ox0) * g.co;
        for (int q = 0; q < np; q++) d[q] = loadLanes<V>(dp + (long)q * g.co, g.co);
        for (int ky = 0; ky < g.kh; ky++) {
          int iy = oy * g.sh - g.padT + ky;
          if (iy < 0 || iy >= g.h) continue;
          const float* xrow = x + ((long)b * g.h + iy) * g.w * g.ci;
          for (int kx = 0; kx < g.kw; kx++) {
            V* at = acc + (size_t)(ky * g.kw + kx) * g.ci;
            int ix0 = ox0 * g.sw - g.padL + kx, ixl = (ox0 + np - 1) * g.sw - g.padL + kx;
            if (np == P && ix0 >= 0 && ixl < g.w) {
              for (int c = 0; c < g.ci; c++) {
                V s = {};
                for (int q = 0; q < P; q++) s += xrow[(long)(ix0 + q * g.sw) * g.ci + c] * d[q];
                at[c] += s;
              }
            } else {
              for (int q = 0; q < np; q++) {
                int ix = ix0 + q * g.sw;
                if (ix < 0 || ix >= g.w) continue;
                const float* xp = xrow + (long)ix * g.ci;
                for (int c = 0; c < g.ci; c++) at[c] += xp[c] * d[q];
              }
            }
          }
        }
      }
    }
  });
  for (int tc = 0; tc < taps * g.ci; tc++) {
    V s = part[0][tc];
    for (int t = 1; t < T; t++) s += part[t][tc];
    storeLanes<V>(dw + (size_t)tc * g.co, s, g.co);
  }
}

// Where the direct kernels win (measured with bench/train.ts on the light network):
// few output lanes and a small reduction per pixel.
static bool useDirect(int lanes, int depth) { return g_direct && lanes <= VL && depth <= 16; }

// Runs `kernel` with the narrowest vector type that holds `lanes` channels.
#define PRNET_DIRECT(kernel, lanes, ...)                                                  \
  do {                                                                                   \
    if ((lanes) <= 4) kernel<Lanes<4>::v>(__VA_ARGS__);                                  \
    else if ((lanes) <= 8 && VL >= 8) kernel<Lanes<(VL >= 8 ? 8 : 4)>::v>(__VA_ARGS__);  \
    else kernel<vf>(__VA_ARGS__);                                                        \
  } while (0)

static void conv2d(const ConvGeom& g, const float* x, const float* w, float* y) {
  if (!g.pointwise() && useDirect(g.co, g.ci)) { PRNET_DIRECT(directConv2d, g.co, g, x, w, y); return; }
  long M = g.pixelsOut(), K = g.K();
  int T = (int)std::max<long>(1, std::min<long>(g_threads, M / 64));
  View wv{w, g.co, 1};
  parallelFor(T, [&](int t) {
    long m0 = M * t / T, m1 = M * (t + 1) / T;
    Buf ba, bb, bc;
    if (g.pointwise()) {
      gemm(m1 - m0, g.co, K, View{x + m0 * K, K, 1}, wv, y + m0 * g.co, g.co, false, ba, bb);
      return;
    }
    int cr = chunkRows(K);
    float* col = bc.get((size_t)cr * K);
    for (long m = m0; m < m1; m += cr) {
      int rows = (int)std::min<long>(cr, m1 - m);
      im2col(g, x, m, rows, col);
      gemm(rows, g.co, K, View{col, K, 1}, wv, y + m * g.co, g.co, false, ba, bb);
    }
  });
}

// dx = col2im(dy · Wᵀ); images are split over threads so scatters never collide, and
// when there are fewer images than threads each thread scatters into a private image.
static void conv2dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  if (!g.pointwise() && useDirect(g.ci, g.co)) { PRNET_DIRECT(directConv2dBackpropInput, g.ci, g, dy, w, dx); return; }
  long M = g.pixelsOut(), K = g.K();
  long xSize = (long)g.n * g.h * g.w * g.ci;
  View wt{w, 1, g.co};  // B(k = out channel, j = patch index) = w[j * co + k]
  if (g.pointwise()) {
    int T = (int)std::max<long>(1, std::min<long>(g_threads, M / 64));
    parallelFor(T, [&](int t) {
      long m0 = M * t / T, m1 = M * (t + 1) / T;
      Buf ba, bb;
      gemm(m1 - m0, (int)K, g.co, View{dy + m0 * g.co, g.co, 1}, wt, dx + m0 * K, K, false, ba, bb);
    });
    return;
  }
  memset(dx, 0, sizeof(float) * xSize);
  long ohw = (long)g.oh * g.ow;
  int cr = chunkRows(K);
  if (g.n >= g_threads || g_threads == 1) {
    // Each thread owns a run of whole images; its chunks may span images (small maps
    // would otherwise repack the filter for every few rows). Every dx element still sums
    // its rows in increasing order, so the result does not depend on the split.
    int T = std::min(g_threads, g.n);
    parallelFor(T, [&](int t) {
      Buf ba, bb, bc;
      float* col = bc.get((size_t)cr * K);
      long m0 = (long)g.n * t / T * ohw, m1 = (long)g.n * (t + 1) / T * ohw;
      for (long m = m0; m < m1; m += cr) {
        int rows = (int)std::min<long>(cr, m1 - m);
        gemm(rows, (int)K, g.co, View{dy + m * g.co, g.co, 1}, wt, col, K, false, ba, bb);
        col2im(g, col, m, rows, dx);
      }
    });
    return;
  }
  int T = g_threads;
  std::vector<float*> priv(T, nullptr);
  parallelFor(T, [&](int t) {
    float* target = dx;
    if (t > 0) { priv[t] = alignedAlloc(xSize); memset(priv[t], 0, sizeof(float) * xSize); target = priv[t]; }
    long m0 = M * t / T, m1 = M * (t + 1) / T;
    Buf ba, bb, bc;
    float* col = bc.get((size_t)cr * K);
    for (long m = m0; m < m1; m += cr) {
      int rows = (int)std::min<long>(cr, m1 - m);
      gemm(rows, (int)K, g.co, View{dy + m * g.co, g.co, 1}, wt, col, K, false, ba, bb);
      col2im(g, col, m, rows, target);
    }
  });
  for (int t = 1; t < T; t++) {
    for (long i = 0; i < xSize; i++) dx[i] += priv[t][i];
    free(priv[t]);
  }
}

// dW[K × co] = Σ_pixels colᵀ · dy; pixel ranges split over threads, partial sums added.
static void conv2dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  if (!g.pointwise() && useDirect(g.co, g.ci)) { PRNET_DIRECT(directConv2dBackpropFilter, g.co, g, x, dy, dw); return; }
  long M = g.pixelsOut(), K = g.K();
  int T = (int)std::max<long>(1, std::min<long>(g_threads, M / 256));
  std::vector<float*> part(T, nullptr);
  parallelFor(T, [&](int t) {
    float* target = t == 0 ? dw : (part[t] = alignedAlloc((size_t)K * g.co));
    long m0 = M * t / T, m1 = M * (t + 1) / T;
    Buf ba, bb, bc;
    if (g.pointwise()) {
      gemm(K, g.co, m1 - m0, View{x + m0 * K, 1, K}, View{dy + m0 * g.co, g.co, 1}, target, g.co, false, ba, bb);
      return;
    }
    int cr = chunkRows(K);
    float* col = bc.get((size_t)cr * K);
    bool first = true;
    for (long m = m0; m < m1; m += cr) {
      int rows = (int)std::min<long>(cr, m1 - m);
      im2col(g, x, m, rows, col);
      gemm(K, g.co, rows, View{col, 1, K}, View{dy + m * g.co, g.co, 1}, target, g.co, !first, ba, bb);
      first = false;
    }
    if (first) memset(target, 0, sizeof(float) * K * g.co);
  });
  for (int t = 1; t < T; t++) {
    for (long i = 0; i < K * g.co; i++) dw[i] += part[t][i];
    free(part[t]);
  }
}

// ---- Element-wise kernels (memory-bound; 2 threads and SIMD help ~2×) -------------

static int partsFor(long n) { return (int)std::max<long>(1, std::min<long>(g_threads, n / 65536)); }

// mode 0: same shape; 1: b is a row of c values repeated over a; 2: a is the row, b full.
static void binaryOp(int op, const float* a, const float* b, float* o, long n, int mode, long c) {
  int T = partsFor(n);
  parallelFor(T, [&](int t) {
    long r0 = n / c * t / T * c, r1 = n / c * (t + 1) / T * c;  // split on row boundaries
    if (mode == 0) { r0 = n * t / T; r1 = n * (t + 1) / T; }
    for (long i = r0; i < r1;) {
      if (mode == 0) {
        long e = r1;
        switch (op) {
          case 0: for (; i < e; i++) o[i] = a[i] + b[i]; break;
          case 1: for (; i < e; i++) o[i] = a[i] - b[i]; break;
          case 2: for (; i < e; i++) o[i] = a[i] * b[i]; break;
          default: for (; i < e; i++) o[i] = a[i] / b[i]; break;
        }
      } else {
        const float* full = mode == 1 ? a : b;
        const float* row = mode == 1 ? b : a;
        float* oo = o + i;
        const float* f = full + i;
        if (mode == 1) {
          switch (op) {
            case 0: for (long j = 0; j < c; j++) oo[j] = f[j] + row[j]; break;
            case 1: for (long j = 0; j < c; j++) oo[j] = f[j] - row[j]; break;
            case 2: for (long j = 0; j < c; j++) oo[j] = f[j] * row[j]; break;
            default: for (long j = 0; j < c; j++) oo[j] = f[j] / row[j]; break;
          }
        } else {
          switch (op) {
            case 0: for (long j = 0; j < c; j++) oo[j] = row[j] + f[j]; break;
            case 1: for (long j = 0; j < c; j++) oo[j] = row[j] - f[j]; break;
            case 2: for (long j = 0; j < c; j++) oo[j] = row[j] * f[j]; break;
            default: for (long j = 0; j < c; j++) oo[j] = row[j] / f[j]; break;
          }
        }
        i += c;
      }
    }
  });
}

// Scalar broadcast (c == 1 rows) is common enough to get its own loop.
static void scalarOp(int op, const float* full, float s, float* o, long n, bool scalarFirst) {
  int T = partsFor(n);
  parallelFor(T, [&](int t) {
    long i0 = n * t / T, i1 = n * (t + 1) / T;
    if (!scalarFirst) {
      switch (op) {
        case 0: for (long i = i0; i < i1; i++) o[i] = full[i] + s; break;
        case 1: for (long i = i0; i < i1; i++) o[i] = full[i] - s; break;
        case 2: for (long i = i0; i < i1; i++) o[i] = full[i] * s; break;
        default: for (long i = i0; i < i1; i++) o[i] = full[i] / s; break;
      }
    } else {
      switch (op) {
        case 0: for (long i = i0; i < i1; i++) o[i] = s + full[i]; break;
        case 1: for (long i = i0; i < i1; i++) o[i] = s - full[i]; break;
        case 2: for (long i = i0; i < i1; i++) o[i] = s * full[i]; break;
        default: for (long i = i0; i < i1; i++) o[i] = s / full[i]; break;
      }
    }
  });
}

// out[j] = Σ_r x[r·c + j] (double accumulation, fixed split → deterministic).
static void sumRows(const float* x, long rows, long c, double* out) {
  int T = partsFor(rows * c);
  std::vector<std::vector<double>> part(T, std::vector<double>(c, 0.0));
  parallelFor(T, [&](int t) {
    long r0 = rows * t / T, r1 = rows * (t + 1) / T;
    double* acc = part[t].data();
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * c;
      for (long j = 0; j < c; j++) acc[j] += xr[j];
    }
  });
  for (long j = 0; j < c; j++) { double s = 0; for (int t = 0; t < T; t++) s += part[t][j]; out[j] = s; }
}

// op 0 relu, 1 step(alpha), 2 square; NaN propagates as in tfjs.
static void unaryOp(int op, const float* x, float* o, long n, float alpha) {
  int T = partsFor(n);
  parallelFor(T, [&](int t) {
    long i0 = n * t / T, i1 = n * (t + 1) / T;
    switch (op) {
      case 0: for (long i = i0; i < i1; i++) { float v = x[i]; o[i] = v <= 0.f ? 0.f : v; } break;
      case 1: for (long i = i0; i < i1; i++) { float v = x[i]; float s = v > 0.f ? 1.f : alpha; o[i] = v != v ? v : s; } break;
      default: for (long i = i0; i < i1; i++) { float v = x[i]; o[i] = v * v; } break;
    }
  });
}


// ---- Training-mode batch norm (+ ReLU), fused -------------------------------------
// x is [rows, c] (NHWC flattened). The composition of tfjs primitives that these
// replace costs ~20 full passes over the activations per layer; this is 3 forward
// (statistics, then output) and 2 backward. Per-thread double accumulators over a
// fixed row split keep the results deterministic.

// Loops run over "wide rows" of r = ⌈64/c⌉ consecutive rows (W = r·c values) against
// per-channel vectors tiled r times, so that they vectorise for 3 or 8 channels too.
static inline long wideRows(long c) { return std::max<long>(1, (64 + c - 1) / c); }
static std::vector<float> tiled(long c, long W, const std::function<float(long)>& at) {
  std::vector<float> v(W);
  for (long i = 0; i < W; i++) v[i] = at(i % c);
  return v;
}

// stats[0..c) = mean, stats[c..2c) = biased variance. Shifted sums (shift = row 0)
// keep the one-pass variance exact enough in double.
static void bnStats(const float* x, long rows, long c, double* stats) {
  long r = wideRows(c), W = r * c;
  int T = partsFor(rows * c);
  std::vector<std::vector<double>> part(T, std::vector<double>(2 * W, 0.0));
  std::vector<float> shift = tiled(c, W, [&](long j) { return x[j]; });
  parallelFor(T, [&](int t) {
    long r0 = rows * t / T, r1 = rows * (t + 1) / T;
    double* s1 = part[t].data();
    double* s2 = s1 + W;
    const float* sh = shift.data();
    long q = r0;
    for (; q + r <= r1; q += r) {
      const float* xr = x + q * c;
      for (long i = 0; i < W; i++) { double d = (double)xr[i] - (double)sh[i]; s1[i] += d; s2[i] += d * d; }
    }
    for (; q < r1; q++) {
      const float* xr = x + q * c;
      for (long j = 0; j < c; j++) { double d = (double)xr[j] - (double)sh[j]; s1[j] += d; s2[j] += d * d; }
    }
  });
  for (long j = 0; j < c; j++) {
    double s1 = 0, s2 = 0;
    for (int t = 0; t < T; t++) for (long k = 0; k < r; k++) { s1 += part[t][k * c + j]; s2 += part[t][W + k * c + j]; }
    double m = s1 / rows;
    stats[j] = (double)x[j] + m;
    stats[c + j] = std::max(0.0, s2 / rows - m * m);
  }
}

static void bnForward(const float* x, const float* gamma, const float* beta, float* y, long rows, long c,
                      double eps, bool relu, double* stats) {
  bnStats(x, rows, c, stats);
  long r = wideRows(c), W = r * c;
  // y = (x − mean)·scale + beta: subtracting first keeps large common offsets exact.
  std::vector<float> scale = tiled(c, W, [&](long j) { return (float)((double)gamma[j] / std::sqrt(stats[c + j] + eps)); });
  std::vector<float> mean = tiled(c, W, [&](long j) { return (float)stats[j]; });
  std::vector<float> bias = tiled(c, W, [&](long j) { return beta[j]; });
  int T = partsFor(rows * c);
  parallelFor(T, [&](int t) {
    long r0 = rows * t / T, r1 = rows * (t + 1) / T;
    const float *sc = scale.data(), *mu = mean.data(), *be = bias.data();
    for (long q = r0; q < r1;) {
      long n = q + r <= r1 ? W : c;  // a wide row, or one row at the tail
      const float* xr = x + q * c;
      float* yr = y + q * c;
      if (relu) for (long i = 0; i < n; i++) { float v = (xr[i] - mu[i]) * sc[i] + be[i]; yr[i] = v > 0.f ? v : 0.f; }
      else for (long i = 0; i < n; i++) yr[i] = (xr[i] - mu[i]) * sc[i] + be[i];
      q += n / c;
    }
  });
}

// g = relu ? dy·[y > 0] : dy; x̂ = (x − mean)·invstd;
// dbeta = Σg, dgamma = Σg·x̂, dx = gamma·invstd·(g − dbeta/N − x̂·dgamma/N).
static void bnBackward(const float* dy, const float* x, const float* y, const float* gamma, const double* stats,
                       float* dx, double* dparams, long rows, long c, double eps, bool relu) {
  long r = wideRows(c), W = r * c;
  int T = partsFor(rows * c);
  std::vector<std::vector<double>> part(T, std::vector<double>(2 * W, 0.0));
  std::vector<float> mean = tiled(c, W, [&](long j) { return (float)stats[j]; });
  parallelFor(T, [&](int t) {
    long r0 = rows * t / T, r1 = rows * (t + 1) / T;
    double* sg = part[t].data();
    double* sgx = sg + W;
    const float* mu = mean.data();
    // float partial sums over blocks of rows, flushed to double: vectorises, stays accurate.
    std::vector<float> bg(W), bgx(W);
    float* a = bg.data();
    float* b = bgx.data();
    const long BLOCK = 64;
    for (long rb = r0; rb < r1;) {
      std::fill(bg.begin(), bg.end(), 0.f); std::fill(bgx.begin(), bgx.end(), 0.f);
      for (long k = 0; k < BLOCK && rb < r1; k++) {
        long n = rb + r <= r1 ? W : c;
        const float* dyr = dy + rb * c;
        const float* xr = x + rb * c;
        const float* yr = y + rb * c;
        if (relu) for (long i = 0; i < n; i++) { float g = yr[i] > 0.f ? dyr[i] : 0.f; a[i] += g; b[i] += g * (xr[i] - mu[i]); }
        else for (long i = 0; i < n; i++) { float g = dyr[i]; a[i] += g; b[i] += g * (xr[i] - mu[i]); }
        rb += n / c;
      }
      for (long i = 0; i < W; i++) { sg[i] += a[i]; sgx[i] += b[i]; }
    }
  });
  std::vector<double> k1(c), k2(c), k3(c);
  for (long j = 0; j < c; j++) {
    double sg = 0, sgx = 0;
    for (int t = 0; t < T; t++) for (long k = 0; k < r; k++) { sg += part[t][k * c + j]; sgx += part[t][W + k * c + j]; }
    double invstd = 1.0 / std::sqrt(stats[c + j] + eps);
    double dgamma = sgx * invstd;  // Σ g·x̂
    dparams[j] = dgamma;
    dparams[c + j] = sg;
    // dx = k1·g − k2 − k3·(x − mean)
    k1[j] = (double)gamma[j] * invstd;
    k2[j] = k1[j] * sg / rows;
    k3[j] = k1[j] * dgamma * invstd / rows;
  }
  std::vector<float> c1 = tiled(c, W, [&](long j) { return (float)k1[j]; });
  std::vector<float> c2 = tiled(c, W, [&](long j) { return (float)k2[j]; });
  std::vector<float> c3 = tiled(c, W, [&](long j) { return (float)k3[j]; });
  parallelFor(T, [&](int t) {
    long r0 = rows * t / T, r1 = rows * (t + 1) / T;
    const float *mu = mean.data(), *a = c1.data(), *b = c2.data(), *d = c3.data();
    for (long q = r0; q < r1;) {
      long n = q + r <= r1 ? W : c;
      const float* dyr = dy + q * c;
      const float* xr = x + q * c;
      const float* yr = y + q * c;
      float* o = dx + q * c;
      if (relu) for (long i = 0; i < n; i++) { float g = yr[i] > 0.f ? dyr[i] : 0.f; o[i] = a[i] * g - b[i] - d[i] * (xr[i] - mu[i]); }
      else for (long i = 0; i < n; i++) o[i] = a[i] * dyr[i] - b[i] - d[i] * (xr[i] - mu[i]);
      q += n / c;
    }
  });
}

// ---- N-API glue -------------------------------------------------------------------

// A typed array argument of the expected element type (else a TypeError, false).
template <class T>
static bool getTyped(napi_env env, napi_value v, napi_typedarray_type want, const char* what, T** data, size_t* len) {
  napi_typedarray_type type;
  void* raw;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, &raw, &ab, &off) != napi_ok || type != want) {
    char msg[96];
    snprintf(msg, sizeof msg, "prnet native kernels: expected a %s", what);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  *data = static_cast<T*>(raw);
  return true;
}

static bool getF32(napi_env env, napi_value v, float** data, size_t* len) {
  return getTyped(env, v, napi_float32_array, "Float32Array", data, len);
}

static bool getF64(napi_env env, napi_value v, double** data, size_t* len) {
  return getTyped(env, v, napi_float64_array, "Float64Array", data, len);
}

// args: (a, b, out, geom Int32Array-like array of 13 ints)
static bool parseArgs(napi_env env, napi_callback_info info, float** a, size_t* la, float** b, size_t* lb,
                      float** out, size_t* lo, ConvGeom* g) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 4) { napi_throw_error(env, nullptr, "prnet native conv: expected 4 arguments"); return false; }
  if (!getF32(env, argv[0], a, la) || !getF32(env, argv[1], b, lb) || !getF32(env, argv[2], out, lo)) return false;
  int vals[13];
  for (int i = 0; i < 13; i++) {
    napi_value e;
    if (napi_get_element(env, argv[3], i, &e) != napi_ok || napi_get_value_int32(env, e, &vals[i]) != napi_ok) {
      napi_throw_type_error(env, nullptr, "prnet native conv: bad geometry array");
      return false;
    }
  }
  *g = ConvGeom{vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8], vals[9], vals[10], vals[11], vals[12]};
  return true;
}

static napi_value checkSizes(napi_env env, size_t got, long want, const char* what) {
  if ((long)got != want) {
    char msg[160];
    snprintf(msg, sizeof msg, "prnet native conv: %s has %zu floats, expected %ld", what, got, want);
    napi_throw_range_error(env, nullptr, msg);
  }
  return nullptr;
}

#define SIZE_CHECK(got, want, what)                  \
  do {                                               \
    if ((long)(got) != (long)(want)) {               \
      checkSizes(env, got, want, what);              \
      return nullptr;                                \
    }                                                \
  } while (0)

static napi_value Conv2D(napi_env env, napi_callback_info info) {
  float *x, *w, *y; size_t lx, lw, ly; ConvGeom g;
  if (!parseArgs(env, info, &x, &lx, &w, &lw, &y, &ly, &g)) return nullptr;
  SIZE_CHECK(lx, (long)g.n * g.h * g.w * g.ci, "x");
  SIZE_CHECK(lw, g.K() * g.co, "filter");
  SIZE_CHECK(ly, g.pixelsOut() * g.co, "y");
  conv2d(g, x, w, y);
  return nullptr;
}

static napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  float *dy, *w, *dx; size_t ldy, lw, ldx; ConvGeom g;
  if (!parseArgs(env, info, &dy, &ldy, &w, &lw, &dx, &ldx, &g)) return nullptr;
  SIZE_CHECK(ldy, g.pixelsOut() * g.co, "dy");
  SIZE_CHECK(lw, g.K() * g.co, "filter");
  SIZE_CHECK(ldx, (long)g.n * g.h * g.w * g.ci, "dx");
  conv2dBackpropInput(g, dy, w, dx);
  return nullptr;
}

static napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  float *x, *dy, *dw; size_t lx, ldy, ldw; ConvGeom g;
  if (!parseArgs(env, info, &x, &lx, &dy, &ldy, &dw, &ldw, &g)) return nullptr;
  SIZE_CHECK(lx, (long)g.n * g.h * g.w * g.ci, "x");
  SIZE_CHECK(ldy, g.pixelsOut() * g.co, "dy");
  SIZE_CHECK(ldw, g.K() * g.co, "dfilter");
  conv2dBackpropFilter(g, x, dy, dw);
  return nullptr;
}

// gemm(a, b, c, m, n, k): plain row-major C = A·B, for benchmarking the micro-kernel.
static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 6; napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *a, *b, *c; size_t la, lb, lc; int32_t m, n, k;
  if (!getF32(env, argv[0], &a, &la) || !getF32(env, argv[1], &b, &lb) || !getF32(env, argv[2], &c, &lc)) return nullptr;
  napi_get_value_int32(env, argv[3], &m); napi_get_value_int32(env, argv[4], &n); napi_get_value_int32(env, argv[5], &k);
  SIZE_CHECK(la, (long)m * k, "a"); SIZE_CHECK(lb, (long)k * n, "b"); SIZE_CHECK(lc, (long)m * n, "c");
  int T = std::max(1, std::min(g_threads, m / 64));
  parallelFor(T, [&](int t) {
    long m0 = (long)m * t / T, m1 = (long)m * (t + 1) / T;
    Buf ba, bb;
    gemm(m1 - m0, n, k, View{a + m0 * k, k, 1}, View{b, n, 1}, c + m0 * n, n, false, ba, bb);
  });
  return nullptr;
}


static bool getInt(napi_env env, napi_value v, int64_t* out) { return napi_get_value_int64(env, v, out) == napi_ok; }

// binary(op, a, b, out, mode, c)
static napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 6; napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *a, *b, *o; size_t la, lb, lo; int64_t op, mode, c;
  if (argc < 6 || !getF32(env, argv[1], &a, &la) || !getF32(env, argv[2], &b, &lb) || !getF32(env, argv[3], &o, &lo)) return nullptr;
  getInt(env, argv[0], &op); getInt(env, argv[4], &mode); getInt(env, argv[5], &c);
  long n = (long)lo;
  if (mode == 0) { SIZE_CHECK(la, n, "a"); SIZE_CHECK(lb, n, "b"); binaryOp((int)op, a, b, o, n, 0, 1); }
  else if (c == 1) { if (mode == 1) { SIZE_CHECK(la, n, "a"); scalarOp((int)op, a, b[0], o, n, false); } else { SIZE_CHECK(lb, n, "b"); scalarOp((int)op, b, a[0], o, n, true); } }
  else {
    if (c <= 0 || n % c != 0) { napi_throw_range_error(env, nullptr, "prnet native binary: bad row length"); return nullptr; }
    if (mode == 1) { SIZE_CHECK(la, n, "a"); SIZE_CHECK(lb, c, "b"); } else { SIZE_CHECK(lb, n, "b"); SIZE_CHECK(la, c, "a"); }
    binaryOp((int)op, a, b, o, n, (int)mode, c);
  }
  return nullptr;
}

// sumRows(x, out Float64Array, rows, c)
static napi_value SumRows(napi_env env, napi_callback_info info) {
  size_t argc = 4; napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float* x; size_t lx; int64_t rows, c;
  if (argc < 4 || !getF32(env, argv[0], &x, &lx)) return nullptr;
  double* out; size_t lo;
  if (!getF64(env, argv[1], &out, &lo)) return nullptr;
  getInt(env, argv[2], &rows); getInt(env, argv[3], &c);
  SIZE_CHECK(lx, rows * c, "x"); SIZE_CHECK(lo, c, "out");
  sumRows(x, rows, c, out);
  return nullptr;
}

// unary(op, x, out, alpha)
static napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 4; napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *o; size_t lx, lo; int64_t op; double alpha = 0;
  if (argc < 4 || !getF32(env, argv[1], &x, &lx) || !getF32(env, argv[2], &o, &lo)) return nullptr;
  getInt(env, argv[0], &op); napi_get_value_double(env, argv[3], &alpha);
  SIZE_CHECK(lx, (long)lo, "x");
  unaryOp((int)op, x, o, (long)lo, (float)alpha);
  return nullptr;
}


// batchNormForward(x, gamma, beta, y, stats Float64Array(2c), eps, relu)
static napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  size_t argc = 7; napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x, *gamma, *beta, *y; double* stats; size_t lx, lg, lb, ly, ls; double eps = 0; bool relu = false;
  if (argc < 7 || !getF32(env, argv[0], &x, &lx) || !getF32(env, argv[1], &gamma, &lg) || !getF32(env, argv[2], &beta, &lb)
      || !getF32(env, argv[3], &y, &ly) || !getF64(env, argv[4], &stats, &ls)) return nullptr;
  napi_get_value_double(env, argv[5], &eps); napi_get_value_bool(env, argv[6], &relu);
  long c = (long)lg;
  if (c <= 0 || lx % c != 0 || lx == 0) { napi_throw_range_error(env, nullptr, "prnet native batch norm: x is not [rows, c]"); return nullptr; }
  SIZE_CHECK(lb, c, "beta"); SIZE_CHECK(ly, (long)lx, "y"); SIZE_CHECK(ls, 2 * c, "stats");
  bnForward(x, gamma, beta, y, (long)lx / c, c, eps, relu, stats);
  return nullptr;
}

// batchNormBackward(dy, x, y, gamma, stats Float64Array(2c), dx, dparams Float64Array(2c), eps, relu)
static napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  size_t argc = 9; napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *dy, *x, *y, *gamma, *dx; double *stats, *dparams; size_t ldy, lx, ly, lg, ldx, ls, lp; double eps = 0; bool relu = false;
  if (argc < 9 || !getF32(env, argv[0], &dy, &ldy) || !getF32(env, argv[1], &x, &lx) || !getF32(env, argv[2], &y, &ly)
      || !getF32(env, argv[3], &gamma, &lg) || !getF64(env, argv[4], &stats, &ls) || !getF32(env, argv[5], &dx, &ldx)
      || !getF64(env, argv[6], &dparams, &lp)) return nullptr;
  napi_get_value_double(env, argv[7], &eps); napi_get_value_bool(env, argv[8], &relu);
  long c = (long)lg;
  if (c <= 0 || lx % c != 0 || lx == 0) { napi_throw_range_error(env, nullptr, "prnet native batch norm: x is not [rows, c]"); return nullptr; }
  SIZE_CHECK(ldy, (long)lx, "dy"); SIZE_CHECK(ly, (long)lx, "y"); SIZE_CHECK(ldx, (long)lx, "dx");
  SIZE_CHECK(ls, 2 * c, "stats"); SIZE_CHECK(lp, 2 * c, "dparams");
  bnBackward(dy, x, y, gamma, stats, dx, dparams, (long)lx / c, c, eps, relu);
  return nullptr;
}

// The first argument as an int32 (`fallback` when absent), and an int32 result.
static int32_t intArg(napi_env env, napi_callback_info info, int32_t fallback) {
  size_t argc = 1; napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t v = fallback;
  if (argc >= 1) napi_get_value_int32(env, argv[0], &v);
  return v;
}

static napi_value intResult(napi_env env, int32_t v) {
  napi_value r; napi_create_int32(env, v, &r);
  return r;
}

// setDirect(mode): 1 = direct small-channel kernels where they apply, 0 = GEMM only.
static napi_value SetDirect(napi_env env, napi_callback_info info) {
  g_direct = intArg(env, info, 1) ? 1 : 0;
  return intResult(env, g_direct);
}

// setPrecision(mode): 0 = fp32 convolutions; 1 = bf16 operands with fp32 accumulation
// in the GEMM paths (only where the CPU has AVX512_BF16). Returns the mode in effect.
static napi_value SetPrecision(napi_env env, napi_callback_info info) {
  int32_t mode = intArg(env, info, 0);
  g_prec = mode == 1 && cpuHasBf16() ? 1 : 0;
  return intResult(env, g_prec);
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  int32_t t = intArg(env, info, 0);
  if (t <= 0) t = (int)std::max(1u, std::thread::hardware_concurrency());
  g_threads = std::min(t, 64);
  return intResult(env, g_threads);
}

static napi_value Init(napi_env env, napi_value exports) {
  g_threads = (int)std::max(1u, std::thread::hardware_concurrency());
  napi_property_descriptor props[] = {
    {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"setDirect", nullptr, SetDirect, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"setPrecision", nullptr, SetPrecision, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value simd; napi_create_int32(env, VL, &simd);
  napi_set_named_property(env, exports, "simdWidth", simd);
  napi_value bf16; napi_get_boolean(env, cpuHasBf16(), &bf16);
  napi_set_named_property(env, exports, "bf16Supported", bf16);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
