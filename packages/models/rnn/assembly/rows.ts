// Row copies with an optional elementwise mask (dropout) over strided buffers.
import { fp, ld, st } from './memory';

/** dst[r, 0:n] = src[r, 0:n] * mask[r, 0:n] (mask == 0: plain copy), row strides in floats. */
export function copyRows(rows: i32, n: i32, src: usize, lds: i32, dst: usize, ldd: i32, mask: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = fp(src, r * lds);
    const d = fp(dst, r * ldd);
    if (mask == 0) {
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(fp(d, i), v128.load(fp(s, i)));
      for (; i < n; i++) st(d, i, ld(s, i));
    } else {
      const m = fp(mask, r * n);
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(fp(d, i), f32x4.mul(v128.load(fp(s, i)), v128.load(fp(m, i))));
      for (; i < n; i++) st(d, i, ld(s, i) * ld(m, i));
    }
  }
}

/** dst[r, 0:n] = src[r, 0:n] * mask[r, 0:n] + add[r, 0:n] (contiguous add/dst [rows, n]). */
export function maskedAdd(rows: i32, n: i32, src: usize, lds: i32, mask: usize, add: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = fp(src, r * lds);
    const d = fp(dst, r * n);
    const a = fp(add, r * n);
    if (mask == 0) {
      for (let i = 0; i < n; i++) st(d, i, ld(s, i) + ld(a, i));
    } else {
      const m = fp(mask, r * n);
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(fp(d, i), f32x4.add(f32x4.mul(v128.load(fp(s, i)), v128.load(fp(m, i))), v128.load(fp(a, i))));
      for (; i < n; i++) st(d, i, ld(s, i) * ld(m, i) + ld(a, i));
    }
  }
}
