//! Typing a rule expansion: ISLE types to model types, and the choice of
//! signature for every callee that has its own `instantiate`.

use super::*;

/// At most this many typings (choices of callee signatures) per query.
const MAX_TYPINGS: usize = 64;

impl Builder<'_> {
    pub(super) fn record_site(&mut self, name: &str, args: Vec<Tv>, ret: Tv) {
        if self.prog.instantiations.contains_key(name) {
            let negated = self.side == Side::Negated;
            self.inst_sites.push((name.to_string(), args, ret, negated));
        }
    }

    /// Every typing of the VC in which each application of a term with an
    /// `instantiate` uses one of its signatures. Returns the typed VCs with a
    /// description of the choices, or, when there is none, why.
    pub fn type_solutions(mut self) -> Result<Vec<(Vc, String)>, TypeFailure> {
        let mut out = Vec::new();
        let mut failure = None;
        let base = std::mem::take(&mut self.vc);
        self.solve_types(0, base, Vec::new(), &mut out, &mut failure);
        if out.is_empty() {
            return Err(failure.unwrap_or(TypeFailure::Conflict(
                "no instantiation of the terms used fits".to_string(),
            )));
        }
        if out.len() > MAX_TYPINGS {
            // Checking only some typings would be a silent gap.
            return Err(TypeFailure::Untypable(format!(
                "more than {MAX_TYPINGS} ways to type the terms it uses; narrow their instantiations"
            )));
        }
        Ok(out)
    }

    pub(super) fn solve_types(
        &mut self,
        k: usize,
        vc: Vc,
        desc: Vec<String>,
        out: &mut Vec<(Vc, String)>,
        failure: &mut Option<TypeFailure>,
    ) {
        if out.len() > MAX_TYPINGS {
            return;
        }
        let Some((name, args, ret, negated)) = self.inst_sites.get(k).cloned() else {
            let mut vc = vc;
            match crate::infer::infer(&mut vc) {
                Ok(()) => out.push((vc, desc.join("; "))),
                Err(e) => {
                    let f = if e.contains("mismatch") {
                        TypeFailure::Conflict(e)
                    } else {
                        TypeFailure::Untypable(e)
                    };
                    // An untypable branch explains more than a conflict.
                    if !matches!(failure, Some(TypeFailure::Untypable(_))) {
                        *failure = Some(f);
                    }
                }
            }
            return;
        };
        let sigs = self
            .prog
            .instantiations
            .get(&name)
            .cloned()
            .unwrap_or_default();
        let mut fitting = Vec::new();
        for sig in &sigs {
            if sig.args.len() != args.len() {
                continue;
            }
            self.vc = vc.clone();
            let mut ok = true;
            for (mt, &tv) in sig.args.iter().zip(args.iter()).chain([(&sig.ret, &ret)]) {
                let st = match self.tv_of_model(mt, 0) {
                    Ok(t) => t,
                    Err(_) => {
                        ok = false;
                        break;
                    }
                };
                if crate::infer::unify(&mut self.vc, st, tv).is_err() {
                    ok = false;
                    break;
                }
            }
            if ok && let Err(e) = crate::infer::propagate(&mut self.vc) {
                if failure.is_none() {
                    *failure = Some(TypeFailure::Conflict(e));
                }
                ok = false;
            }
            if ok {
                fitting.push((std::mem::take(&mut self.vc), sig.clone()));
            }
        }
        if fitting.is_empty() && negated {
            // The higher-priority rule cannot be typed here, so it cannot
            // match: nothing to constrain.
            self.solve_types(k + 1, vc, desc, out, failure);
            return;
        }
        if fitting.is_empty() && failure.is_none() {
            *failure = Some(TypeFailure::Conflict(format!(
                "`{name}` is used at a type none of its instantiations has"
            )));
        }
        // When several signatures fit, the choice matters: record it.
        let several = fitting.len() > 1;
        for (v, sig) in fitting {
            let mut d = desc.clone();
            if several {
                d.push(format!(
                    "{name} at {}",
                    crate::run::describe_signature(&sig)
                ));
            }
            self.solve_types(k + 1, v, d, out, failure);
        }
    }

    /// Record that two type variables are equal. The full unification runs
    /// in `infer`; here we only link them (conflicts surface there).
    pub(super) fn unify_now(&mut self, a: Tv, b: Tv, origin: &str) -> R<()> {
        crate::infer::unify(&mut self.vc, a, b)
            .map(|_| ())
            .map_err(|e| BuildError::Error(format!("rule `{}`: {e} ({origin})", self.rule_label)))
    }

    pub fn tv_of_isle_type(&mut self, ty: TypeId) -> R<Tv> {
        let prog = self.prog;
        let name = prog.type_name(ty).to_string();
        if let Some(m) = prog.type_models.get(&name) {
            return self.tv_of_model(m, 0);
        }
        match prog.tyenv.types.get(ty.index()) {
            Some(sema::Type::Enum { variants, .. }) => {
                let variants = variants.clone();
                self.enum_tv(&variants, 0)
            }
            Some(sema::Type::Struct { fields, .. }) => {
                let fields = fields.clone();
                let mut out = Vec::new();
                for (fname, fty) in self.field_names(&fields) {
                    let tv = self.tv_of_isle_type(fty)?;
                    out.push((fname, tv));
                }
                Ok(self.vc.new_tv(Shape::Struct(out)))
            }
            _ => Ok(self.vc.new_tv(default_model(&name))),
        }
    }

    pub(super) fn field_names(&self, fields: &sema::Fields) -> Vec<(String, TypeId)> {
        match fields {
            sema::Fields::Unit => Vec::new(),
            sema::Fields::Struct(s) => s
                .fields
                .iter()
                .map(|f| (self.prog.sym(f.name).to_string(), f.ty))
                .collect(),
            sema::Fields::Tuple(t) => t
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| (i.to_string(), f.ty))
                .collect(),
        }
    }

    /// Enums are records: `$tag` (the variant index) plus `Variant.field`
    /// for every field of every variant.
    pub(super) fn enum_tv(&mut self, variants: &[sema::Variant], depth: usize) -> R<Tv> {
        if depth > 8 {
            return self.err("enum type nests too deeply to model");
        }
        let tag = self.vc.new_tv(Shape::Int);
        let mut out = vec![("$tag".to_string(), tag)];
        for v in variants {
            let vname = self.prog.sym(v.name).to_string();
            for (fname, fty) in self.field_names(&v.fields) {
                let tv = self.tv_of_isle_type(fty)?;
                out.push((format!("{vname}.{fname}"), tv));
            }
        }
        Ok(self.vc.new_tv(Shape::Struct(out)))
    }

    pub fn tv_of_model(&mut self, mt: &ModelType, depth: usize) -> R<Tv> {
        if depth > 16 {
            return self.err("model types nest too deeply (a cycle of named models?)");
        }
        let shape = match mt {
            ModelType::Unspecified | ModelType::Unit => Shape::Opaque,
            ModelType::Auto => Shape::Unknown,
            ModelType::Int => Shape::Int,
            ModelType::Bool => Shape::Bool,
            ModelType::BitVec(Some(w)) if *w == 0 || *w > 4096 => {
                return self.err(format!("bit-vector width {w} is out of range (1 to 4096)"));
            }
            ModelType::BitVec(w) => Shape::BitVec(*w),
            ModelType::Struct(fields) => {
                let mut out = Vec::new();
                for f in fields {
                    let tv = self.tv_of_model(&f.ty, depth + 1)?;
                    out.push((f.name.0.clone(), tv));
                }
                Shape::Struct(out)
            }
            ModelType::Named(id) => {
                if let Some(m) = self.prog.type_models.get(&id.0) {
                    return self.tv_of_model(m, depth + 1);
                }
                let Some(tid) = self.prog.tyenv.get_type_by_name(id) else {
                    return self.err(format!("unknown type `{}` in a model type", id.0));
                };
                return self.tv_of_isle_type(tid);
            }
        };
        Ok(self.vc.new_tv(shape))
    }

    pub(super) fn struct_fields(&self, ty: TypeId) -> R<Vec<(String, TypeId)>> {
        match self.prog.tyenv.types.get(ty.index()) {
            Some(sema::Type::Struct { fields, .. }) => Ok(self.field_names(fields)),
            _ => self.err("struct term of a non-struct type"),
        }
    }

    pub(super) fn variant_fields(
        &self,
        ety: TypeId,
        variant: sema::VariantId,
    ) -> R<(String, Vec<(String, TypeId)>)> {
        match self.prog.tyenv.types.get(ety.index()) {
            Some(sema::Type::Enum { variants, .. }) => {
                let Some(v) = variants.get(variant.index()) else {
                    return self.err("unknown enum variant");
                };
                Ok((
                    self.prog.sym(v.name).to_string(),
                    self.field_names(&v.fields),
                ))
            }
            _ => self.err("variant of a non-enum type"),
        }
    }
}

/// The model of an ISLE type that has no `(model ...)`: builtin integer types
/// are bit-vectors of their width, `bool` is Bool, anything else is inferred.
pub(super) fn default_model(name: &str) -> Shape {
    match name {
        "bool" => Shape::Bool,
        "u8" | "i8" => Shape::BitVec(Some(8)),
        "u16" | "i16" => Shape::BitVec(Some(16)),
        "u32" | "i32" => Shape::BitVec(Some(32)),
        "u64" | "i64" => Shape::BitVec(Some(64)),
        "u128" | "i128" => Shape::BitVec(Some(128)),
        "usize" | "isize" => Shape::Int,
        "Unit" => Shape::Opaque,
        _ => Shape::Unknown,
    }
}
