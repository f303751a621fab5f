;; The two passes of BlazeFace's letterbox resampling (blazeFaceDetector.ts) with 128-bit
;; SIMD: each pixel's R, G, B (and a fourth, unused lane) are one f32x4, so a tap is one
;; load, one widening and one multiply-add for all three channels.
;; `npm run build:wasm` assembles this file into letterboxWasm.ts; a test checks they agree.
(module
  (memory (export "memory") 1)

  ;; Horizontal pass: for each of the h source rows and each of the n output columns, the sum
  ;; of `taps` weighted source pixels. Column o's taps are at byte offsets xoff[o·taps + t]
  ;; from the row start, with weights xw[o·taps + t] (unused taps: weight 0). Writes rows
  ;; as f32x4 per (row, column). The source needs 4 readable bytes past its last pixel.
  (func (export "horizontal")
    (param $src i32) (param $w i32) (param $h i32) (param $n i32) (param $taps i32)
    (param $xoff i32) (param $xw i32) (param $rows i32)
    (local $y i32) (local $o i32) (local $t i32) (local $row i32) (local $k i32)
    (local $acc v128) (local $dst i32)
    (local.set $dst (local.get $rows))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $y) (i32.mul (local.get $w) (i32.const 3)))))
        (local.set $o (i32.const 0))
        (local.set $k (i32.const 0))
        (block $colsDone
          (loop $eachCol
            (br_if $colsDone (i32.ge_u (local.get $o) (local.get $n)))
            (local.set $acc (f32x4.splat (f32.const 0)))
            (local.set $t (i32.const 0))
            (block $tapsDone
              (loop $eachTap
                (br_if $tapsDone (i32.ge_u (local.get $t) (local.get $taps)))
                (local.set $acc
                  (f32x4.add (local.get $acc)
                    (f32x4.mul
                      (f32x4.convert_i32x4_u
                        (i32x4.extend_low_i16x8_u
                          (i16x8.extend_low_i8x16_u
                            (v128.load32_zero
                              (i32.add (local.get $row)
                                (i32.load (i32.add (local.get $xoff) (i32.shl (local.get $k) (i32.const 2)))))))))
                      (f32x4.splat (f32.load (i32.add (local.get $xw) (i32.shl (local.get $k) (i32.const 2))))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $eachTap)))
            (v128.store (local.get $dst) (local.get $acc))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $eachCol)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $eachRow))))

;; `horizontal` with exactly 4 taps per column, unrolled (the usual case, down to a scale of
  ;; about 1/3; fewer taps are padded with weight 0): no tap loop, 1.6× faster.
  (func (export "horizontal4")
    (param $src i32) (param $w i32) (param $h i32) (param $n i32)
    (param $xoff i32) (param $xw i32) (param $rows i32)
    (local $y i32) (local $row i32) (local $k i32) (local $kEnd i32) (local $wdelta i32) (local $dst i32)
    (local.set $dst (local.get $rows))
    (local.set $wdelta (i32.sub (local.get $xw) (local.get $xoff)))
    (local.set $kEnd (i32.add (local.get $xoff) (i32.shl (local.get $n) (i32.const 4))))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $y) (i32.mul (local.get $w) (i32.const 3)))))
        (local.set $k (local.get $xoff))
        (block $colsDone
          (loop $eachCol
            (br_if $colsDone (i32.ge_u (local.get $k) (local.get $kEnd)))
            (v128.store (local.get $dst)
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                  (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
                    (v128.load32_zero (i32.add (local.get $row) (i32.load offset=0 (local.get $k)))))))
                  (f32x4.splat (f32.load offset=0 (i32.add (local.get $k) (local.get $wdelta)))))
                  (f32x4.mul
                  (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
                    (v128.load32_zero (i32.add (local.get $row) (i32.load offset=4 (local.get $k)))))))
                  (f32x4.splat (f32.load offset=4 (i32.add (local.get $k) (local.get $wdelta))))))
                (f32x4.add
                  (f32x4.mul
                  (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
                    (v128.load32_zero (i32.add (local.get $row) (i32.load offset=8 (local.get $k)))))))
                  (f32x4.splat (f32.load offset=8 (i32.add (local.get $k) (local.get $wdelta)))))
                  (f32x4.mul
                  (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
                    (v128.load32_zero (i32.add (local.get $row) (i32.load offset=12 (local.get $k)))))))
                  (f32x4.splat (f32.load offset=12 (i32.add (local.get $k) (local.get $wdelta))))))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $eachCol)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $eachRow))))

  ;; Vertical pass: output row oy is −1 plus the sum of rows yfirst[oy] … + ycount[oy] − 1 of
  ;; the horizontal pass, weighted by yw[oy·ystride + t] (the [0, 255] → [−1, 1] scale folded
  ;; in). Channel c of output pixel (oy, ox) goes to byte out + oy·rowStep + ox·stepX + c·stepC.
  (func (export "vertical")
    (param $rows i32) (param $n i32) (param $yfirst i32) (param $ycount i32) (param $ystride i32)
    (param $yw i32) (param $out i32) (param $rowStep i32) (param $stepX i32) (param $stepC i32)
    (local $oy i32) (local $ox i32) (local $t i32) (local $c i32) (local $src i32)
    (local $acc v128) (local $p i32) (local $wbase i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 4)))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $n)))
        (local.set $c (i32.load (i32.add (local.get $ycount) (i32.shl (local.get $oy) (i32.const 2)))))
        (local.set $src (i32.add (local.get $rows)
          (i32.mul (i32.load (i32.add (local.get $yfirst) (i32.shl (local.get $oy) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $wbase (i32.add (local.get $yw) (i32.shl (i32.mul (local.get $oy) (local.get $ystride)) (i32.const 2))))
        (local.set $p (i32.add (local.get $out) (i32.mul (local.get $oy) (local.get $rowStep))))
        (local.set $ox (i32.const 0))
        (block $colsDone
          (loop $eachCol
            (br_if $colsDone (i32.ge_u (local.get $ox) (local.get $n)))
            (local.set $acc (f32x4.splat (f32.const -1)))
            (local.set $t (i32.const 0))
            (block $tapsDone
              (loop $eachTap
                (br_if $tapsDone (i32.ge_u (local.get $t) (local.get $c)))
                (local.set $acc
                  (f32x4.add (local.get $acc)
                    (f32x4.mul
                      (v128.load (i32.add (local.get $src)
                        (i32.add (i32.mul (local.get $t) (local.get $rowBytes)) (i32.shl (local.get $ox) (i32.const 4)))))
                      (f32x4.splat (f32.load (i32.add (local.get $wbase) (i32.shl (local.get $t) (i32.const 2))))))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $eachTap)))
            (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $acc)))
            (f32.store (i32.add (local.get $p) (local.get $stepC)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.store (i32.add (local.get $p) (i32.shl (local.get $stepC) (i32.const 1))) (f32x4.extract_lane 2 (local.get $acc)))
            (local.set $p (i32.add (local.get $p) (local.get $stepX)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $eachCol)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $eachRow))))
)
