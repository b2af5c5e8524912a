//! PyTorch dtypes by name, and their tch kinds.

use crate::error::{Error, Result};
use tch::Kind;

/// The dtypes nutorch exposes: every dtype PyTorch users commonly name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    Float16,
    BFloat16,
    Float32,
    Float64,
    Int8,
    UInt8,
    Int16,
    Int32,
    Int64,
    Bool,
    Complex64,
    Complex128,
}

/// (canonical name, aliases, dtype). The canonical name is what `torch.<dtype>` prints.
const NAMES: &[(&str, &[&str], DType)] = &[
    ("float16", &["half"], DType::Float16),
    ("bfloat16", &[], DType::BFloat16),
    ("float32", &["float"], DType::Float32),
    ("float64", &["double"], DType::Float64),
    ("int8", &[], DType::Int8),
    ("uint8", &[], DType::UInt8),
    ("int16", &["short"], DType::Int16),
    ("int32", &["int"], DType::Int32),
    ("int64", &["long"], DType::Int64),
    ("bool", &[], DType::Bool),
    ("complex64", &["cfloat"], DType::Complex64),
    ("complex128", &["cdouble"], DType::Complex128),
];

impl DType {
    /// All dtypes, in the order `nutorch` lists them.
    pub fn all() -> impl Iterator<Item = DType> {
        NAMES.iter().map(|(_, _, d)| *d)
    }

    /// Every accepted spelling (canonical names and aliases), for help text and completions.
    pub fn all_names() -> Vec<&'static str> {
        NAMES.iter().flat_map(|(n, aliases, _)| std::iter::once(*n).chain(aliases.iter().copied())).collect()
    }

    /// Parses a dtype name the way a PyTorch user writes it: case-insensitive, aliases
    /// (`float`, `long`, ...) and a `torch.` prefix accepted.
    pub fn parse(name: &str) -> Result<DType> {
        let lower = name.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("torch.").unwrap_or(&lower);
        NAMES.iter().find(|(n, aliases, _)| *n == bare || aliases.contains(&bare)).map(|(_, _, d)| *d).ok_or_else(
            || Error::DType(format!("unknown dtype '{name}'; valid dtypes: {}", Self::all_names().join(", "))),
        )
    }

    /// PyTorch's canonical name (`float32`, not `float`).
    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, _, d)| *d == self).map(|(n, _, _)| *n).unwrap_or("unknown")
    }

    pub fn kind(self) -> Kind {
        match self {
            DType::Float16 => Kind::Half,
            DType::BFloat16 => Kind::BFloat16,
            DType::Float32 => Kind::Float,
            DType::Float64 => Kind::Double,
            DType::Int8 => Kind::Int8,
            DType::UInt8 => Kind::Uint8,
            DType::Int16 => Kind::Int16,
            DType::Int32 => Kind::Int,
            DType::Int64 => Kind::Int64,
            DType::Bool => Kind::Bool,
            DType::Complex64 => Kind::ComplexFloat,
            DType::Complex128 => Kind::ComplexDouble,
        }
    }

    /// The dtype of a tch kind; kinds nutorch does not expose (quantized, float8,
    /// complex32) are an error rather than a panic.
    pub fn from_kind(kind: Kind) -> Result<DType> {
        Ok(match kind {
            Kind::Half => DType::Float16,
            Kind::BFloat16 => DType::BFloat16,
            Kind::Float => DType::Float32,
            Kind::Double => DType::Float64,
            Kind::Int8 => DType::Int8,
            Kind::Uint8 => DType::UInt8,
            Kind::Int16 => DType::Int16,
            Kind::Int => DType::Int32,
            Kind::Int64 => DType::Int64,
            Kind::Bool => DType::Bool,
            Kind::ComplexFloat => DType::Complex64,
            Kind::ComplexDouble => DType::Complex128,
            other => return Err(Error::DType(format!("dtype {other:?} is not supported by nutorch"))),
        })
    }

    /// The dtype of a tensor, without tch's panicking `kind()`.
    pub fn of(tensor: &tch::Tensor) -> Result<DType> {
        DType::from_kind(tensor.f_kind()?)
    }

    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::Float16 | DType::BFloat16 | DType::Float32 | DType::Float64)
    }

    pub fn is_complex(self) -> bool {
        matches!(self, DType::Complex64 | DType::Complex128)
    }

    pub fn is_bool(self) -> bool {
        self == DType::Bool
    }

    /// Integer dtypes (bool excluded, as in `torch.is_floating_point`'s counterpart).
    pub fn is_integer(self) -> bool {
        !self.is_floating_point() && !self.is_complex() && !self.is_bool()
    }

    /// Bytes per element.
    pub fn element_size(self) -> usize {
        self.kind().elt_size_in_bytes()
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pytorch_spelling_parses() {
        let cases = [
            ("float16", DType::Float16),
            ("half", DType::Float16),
            ("bfloat16", DType::BFloat16),
            ("float32", DType::Float32),
            ("float", DType::Float32),
            ("float64", DType::Float64),
            ("double", DType::Float64),
            ("int8", DType::Int8),
            ("uint8", DType::UInt8),
            ("int16", DType::Int16),
            ("short", DType::Int16),
            ("int32", DType::Int32),
            ("int", DType::Int32),
            ("int64", DType::Int64),
            ("long", DType::Int64),
            ("bool", DType::Bool),
            ("complex64", DType::Complex64),
            ("cfloat", DType::Complex64),
            ("complex128", DType::Complex128),
            ("cdouble", DType::Complex128),
        ];
        for (name, dtype) in cases {
            assert_eq!(DType::parse(name).unwrap(), dtype, "{name}");
        }
    }

    #[test]
    fn parsing_ignores_case_and_torch_prefix() {
        assert_eq!(DType::parse("Float32").unwrap(), DType::Float32);
        assert_eq!(DType::parse("torch.float64").unwrap(), DType::Float64);
        assert_eq!(DType::parse("TORCH.BFloat16").unwrap(), DType::BFloat16);
    }

    #[test]
    fn unknown_dtype_lists_the_valid_ones() {
        let err = DType::parse("float128").unwrap_err().to_string();
        assert!(err.contains("unknown dtype 'float128'"), "{err}");
        assert!(err.contains("bfloat16") && err.contains("complex128") && err.contains("long"), "{err}");
    }

    #[test]
    fn names_round_trip_through_kinds() {
        for dtype in DType::all() {
            assert_eq!(DType::from_kind(dtype.kind()).unwrap(), dtype);
            assert_eq!(DType::parse(dtype.name()).unwrap(), dtype);
        }
    }

    #[test]
    fn unsupported_kinds_are_errors() {
        assert!(DType::from_kind(tch::Kind::QInt8).is_err());
    }
}
