;; Single-precision GEMM, im2col and its adjoint, column sums, the max-pool gradient and the Adam
;; step: the training kernels of the wasm backend.
;;
;; The module imports the wasm backend's own memory, so it reads and writes tfjs tensors where they
;; live (pointers are the backend's byte offsets) and nothing is copied in or out.
;; Assemble with `npx tsx src/train/wasm/build.ts` (wabt), which also derives the fused
;; multiply-add variant (relaxed SIMD) and embeds both binaries in gemm-binary.ts.
;;
;; C = act(A·B + bias) is computed in 4×8 tiles, each held in eight 4-lane accumulators, with A
;; read where it is (through strides) and B in 8-column strips, packed first (pack_b) unless it is
;; row-major with short rows. See `gemm` for the blocking.
(module
  (import "env" "memory" (memory 1))

  ;; C (+)= A·B for `count` 4×8 tiles, each then + bias and ReLU when asked; after each tile A, B, C
  ;; and the bias pointer move on by astep, bstep, cstep and biasstep bytes (down a strip: 4 rows of A
  ;; and C; along a row of tiles: the next strip of B, 8 columns of C and of the bias).
  ;; Row i of A starts at a + min(i, rows − 1)·sar and steps by sak bytes per k, so Aᵀ read in place
  ;; (sar 4, sak 4·M) and row-major A (sar 4·K, sak 4) take the same path; with rows < 4 (one ragged
  ;; tile) the missing rows repeat the last one and their results are the caller's to drop. B holds
  ;; the strip's 8 columns, one k row every bstride
  ;; bytes. Each tile keeps its 4×8 block of C in eight accumulators (with the two B vectors, the
  ;; broadcast A element and the temporary of the multiply-add, 12 xmm registers: more accumulators
  ;; spill in V8). `load` = 1 adds to what C holds, 0 overwrites it; bias (≠ 0) points at 8 floats
  ;; added to every row before the store, relu = 1 then clamps at 0 with f32x4.pmax (a NaN stays NaN).
  (func $tiles (param $a i32) (param $sar i32) (param $sak i32) (param $rows i32) (param $count i32) (param $astep i32)
        (param $bp i32) (param $bstride i32) (param $bstep i32) (param $kc i32)
        (param $c i32) (param $ldc i32) (param $cstep i32) (param $load i32) (param $bias i32) (param $biasstep i32) (param $relu i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $v v128) (local $end i32) (local $bk i32) (local $cc i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (block $done (loop $tile
      (br_if $done (i32.eqz (local.get $count)))
      (local.set $a0 (local.get $a))
      (local.set $a1 (select (i32.add (local.get $a0) (local.get $sar)) (local.get $a0) (i32.gt_u (local.get $rows) (i32.const 1))))
      (local.set $a2 (select (i32.add (local.get $a1) (local.get $sar)) (local.get $a1) (i32.gt_u (local.get $rows) (i32.const 2))))
      (local.set $a3 (select (i32.add (local.get $a2) (local.get $sar)) (local.get $a2) (i32.gt_u (local.get $rows) (i32.const 3))))
      (if (local.get $load)
        (then
          (local.set $cc (local.get $c))
          (local.set $c00 (v128.load (local.get $cc)))
          (local.set $c01 (v128.load offset=16 (local.get $cc)))
          (local.set $cc (i32.add (local.get $c) (local.get $ldc)))
          (local.set $c10 (v128.load (local.get $cc)))
          (local.set $c11 (v128.load offset=16 (local.get $cc)))
          (local.set $cc (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))
          (local.set $c20 (v128.load (local.get $cc)))
          (local.set $c21 (v128.load offset=16 (local.get $cc)))
          (local.set $cc (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))
          (local.set $c30 (v128.load (local.get $cc)))
          (local.set $c31 (v128.load offset=16 (local.get $cc))))
        (else
          (local.set $c00 (v128.const i32x4 0 0 0 0))
          (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0))
          (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0))
          (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0))
          (local.set $c31 (v128.const i32x4 0 0 0 0))))
      (local.set $bk (local.get $bp))
      (local.set $end (i32.add (local.get $bp) (i32.mul (local.get $kc) (local.get $bstride))))
      (loop $k
        (local.set $b0 (v128.load (local.get $bk)))
        (local.set $b1 (v128.load offset=16 (local.get $bk)))
        (local.set $v (v128.load32_splat (local.get $a0)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $v) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $v) (local.get $b1))))
        (local.set $a0 (i32.add (local.get $a0) (local.get $sak)))
        (local.set $v (v128.load32_splat (local.get $a1)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $v) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $v) (local.get $b1))))
        (local.set $a1 (i32.add (local.get $a1) (local.get $sak)))
        (local.set $v (v128.load32_splat (local.get $a2)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $v) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $v) (local.get $b1))))
        (local.set $a2 (i32.add (local.get $a2) (local.get $sak)))
        (local.set $v (v128.load32_splat (local.get $a3)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $v) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $v) (local.get $b1))))
        (local.set $a3 (i32.add (local.get $a3) (local.get $sak)))
        (local.set $bk (i32.add (local.get $bk) (local.get $bstride)))
        (br_if $k (i32.lt_u (local.get $bk) (local.get $end))))
      (if (local.get $bias) (then
        (local.set $b0 (v128.load (local.get $bias)))
        (local.set $b1 (v128.load offset=16 (local.get $bias)))
        (local.set $c00 (f32x4.add (local.get $c00) (local.get $b0)))
        (local.set $c01 (f32x4.add (local.get $c01) (local.get $b1)))
        (local.set $c10 (f32x4.add (local.get $c10) (local.get $b0)))
        (local.set $c11 (f32x4.add (local.get $c11) (local.get $b1)))
        (local.set $c20 (f32x4.add (local.get $c20) (local.get $b0)))
        (local.set $c21 (f32x4.add (local.get $c21) (local.get $b1)))
        (local.set $c30 (f32x4.add (local.get $c30) (local.get $b0)))
        (local.set $c31 (f32x4.add (local.get $c31) (local.get $b1)))
      ))
      (if (local.get $relu) (then
        (local.set $c00 (f32x4.pmax (local.get $c00) (v128.const i32x4 0 0 0 0)))
        (local.set $c01 (f32x4.pmax (local.get $c01) (v128.const i32x4 0 0 0 0)))
        (local.set $c10 (f32x4.pmax (local.get $c10) (v128.const i32x4 0 0 0 0)))
        (local.set $c11 (f32x4.pmax (local.get $c11) (v128.const i32x4 0 0 0 0)))
        (local.set $c20 (f32x4.pmax (local.get $c20) (v128.const i32x4 0 0 0 0)))
        (local.set $c21 (f32x4.pmax (local.get $c21) (v128.const i32x4 0 0 0 0)))
        (local.set $c30 (f32x4.pmax (local.get $c30) (v128.const i32x4 0 0 0 0)))
        (local.set $c31 (f32x4.pmax (local.get $c31) (v128.const i32x4 0 0 0 0)))
      ))
      (local.set $cc (local.get $c))
      (v128.store (local.get $cc) (local.get $c00))
      (v128.store offset=16 (local.get $cc) (local.get $c01))
      (local.set $cc (i32.add (local.get $cc) (local.get $ldc)))
      (v128.store (local.get $cc) (local.get $c10))
      (v128.store offset=16 (local.get $cc) (local.get $c11))
      (local.set $cc (i32.add (local.get $cc) (local.get $ldc)))
      (v128.store (local.get $cc) (local.get $c20))
      (v128.store offset=16 (local.get $cc) (local.get $c21))
      (local.set $cc (i32.add (local.get $cc) (local.get $ldc)))
      (v128.store (local.get $cc) (local.get $c30))
      (v128.store offset=16 (local.get $cc) (local.get $c31))
      (local.set $a (i32.add (local.get $a) (local.get $astep)))
      (local.set $bp (i32.add (local.get $bp) (local.get $bstep)))
      (local.set $c (i32.add (local.get $c) (local.get $cstep)))
      (local.set $bias (i32.add (local.get $bias) (local.get $biasstep)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $tile)))
  )


  ;; C[M×N] = act(op(A)·op(B) + bias), C rows ldc bytes apart. A element (i, k) at a + i·sar + k·sak
  ;; (bytes), so a transposed A is only other strides. B comes in 8-column strips: strip js, row k at
  ;; b + js·sstride + k·bstride (packed by pack_b: bstride 32, sstride 32·K; row-major B read in
  ;; place: bstride 4·N, sstride 32). bias (≠ 0) points at ⌈N/8⌉·8 floats; relu = 1 clamps at 0.
  ;;
  ;; Blocking: K in blocks of $kcmax (256 or less) and M in blocks of 192 rows, so a block of A
  ;; stays in L2 while B meets it. Within a block, strips are the outer loop (one strip's K block of
  ;; B, 8 KB when packed, stays in L1 while the 4-row tiles of A stream past it) unless $rowOuter,
  ;; where each row of tiles meets every strip in turn while the cache lines of its 4 rows of A stay
  ;; in L1: right for a transposed A, whose tile touches one line per k, when the whole K block of B
  ;; fits in L1 beside those lines. Bias and ReLU are applied as the last K
  ;; block is stored, so C is written once more per K block and never read again here. Tiles on the
  ;; ragged edges (fewer than 4 rows or 8 columns) are computed into the 4×8 tile at $tmp and
  ;; copied out.
  (func $gemm (export "gemm") (param $a i32) (param $sar i32) (param $sak i32) (param $b i32) (param $bstride i32) (param $sstride i32)
        (param $c i32) (param $ldc i32) (param $M i32) (param $N i32) (param $K i32) (param $bias i32) (param $relu i32) (param $tmp i32)
        (param $rowOuter i32) (param $kcmax i32)
    (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32) (local $js i32) (local $strips i32) (local $full i32)
    (local $load i32) (local $ablock i32) (local $cblock i32) (local $bk i32) (local $rows i32) (local $cols i32)
    (local $tbias i32) (local $trelu i32) (local $sbias i32) (local $t i32) (local $whole i32)
    (local.set $strips (i32.shr_u (i32.add (local.get $N) (i32.const 7)) (i32.const 3)))
    (local.set $whole (i32.shr_u (local.get $N) (i32.const 3)))
    (block $kdone (loop $kblock
      (br_if $kdone (i32.ge_u (local.get $pc) (local.get $K)))
      (local.set $kc (i32.sub (local.get $K) (local.get $pc)))
      (if (i32.gt_u (local.get $kc) (local.get $kcmax)) (then (local.set $kc (local.get $kcmax))))
      (local.set $load (i32.ne (local.get $pc) (i32.const 0)))
      ;; the last K block stores the finished values
      (if (i32.eq (i32.add (local.get $pc) (local.get $kc)) (local.get $K)) (then
        (local.set $tbias (local.get $bias))
        (local.set $trelu (local.get $relu))))
      (local.set $ic (i32.const 0))
      (block $mdone (loop $mblock
        (br_if $mdone (i32.ge_u (local.get $ic) (local.get $M)))
        (local.set $mc (i32.sub (local.get $M) (local.get $ic)))
        (if (i32.gt_u (local.get $mc) (i32.const 192)) (then (local.set $mc (i32.const 192))))
        (local.set $full (i32.shr_u (local.get $mc) (i32.const 2)))
        (local.set $rows (i32.and (local.get $mc) (i32.const 3)))
        (local.set $ablock (i32.add (local.get $a) (i32.add (i32.mul (local.get $ic) (local.get $sar)) (i32.mul (local.get $pc) (local.get $sak)))))
        (local.set $cblock (i32.add (local.get $c) (i32.mul (local.get $ic) (local.get $ldc))))
        (if (local.get $rowOuter) (then
          ;; each row of whole tiles meets every whole strip in one call, then the partial strip
          (local.set $t (i32.const 0))
          (block $rdone (loop $rloop
            (br_if $rdone (i32.ge_u (local.get $t) (local.get $full)))
            (call $tiles (local.get $ablock) (local.get $sar) (local.get $sak) (i32.const 4) (local.get $whole) (i32.const 0)
              (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $bstride))) (local.get $bstride) (local.get $sstride) (local.get $kc)
              (local.get $cblock) (local.get $ldc) (i32.const 32) (local.get $load)
              (local.get $tbias) (select (i32.const 32) (i32.const 0) (local.get $tbias)) (local.get $trelu))
            (if (i32.ne (local.get $whole) (local.get $strips)) (then
              (call $edge_tile (local.get $ablock) (local.get $sar) (local.get $sak) (i32.const 4) (i32.and (local.get $N) (i32.const 7))
                (i32.add (local.get $b) (i32.add (i32.mul (local.get $whole) (local.get $sstride)) (i32.mul (local.get $pc) (local.get $bstride))))
                (local.get $bstride) (local.get $kc)
                (i32.add (local.get $cblock) (i32.shl (local.get $whole) (i32.const 5))) (local.get $ldc) (local.get $load)
                (select (i32.add (local.get $tbias) (i32.shl (local.get $whole) (i32.const 5))) (i32.const 0) (local.get $tbias)) (local.get $trelu) (local.get $tmp))))
            (local.set $ablock (i32.add (local.get $ablock) (i32.shl (local.get $sar) (i32.const 2))))
            (local.set $cblock (i32.add (local.get $cblock) (i32.shl (local.get $ldc) (i32.const 2))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $rloop)))
          ;; the strip loop below is left with the ragged rows only
          (local.set $full (i32.const 0))))
        (local.set $js (i32.const 0))
        (block $sdone (loop $sloop
          (br_if $sdone (i32.ge_u (local.get $js) (local.get $strips)))
          (br_if $sdone (i32.eqz (i32.or (local.get $full) (local.get $rows))))
          (local.set $bk (i32.add (local.get $b) (i32.add (i32.mul (local.get $js) (local.get $sstride)) (i32.mul (local.get $pc) (local.get $bstride)))))
          (local.set $cols (i32.sub (local.get $N) (i32.shl (local.get $js) (i32.const 3))))
          (if (i32.gt_u (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
          (local.set $sbias (select (i32.add (local.get $tbias) (i32.shl (local.get $js) (i32.const 5))) (i32.const 0) (local.get $tbias)))
          (if (i32.eq (local.get $cols) (i32.const 8))
            (then
              ;; all whole tiles of the strip in one call, then the ragged rows
              (call $tiles (local.get $ablock) (local.get $sar) (local.get $sak) (i32.const 4) (local.get $full) (i32.shl (local.get $sar) (i32.const 2))
                (local.get $bk) (local.get $bstride) (i32.const 0) (local.get $kc)
                (i32.add (local.get $cblock) (i32.shl (local.get $js) (i32.const 5))) (local.get $ldc) (i32.shl (local.get $ldc) (i32.const 2))
                (local.get $load) (local.get $sbias) (i32.const 0) (local.get $trelu))
              (if (local.get $rows) (then
                (call $edge_tile (i32.add (local.get $ablock) (i32.mul (i32.shl (local.get $full) (i32.const 2)) (local.get $sar))) (local.get $sar) (local.get $sak)
                  (local.get $rows) (i32.const 8) (local.get $bk) (local.get $bstride) (local.get $kc)
                  (i32.add (i32.add (local.get $cblock) (i32.shl (local.get $js) (i32.const 5))) (i32.mul (i32.shl (local.get $full) (i32.const 2)) (local.get $ldc)))
                  (local.get $ldc) (local.get $load) (local.get $sbias) (local.get $trelu) (local.get $tmp)))))
            (else
              ;; the last, partial strip: every tile through $tmp
              (local.set $t (i32.const 0))
              (block $edone (loop $eloop
                (br_if $edone (i32.ge_u (local.get $t) (i32.add (local.get $full) (i32.ne (local.get $rows) (i32.const 0)))))
                (call $edge_tile (i32.add (local.get $ablock) (i32.mul (i32.shl (local.get $t) (i32.const 2)) (local.get $sar))) (local.get $sar) (local.get $sak)
                  (select (i32.const 4) (local.get $rows) (i32.lt_u (local.get $t) (local.get $full))) (local.get $cols)
                  (local.get $bk) (local.get $bstride) (local.get $kc)
                  (i32.add (i32.add (local.get $cblock) (i32.shl (local.get $js) (i32.const 5))) (i32.mul (i32.shl (local.get $t) (i32.const 2)) (local.get $ldc)))
                  (local.get $ldc) (local.get $load) (local.get $sbias) (local.get $trelu) (local.get $tmp))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $eloop)))))
          (local.set $js (i32.add (local.get $js) (i32.const 1)))
          (br $sloop)))
        (local.set $ic (i32.add (local.get $ic) (local.get $mc)))
        (br $mblock)))
      (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
      (br $kblock)))
  )

  ;; `count` independent products of one shape, operand i at a + i·aplane, b + i·bplane and
  ;; c + i·cplane (no bias, no activation), each exactly as one `gemm` call: Winograd's positions
  ;; in one call from the host.
  (func (export "gemm_positions") (param $count i32) (param $a i32) (param $sar i32) (param $sak i32) (param $aplane i32)
        (param $b i32) (param $bstride i32) (param $sstride i32) (param $bplane i32) (param $c i32) (param $ldc i32) (param $cplane i32)
        (param $M i32) (param $N i32) (param $K i32) (param $tmp i32) (param $rowOuter i32) (param $kcmax i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $gemm
        (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aplane))) (local.get $sar) (local.get $sak)
        (i32.add (local.get $b) (i32.mul (local.get $i) (local.get $bplane))) (local.get $bstride) (local.get $sstride)
        (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $cplane))) (local.get $ldc)
        (local.get $M) (local.get $N) (local.get $K) (i32.const 0) (i32.const 0) (local.get $tmp) (local.get $rowOuter) (local.get $kcmax))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
  )

  ;; One ragged tile (rows ≤ 4 of C, cols ≤ 8 of its strip) computed in the 4×8 tile at $tmp: C's
  ;; partial sums copied in when `load`, the tile, then its rows × cols copied out.
  (func $edge_tile (param $a i32) (param $sar i32) (param $sak i32) (param $rows i32) (param $cols i32) (param $bp i32) (param $bstride i32) (param $kc i32)
        (param $c i32) (param $ldc i32) (param $load i32) (param $bias i32) (param $relu i32) (param $tmp i32)
    (if (local.get $load) (then
      (call $copy_tile (local.get $c) (local.get $ldc) (local.get $tmp) (i32.const 32) (local.get $rows) (local.get $cols))))
    (call $tiles (local.get $a) (local.get $sar) (local.get $sak) (local.get $rows) (i32.const 1) (i32.const 0)
      (local.get $bp) (local.get $bstride) (i32.const 0) (local.get $kc)
      (local.get $tmp) (i32.const 32) (i32.const 0) (local.get $load) (local.get $bias) (i32.const 0) (local.get $relu))
    (call $copy_tile (local.get $tmp) (i32.const 32) (local.get $c) (local.get $ldc) (local.get $rows) (local.get $cols))
  )

  ;; dst rows (dld bytes apart) = src rows (sld bytes apart): `rows` rows of `cols` floats.
  (func $copy_tile (param $src i32) (param $sld i32) (param $dst i32) (param $dld i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $bytes)))
        (f32.store (i32.add (local.get $dst) (local.get $j)) (f32.load (i32.add (local.get $src) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jloop)))
      (local.set $src (i32.add (local.get $src) (local.get $sld)))
      (local.set $dst (i32.add (local.get $dst) (local.get $dld)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; The multiply-add throughput probe of `bench gemm`: $iterations rounds of 24 independent f32x4
  ;; multiply-adds into twelve accumulators, written in the GEMM's own form (so the fused build
  ;; turns them into the same relaxed_madd), with no loads or stores in the loop. The accumulators'
  ;; sum is stored at $out so that none of the work is dead.
  (func (export "fma_peak") (param $iterations i32) (param $out i32)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128) (local $c04 v128) (local $c05 v128) (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128) (local $c14 v128) (local $c15 v128)
    (local $v v128) (local $b v128)
    (local.set $v (f32x4.splat (f32.const 0.5)))
    (local.set $b (f32x4.splat (f32.const 0.25)))
    (block $done (loop $round
      (br_if $done (i32.eqz (local.get $iterations)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c04 (f32x4.add (local.get $c04) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c05 (f32x4.add (local.get $c05) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c14 (f32x4.add (local.get $c14) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c15 (f32x4.add (local.get $c15) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c04 (f32x4.add (local.get $c04) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c05 (f32x4.add (local.get $c05) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c14 (f32x4.add (local.get $c14) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $c15 (f32x4.add (local.get $c15) (f32x4.mul (local.get $v) (local.get $b))))
      (local.set $iterations (i32.sub (local.get $iterations) (i32.const 1)))
      (br $round)))
    (v128.store (local.get $out) (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (local.get $c00) (local.get $c01)) (local.get $c02)) (local.get $c03)) (local.get $c04)) (local.get $c05)) (local.get $c10)) (local.get $c11)) (local.get $c12)) (local.get $c13)) (local.get $c14)) (local.get $c15)))
  )

  ;; Four rows of four floats, at $src + r·$rs, stored transposed: column c (one float of each row)
  ;; as the four floats at $dst + c·32 (one k row of a packed strip, half of its 8 columns).
  (func $transpose4 (param $src i32) (param $rs i32) (param $dst i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $v0 (v128.load (local.get $src)))
    (local.set $v1 (v128.load (i32.add (local.get $src) (local.get $rs))))
    (local.set $v2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 1)))))
    (local.set $v3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $rs) (i32.const 3)))))
    ;; t0 = (v0₀ v1₀ v0₁ v1₁), t1 = (v0₂ v1₂ v0₃ v1₃), t2, t3 the same of v2, v3
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
  )

  ;; Bp[strip][k][8] from B [K×N] row-major, or from Bᵀ stored [N×K] when $transposed; columns past
  ;; N are zeros.
  (func (export "pack_b") (param $b i32) (param $K i32) (param $N i32) (param $transposed i32) (param $bp i32)
    (local $js i32) (local $k i32) (local $l i32) (local $j i32) (local $strips i32) (local $dst i32) (local $full i32)
    (local.set $strips (i32.shr_u (i32.add (local.get $N) (i32.const 7)) (i32.const 3)))
    (local.set $dst (local.get $bp))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $js) (local.get $strips)))
      (local.set $full (i32.and (i32.eqz (local.get $transposed))
        (i32.le_u (i32.add (i32.shl (local.get $js) (i32.const 3)) (i32.const 8)) (local.get $N))))
      (local.set $k (i32.const 0))
      ;; a whole strip of a transposed B: its 8 rows of Bᵀ four k at a time, two 4×4 transposes per step
      (if (i32.and (local.get $transposed) (i32.le_u (i32.add (i32.shl (local.get $js) (i32.const 3)) (i32.const 8)) (local.get $N))) (then
        (local.set $j (i32.add (local.get $b) (i32.shl (i32.mul (i32.shl (local.get $js) (i32.const 3)) (local.get $K)) (i32.const 2))))
        (local.set $l (i32.shl (local.get $K) (i32.const 2)))
        (block $tdone (loop $tloop
          (br_if $tdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
          (call $transpose4 (local.get $j) (local.get $l) (local.get $dst))
          (call $transpose4 (i32.add (local.get $j) (i32.shl (local.get $l) (i32.const 2))) (local.get $l) (i32.add (local.get $dst) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $tloop)))))
      (block $kdone (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $k) (local.get $K)))
        (if (local.get $full)
          (then
            (local.set $j (i32.add (local.get $b)
              (i32.shl (i32.add (i32.mul (local.get $k) (local.get $N)) (i32.shl (local.get $js) (i32.const 3))) (i32.const 2))))
            (v128.store (local.get $dst) (v128.load (local.get $j)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $j))))
          (else
            (local.set $l (i32.const 0))
            (loop $lloop
              (local.set $j (i32.add (i32.shl (local.get $js) (i32.const 3)) (local.get $l)))
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $l) (i32.const 2)))
                (if (result f32) (i32.lt_u (local.get $j) (local.get $N))
                  (then (if (result f32) (local.get $transposed)
                    (then (f32.load (i32.add (local.get $b)
                      (i32.shl (i32.add (i32.mul (local.get $j) (local.get $K)) (local.get $k)) (i32.const 2)))))
                    (else (f32.load (i32.add (local.get $b)
                      (i32.shl (i32.add (i32.mul (local.get $k) (local.get $N)) (local.get $j)) (i32.const 2)))))))
                  (else (f32.const 0))))
              (local.set $l (i32.add (local.get $l) (i32.const 1)))
              (br_if $lloop (i32.lt_u (local.get $l) (i32.const 8))))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop)))
      (local.set $js (i32.add (local.get $js) (i32.const 1)))
      (br $sloop)))
  )

  ;; The backward pass of act(z) = max(z, 0) followed by a bias add, in one pass over rows × C:
  ;; dz = dy where y > 0 else 0, and db[c] = Σ_rows dz[·][c]. y is the layer's output (the ReLU
  ;; of z), so y > 0 exactly where z > 0. db must be zeroed by the caller.
  (func (export "relu_bias_grad") (param $dy i32) (param $y i32) (param $dz i32) (param $db i32) (param $rows i32) (param $C i32)
    (local $r i32) (local $j i32) (local $C4 i32) (local $bytes i32) (local $row i32) (local $p i32) (local $g v128) (local $gs f32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $C4 (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $vdone (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $j) (local.get $C4)))
        (local.set $p (i32.add (local.get $row) (local.get $j)))
        (local.set $g (v128.and (v128.load (i32.add (local.get $dy) (local.get $p)))
          (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $p))) (v128.const i32x4 0 0 0 0))))
        (v128.store (i32.add (local.get $dz) (local.get $p)) (local.get $g))
        (v128.store (i32.add (local.get $db) (local.get $j)) (f32x4.add (v128.load (i32.add (local.get $db) (local.get $j))) (local.get $g)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $j) (local.get $bytes)))
        (local.set $p (i32.add (local.get $row) (local.get $j)))
        (local.set $gs (select (f32.load (i32.add (local.get $dy) (local.get $p))) (f32.const 0)
          (f32.gt (f32.load (i32.add (local.get $y) (local.get $p))) (f32.const 0))))
        (f32.store (i32.add (local.get $dz) (local.get $p)) (local.get $gs))
        (f32.store (i32.add (local.get $db) (local.get $j)) (f32.add (f32.load (i32.add (local.get $db) (local.get $j))) (local.get $gs)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $sloop)))
      (local.set $row (i32.add (local.get $row) (local.get $bytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; cols[(n,oh,ow)][(kh,kw,c)] = x[n, oh·sh + kh·dh − pt, ow·sw + kw·dw − pl, c], zero outside x.
  ;; Walks one tap (kh, kw) across a whole output row at a time, so the inner loop is a strided copy.
  (func (export "im2col") (param $x i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
        (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
        (param $pt i32) (param $pl i32) (param $OH i32) (param $OW i32) (param $cols i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32)
    (local $bytes i32) (local $pstride i32) (local $base i32) (local $d i32) (local $row i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $pstride (i32.mul (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $C)) (i32.const 4)))
    (local.set $base (local.get $cols))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $kh (i32.const 0))
        (block $khdone (loop $khloop
          (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
          (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))) (local.get $pt)))
          (local.set $row (i32.add (local.get $x) (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $bytes))))
          (local.set $kw (i32.const 0))
          (block $kwdone (loop $kwloop
            (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
            ;; this tap's column block in the first pixel of the row
            (local.set $d (i32.add (local.get $base) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $bytes))))
            (if (i32.lt_u (local.get $ih) (local.get $H))
              (then
                (local.set $iw (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $pl)))
                (local.set $ow (i32.const 0))
                (block $owdone (loop $owloop
                  (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
                  (if (i32.lt_u (local.get $iw) (local.get $W))
                    (then
                      (if (i32.eq (local.get $bytes) (i32.const 4))
                        (then (f32.store (local.get $d) (f32.load (i32.add (local.get $row) (i32.shl (local.get $iw) (i32.const 2))))))
                        (else (call $copy_run (local.get $d) (i32.add (local.get $row) (i32.mul (local.get $iw) (local.get $bytes))) (local.get $bytes)))))
                    (else (call $zero_run (local.get $d) (local.get $bytes))))
                  (local.set $d (i32.add (local.get $d) (local.get $pstride)))
                  (local.set $iw (i32.add (local.get $iw) (local.get $sw)))
                  (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                  (br $owloop))))
              (else
              (local.set $ow (i32.const 0))
              (block $zdone (loop $zloop
                (br_if $zdone (i32.ge_u (local.get $ow) (local.get $OW)))
                (call $zero_run (local.get $d) (local.get $bytes))
                (local.set $d (i32.add (local.get $d) (local.get $pstride)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $zloop)))))
            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
            (br $kwloop)))
          (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
          (br $khloop)))
        (local.set $base (i32.add (local.get $base) (i32.mul (local.get $OW) (local.get $pstride))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; dst[0..bytes) = src[0..bytes): one float, four at a time, or a bulk copy.
  (func $copy_run (param $dst i32) (param $src i32) (param $bytes i32)
    (local $i i32)
    (if (i32.eq (local.get $bytes) (i32.const 4)) (then
      (f32.store (local.get $dst) (f32.load (local.get $src)))
      (return)))
    (if (i32.and (local.get $bytes) (i32.const 15)) (then
      (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
      (return)))
    (loop $l
      (v128.store (i32.add (local.get $dst) (local.get $i)) (v128.load (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $bytes))))
  )

  (func $zero_run (param $dst i32) (param $bytes i32)
    (if (i32.eq (local.get $bytes) (i32.const 4)) (then
      (f32.store (local.get $dst) (f32.const 0))
      (return)))
    (memory.fill (local.get $dst) (i32.const 0) (local.get $bytes))
  )

  ;; dst[0..bytes) += src[0..bytes), four floats at a time, then one.
  (func $add_run (param $dst i32) (param $src i32) (param $bytes i32)
    (local $i i32) (local $end4 i32)
    (if (i32.eq (local.get $bytes) (i32.const 4)) (then
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
      (return)))
    (local.set $end4 (i32.and (local.get $bytes) (i32.const -16)))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
      (v128.store (i32.add (local.get $dst) (local.get $i))
        (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $i))) (v128.load (i32.add (local.get $src) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vloop)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $bytes)))
      (f32.store (i32.add (local.get $dst) (local.get $i))
        (f32.add (f32.load (i32.add (local.get $dst) (local.get $i))) (f32.load (i32.add (local.get $src) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $sloop)))
  )

  ;; out[c] = Σ_r x[r][c] over `rows` rows of C floats (the bias gradient: a sum over every axis but
  ;; the last). Four columns at a time while they last, then one.
  (func (export "column_sum") (param $x i32) (param $rows i32) (param $C i32) (param $out i32)
    (local $c i32) (local $r i32) (local $p i32) (local $stride i32) (local $acc v128) (local $s f32) (local $C4 i32)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $c) (local.get $C4)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (local.get $acc))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $vloop)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $s (f32.const 0))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $r (i32.const 0))
      (block $rdone2 (loop $rloop2
        (br_if $rdone2 (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop2)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (local.get $s))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $sloop)))
  )

  ;; Max-pool gradient (NHWC): each dy[n,oh,ow,c] goes to the first maximal x in its window
  ;; (row-major scan, taps outside x skipped); dx must be zeroed by the caller. Window taps are
  ;; (oh·sh − pt + kh·dh, ow·sw − pl + kw·dw) for kh < fh, kw < fw. For each output pixel the valid
  ;; taps' byte offsets are listed at $taps (fh·fw i32 of scratch), then four channels at a time
  ;; keep the running maximum and the index of the tap that holds it (a later tap wins only when
  ;; strictly greater, so the first maximum is kept, as the cpu backend does).
  (func (export "max_pool_grad") (param $x i32) (param $dy i32) (param $dx i32) (param $N i32) (param $H i32) (param $W i32)
        (param $C i32) (param $OH i32) (param $OW i32) (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32)
        (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32) (param $taps i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $c i32) (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32)
    (local $g i32) (local $count i32) (local $t i32) (local $at i32) (local $C4 i32) (local $bytes i32) (local $tap i32)
    (local $best v128) (local $idx v128) (local $v v128) (local $m v128) (local $bs f32) (local $vs f32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $C4 (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2)))
    (local.set $g (local.get $dy))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $owdone (loop $owloop
          (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
          ;; list the valid taps of this window, in scan order
          (local.set $count (i32.const 0))
          (local.set $kh (i32.const 0))
          (block $khdone (loop $khloop
            (br_if $khdone (i32.ge_u (local.get $kh) (local.get $fh)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)) (i32.mul (local.get $kh) (local.get $dh))))
            (if (i32.lt_u (local.get $ih) (local.get $H)) (then
              (local.set $kw (i32.const 0))
              (block $kwdone (loop $kwloop
                (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $fw)))
                (local.set $iw (i32.add (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)) (i32.mul (local.get $kw) (local.get $dw))))
                (if (i32.lt_u (local.get $iw) (local.get $W)) (then
                  (i32.store (i32.add (local.get $taps) (i32.shl (local.get $count) (i32.const 2)))
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw)) (local.get $bytes)))
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $kwloop)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khloop)))
          (if (local.get $count) (then
            ;; four channels at a time
            (local.set $c (i32.const 0))
            (block $cdone (loop $cloop
              (br_if $cdone (i32.ge_u (local.get $c) (local.get $C4)))
              (local.set $best (v128.load (i32.add (i32.add (local.get $x) (i32.load (local.get $taps))) (local.get $c))))
              (local.set $idx (v128.const i32x4 0 0 0 0))
              (local.set $t (i32.const 1))
              (block $tdone (loop $tloop
                (br_if $tdone (i32.ge_u (local.get $t) (local.get $count)))
                (local.set $v (v128.load (i32.add (i32.add (local.get $x)
                  (i32.load (i32.add (local.get $taps) (i32.shl (local.get $t) (i32.const 2))))) (local.get $c))))
                (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                (local.set $idx (v128.bitselect (i32x4.splat (local.get $t)) (local.get $idx) (local.get $m)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $tloop)))
              (call $route (local.get $dx) (local.get $taps) (i32x4.extract_lane 0 (local.get $idx)) (i32.add (local.get $c) (i32.const 0)) (local.get $g))
              (call $route (local.get $dx) (local.get $taps) (i32x4.extract_lane 1 (local.get $idx)) (i32.add (local.get $c) (i32.const 4)) (local.get $g))
              (call $route (local.get $dx) (local.get $taps) (i32x4.extract_lane 2 (local.get $idx)) (i32.add (local.get $c) (i32.const 8)) (local.get $g))
              (call $route (local.get $dx) (local.get $taps) (i32x4.extract_lane 3 (local.get $idx)) (i32.add (local.get $c) (i32.const 12)) (local.get $g))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br $cloop)))
            ;; the remaining channels one at a time
            (block $sdone (loop $sloop
              (br_if $sdone (i32.ge_u (local.get $c) (local.get $bytes)))
              (local.set $bs (f32.load (i32.add (i32.add (local.get $x) (i32.load (local.get $taps))) (local.get $c))))
              (local.set $at (i32.const 0))
              (local.set $t (i32.const 1))
              (block $t2done (loop $t2loop
                (br_if $t2done (i32.ge_u (local.get $t) (local.get $count)))
                (local.set $vs (f32.load (i32.add (i32.add (local.get $x)
                  (i32.load (i32.add (local.get $taps) (i32.shl (local.get $t) (i32.const 2))))) (local.get $c))))
                (if (f32.gt (local.get $vs) (local.get $bs)) (then
                  (local.set $bs (local.get $vs))
                  (local.set $at (local.get $t))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $t2loop)))
              (call $route (local.get $dx) (local.get $taps) (local.get $at) (local.get $c) (local.get $g))
              (local.set $c (i32.add (local.get $c) (i32.const 4)))
              (br $sloop)))))
          (local.set $g (i32.add (local.get $g) (local.get $bytes)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; dx[tap $t's pixel][channel at byte $c] += dy[pixel at $g][channel at byte $c]
  (func $route (param $dx i32) (param $taps i32) (param $t i32) (param $c i32) (param $g i32)
    (local $p i32)
    (local.set $p (i32.add (i32.add (local.get $dx) (i32.load (i32.add (local.get $taps) (i32.shl (local.get $t) (i32.const 2))))) (local.get $c)))
    (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $g) (local.get $c)))))
  )

  ;; The adjoint of im2col: dx[n, oh·sh + kh·dh − pt, ow·sw + kw·dw − pl, c] += cols[(n,oh,ow)][(kh,kw,c)]
  ;; for every tap inside dx; dx must be zeroed by the caller.
  (func (export "col2im") (param $cols i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
        (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
        (param $pt i32) (param $pl i32) (param $OH i32) (param $OW i32) (param $x i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32)
    (local $bytes i32) (local $pstride i32) (local $base i32) (local $d i32) (local $row i32) (local $row4 i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $pstride (i32.mul (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $C)) (i32.const 4)))
    (local.set $base (local.get $cols))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $kh (i32.const 0))
        (block $khdone (loop $khloop
          (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
          (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))) (local.get $pt)))
          (local.set $row (i32.add (local.get $x) (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $bytes))))
          (local.set $kw (i32.const 0))
          (block $kwdone (loop $kwloop
            (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
            ;; this tap's column block in the first pixel of the row
            (local.set $d (i32.add (local.get $base) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $bytes))))
            (if (i32.lt_u (local.get $ih) (local.get $H))
              (then
                (local.set $iw (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $pl)))
                (local.set $ow (i32.const 0))
                (block $owdone (loop $owloop
                  (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
                  (if (i32.lt_u (local.get $iw) (local.get $W))
                    (then
                      (if (i32.eq (local.get $bytes) (i32.const 4))
                        (then
                          (local.set $row4 (i32.add (local.get $row) (i32.shl (local.get $iw) (i32.const 2))))
                          (f32.store (local.get $row4) (f32.add (f32.load (local.get $row4)) (f32.load (local.get $d)))))
                        (else (call $add_run (i32.add (local.get $row) (i32.mul (local.get $iw) (local.get $bytes))) (local.get $d) (local.get $bytes)))))
                    (else nop))
                  (local.set $d (i32.add (local.get $d) (local.get $pstride)))
                  (local.set $iw (i32.add (local.get $iw) (local.get $sw)))
                  (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                  (br $owloop))))
              (else nop))
            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
            (br $kwloop)))
          (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
          (br $khloop)))
        (local.set $base (i32.add (local.get $base) (i32.mul (local.get $OW) (local.get $pstride))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; One Adam step for n weights: m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
  ;; w' = w − lrc·m' / (√(c2·v') + ε), where lrc = lr/(1−β1ᵗ) and c2 = 1/(1−β2ᵗ) carry the bias
  ;; corrections. Writes w', m', v' to fresh buffers (the inputs may be shared with other tensors).
  (func (export "adam") (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $wo i32) (param $mo i32) (param $vo i32)
        (param $n i32) (param $lrc f32) (param $c2 f32) (param $b1 f32) (param $b2 f32) (param $eps f32)
    (local $i i32) (local $end4 i32) (local $end i32)
    (local $G v128) (local $M v128) (local $V v128)
    (local $B1 v128) (local $B2 v128) (local $A1 v128) (local $A2 v128) (local $LR v128) (local $C2 v128) (local $EPS v128) (local $TINY v128) (local $TINYG v128) (local $GV v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $A1 (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $A2 (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $LR (f32x4.splat (local.get $lrc)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $TINY (f32x4.splat (f32.const 1e-30)))
    (local.set $TINYG (f32x4.splat (f32.const 1e-17)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $end4)))
      ;; Subnormal arithmetic costs x86 ~100 cycles per operation and wasm has no flush-to-zero
      ;; mode, so values too small to move w never enter it: gradients below 1e-30 count as 0 for
      ;; m (and below 1e-17 for v, whose (1 − β2)·g² would be subnormal), and moments that decay
      ;; below 1e-30 are stored as 0.
      (local.set $G (v128.load (i32.add (local.get $g) (local.get $i))))
      (local.set $GV (v128.and (local.get $G) (f32x4.ge (f32x4.abs (local.get $G)) (local.get $TINYG))))
      (local.set $G (v128.and (local.get $G) (f32x4.ge (f32x4.abs (local.get $G)) (local.get $TINY))))
      (local.set $M (f32x4.add (f32x4.mul (local.get $B1) (v128.load (i32.add (local.get $m) (local.get $i))))
                                (f32x4.mul (local.get $A1) (local.get $G))))
      (local.set $V (f32x4.add (f32x4.mul (local.get $B2) (v128.load (i32.add (local.get $v) (local.get $i))))
                                (f32x4.mul (local.get $A2) (f32x4.mul (local.get $GV) (local.get $GV)))))
      (local.set $M (v128.and (local.get $M) (f32x4.ge (f32x4.abs (local.get $M)) (local.get $TINY))))
      (local.set $V (v128.and (local.get $V) (f32x4.ge (local.get $V) (local.get $TINY))))
      (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $M))
      (v128.store (i32.add (local.get $vo) (local.get $i)) (local.get $V))
      (v128.store (i32.add (local.get $wo) (local.get $i))
        (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $i)))
          (f32x4.div (f32x4.mul (local.get $LR) (local.get $M))
                     (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $C2) (local.get $V))) (local.get $EPS)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vloop)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
      (if (f32.lt (f32.abs (local.get $gs)) (f32.const 1e-30)) (then (local.set $gs (f32.const 0))))
      (local.set $ms (f32.add (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $i))))
                              (f32.mul (f32.sub (f32.const 1) (local.get $b1)) (local.get $gs))))
      (local.set $vs (f32.add (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $i))))
                              (f32.mul (f32.sub (f32.const 1) (local.get $b2))
                                (select (f32.mul (local.get $gs) (local.get $gs)) (f32.const 0) (f32.ge (f32.abs (local.get $gs)) (f32.const 1e-17))))))
      (if (f32.lt (f32.abs (local.get $ms)) (f32.const 1e-30)) (then (local.set $ms (f32.const 0))))
      (if (f32.lt (local.get $vs) (f32.const 1e-30)) (then (local.set $vs (f32.const 0))))
      (f32.store (i32.add (local.get $mo) (local.get $i)) (local.get $ms))
      (f32.store (i32.add (local.get $vo) (local.get $i)) (local.get $vs))
      (f32.store (i32.add (local.get $wo) (local.get $i))
        (f32.sub (f32.load (i32.add (local.get $w) (local.get $i)))
          (f32.div (f32.mul (local.get $lrc) (local.get $ms))
                   (f32.add (f32.sqrt (f32.mul (local.get $c2) (local.get $vs))) (local.get $eps)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $sloop)))
  )

  ;; ---------------------------------------------------------------------------------------------
  ;; Direct convolutions for inputs with few channels, and the 2×2 stride-2 max pool with its
  ;; gradient fused with the ReLU and bias gradients.
  ;; ---------------------------------------------------------------------------------------------

  ;; One output pixel's patch: dst[(kh,kw,c)] = x[n, oh·sh + kh·dh − pt, ow·sw + kw·dw − pl, c],
  ;; zero outside x.
  (func $patch_pixel (param $x i32) (param $n i32) (param $oh i32) (param $ow i32) (param $H i32) (param $W i32) (param $C i32)
        (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
        (param $pt i32) (param $pl i32) (param $dst i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $c i32)
    (local $src i32) (local $bytes i32) (local $valid i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (block $khdone (loop $khloop
      (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
      (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))) (local.get $pt)))
      (local.set $kw (i32.const 0))
      (block $kwdone (loop $kwloop
        (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
        (local.set $iw (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sw)) (i32.mul (local.get $kw) (local.get $dw))) (local.get $pl)))
        (local.set $valid (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W))))
        (local.set $src (i32.add (local.get $x)
          (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw)) (local.get $bytes))))
        (local.set $c (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_u (local.get $c) (local.get $bytes)))
          (if (local.get $valid)
            (then (f32.store (local.get $dst) (f32.load (i32.add (local.get $src) (local.get $c)))))
            (else (f32.store (local.get $dst) (f32.const 0))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $cloop)))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br $kwloop)))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br $khloop)))
  )

  ;; out[n,oh,ow,co] = act(Σ_(kh,kw,c) x[…]·w[(kh,kw,c)][co] + bias[co]) without im2col columns:
  ;; two horizontally adjacent pixels at a time meet 16 (or 4) output channels held in registers,
  ;; each filter row loaded once for both. Where both pixels' windows lie inside x's columns (and
  ;; dw = 1), each filter row kh reads its KW·C taps straight from x (rows outside x are skipped);
  ;; at the borders the two patches are gathered into $patch (2·KH·KW·C floats of scratch) first.
  ;; CO must be a multiple of 4; $bias = 0 means no bias, $relu = 1 clamps at 0 (NaN stays NaN).
  ;; $pool ≠ 0 also gets max_pool2 of out, [N, OH/2, OW/2, CO] (halves rounded down), one row of windows as soon as
  ;; its two rows are stored.
  (func (export "conv_direct") (param $x i32) (param $w i32) (param $bias i32) (param $relu i32) (param $out i32)
        (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $KH i32) (param $KW i32)
        (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32)
        (param $OH i32) (param $OW i32) (param $CO i32) (param $patch i32) (param $pool i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $co i32) (local $k i32) (local $K4 i32) (local $CO4 i32) (local $CO16 i32)
    (local $p0 i32) (local $p1 i32) (local $wp i32) (local $o i32) (local $orow i32) (local $two i32)
    (local $inner i32) (local $seg i32) (local $segs i32) (local $len i32) (local $ih i32) (local $run i32) (local $wrow i32)
    (local $step i32) (local $xrow i32) (local $iw0 i32) (local $width i32) (local $stop i32)
    (local $s0 v128) (local $s1 v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $c20 v128) (local $c21 v128) (local $c22 v128) (local $c23 v128) (local $c24 v128) (local $c25 v128) (local $c26 v128) (local $c27 v128)
    (local.set $K4 (i32.shl (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $C)) (i32.const 2)))
    (local.set $CO4 (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $CO16 (i32.shl (i32.and (local.get $CO) (i32.const -16)) (i32.const 2)))
    ;; bytes of one filter row kh's taps in x (KW·C floats, contiguous when dw = 1), of filter rows
    ;; kh in w, and from one pixel's window to the next one's in x
    (local.set $run (i32.shl (i32.mul (local.get $KW) (local.get $C)) (i32.const 2)))
    (local.set $wrow (i32.mul (i32.mul (local.get $KW) (local.get $C)) (local.get $CO4)))
    (local.set $step (i32.shl (i32.mul (local.get $sw) (local.get $C)) (i32.const 2)))
    ;; a window spans (KW − 1)·dw + 1 columns
    (local.set $width (i32.add (i32.mul (i32.sub (local.get $KW) (i32.const 1)) (local.get $dw)) (i32.const 1)))
    (local.set $orow (local.get $out))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $owdone (loop $owloop
          (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
          (local.set $two (i32.lt_u (i32.add (local.get $ow) (i32.const 1)) (local.get $OW)))
          (local.set $o (i32.add (local.get $orow) (i32.mul (local.get $ow) (local.get $CO4))))
          ;; first column of pixel ow's window; both windows inside x's columns?
          (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)))
          (local.set $inner (i32.and (i32.and (i32.eq (local.get $dw) (i32.const 1)) (i32.ge_s (local.get $iw0) (i32.const 0)))
            (i32.le_s (i32.add (i32.add (local.get $iw0) (local.get $sw)) (local.get $width)) (local.get $W))))
          (if (local.get $inner)
            (then (local.set $segs (local.get $KH)) (local.set $len (local.get $run)))
            (else
              (local.set $segs (i32.const 1))
              (local.set $len (local.get $K4))
              (call $patch_pixel (local.get $x) (local.get $n) (local.get $oh) (local.get $ow) (local.get $H) (local.get $W) (local.get $C)
                (local.get $KH) (local.get $KW) (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw) (local.get $pt) (local.get $pl) (local.get $patch))
              (call $patch_pixel (local.get $x) (local.get $n) (local.get $oh) (i32.add (local.get $ow) (i32.const 1)) (local.get $H) (local.get $W) (local.get $C)
                (local.get $KH) (local.get $KW) (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw) (local.get $pt) (local.get $pl)
                (i32.add (local.get $patch) (local.get $K4)))))
          (local.set $co (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.ge_u (local.get $co) (local.get $CO4)))
            (local.set $stop (i32.lt_u (local.get $co) (local.get $CO16)))
            (if (local.get $bias)
              (then
                (local.set $c20 (v128.load (i32.add (local.get $bias) (local.get $co))))
                (if (local.get $stop) (then
                  (local.set $c21 (v128.load offset=16 (i32.add (local.get $bias) (local.get $co))))
                  (local.set $c22 (v128.load offset=32 (i32.add (local.get $bias) (local.get $co))))
                  (local.set $c23 (v128.load offset=48 (i32.add (local.get $bias) (local.get $co)))))))
              (else
                (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c22 (v128.const i32x4 0 0 0 0)) (local.set $c23 (v128.const i32x4 0 0 0 0))))
            (local.set $c24 (local.get $c20)) (local.set $c25 (local.get $c21)) (local.set $c26 (local.get $c22)) (local.set $c27 (local.get $c23))
            (local.set $seg (i32.const 0))
            (block $sdone (loop $sloop
              (br_if $sdone (i32.ge_u (local.get $seg) (local.get $segs)))
              (block $skip
                (if (local.get $inner)
                  (then
                    (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $seg) (local.get $dh))) (local.get $pt)))
                    (br_if $skip (i32.ge_u (local.get $ih) (local.get $H)))
                    (local.set $p0 (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw0))
                      (i32.shl (local.get $C) (i32.const 2)))))
                    (local.set $p1 (i32.add (local.get $p0) (local.get $step)))
                    (local.set $wp (i32.add (i32.add (local.get $w) (i32.mul (local.get $seg) (local.get $wrow))) (local.get $co))))
                  (else
                    (local.set $p0 (local.get $patch))
                    (local.set $p1 (i32.add (local.get $patch) (local.get $K4)))
                    (local.set $wp (i32.add (local.get $w) (local.get $co)))))
                (local.set $k (i32.const 0))
                (if (local.get $stop)
                  (then
                    (block $kdone (loop $kloop
                      (br_if $kdone (i32.ge_u (local.get $k) (local.get $len)))
                      (local.set $s0 (f32x4.splat (f32.load (i32.add (local.get $p0) (local.get $k)))))
                      (local.set $s1 (f32x4.splat (f32.load (i32.add (local.get $p1) (local.get $k)))))
                      (local.set $w0 (v128.load (local.get $wp)))
                      (local.set $w1 (v128.load offset=16 (local.get $wp)))
                      (local.set $w2 (v128.load offset=32 (local.get $wp)))
                      (local.set $w3 (v128.load offset=48 (local.get $wp)))
                      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s0) (local.get $w0))))
                      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s0) (local.get $w1))))
                      (local.set $c22 (f32x4.add (local.get $c22) (f32x4.mul (local.get $s0) (local.get $w2))))
                      (local.set $c23 (f32x4.add (local.get $c23) (f32x4.mul (local.get $s0) (local.get $w3))))
                      (local.set $c24 (f32x4.add (local.get $c24) (f32x4.mul (local.get $s1) (local.get $w0))))
                      (local.set $c25 (f32x4.add (local.get $c25) (f32x4.mul (local.get $s1) (local.get $w1))))
                      (local.set $c26 (f32x4.add (local.get $c26) (f32x4.mul (local.get $s1) (local.get $w2))))
                      (local.set $c27 (f32x4.add (local.get $c27) (f32x4.mul (local.get $s1) (local.get $w3))))
                      (local.set $wp (i32.add (local.get $wp) (local.get $CO4)))
                      (local.set $k (i32.add (local.get $k) (i32.const 4)))
                      (br $kloop))))
                  (else
                    (block $k4done (loop $k4loop
                      (br_if $k4done (i32.ge_u (local.get $k) (local.get $len)))
                      (local.set $s0 (f32x4.splat (f32.load (i32.add (local.get $p0) (local.get $k)))))
                      (local.set $s1 (f32x4.splat (f32.load (i32.add (local.get $p1) (local.get $k)))))
                      (local.set $w0 (v128.load (local.get $wp)))
                      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s0) (local.get $w0))))
                      (local.set $c24 (f32x4.add (local.get $c24) (f32x4.mul (local.get $s1) (local.get $w0))))
                      (local.set $wp (i32.add (local.get $wp) (local.get $CO4)))
                      (local.set $k (i32.add (local.get $k) (i32.const 4)))
                      (br $k4loop))))))
              (local.set $seg (i32.add (local.get $seg) (i32.const 1)))
              (br $sloop)))
            (if (local.get $relu)
              (then
                (local.set $c20 (f32x4.max (local.get $c20) (v128.const i32x4 0 0 0 0)))
                (local.set $c21 (f32x4.max (local.get $c21) (v128.const i32x4 0 0 0 0)))
                (local.set $c22 (f32x4.max (local.get $c22) (v128.const i32x4 0 0 0 0)))
                (local.set $c23 (f32x4.max (local.get $c23) (v128.const i32x4 0 0 0 0)))
                (local.set $c24 (f32x4.max (local.get $c24) (v128.const i32x4 0 0 0 0)))
                (local.set $c25 (f32x4.max (local.get $c25) (v128.const i32x4 0 0 0 0)))
                (local.set $c26 (f32x4.max (local.get $c26) (v128.const i32x4 0 0 0 0)))
                (local.set $c27 (f32x4.max (local.get $c27) (v128.const i32x4 0 0 0 0)))))
            (v128.store (i32.add (local.get $o) (local.get $co)) (local.get $c20))
            (if (local.get $two) (then (v128.store (i32.add (i32.add (local.get $o) (local.get $CO4)) (local.get $co)) (local.get $c24))))
            (if (local.get $stop)
              (then
                (v128.store offset=16 (i32.add (local.get $o) (local.get $co)) (local.get $c21))
                (v128.store offset=32 (i32.add (local.get $o) (local.get $co)) (local.get $c22))
                (v128.store offset=48 (i32.add (local.get $o) (local.get $co)) (local.get $c23))
                (if (local.get $two)
                  (then
                    (v128.store offset=16 (i32.add (i32.add (local.get $o) (local.get $CO4)) (local.get $co)) (local.get $c25))
                    (v128.store offset=32 (i32.add (i32.add (local.get $o) (local.get $CO4)) (local.get $co)) (local.get $c26))
                    (v128.store offset=48 (i32.add (i32.add (local.get $o) (local.get $CO4)) (local.get $co)) (local.get $c27))))
                (local.set $co (i32.add (local.get $co) (i32.const 64))))
              (else (local.set $co (i32.add (local.get $co) (i32.const 16)))))
            (br $cloop)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 2)))
          (br $owloop)))
        ;; with $pool, each second row finishes a row of 2×2 windows: pooled row (n, oh >> 1), still in cache
        (if (i32.and (i32.ne (local.get $pool) (i32.const 0)) (i32.and (local.get $oh) (i32.const 1))) (then
          (call $pool_row (i32.sub (local.get $orow) (i32.mul (local.get $OW) (local.get $CO4))) (i32.mul (local.get $OW) (local.get $CO4))
            (i32.add (local.get $pool) (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (i32.shr_u (local.get $OH) (i32.const 1))) (i32.shr_u (local.get $oh) (i32.const 1)))
              (i32.shr_u (local.get $OW) (i32.const 1))) (local.get $CO4)))
            (i32.shr_u (local.get $OW) (i32.const 1)) (local.get $CO4))))
        (local.set $orow (i32.add (local.get $orow) (i32.mul (local.get $OW) (local.get $CO4))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; wp[0..16) += Σ_i x(i)·dp_i[0..16) over $count pixels: x(i) at $xp + i·$step, dp_i at $dp + i·$CO4
  ;; (one filter-gradient row's 16 output channels, in registers).
  (func $frow16 (param $xp i32) (param $dp i32) (param $wp i32) (param $count i32) (param $step i32) (param $CO4 i32)
    (local $i i32) (local $s0 v128) (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128)
    (local $c30 v128) (local $c31 v128) (local $c32 v128) (local $c33 v128)
    (local.set $c30 (v128.load (local.get $wp)))
    (local.set $c31 (v128.load offset=16 (local.get $wp)))
    (local.set $c32 (v128.load offset=32 (local.get $wp)))
    (local.set $c33 (v128.load offset=48 (local.get $wp)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $s0 (f32x4.splat (f32.load (local.get $xp))))
      (local.set $g0 (v128.load (local.get $dp)))
      (local.set $g1 (v128.load offset=16 (local.get $dp)))
      (local.set $g2 (v128.load offset=32 (local.get $dp)))
      (local.set $g3 (v128.load offset=48 (local.get $dp)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s0) (local.get $g0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s0) (local.get $g1))))
      (local.set $c32 (f32x4.add (local.get $c32) (f32x4.mul (local.get $s0) (local.get $g2))))
      (local.set $c33 (f32x4.add (local.get $c33) (f32x4.mul (local.get $s0) (local.get $g3))))
      (local.set $xp (i32.add (local.get $xp) (local.get $step)))
      (local.set $dp (i32.add (local.get $dp) (local.get $CO4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (v128.store (local.get $wp) (local.get $c30))
    (v128.store offset=16 (local.get $wp) (local.get $c31))
    (v128.store offset=32 (local.get $wp) (local.get $c32))
    (v128.store offset=48 (local.get $wp) (local.get $c33))
  )

  ;; $frow16 for two filter-gradient rows at once (taps from x at $xp0 and $xp1, into $wp0 and $wp1)
  ;; sharing each dy load.
  (func $frow16x2 (param $xp0 i32) (param $xp1 i32) (param $dp i32) (param $wp0 i32) (param $wp1 i32) (param $count i32) (param $step i32) (param $CO4 i32)
    (local $i i32) (local $s0 v128) (local $s1 v128) (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128)
    (local $c30 v128) (local $c31 v128) (local $c32 v128) (local $c33 v128)
    (local $c34 v128) (local $c35 v128) (local $c36 v128) (local $c37 v128)
    (local.set $c30 (v128.load (local.get $wp0)))
    (local.set $c31 (v128.load offset=16 (local.get $wp0)))
    (local.set $c32 (v128.load offset=32 (local.get $wp0)))
    (local.set $c33 (v128.load offset=48 (local.get $wp0)))
    (local.set $c34 (v128.load (local.get $wp1)))
    (local.set $c35 (v128.load offset=16 (local.get $wp1)))
    (local.set $c36 (v128.load offset=32 (local.get $wp1)))
    (local.set $c37 (v128.load offset=48 (local.get $wp1)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $s0 (f32x4.splat (f32.load (local.get $xp0))))
      (local.set $s1 (f32x4.splat (f32.load (local.get $xp1))))
      (local.set $g0 (v128.load (local.get $dp)))
      (local.set $g1 (v128.load offset=16 (local.get $dp)))
      (local.set $g2 (v128.load offset=32 (local.get $dp)))
      (local.set $g3 (v128.load offset=48 (local.get $dp)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s0) (local.get $g0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s0) (local.get $g1))))
      (local.set $c32 (f32x4.add (local.get $c32) (f32x4.mul (local.get $s0) (local.get $g2))))
      (local.set $c33 (f32x4.add (local.get $c33) (f32x4.mul (local.get $s0) (local.get $g3))))
      (local.set $c34 (f32x4.add (local.get $c34) (f32x4.mul (local.get $s1) (local.get $g0))))
      (local.set $c35 (f32x4.add (local.get $c35) (f32x4.mul (local.get $s1) (local.get $g1))))
      (local.set $c36 (f32x4.add (local.get $c36) (f32x4.mul (local.get $s1) (local.get $g2))))
      (local.set $c37 (f32x4.add (local.get $c37) (f32x4.mul (local.get $s1) (local.get $g3))))
      (local.set $xp0 (i32.add (local.get $xp0) (local.get $step)))
      (local.set $xp1 (i32.add (local.get $xp1) (local.get $step)))
      (local.set $dp (i32.add (local.get $dp) (local.get $CO4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (v128.store (local.get $wp0) (local.get $c30))
    (v128.store offset=16 (local.get $wp0) (local.get $c31))
    (v128.store offset=32 (local.get $wp0) (local.get $c32))
    (v128.store offset=48 (local.get $wp0) (local.get $c33))
    (v128.store (local.get $wp1) (local.get $c34))
    (v128.store offset=16 (local.get $wp1) (local.get $c35))
    (v128.store offset=32 (local.get $wp1) (local.get $c36))
    (v128.store offset=48 (local.get $wp1) (local.get $c37))
  )

  ;; $frow16 for 4 output channels.
  (func $frow4 (param $xp i32) (param $dp i32) (param $wp i32) (param $count i32) (param $step i32) (param $CO4 i32)
    (local $i i32) (local $s0 v128) (local $g0 v128) (local $c30 v128)
    (local.set $c30 (v128.load (local.get $wp)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $s0 (f32x4.splat (f32.load (local.get $xp))))
      (local.set $g0 (v128.load (local.get $dp)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s0) (local.get $g0))))
      (local.set $xp (i32.add (local.get $xp) (local.get $step)))
      (local.set $dp (i32.add (local.get $dp) (local.get $CO4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (v128.store (local.get $wp) (local.get $c30))
  )

  ;; The filter gradient of conv_direct's convolution, dW[(kh,kw,c)][co] += Σ_(n,oh,ow) x[…]·dy[n,oh,ow,co],
  ;; read straight from x: for each output row and tap (kh, kw, c) the output columns whose tap lies
  ;; inside x are one range, walked with 16 (or 4) output channels of dW's row in registers and
  ;; the dy row in L1; two filter rows kh, kh + 1 inside x at once, sharing the dy loads. CO must be
  ;; a multiple of 4; dW must be zeroed by the caller.
  ;;
  ;; $py ≠ 0 fuses in the gradient through relu and max_pool2 before it (max_pool2_relu_grad): $py
  ;; is then the ReLU output y [N, OH, OW, CO] and $dy the pooled gradient [N, OH/2, OW/2, CO];
  ;; each row pair of the convolution's dy is made from its row of windows into $rows (two rows of
  ;; scratch) just before the filter gradient reads it, and db (zeroed by the caller) gets the
  ;; bias gradient, in the same order and to the same bits as the two passes one after the other.
  (func (export "conv_direct_filter") (param $x i32) (param $dy i32) (param $dW i32)
        (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $KH i32) (param $KW i32)
        (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32)
        (param $OH i32) (param $OW i32) (param $CO i32) (param $py i32) (param $db i32) (param $rows i32)
    (local $n i32) (local $oh i32) (local $co i32) (local $k i32) (local $CO4 i32) (local $CO16 i32)
    (local $kh i32) (local $kw i32) (local $c i32) (local $ih i32) (local $t i32) (local $lo i32) (local $hi i32)
    (local $xp i32) (local $xstart i32) (local $dp i32) (local $wp i32) (local $dyrow i32) (local $xrow i32) (local $step i32)
    (local $pair i32) (local $xnext i32) (local $wnext i32) (local $rs i32)
    (local.set $CO4 (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $CO16 (i32.shl (i32.and (local.get $CO) (i32.const -16)) (i32.const 2)))
    (local.set $step (i32.shl (i32.mul (local.get $sw) (local.get $C)) (i32.const 2)))
    ;; from filter row kh to kh + 1: in x (dh rows), in dW (KW·C rows)
    (local.set $xnext (i32.shl (i32.mul (i32.mul (local.get $dh) (local.get $W)) (local.get $C)) (i32.const 2)))
    (local.set $wnext (i32.mul (i32.mul (local.get $KW) (local.get $C)) (local.get $CO4)))
    (local.set $dyrow (local.get $dy))
    (local.set $rs (i32.mul (local.get $OW) (local.get $CO4)))
    ;; columns no pooling window covers (an odd OW) stay zero in the two rows of dy
    (if (local.get $py) (then (memory.fill (local.get $rows) (i32.const 0) (i32.shl (local.get $rs) (i32.const 1)))))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (if (local.get $py) (then
          ;; dy of this row and the next from their row of windows (see max_pool2_relu_grad); a last
          ;; row no window covers (an odd OH) gets none
          (if (i32.and (local.get $oh) (i32.const 1))
            (then (local.set $dyrow (i32.add (local.get $rows) (local.get $rs))))
            (else
              (local.set $dyrow (local.get $rows))
              (if (i32.lt_u (i32.add (local.get $oh) (i32.const 1)) (local.get $OH))
                (then
                  (call $pool_grad_row
                    (i32.add (local.get $py) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $rs)))
                    (local.get $rows)
                    (i32.add (local.get $dy) (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (i32.shr_u (local.get $OH) (i32.const 1))) (i32.shr_u (local.get $oh) (i32.const 1)))
                      (i32.shr_u (local.get $OW) (i32.const 1))) (local.get $CO4)))
                    (local.get $db) (i32.shr_u (local.get $OW) (i32.const 1)) (local.get $CO4) (local.get $rs)))
                (else (memory.fill (local.get $rows) (i32.const 0) (local.get $rs))))))))
        (local.set $kh (i32.const 0))
        (block $khdone (loop $khloop
          (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
          (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))) (local.get $pt)))
          (local.set $pair (i32.const 0))
          (if (i32.lt_u (local.get $ih) (local.get $H)) (then
            (local.set $pair (i32.and (i32.lt_u (i32.add (local.get $kh) (i32.const 1)) (local.get $KH))
              (i32.lt_u (i32.add (local.get $ih) (local.get $dh)) (local.get $H))))
            (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $C)) (i32.const 2))))
            (local.set $kw (i32.const 0))
            (block $kwdone (loop $kwloop
              (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
              ;; output columns ow with 0 ≤ ow·sw + t < W, t = kw·dw − pl: ow from lo to hi (exclusive)
              (local.set $t (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $pl)))
              (local.set $lo (if (result i32) (i32.ge_s (local.get $t) (i32.const 0))
                (then (i32.const 0))
                (else (i32.div_u (i32.add (i32.sub (i32.const 0) (local.get $t)) (i32.sub (local.get $sw) (i32.const 1))) (local.get $sw)))))
              (local.set $hi (if (result i32) (i32.gt_s (i32.sub (local.get $W) (local.get $t)) (i32.const 0))
                (then (i32.div_u (i32.add (i32.sub (i32.sub (local.get $W) (local.get $t)) (i32.const 1)) (local.get $sw)) (local.get $sw)))
                (else (i32.const 0))))
              (if (i32.gt_u (local.get $hi) (local.get $OW)) (then (local.set $hi (local.get $OW))))
              (if (i32.lt_u (local.get $lo) (local.get $hi)) (then
                ;; x at (ih, lo·sw + t), channel 0
                (local.set $xstart (i32.add (local.get $xrow) (i32.shl (i32.mul (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $t)) (local.get $C)) (i32.const 2))))
                (local.set $dp (i32.add (local.get $dyrow) (i32.mul (local.get $lo) (local.get $CO4))))
                (local.set $c (i32.const 0))
                (block $chdone (loop $chloop
                  (br_if $chdone (i32.ge_u (local.get $c) (local.get $C)))
                  ;; dW row k = (kh·KW + kw)·C + c
                  (local.set $k (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $C)) (local.get $c)))
                  (local.set $wp (i32.add (local.get $dW) (i32.mul (local.get $k) (local.get $CO4))))
                  (local.set $xp (i32.add (local.get $xstart) (i32.shl (local.get $c) (i32.const 2))))
                  (local.set $co (i32.const 0))
                  (block $cdone (loop $cloop
                    (br_if $cdone (i32.ge_u (local.get $co) (local.get $CO16)))
                    (if (local.get $pair)
                      (then (call $frow16x2 (local.get $xp) (i32.add (local.get $xp) (local.get $xnext)) (i32.add (local.get $dp) (local.get $co))
                        (i32.add (local.get $wp) (local.get $co)) (i32.add (i32.add (local.get $wp) (local.get $wnext)) (local.get $co))
                        (i32.sub (local.get $hi) (local.get $lo)) (local.get $step) (local.get $CO4)))
                      (else (call $frow16 (local.get $xp) (i32.add (local.get $dp) (local.get $co)) (i32.add (local.get $wp) (local.get $co))
                        (i32.sub (local.get $hi) (local.get $lo)) (local.get $step) (local.get $CO4))))
                    (local.set $co (i32.add (local.get $co) (i32.const 64)))
                    (br $cloop)))
                  (block $c4done (loop $c4loop
                    (br_if $c4done (i32.ge_u (local.get $co) (local.get $CO4)))
                    (call $frow4 (local.get $xp) (i32.add (local.get $dp) (local.get $co)) (i32.add (local.get $wp) (local.get $co))
                      (i32.sub (local.get $hi) (local.get $lo)) (local.get $step) (local.get $CO4))
                    (if (local.get $pair)
                      (then (call $frow4 (i32.add (local.get $xp) (local.get $xnext)) (i32.add (local.get $dp) (local.get $co))
                        (i32.add (i32.add (local.get $wp) (local.get $wnext)) (local.get $co))
                        (i32.sub (local.get $hi) (local.get $lo)) (local.get $step) (local.get $CO4))))
                    (local.set $co (i32.add (local.get $co) (i32.const 16)))
                    (br $c4loop)))
                  (local.set $c (i32.add (local.get $c) (i32.const 1)))
                  (br $chloop)))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kwloop)))))
          (local.set $kh (i32.add (i32.add (local.get $kh) (i32.const 1)) (local.get $pair)))
          (br $khloop)))
        (local.set $dyrow (i32.add (local.get $dyrow) (i32.mul (local.get $OW) (local.get $CO4))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; out row q gets the 2×2 maxima of two input rows: the rows at $row and $row + $rs, OW windows
  ;; of C4 bytes of channels each (window ow reads columns 2ow and 2ow + 1).
  (func $pool_row (param $row i32) (param $rs i32) (param $q i32) (param $OW i32) (param $C4 i32)
    (local $ow i32) (local $c i32) (local $p i32)
    (block $owdone (loop $owloop
      (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
      (local.set $p (i32.add (local.get $row) (i32.mul (i32.shl (local.get $ow) (i32.const 1)) (local.get $C4))))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $C4)))
        (v128.store (local.get $q)
          (f32x4.max
            (f32x4.max (v128.load (i32.add (local.get $p) (local.get $c))) (v128.load (i32.add (i32.add (local.get $p) (local.get $C4)) (local.get $c))))
            (f32x4.max (v128.load (i32.add (i32.add (local.get $p) (local.get $rs)) (local.get $c)))
                       (v128.load (i32.add (i32.add (i32.add (local.get $p) (local.get $rs)) (local.get $C4)) (local.get $c))))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cloop)))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (br $owloop)))
  )

  ;; 2×2 stride-2 'valid' max pool (NHWC, C a multiple of 4): out[n,oh,ow,c] = the max of x over
  ;; rows 2oh, 2oh+1 and columns 2ow, 2ow+1 (an odd H or W's last row or column is dropped).
  (func (export "max_pool2") (param $x i32) (param $out i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
        (param $OH i32) (param $OW i32)
    (local $r i32) (local $C4 i32) (local $rs i32) (local $q i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rs (i32.mul (local.get $W) (local.get $C4)))
    (local.set $q (local.get $out))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (i32.mul (local.get $N) (local.get $OH))))
      ;; input row 2·oh of image n: row (n·H + 2·oh), with r = n·OH + oh
      (call $pool_row
        (i32.add (local.get $x) (i32.mul (local.get $rs)
          (i32.add (i32.mul (i32.div_u (local.get $r) (local.get $OH)) (local.get $H)) (i32.shl (i32.rem_u (local.get $r) (local.get $OH)) (i32.const 1)))))
        (local.get $rs) (local.get $q) (local.get $OW) (local.get $C4))
      (local.set $q (i32.add (local.get $q) (i32.mul (local.get $OW) (local.get $C4))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; One row of max_pool2_relu_grad's windows: y rows at $yr and $yr + $rs, dz rows at $dr and
  ;; $dr + $rs (the same layout), the row's pooled gradients at $q (OW windows of C4 bytes); db
  ;; gets each window's masked gradient added, window by window.
  (func $pool_grad_row (param $yr i32) (param $dr i32) (param $q i32) (param $db i32) (param $OW i32) (param $C4 i32) (param $rs i32)
    (local $ow i32) (local $c i32) (local $p i32)
    (local $a v128) (local $b v128) (local $e v128) (local $d v128) (local $m v128) (local $g v128) (local $t v128) (local $taken v128)
    (block $owdone (loop $owloop
      (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $C4)))
        ;; byte offset of tap (0,0) of this window and channel group, in y and dz alike
        (local.set $p (i32.add (i32.mul (i32.shl (local.get $ow) (i32.const 1)) (local.get $C4)) (local.get $c)))
        (local.set $a (v128.load (i32.add (local.get $yr) (local.get $p))))
        (local.set $b (v128.load (i32.add (i32.add (local.get $yr) (local.get $p)) (local.get $C4))))
        (local.set $e (v128.load (i32.add (i32.add (local.get $yr) (local.get $p)) (local.get $rs))))
        (local.set $d (v128.load (i32.add (i32.add (i32.add (local.get $yr) (local.get $p)) (local.get $rs)) (local.get $C4))))
        (local.set $m (f32x4.max (f32x4.max (local.get $a) (local.get $b)) (f32x4.max (local.get $e) (local.get $d))))
        (local.set $g (v128.and (v128.load (local.get $q)) (f32x4.gt (local.get $m) (v128.const i32x4 0 0 0 0))))
        (local.set $taken (f32x4.eq (local.get $a) (local.get $m)))
        (v128.store (i32.add (local.get $dr) (local.get $p)) (v128.and (local.get $g) (local.get $taken)))
        (local.set $t (v128.andnot (f32x4.eq (local.get $b) (local.get $m)) (local.get $taken)))
        (v128.store (i32.add (i32.add (local.get $dr) (local.get $p)) (local.get $C4)) (v128.and (local.get $g) (local.get $t)))
        (local.set $taken (v128.or (local.get $taken) (local.get $t)))
        (local.set $t (v128.andnot (f32x4.eq (local.get $e) (local.get $m)) (local.get $taken)))
        (v128.store (i32.add (i32.add (local.get $dr) (local.get $p)) (local.get $rs)) (v128.and (local.get $g) (local.get $t)))
        (local.set $taken (v128.or (local.get $taken) (local.get $t)))
        (local.set $t (v128.andnot (f32x4.eq (local.get $d) (local.get $m)) (local.get $taken)))
        (v128.store (i32.add (i32.add (i32.add (local.get $dr) (local.get $p)) (local.get $rs)) (local.get $C4)) (v128.and (local.get $g) (local.get $t)))
        (v128.store (i32.add (local.get $db) (local.get $c)) (f32x4.add (v128.load (i32.add (local.get $db) (local.get $c))) (local.get $g)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cloop)))
      (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
      (br $owloop)))
  )

  ;; The backward pass of pool(relu(z + b)) for max_pool2's pooling, in one pass: y is the ReLU
  ;; output [N, H, W, C] (C a multiple of 4), dy the pooled gradient [N, OH, OW, C]. Each dy goes
  ;; to the first maximal y of its window (row-major: (0,0), (0,1), (1,0), (1,1), as MaxPoolGrad
  ;; routes it) when that maximum is > 0, and to nothing otherwise (the ReLU's mask): dz = route(dy)
  ;; · [y > 0], and db[c] += Σ dz. Rows and columns no window covers (odd H or W) are left as
  ;; they are: the caller zeroes dz then. db must be zeroed by the caller.
  (func (export "max_pool2_relu_grad") (param $y i32) (param $dy i32) (param $dz i32) (param $db i32)
        (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (local $r i32) (local $C4 i32) (local $off i32) (local $q i32) (local $rs i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rs (i32.mul (local.get $W) (local.get $C4)))
    (local.set $q (local.get $dy))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (i32.mul (local.get $N) (local.get $OH))))
      (local.set $off (i32.mul (local.get $rs)
        (i32.add (i32.mul (i32.div_u (local.get $r) (local.get $OH)) (local.get $H)) (i32.shl (i32.rem_u (local.get $r) (local.get $OH)) (i32.const 1)))))
      (call $pool_grad_row (i32.add (local.get $y) (local.get $off)) (i32.add (local.get $dz) (local.get $off)) (local.get $q) (local.get $db)
        (local.get $OW) (local.get $C4) (local.get $rs))
      (local.set $q (i32.add (local.get $q) (i32.mul (local.get $OW) (local.get $C4))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; F(2×2, 3×3) Winograd convolution (Lavin & Gray 2016): an output tile of 2×2 pixels is
  ;; Aᵀ·[Σ_c U_c ⊙ (Bᵀ·d_c·B)]·A with d_c the tile's 4×4 input patch of channel c and U = G·g·Gᵀ the
  ;; transformed 3×3 filter, so the 36 products of a tile and channel pair become 16, done as 16
  ;; GEMMs (one per position ξ of the 4×4 transform) over tiles × channels. wino_pad, wino_tiles and
  ;; wino_out are the passes around those GEMMs (see kernels/winograd.ts); wi_quad, wd_quad and
  ;; wo_quad transform one channel quad of one tile.
  ;;
  ;; NHWC x [N, H, W, C] into xp [N, Hp, Wp, C]: pixel (r, c) of x at (r + pt, c + pl), zeros elsewhere;
  ;; rows and columns that fall outside xp are dropped.
  (func (export "wino_pad") (param $x i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
        (param $pt i32) (param $pl i32) (param $Hp i32) (param $Wp i32) (param $xp i32)
    (local $n i32) (local $r i32) (local $px i32) (local $run i32) (local $rs i32) (local $rsp i32)
    (local.set $px (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rs (i32.mul (local.get $W) (local.get $px)))
    (local.set $rsp (i32.mul (local.get $Wp) (local.get $px)))
    (memory.fill (local.get $xp) (i32.const 0) (i32.mul (i32.mul (local.get $N) (local.get $Hp)) (local.get $rsp)))
    ;; the columns kept: c < W with c + pl < Wp
    (local.set $run (i32.sub (local.get $Wp) (local.get $pl)))
    (if (i32.gt_s (local.get $run) (local.get $W)) (then (local.set $run (local.get $W))))
    (if (i32.le_s (local.get $run) (i32.const 0)) (then (return)))
    (local.set $run (i32.mul (local.get $run) (local.get $px)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $H)))
        (br_if $rdone (i32.ge_u (i32.add (local.get $r) (local.get $pt)) (local.get $Hp)))
        (memory.copy
          (i32.add (i32.add (local.get $xp) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp)) (i32.add (local.get $r) (local.get $pt))) (local.get $rsp)))
                   (i32.mul (local.get $pl) (local.get $px)))
          (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $r)) (local.get $rs)))
          (local.get $run))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; The input transform Bᵀ·d·B (kind 0, 4×4 patches) or dy's transform A·g·Aᵀ (kind 1, 2×2 blocks)
  ;; of every tile of src [N, Hp, Wp, C] (C a multiple of 4, every patch inside src): tile (n, ty, tx)
  ;; starts at row 2·ty and column 2·tx, and tile t = (n·TH + ty)·TW + tx stores channel quad c of
  ;; position ξ at dst + ξ·plane + (t·C + c)·4, so each position is a row-major [tiles × C] matrix.
  (func (export "wino_tiles") (param $kind i32) (param $src i32) (param $N i32) (param $Hp i32) (param $Wp i32) (param $C i32)
        (param $TH i32) (param $TW i32) (param $dst i32) (param $plane i32)
    (local $n i32) (local $ty i32) (local $tx i32) (local $c i32) (local $C4 i32) (local $rs i32) (local $row i32) (local $p i32) (local $o i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rs (i32.mul (local.get $Wp) (local.get $C4)))
    (local.set $o (local.get $dst))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $ty (i32.const 0))
      (block $ydone (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $ty) (local.get $TH)))
        (local.set $row (i32.add (local.get $src)
          (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp)) (i32.shl (local.get $ty) (i32.const 1))) (local.get $rs))))
        (local.set $tx (i32.const 0))
        (block $xdone (loop $xloop
          (br_if $xdone (i32.ge_u (local.get $tx) (local.get $TW)))
          (local.set $p (i32.add (local.get $row) (i32.mul (i32.shl (local.get $tx) (i32.const 1)) (local.get $C4))))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $C4)))
            (if (local.get $kind)
              (then (call $wd_quad (i32.add (local.get $p) (local.get $c)) (local.get $rs) (local.get $C4) (local.get $o) (local.get $plane)))
              (else (call $wi_quad (i32.add (local.get $p) (local.get $c)) (local.get $rs) (local.get $C4) (local.get $o) (local.get $plane))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $cloop)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
          (br $xloop)))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br $yloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; The output transform of every tile: m holds position ξ at m + ξ·plane, tile t's quad c at
  ;; (t·CO + c)·4 within it (wino_tiles' layout); out [N, OH, OW, CO] (CO a multiple of 4) gets
  ;; act(Aᵀ·m·A + bias), bias 0 for none, relu = 1 for max(·, 0). A last tile of an odd OH or OW
  ;; stores only its pixels inside out. pool ≠ 0 also gets the 2×2 stride-2 'valid' max pool of out,
  ;; [N, OH/2, OW/2, CO] (halves rounded down): each whole tile is one pooling window.
  (func (export "wino_out") (param $m i32) (param $plane i32) (param $bias i32) (param $relu i32) (param $out i32)
        (param $N i32) (param $OH i32) (param $OW i32) (param $CO i32) (param $TH i32) (param $TW i32) (param $pool i32)
    (local $n i32) (local $ty i32) (local $tx i32) (local $c i32) (local $C4 i32) (local $rs i32) (local $row i32) (local $p i32) (local $q i32)
    (local $rows i32) (local $cols i32) (local $b v128) (local $POH i32) (local $POW i32) (local $pp i32)
    (local.set $POH (i32.shr_u (local.get $OH) (i32.const 1)))
    (local.set $POW (i32.shr_u (local.get $OW) (i32.const 1)))
    (local.set $C4 (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $rs (i32.mul (local.get $OW) (local.get $C4)))
    (local.set $q (local.get $m))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $ty (i32.const 0))
      (block $ydone (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $ty) (local.get $TH)))
        (local.set $rows (i32.sub (local.get $OH) (i32.shl (local.get $ty) (i32.const 1))))
        (if (i32.gt_s (local.get $rows) (i32.const 2)) (then (local.set $rows (i32.const 2))))
        (local.set $row (i32.add (local.get $out)
          (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (i32.shl (local.get $ty) (i32.const 1))) (local.get $rs))))
        (local.set $tx (i32.const 0))
        (block $xdone (loop $xloop
          (br_if $xdone (i32.ge_u (local.get $tx) (local.get $TW)))
          (local.set $cols (i32.sub (local.get $OW) (i32.shl (local.get $tx) (i32.const 1))))
          (if (i32.gt_s (local.get $cols) (i32.const 2)) (then (local.set $cols (i32.const 2))))
          (local.set $p (i32.add (local.get $row) (i32.mul (i32.shl (local.get $tx) (i32.const 1)) (local.get $C4))))
          ;; pooled pixel (n, ty, tx) for a whole tile, when asked
          (local.set $pp (i32.const 0))
          (if (i32.and (i32.ne (local.get $pool) (i32.const 0))
                       (i32.and (i32.lt_u (local.get $ty) (local.get $POH)) (i32.lt_u (local.get $tx) (local.get $POW)))) (then
            (local.set $pp (i32.add (local.get $pool)
              (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $POH)) (local.get $ty)) (local.get $POW)) (local.get $tx)) (local.get $C4))))))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $C4)))
            (local.set $b (v128.const i32x4 0 0 0 0))
            (if (local.get $bias) (then (local.set $b (v128.load (i32.add (local.get $bias) (local.get $c))))))
            (call $wo_quad (local.get $q) (local.get $plane) (local.get $b) (local.get $relu) (i32.add (local.get $p) (local.get $c))
              (local.get $rs) (local.get $C4) (local.get $rows) (local.get $cols)
              (select (i32.add (local.get $pp) (local.get $c)) (i32.const 0) (local.get $pp)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $cloop)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
          (br $xloop)))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br $yloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop)))
  )

  ;; dst[0..bytes) += src[0..bytes) (the filter gradient's sum over chunks of tiles).
  (func (export "add_floats") (param $dst i32) (param $src i32) (param $bytes i32)
    (call $add_run (local.get $dst) (local.get $src) (local.get $bytes))
  )

  ;; Bᵀ·d·B for one channel quad of one 4×4 patch (F(2×2, 3×3)'s input transform): d_ij, a v128 of
  ;; four channels, at src + i·rs + j·cs; V_ξ (ξ = 4i + j) stored at o + ξ·plane. Bᵀ = [1 0 −1 0;
  ;; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], so row i of Bᵀd combines two rows of d (d0 − d2, d1 + d2,
  ;; d2 − d1, d1 − d3) and column j of (Bᵀd)·B the same columns of that; each row is built from two
  ;; rows of loads, which keeps 4 + 8 vectors live.
  (func $wi_quad (param $src i32) (param $rs i32) (param $cs i32) (param $o i32) (param $plane i32)
    (local $p i32) (local $q i32) (local $c2 i32) (local $c3 i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $c2 (i32.shl (local.get $cs) (i32.const 1)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $cs)))
    ;; row 0: d0 − d2
    (local.set $p (local.get $src))
    (local.set $q (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 1))))
    (local.set $t0 (f32x4.sub (v128.load (local.get $p)) (v128.load (local.get $q))))
    (local.set $t1 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $cs))) (v128.load (i32.add (local.get $q) (local.get $cs)))))
    (local.set $t2 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $c2))) (v128.load (i32.add (local.get $q) (local.get $c2)))))
    (local.set $t3 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $c3))) (v128.load (i32.add (local.get $q) (local.get $c3)))))
    (v128.store (local.get $o) (f32x4.sub (local.get $t0) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $t1) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t2) (local.get $t1)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t1) (local.get $t3)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    ;; row 1: d1 + d2
    (local.set $p (i32.add (local.get $src) (local.get $rs)))
    (local.set $q (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 1))))
    (local.set $t0 (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $q))))
    (local.set $t1 (f32x4.add (v128.load (i32.add (local.get $p) (local.get $cs))) (v128.load (i32.add (local.get $q) (local.get $cs)))))
    (local.set $t2 (f32x4.add (v128.load (i32.add (local.get $p) (local.get $c2))) (v128.load (i32.add (local.get $q) (local.get $c2)))))
    (local.set $t3 (f32x4.add (v128.load (i32.add (local.get $p) (local.get $c3))) (v128.load (i32.add (local.get $q) (local.get $c3)))))
    (v128.store (local.get $o) (f32x4.sub (local.get $t0) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $t1) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t2) (local.get $t1)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t1) (local.get $t3)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    ;; row 2: d2 − d1
    (local.set $p (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 1))))
    (local.set $q (i32.add (local.get $src) (local.get $rs)))
    (local.set $t0 (f32x4.sub (v128.load (local.get $p)) (v128.load (local.get $q))))
    (local.set $t1 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $cs))) (v128.load (i32.add (local.get $q) (local.get $cs)))))
    (local.set $t2 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $c2))) (v128.load (i32.add (local.get $q) (local.get $c2)))))
    (local.set $t3 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $c3))) (v128.load (i32.add (local.get $q) (local.get $c3)))))
    (v128.store (local.get $o) (f32x4.sub (local.get $t0) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $t1) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t2) (local.get $t1)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t1) (local.get $t3)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    ;; row 3: d1 − d3
    (local.set $p (i32.add (local.get $src) (local.get $rs)))
    (local.set $q (i32.add (local.get $src) (i32.mul (local.get $rs) (i32.const 3))))
    (local.set $t0 (f32x4.sub (v128.load (local.get $p)) (v128.load (local.get $q))))
    (local.set $t1 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $cs))) (v128.load (i32.add (local.get $q) (local.get $cs)))))
    (local.set $t2 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $c2))) (v128.load (i32.add (local.get $q) (local.get $c2)))))
    (local.set $t3 (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $c3))) (v128.load (i32.add (local.get $q) (local.get $c3)))))
    (v128.store (local.get $o) (f32x4.sub (local.get $t0) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $t1) (local.get $t2)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t2) (local.get $t1)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $t1) (local.get $t3)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
  )

  ;; A·g·Aᵀ for one channel quad of one 2×2 block g of dy (the transform the filter gradient of
  ;; F(2×2, 3×3) pairs with V): g_ij at src + i·rs + j·cs; Z_ξ stored at o + ξ·plane. A = [1 0;
  ;; 1 1; 1 −1; 0 −1], so the rows of A·g are g0, g0 + g1, g0 − g1, −g1 and each row (a, b) gives
  ;; a, a + b, a − b, −b.
  (func $wd_quad (param $src i32) (param $rs i32) (param $cs i32) (param $o i32) (param $plane i32)
    (local $g00 v128) (local $g01 v128) (local $g10 v128) (local $g11 v128) (local $a v128) (local $b v128)
    (local.set $g00 (v128.load (local.get $src)))
    (local.set $g01 (v128.load (i32.add (local.get $src) (local.get $cs))))
    (local.set $g10 (v128.load (i32.add (local.get $src) (local.get $rs))))
    (local.set $g11 (v128.load (i32.add (i32.add (local.get $src) (local.get $rs)) (local.get $cs))))
    (local.set $a (local.get $g00))
    (local.set $b (local.get $g01))
    (v128.store (local.get $o) (local.get $a))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.neg (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (local.set $a (f32x4.add (local.get $g00) (local.get $g10)))
    (local.set $b (f32x4.add (local.get $g01) (local.get $g11)))
    (v128.store (local.get $o) (local.get $a))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.neg (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (local.set $a (f32x4.sub (local.get $g00) (local.get $g10)))
    (local.set $b (f32x4.sub (local.get $g01) (local.get $g11)))
    (v128.store (local.get $o) (local.get $a))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.neg (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (local.set $a (f32x4.neg (local.get $g10)))
    (local.set $b (f32x4.neg (local.get $g11)))
    (v128.store (local.get $o) (local.get $a))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.sub (local.get $a) (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
    (v128.store (local.get $o) (f32x4.neg (local.get $b)))
    (local.set $o (i32.add (local.get $o) (local.get $plane)))
  )

  ;; Aᵀ·m·A for one channel quad of one tile (F(2×2, 3×3)'s output transform), + bias, then
  ;; clamped at 0 when relu = 1: m_ξ at m + ξ·plane (ξ = 4i + j); the 2×2 result y_ij goes to
  ;; out + i·rs + j·cs, its second row only when rows = 2 and its second column only when cols = 2
  ;; (the last tile of an odd output); pool ≠ 0 (a whole tile) also gets the maximum of the four. Aᵀ = [1 1 1 0; 0 1 −1 −1]: each column j of m gives
  ;; a_j = m0j + m1j + m2j and b_j = m1j − m2j − m3j, and y = (a0 + a1 + a2, a1 − a2 − a3; the same of b).
  (func $wo_quad (param $m i32) (param $plane i32) (param $bias v128) (param $relu i32) (param $out i32) (param $rs i32) (param $cs i32)
        (param $rows i32) (param $cols i32) (param $pool i32)
    (local $p4 i32) (local $p8 i32) (local $p12 i32) (local $x1 v128) (local $x2 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $y00 v128) (local $y01 v128) (local $y10 v128) (local $y11 v128)
    (local.set $p4 (i32.shl (local.get $plane) (i32.const 2)))
    (local.set $p8 (i32.shl (local.get $plane) (i32.const 3)))
    (local.set $p12 (i32.add (local.get $p8) (local.get $p4)))
    (local.set $x1 (v128.load (i32.add (local.get $m) (local.get $p4))))
    (local.set $x2 (v128.load (i32.add (local.get $m) (local.get $p8))))
    (local.set $a0 (f32x4.add (f32x4.add (v128.load (local.get $m)) (local.get $x1)) (local.get $x2)))
    (local.set $b0 (f32x4.sub (f32x4.sub (local.get $x1) (local.get $x2)) (v128.load (i32.add (local.get $m) (local.get $p12)))))
    (local.set $x1 (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 1))) (local.get $p4))))
    (local.set $x2 (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 1))) (local.get $p8))))
    (local.set $a1 (f32x4.add (f32x4.add (v128.load (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 1)))) (local.get $x1)) (local.get $x2)))
    (local.set $b1 (f32x4.sub (f32x4.sub (local.get $x1) (local.get $x2)) (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 1))) (local.get $p12)))))
    (local.set $x1 (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 2))) (local.get $p4))))
    (local.set $x2 (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 2))) (local.get $p8))))
    (local.set $a2 (f32x4.add (f32x4.add (v128.load (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 2)))) (local.get $x1)) (local.get $x2)))
    (local.set $b2 (f32x4.sub (f32x4.sub (local.get $x1) (local.get $x2)) (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 2))) (local.get $p12)))))
    (local.set $x1 (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 3))) (local.get $p4))))
    (local.set $x2 (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 3))) (local.get $p8))))
    (local.set $a3 (f32x4.add (f32x4.add (v128.load (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 3)))) (local.get $x1)) (local.get $x2)))
    (local.set $b3 (f32x4.sub (f32x4.sub (local.get $x1) (local.get $x2)) (v128.load (i32.add (i32.add (local.get $m) (i32.mul (local.get $plane) (i32.const 3))) (local.get $p12)))))
    (local.set $y00 (f32x4.add (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (local.get $a2)) (local.get $bias)))
    (local.set $y01 (f32x4.add (f32x4.sub (f32x4.sub (local.get $a1) (local.get $a2)) (local.get $a3)) (local.get $bias)))
    (local.set $y10 (f32x4.add (f32x4.add (f32x4.add (local.get $b0) (local.get $b1)) (local.get $b2)) (local.get $bias)))
    (local.set $y11 (f32x4.add (f32x4.sub (f32x4.sub (local.get $b1) (local.get $b2)) (local.get $b3)) (local.get $bias)))
    (if (local.get $relu) (then
      (local.set $y00 (f32x4.pmax (local.get $y00) (v128.const i32x4 0 0 0 0)))
      (local.set $y01 (f32x4.pmax (local.get $y01) (v128.const i32x4 0 0 0 0)))
      (local.set $y10 (f32x4.pmax (local.get $y10) (v128.const i32x4 0 0 0 0)))
      (local.set $y11 (f32x4.pmax (local.get $y11) (v128.const i32x4 0 0 0 0)))
    ))
    (v128.store (local.get $out) (local.get $y00))
    (if (i32.eq (local.get $cols) (i32.const 2)) (then
      (v128.store (i32.add (local.get $out) (local.get $cs)) (local.get $y01))))
    (if (i32.eq (local.get $rows) (i32.const 2)) (then
      (v128.store (i32.add (local.get $out) (local.get $rs)) (local.get $y10))
      (if (i32.eq (local.get $cols) (i32.const 2)) (then
        (v128.store (i32.add (i32.add (local.get $out) (local.get $rs)) (local.get $cs)) (local.get $y11))))))
    ;; the tile is a 2×2 pooling window: its maximum, in max_pool2's order
    (if (local.get $pool) (then
      (v128.store (local.get $pool)
        (f32x4.max (f32x4.max (local.get $y00) (local.get $y01)) (f32x4.max (local.get $y10) (local.get $y11))))))
  )


  ;; U = G·g·Gᵀ of every (ci, co) pair of a 3×3 filter (F(2×2, 3×3)'s filter transform), G = [1 0 0;
  ;; ½ ½ ½; ½ −½ ½; 0 0 1]: g[kh][kw] of the pair at w + base + kh·sh + kw·sw + ci·sci + co·sco (byte
  ;; offsets, any sign), U_ξ of the pair at u + (ξ·CI·CO + ci·CO + co)·4. In doubles, rounded once.
  (func (export "wino_filter") (param $w i32) (param $CI i32) (param $CO i32) (param $base i32) (param $sh i32) (param $sw i32)
        (param $sci i32) (param $sco i32) (param $u i32)
    (local $ci i32) (local $co i32) (local $at i32) (local $o i32) (local $plane i32) (local $p i32)
    (local $a f64) (local $b f64) (local $c f64)
    (local $g00 f64) (local $g01 f64) (local $g02 f64) (local $g10 f64) (local $g11 f64) (local $g12 f64) (local $g20 f64) (local $g21 f64) (local $g22 f64) (local $g30 f64) (local $g31 f64) (local $g32 f64)
    (local.set $plane (i32.shl (i32.mul (local.get $CI) (local.get $CO)) (i32.const 2)))
    (block $cidone (loop $ciloop
      (br_if $cidone (i32.ge_u (local.get $ci) (local.get $CI)))
      (local.set $co (i32.const 0))
      (block $codone (loop $coloop
        (br_if $codone (i32.ge_u (local.get $co) (local.get $CO)))
        (local.set $at (i32.add (i32.add (local.get $w) (local.get $base))
          (i32.add (i32.mul (local.get $ci) (local.get $sci)) (i32.mul (local.get $co) (local.get $sco)))))
        ;; G·g (4×3), a column j of g at a time: a, (a + b + c)/2, (a − b + c)/2, c
        (local.set $p (local.get $at))
        (local.set $a (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $b (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $sh)))))
        (local.set $c (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $sh) (i32.const 1))))))
        (local.set $g00 (local.get $a))
        (local.set $g10 (f64.mul (f64.add (f64.add (local.get $a) (local.get $b)) (local.get $c)) (f64.const 0.5)))
        (local.set $g20 (f64.mul (f64.add (f64.sub (local.get $a) (local.get $b)) (local.get $c)) (f64.const 0.5)))
        (local.set $g30 (local.get $c))
        (local.set $p (i32.add (local.get $at) (i32.mul (local.get $sw) (i32.const 1))))
        (local.set $a (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $b (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $sh)))))
        (local.set $c (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $sh) (i32.const 1))))))
        (local.set $g01 (local.get $a))
        (local.set $g11 (f64.mul (f64.add (f64.add (local.get $a) (local.get $b)) (local.get $c)) (f64.const 0.5)))
        (local.set $g21 (f64.mul (f64.add (f64.sub (local.get $a) (local.get $b)) (local.get $c)) (f64.const 0.5)))
        (local.set $g31 (local.get $c))
        (local.set $p (i32.add (local.get $at) (i32.mul (local.get $sw) (i32.const 2))))
        (local.set $a (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $b (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $sh)))))
        (local.set $c (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $sh) (i32.const 1))))))
        (local.set $g02 (local.get $a))
        (local.set $g12 (f64.mul (f64.add (f64.add (local.get $a) (local.get $b)) (local.get $c)) (f64.const 0.5)))
        (local.set $g22 (f64.mul (f64.add (f64.sub (local.get $a) (local.get $b)) (local.get $c)) (f64.const 0.5)))
        (local.set $g32 (local.get $c))
        ;; (G·g)·Gᵀ, a row i at a time, to positions 4i … 4i + 3
        (local.set $o (i32.add (local.get $u) (i32.shl (i32.add (i32.mul (local.get $ci) (local.get $CO)) (local.get $co)) (i32.const 2))))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g00)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.add (local.get $g00) (local.get $g01)) (local.get $g02)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.sub (local.get $g00) (local.get $g01)) (local.get $g02)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g02)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g10)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.add (local.get $g10) (local.get $g11)) (local.get $g12)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.sub (local.get $g10) (local.get $g11)) (local.get $g12)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g12)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g20)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.add (local.get $g20) (local.get $g21)) (local.get $g22)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.sub (local.get $g20) (local.get $g21)) (local.get $g22)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g22)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g30)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.add (local.get $g30) (local.get $g31)) (local.get $g32)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (f64.mul (f64.add (f64.sub (local.get $g30) (local.get $g31)) (local.get $g32)) (f64.const 0.5))))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (f32.store (local.get $o) (f32.demote_f64 (local.get $g32)))
        (local.set $o (i32.add (local.get $o) (local.get $plane)))
        (local.set $co (i32.add (local.get $co) (i32.const 1)))
        (br $coloop)))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br $ciloop)))
  )

  ;; dW = Gᵀ·M·G for each of `pairs` channel pairs (the filter gradient's back-transform), Gᵀ = [1 ½ ½ 0;
  ;; 0 ½ −½ 0; 0 ½ ½ 1]: M_ξ of pair k at m + (ξ·pairs + k)·4, tap (kh, kw) of dW at out + ((kh·3 + kw)·pairs + k)·4.
  ;; In doubles, rounded once.
  (func (export "wino_filter_grad") (param $m i32) (param $pairs i32) (param $out i32)
    (local $k i32) (local $plane i32) (local $p i32) (local $q i32) (local $m0 f64) (local $m1 f64) (local $m2 f64) (local $m3 f64)
    (local $r00 f64) (local $r01 f64) (local $r02 f64) (local $r03 f64) (local $r10 f64) (local $r11 f64) (local $r12 f64) (local $r13 f64) (local $r20 f64) (local $r21 f64) (local $r22 f64) (local $r23 f64)
    (local.set $plane (i32.shl (local.get $pairs) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $pairs)))
      (local.set $p (i32.add (local.get $m) (i32.shl (local.get $k) (i32.const 2))))
      ;; Gᵀ·M (3×4), a column j of M at a time: m0 + (m1 + m2)/2, (m1 − m2)/2, (m1 + m2)/2 + m3
      (local.set $m0 (f64.promote_f32 (f32.load (local.get $p))))
      (local.set $m1 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 4))))))
      (local.set $m2 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 8))))))
      (local.set $m3 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 12))))))
      (local.set $r00 (f64.add (local.get $m0) (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5))))
      (local.set $r10 (f64.mul (f64.sub (local.get $m1) (local.get $m2)) (f64.const 0.5)))
      (local.set $r20 (f64.add (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5)) (local.get $m3)))
      (local.set $m0 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 1))))))
      (local.set $m1 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 5))))))
      (local.set $m2 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 9))))))
      (local.set $m3 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 13))))))
      (local.set $r01 (f64.add (local.get $m0) (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5))))
      (local.set $r11 (f64.mul (f64.sub (local.get $m1) (local.get $m2)) (f64.const 0.5)))
      (local.set $r21 (f64.add (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5)) (local.get $m3)))
      (local.set $m0 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 2))))))
      (local.set $m1 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 6))))))
      (local.set $m2 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 10))))))
      (local.set $m3 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 14))))))
      (local.set $r02 (f64.add (local.get $m0) (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5))))
      (local.set $r12 (f64.mul (f64.sub (local.get $m1) (local.get $m2)) (f64.const 0.5)))
      (local.set $r22 (f64.add (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5)) (local.get $m3)))
      (local.set $m0 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 3))))))
      (local.set $m1 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 7))))))
      (local.set $m2 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 11))))))
      (local.set $m3 (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.mul (local.get $plane) (i32.const 15))))))
      (local.set $r03 (f64.add (local.get $m0) (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5))))
      (local.set $r13 (f64.mul (f64.sub (local.get $m1) (local.get $m2)) (f64.const 0.5)))
      (local.set $r23 (f64.add (f64.mul (f64.add (local.get $m1) (local.get $m2)) (f64.const 0.5)) (local.get $m3)))
      ;; (Gᵀ·M)·G (3×3), a row i at a time: a + (b + c)/2, (b − c)/2, (b + c)/2 + d
      (local.set $q (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))))
      (f32.store (local.get $q) (f32.demote_f64 (f64.add (local.get $r00) (f64.mul (f64.add (local.get $r01) (local.get $r02)) (f64.const 0.5)))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.mul (f64.sub (local.get $r01) (local.get $r02)) (f64.const 0.5))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.add (f64.mul (f64.add (local.get $r01) (local.get $r02)) (f64.const 0.5)) (local.get $r03))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.add (local.get $r10) (f64.mul (f64.add (local.get $r11) (local.get $r12)) (f64.const 0.5)))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.mul (f64.sub (local.get $r11) (local.get $r12)) (f64.const 0.5))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.add (f64.mul (f64.add (local.get $r11) (local.get $r12)) (f64.const 0.5)) (local.get $r13))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.add (local.get $r20) (f64.mul (f64.add (local.get $r21) (local.get $r22)) (f64.const 0.5)))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.mul (f64.sub (local.get $r21) (local.get $r22)) (f64.const 0.5))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (f32.store (local.get $q) (f32.demote_f64 (f64.add (f64.mul (f64.add (local.get $r21) (local.get $r22)) (f64.const 0.5)) (local.get $r23))))
      (local.set $q (i32.add (local.get $q) (local.get $plane)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
  )

)
