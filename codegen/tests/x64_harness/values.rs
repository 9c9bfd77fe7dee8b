//! Edge and random inputs, from a fixed seed (so a failure reproduces).

use wasmproof_codegen::x64::{Gpr, Xmm};

/// xorshift64*: small, seeded, good enough to spread test inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// Distinct general-purpose registers, never rsp (the harness's stack).
    pub fn gprs(&mut self, n: usize, exclude: &[Gpr]) -> Vec<Gpr> {
        let mut out: Vec<Gpr> = Vec::new();
        while out.len() < n {
            let g = Gpr::new(self.below(16) as u8).unwrap_or(Gpr::RAX);
            if g != Gpr::RSP && !exclude.contains(&g) && !out.contains(&g) {
                out.push(g);
            }
        }
        out
    }

    pub fn xmms(&mut self, n: usize) -> Vec<Xmm> {
        let mut out: Vec<Xmm> = Vec::new();
        while out.len() < n {
            let x = Xmm::new(self.below(16) as u8).unwrap_or(Xmm::new(0).expect("xmm0"));
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }

    /// An integer: an edge value half the time (with random upper bits
    /// sometimes, so 32-bit forms see garbage above bit 31), else random.
    pub fn int(&mut self) -> u64 {
        if self.below(2) == 0 {
            let e = self.pick(&int_edges());
            if self.below(4) == 0 {
                (e & 0xffff_ffff) | (self.next() << 32)
            } else {
                e
            }
        } else {
            self.next() >> self.below(64)
        }
    }

    pub fn f32(&mut self) -> u32 {
        match self.below(3) {
            0 => self.pick(&F32_EDGES),
            1 => self.next() as u32,
            // A "nice" value: small integers and halves (rounding ties).
            _ => (((self.next() % 2001) as f32 - 1000.0) / 4.0).to_bits(),
        }
    }

    pub fn f64(&mut self) -> u64 {
        match self.below(3) {
            0 => self.pick(&F64_EDGES),
            1 => self.next(),
            _ => (((self.next() % 2001) as f64 - 1000.0) / 4.0).to_bits(),
        }
    }

    /// An XMM value with `lo` in the low lane and random bits above.
    pub fn xmm_with(&mut self, lo: u128, lane_bits: u32) -> u128 {
        let hi = (u128::from(self.next()) << 64) | u128::from(self.next());
        (hi & !((1u128 << lane_bits) - 1)) | lo
    }
}

pub fn int_edges() -> Vec<u64> {
    let mut v = vec![
        0,
        1,
        2,
        3,
        u64::MAX,
        u64::MAX - 1,
        0x7f,
        0x80,
        0xff,
        0x7fff,
        0x8000,
        0xffff,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0xffff_ffff_8000_0000,
        0x1_0000_0000,
        i64::MAX as u64,
        i64::MIN as u64,
        0x5555_5555_5555_5555,
        0xaaaa_aaaa_aaaa_aaaa,
    ];
    for k in [4, 7, 8, 15, 16, 31, 32, 33, 62, 63] {
        let p = 1u64 << k;
        v.extend([p - 1, p, p + 1]);
    }
    v
}

pub const F32_EDGES: [u32; 34] = [
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x3f00_0000, // 0.5
    0x3fc0_0000, // 1.5
    0x4020_0000, // 2.5
    0xc020_0000, // -2.5
    0xbf00_0000, // -0.5
    0x4b00_0001, // 2^23 + 1
    0x4a80_0001, // 2^22 + 0.5
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // qNaN
    0xffc0_0000, // -qNaN (x86's default NaN)
    0x7f80_0001, // sNaN
    0xff81_2345, // -sNaN with payload
    0x7fa1_2345, // sNaN with payload
    0x7fe1_2345, // qNaN with payload
    0x0000_0001, // smallest subnormal
    0x807f_ffff, // largest negative subnormal
    0x0080_0000, // smallest normal
    0x7f7f_ffff, // largest finite
    0xff7f_ffff, // most negative finite
    0x4f00_0000, // 2^31
    0xcf00_0000, // -2^31
    0x4eff_ffff, // just below 2^31
    0xcf00_0001, // just below -2^31
    0x5f00_0000, // 2^63
    0xdf00_0000, // -2^63
    0x5eff_ffff, // just below 2^63
    0xdf00_0001, // just below -2^63
    0x3eaa_aaab, // 1/3
    0x4049_0fdb, // pi
];

pub const F64_EDGES: [u64; 36] = [
    0x0000_0000_0000_0000, // +0
    0x8000_0000_0000_0000, // -0
    0x3ff0_0000_0000_0000, // 1
    0xbff0_0000_0000_0000, // -1
    0x3fe0_0000_0000_0000, // 0.5
    0x3ff8_0000_0000_0000, // 1.5
    0x4004_0000_0000_0000, // 2.5
    0xc004_0000_0000_0000, // -2.5
    0xbfe0_0000_0000_0000, // -0.5
    0x4330_0000_0000_0001, // 2^52 + 1
    0x4320_0000_0000_0001, // 2^51 + 0.5
    0x7ff0_0000_0000_0000, // +inf
    0xfff0_0000_0000_0000, // -inf
    0x7ff8_0000_0000_0000, // qNaN
    0xfff8_0000_0000_0000, // -qNaN (default NaN)
    0x7ff0_0000_0000_0001, // sNaN
    0xfff0_0000_1234_5678, // -sNaN with payload
    0x7ff4_0000_0012_3456, // sNaN with high payload
    0x7ffc_0000_1234_5678, // qNaN with payload
    0x0000_0000_0000_0001, // smallest subnormal
    0x800f_ffff_ffff_ffff, // largest negative subnormal
    0x0010_0000_0000_0000, // smallest normal
    0x7fef_ffff_ffff_ffff, // largest finite
    0xffef_ffff_ffff_ffff, // most negative finite
    0x41e0_0000_0000_0000, // 2^31
    0xc1e0_0000_0000_0000, // -2^31
    0x41df_ffff_ffe0_0000, // 2^31 - 1
    0xc1e0_0000_0020_0000, // -2^31 - 1
    0x41df_ffff_fff0_0000, // 2^31 - 0.5
    0xc1e0_0000_0010_0000, // -2^31 - 0.5
    0x43e0_0000_0000_0000, // 2^63
    0xc3e0_0000_0000_0000, // -2^63
    0x43df_ffff_ffff_ffff, // just below 2^63
    0xc3e0_0000_0000_0001, // just below -2^63
    0x3810_0000_0000_0000, // smallest f32 normal as f64
    0x36a0_0000_0000_0000, // an f32 subnormal as f64
];
