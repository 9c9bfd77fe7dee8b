//! Guest-memory access for WASI calls.
//!
//! Every pointer and length a guest passes is untrusted: each access here is
//! bounds-checked with overflow-free arithmetic, and any failure becomes
//! [`Errno::FAULT`] for the guest — never a panic, never a host read or
//! write outside the guest's linear memory.

use std::ops::Range;

use super::errno::Errno;

/// At most this many iovecs are used by one call (POSIX's usual `IOV_MAX`).
pub const MAX_IOVS: u32 = 1024;

/// At most this many bytes are copied out of guest memory by one write.
pub const MAX_TRANSFER: usize = 16 << 20;

/// One `ciovec`/`iovec` from guest memory: a buffer pointer and its length,
/// both already checked to lie inside the memory they were read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoVec {
    pub ptr: u32,
    pub len: u32,
}

/// A guest's linear memory, borrowed for the duration of one WASI call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    pub fn new(bytes: &'a mut [u8]) -> GuestMemory<'a> {
        GuestMemory { bytes }
    }

    /// The size of the memory in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The host range of `len` bytes at guest address `ptr`, or `FAULT`.
    fn range(&self, ptr: u32, len: u32) -> Result<Range<usize>, Errno> {
        let start = usize::try_from(ptr).map_err(|_| Errno::FAULT)?;
        let len = usize::try_from(len).map_err(|_| Errno::FAULT)?;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let r = self.range(ptr, len)?;
        self.bytes.get(r).ok_or(Errno::FAULT)
    }

    /// `len` writable bytes at `ptr`.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let r = self.range(ptr, len)?;
        self.bytes.get_mut(r).ok_or(Errno::FAULT)
    }

    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], Errno> {
        let len = u32::try_from(N).map_err(|_| Errno::FAULT)?;
        let s = self.slice(ptr, len)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    pub fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.array::<1>(ptr)?[0])
    }

    pub fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    pub fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    pub fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Copies `data` to guest address `ptr`.
    pub fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::FAULT)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    pub fn write_u8(&mut self, ptr: u32, v: u8) -> Result<(), Errno> {
        self.write_bytes(ptr, &[v])
    }

    pub fn write_u16(&mut self, ptr: u32, v: u16) -> Result<(), Errno> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    pub fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Writes a `usize` quantity (a byte count, an fd) as a guest `u32`;
    /// a value that doesn't fit is `OVERFLOW`.
    pub fn write_size(&mut self, ptr: u32, v: usize) -> Result<(), Errno> {
        let v = u32::try_from(v).map_err(|_| Errno::OVERFLOW)?;
        self.write_u32(ptr, v)
    }

    /// Reads `count` iovecs (8 bytes each: `buf: u32, buf_len: u32`) at `ptr`,
    /// checking that the array and every buffer it names are in bounds.
    ///
    /// Only the first [`MAX_IOVS`] are returned (the rest of the array is still
    /// bounds-checked): the call then transfers fewer bytes than asked, which
    /// every caller of `read`/`write` must already handle. This keeps a guest
    /// from making the host allocate in proportion to its whole memory.
    pub fn read_iovecs(&self, ptr: u32, count: u32) -> Result<Vec<IoVec>, Errno> {
        let bytes = count.checked_mul(8).ok_or(Errno::FAULT)?;
        // Bounds-check the whole array before allocating anything for it.
        self.range(ptr, bytes)?;
        let count = count.min(MAX_IOVS);
        let mut out = Vec::with_capacity(usize::try_from(count).map_err(|_| Errno::FAULT)?);
        for i in 0..count {
            let at = ptr.checked_add(i * 8).ok_or(Errno::FAULT)?;
            let buf = self.read_u32(at)?;
            let len = self.read_u32(at.checked_add(4).ok_or(Errno::FAULT)?)?;
            self.range(buf, len)?;
            out.push(IoVec { ptr: buf, len });
        }
        Ok(out)
    }

    /// Gathers the bytes named by `iovs` (for writes), at most
    /// [`MAX_TRANSFER`] of them: a larger write is a short write.
    pub fn gather(&self, iovs: &[IoVec]) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        for iov in iovs {
            let src = self.slice(iov.ptr, iov.len)?;
            let room = MAX_TRANSFER - out.len();
            out.extend_from_slice(src.get(..room.min(src.len())).unwrap_or_default());
            if out.len() >= MAX_TRANSFER {
                break;
            }
        }
        Ok(out)
    }

    /// Scatters `data` into `iovs` in order (for reads); returns the bytes placed.
    pub fn scatter(&mut self, iovs: &[IoVec], data: &[u8]) -> Result<usize, Errno> {
        let mut rest = data;
        for iov in iovs {
            if rest.is_empty() {
                break;
            }
            let dst = self.slice_mut(iov.ptr, iov.len)?;
            let n = dst.len().min(rest.len());
            dst[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
        }
        Ok(data.len() - rest.len())
    }

    /// A guest string (a path) of `len` bytes at `ptr`: `FAULT` when out of
    /// bounds, `ILSEQ` when not UTF-8, `INVAL` when it contains a NUL byte.
    pub fn read_str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        let bytes = self.slice(ptr, len)?;
        let s = std::str::from_utf8(bytes).map_err(|_| Errno::ILSEQ)?;
        if s.contains('\0') {
            return Err(Errno::INVAL);
        }
        Ok(s)
    }
}

/// The sum of the iovec lengths (saturating; used to size host buffers).
pub fn total_len(iovs: &[IoVec]) -> usize {
    iovs.iter().fold(0usize, |acc, iov| {
        acc.saturating_add(usize::try_from(iov.len).unwrap_or(usize::MAX))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_bounds_reads_and_writes() {
        let mut buf = vec![0u8; 64];
        let mut m = GuestMemory::new(&mut buf);
        m.write_u32(0, 0xdead_beef).expect("in bounds");
        m.write_u64(8, u64::MAX - 1).expect("in bounds");
        m.write_u16(60, 0x1234).expect("in bounds");
        m.write_u8(63, 7).expect("last byte");
        assert_eq!(m.read_u32(0), Ok(0xdead_beef));
        assert_eq!(m.read_u64(8), Ok(u64::MAX - 1));
        assert_eq!(m.read_u16(60), Ok(0x1234));
        assert_eq!(m.read_u8(63), Ok(7));
        assert_eq!(
            m.slice(64, 0).map(<[u8]>::len),
            Ok(0),
            "empty slice at the end is fine"
        );
        assert_eq!(buf[0..4], [0xef, 0xbe, 0xad, 0xde], "little endian");
    }

    #[test]
    fn out_of_bounds_is_efault() {
        let mut buf = vec![0u8; 64];
        let mut m = GuestMemory::new(&mut buf);
        assert_eq!(m.read_u32(61), Err(Errno::FAULT));
        assert_eq!(m.read_u64(57), Err(Errno::FAULT));
        assert_eq!(m.read_u8(64), Err(Errno::FAULT));
        assert_eq!(m.write_u32(62, 1), Err(Errno::FAULT));
        assert_eq!(m.write_u64(u32::MAX, 1), Err(Errno::FAULT));
        assert_eq!(m.slice(65, 0).err(), Some(Errno::FAULT));
        assert_eq!(
            m.slice(u32::MAX, u32::MAX).err(),
            Some(Errno::FAULT),
            "no overflow"
        );
        assert_eq!(m.slice_mut(1, u32::MAX).err(), Some(Errno::FAULT));
        assert_eq!(m.write_bytes(60, &[1, 2, 3, 4, 5]), Err(Errno::FAULT));
        // A failed write leaves memory untouched.
        assert!(buf.iter().all(|&b| b == 0));
    }

    #[test]
    fn empty_memory() {
        let mut buf: Vec<u8> = Vec::new();
        let m = GuestMemory::new(&mut buf);
        assert!(m.is_empty());
        assert_eq!(m.read_u8(0), Err(Errno::FAULT));
        assert_eq!(m.slice(0, 0).map(<[u8]>::len), Ok(0));
        assert_eq!(m.read_iovecs(0, 1), Err(Errno::FAULT));
        assert_eq!(m.read_iovecs(0, 0), Ok(vec![]));
    }

    #[test]
    fn iovecs_are_checked() {
        let mut buf = vec![0u8; 64];
        let mut m = GuestMemory::new(&mut buf);
        // iovec 0: 4 bytes at 32; iovec 1: 8 bytes at 40.
        m.write_u32(0, 32).expect("ok");
        m.write_u32(4, 4).expect("ok");
        m.write_u32(8, 40).expect("ok");
        m.write_u32(12, 8).expect("ok");
        let iovs = m.read_iovecs(0, 2).expect("valid iovecs");
        assert_eq!(
            iovs,
            vec![IoVec { ptr: 32, len: 4 }, IoVec { ptr: 40, len: 8 }]
        );
        assert_eq!(total_len(&iovs), 12);
        // Array past the end.
        assert_eq!(m.read_iovecs(60, 1), Err(Errno::FAULT));
        // Count so large the byte size overflows u32.
        assert_eq!(m.read_iovecs(0, u32::MAX), Err(Errno::FAULT));
        assert_eq!(m.read_iovecs(0, 0x2000_0000), Err(Errno::FAULT));
        // A buffer that runs past the end of memory.
        m.write_u32(12, 25).expect("ok");
        assert_eq!(m.read_iovecs(0, 2), Err(Errno::FAULT));
        // A buffer whose ptr + len overflows.
        m.write_u32(8, u32::MAX).expect("ok");
        m.write_u32(12, 2).expect("ok");
        assert_eq!(m.read_iovecs(0, 2), Err(Errno::FAULT));
    }

    #[test]
    fn iovec_count_and_transfer_size_are_capped() {
        let mut buf = vec![0u8; 8 * 2000];
        let m = GuestMemory::new(&mut buf);
        // 2000 empty iovecs: all bounds-checked, the first MAX_IOVS used.
        let iovs = m.read_iovecs(0, 2000).expect("in bounds");
        assert_eq!(iovs.len(), 1024);
        assert_eq!(
            m.read_iovecs(8, 2000),
            Err(Errno::FAULT),
            "array end checked"
        );

        let mut big = vec![7u8; MAX_TRANSFER + 100];
        let m = GuestMemory::new(&mut big);
        let len = u32::try_from(MAX_TRANSFER / 2 + 10).expect("fits");
        let iovs = [
            IoVec { ptr: 0, len },
            IoVec { ptr: 0, len },
            IoVec { ptr: 0, len },
        ];
        assert_eq!(
            m.gather(&iovs).map(|v| v.len()),
            Ok(MAX_TRANSFER),
            "a short write"
        );
    }

    #[test]
    fn scatter_and_gather() {
        let mut buf = vec![0u8; 64];
        let mut m = GuestMemory::new(&mut buf);
        let iovs = [
            IoVec { ptr: 10, len: 3 },
            IoVec { ptr: 20, len: 0 },
            IoVec { ptr: 30, len: 4 },
        ];
        assert_eq!(
            m.scatter(&iovs, b"abcdefghij"),
            Ok(7),
            "only 7 bytes of room"
        );
        assert_eq!(m.gather(&iovs).expect("ok"), b"abcdefg");
        assert_eq!(m.scatter(&iovs, b"xy"), Ok(2));
        assert_eq!(m.slice(10, 3).expect("ok"), b"xyc");
    }

    #[test]
    fn strings() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut buf);
        m.write_bytes(0, b"dir/file").expect("ok");
        assert_eq!(m.read_str(0, 8), Ok("dir/file"));
        assert_eq!(m.read_str(10, 7), Err(Errno::FAULT));
        m.write_bytes(0, &[0xff, 0xfe]).expect("ok");
        assert_eq!(m.read_str(0, 2), Err(Errno::ILSEQ));
        m.write_bytes(0, b"a\0b").expect("ok");
        assert_eq!(m.read_str(0, 3), Err(Errno::INVAL));
    }

    #[test]
    fn write_size_overflow() {
        let mut buf = vec![0u8; 8];
        let mut m = GuestMemory::new(&mut buf);
        assert_eq!(m.write_size(0, 5), Ok(()));
        if usize::BITS > 32 {
            let big = usize::try_from(u64::from(u32::MAX) + 1).expect("64-bit host");
            assert_eq!(m.write_size(0, big), Err(Errno::OVERFLOW));
        }
    }
}
