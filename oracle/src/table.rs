//! Table instances (spec §4.2.7): a vector of references growing within
//! the type's maximum.

use crate::types::TableType;
use crate::value::Ref;

/// An implementation limit on table length (the spec lets `table.grow`
/// fail for any reason); keeps a huge grow from exhausting host memory.
pub const MAX_TABLE_ELEMENTS: u64 = 1 << 24;

#[derive(Debug)]
pub(crate) struct TableInst {
    pub ty: TableType,
    pub elems: Vec<Ref>,
}

impl TableInst {
    /// Spec §4.5.3.3 `alloctable`: `min` copies of `init`.
    pub fn new(ty: TableType, init: Ref) -> Result<TableInst, String> {
        if ty.min > MAX_TABLE_ELEMENTS {
            return Err(format!(
                "table of {} elements exceeds the limit of {MAX_TABLE_ELEMENTS}",
                ty.min
            ));
        }
        Ok(TableInst {
            ty,
            elems: vec![init; ty.min as usize],
        })
    }

    pub fn len(&self) -> u64 {
        self.elems.len() as u64
    }

    /// The effective maximum: the type's, or the index type's range.
    pub fn max_len(&self) -> u64 {
        let index_max = if self.ty.table64 {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        };
        self.ty.max.unwrap_or(index_max).min(index_max)
    }

    /// Spec §4.5.3.8 `growtable` after the limiter agreed.
    pub fn grow(&mut self, delta: u64, init: Ref) -> bool {
        let Some(new_len) = self.len().checked_add(delta) else {
            return false;
        };
        if new_len > self.max_len() || new_len > MAX_TABLE_ELEMENTS {
            return false;
        }
        if self.elems.try_reserve_exact(delta as usize).is_err() {
            return false;
        }
        self.elems.resize(new_len as usize, init);
        self.ty.min = new_len;
        true
    }

    pub fn get(&self, i: u64) -> Option<Ref> {
        self.elems.get(usize::try_from(i).ok()?).copied()
    }

    pub fn set(&mut self, i: u64, r: Ref) -> Option<()> {
        *self.elems.get_mut(usize::try_from(i).ok()?)? = r;
        Some(())
    }

    /// Whether `[i, i + n)` lies inside the table.
    pub fn in_bounds(&self, i: u64, n: u64) -> bool {
        i.checked_add(n).is_some_and(|end| end <= self.len())
    }
}
