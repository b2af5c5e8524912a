//! numpy's `.npy` and `.npz` files, read and written here rather than through tch's
//! `read_npy` (which trusts the header: it allocates the header length it reads and does not
//! check that the data fills the shape).
//!
//! Every length in a file is checked against the bytes that are really there before anything
//! is allocated or handed to libtorch: the header is capped at [`MAX_HEADER`], shapes whose
//! product overflows or exceeds the data are errors, and so are short or long data.
//! Supported: bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
//! complex128, little-endian (`<`, `|`, `=`), C or Fortran order. Written files are version
//! 1.0 (2.0 for headers over 64 KiB), C order, little-endian.

use crate::dtype::DType;
use crate::error::{Error, Result};
use std::io::{Read, Seek, Write};
use tch::{Device, Kind, Tensor};

/// The longest header accepted (numpy itself refuses headers over 10 000 bytes by default).
pub const MAX_HEADER: usize = 1 << 20;
/// At most this many dimensions (PyTorch's limit).
pub const MAX_DIMS: usize = 64;
const MAGIC: &[u8] = b"\x93NUMPY";

fn bad(message: impl Into<String>) -> Error {
    Error::Value(format!("not a valid .npy file: {}", message.into()))
}

/// The parsed header of a `.npy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub dtype: DType,
    pub shape: Vec<i64>,
    pub fortran_order: bool,
    /// Where the data starts.
    pub data_offset: usize,
}

impl Header {
    /// Bytes of data the shape needs, checked for overflow.
    pub fn data_len(&self) -> Result<usize> {
        let numel = self
            .shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize))
            .ok_or_else(|| bad(format!("shape {:?} is too large", self.shape)))?;
        numel.checked_mul(self.dtype.element_size()).ok_or_else(|| bad(format!("shape {:?} is too large", self.shape)))
    }
}

fn dtype_of_descr(descr: &str) -> Result<DType> {
    let (order, code) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &descr[1..]),
        _ => ('=', descr),
    };
    let dtype = match code {
        "b1" | "?" => DType::Bool,
        "u1" | "B" => DType::UInt8,
        "i1" | "b" => DType::Int8,
        "i2" | "h" => DType::Int16,
        "i4" | "i" => DType::Int32,
        "i8" | "l" | "q" => DType::Int64,
        "f2" | "e" => DType::Float16,
        "f4" | "f" => DType::Float32,
        "f8" | "d" => DType::Float64,
        "c8" | "F" => DType::Complex64,
        "c16" | "D" => DType::Complex128,
        "u2" | "u4" | "u8" => {
            return Err(Error::DType(format!(
                "numpy dtype '{descr}' (uint{}) has no PyTorch dtype nutorch supports; convert it in numpy first (e.g. .astype('int64'))",
                code[1..].parse::<u32>().unwrap_or(0) * 8
            )))
        }
        c if c.starts_with('O') => return Err(Error::DType("numpy object arrays cannot be loaded (no pickles)".into())),
        c if c.starts_with('U') || c.starts_with('S') || c.starts_with('a') => {
            return Err(Error::DType(format!("numpy string arrays ('{descr}') cannot be loaded as tensors")))
        }
        _ => return Err(Error::DType(format!("numpy dtype '{descr}' is not supported"))),
    };
    if order == '>' && dtype.element_size() > 1 {
        return Err(Error::DType(format!(
            "big-endian numpy data ('{descr}') is not supported; convert it in numpy first (a.astype(a.dtype.newbyteorder('<')))"
        )));
    }
    Ok(dtype)
}

fn descr_of_dtype(dtype: DType) -> Result<&'static str> {
    Ok(match dtype {
        DType::Bool => "|b1",
        DType::UInt8 => "|u1",
        DType::Int8 => "|i1",
        DType::Int16 => "<i2",
        DType::Int32 => "<i4",
        DType::Int64 => "<i8",
        DType::Float16 => "<f2",
        DType::Float32 => "<f4",
        DType::Float64 => "<f8",
        DType::Complex64 => "<c8",
        DType::Complex128 => "<c16",
        DType::BFloat16 => {
            return Err(Error::DType(
                "bfloat16 has no numpy dtype; convert first (`nutorch to --dtype float32`) or save as .safetensors"
                    .into(),
            ))
        }
    })
}

/// One token of the header's Python dict literal.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Int(i64),
    Ident(String),
    Punct(char),
}

fn tokenize(text: &str) -> Result<Vec<Tok>> {
    let mut toks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '{' | '}' | '(' | ')' | ':' | ',' | '[' | ']' => {
                toks.push(Tok::Punct(c));
                chars.next();
            }
            '\'' | '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, q)) if q == c => break,
                        Some((_, '\\')) => return Err(bad("escapes in header strings are not supported")),
                        Some((_, ch)) => s.push(ch),
                        None => return Err(bad("unterminated string in the header")),
                    }
                }
                toks.push(Tok::Str(s));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let mut s = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if d.is_ascii_digit() || d == '-' || d == 'L' {
                        if d != 'L' {
                            s.push(d);
                        }
                        chars.next();
                    } else {
                        break;
                    }
                }
                toks.push(Tok::Int(s.parse().map_err(|_| bad(format!("bad number '{s}' in the header")))?));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut s = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        s.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                toks.push(Tok::Ident(s));
            }
            other => return Err(bad(format!("unexpected character {other:?} in the header"))),
        }
    }
    Ok(toks)
}

/// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
fn parse_dict(text: &str) -> Result<(String, bool, Vec<i64>)> {
    let toks = tokenize(text)?;
    let mut i = 0;
    let next = |i: &mut usize| -> Result<Tok> {
        let t = toks.get(*i).cloned().ok_or_else(|| bad("the header ends early"))?;
        *i += 1;
        Ok(t)
    };
    if next(&mut i)? != Tok::Punct('{') {
        return Err(bad("the header is not a dict"));
    }
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        let key = match next(&mut i)? {
            Tok::Punct('}') => break,
            Tok::Str(k) => k,
            other => return Err(bad(format!("unexpected {other:?} in the header"))),
        };
        if next(&mut i)? != Tok::Punct(':') {
            return Err(bad("expected ':' in the header"));
        }
        match key.as_str() {
            "descr" => match next(&mut i)? {
                Tok::Str(s) => descr = Some(s),
                Tok::Punct('[') => {
                    return Err(Error::DType("structured numpy arrays (record dtypes) cannot be loaded".into()))
                }
                other => return Err(bad(format!("bad descr {other:?}"))),
            },
            "fortran_order" => match next(&mut i)? {
                Tok::Ident(s) if s == "True" => fortran = Some(true),
                Tok::Ident(s) if s == "False" => fortran = Some(false),
                other => return Err(bad(format!("bad fortran_order {other:?}"))),
            },
            "shape" => {
                if next(&mut i)? != Tok::Punct('(') {
                    return Err(bad("the shape is not a tuple"));
                }
                let mut dims = Vec::new();
                loop {
                    match next(&mut i)? {
                        Tok::Punct(')') => break,
                        Tok::Punct(',') => {}
                        Tok::Int(d) if d >= 0 => {
                            dims.push(d);
                            if dims.len() > MAX_DIMS {
                                return Err(bad(format!("more than {MAX_DIMS} dimensions")));
                            }
                        }
                        Tok::Int(d) => return Err(bad(format!("negative size {d} in the shape"))),
                        other => return Err(bad(format!("bad shape entry {other:?}"))),
                    }
                }
                shape = Some(dims);
            }
            other => return Err(bad(format!("unknown header key '{other}'"))),
        }
        match next(&mut i)? {
            Tok::Punct(',') => {}
            Tok::Punct('}') => break,
            other => return Err(bad(format!("unexpected {other:?} in the header"))),
        }
    }
    match (descr, fortran, shape) {
        (Some(d), Some(f), Some(s)) => Ok((d, f, s)),
        _ => Err(bad("the header lacks descr, fortran_order or shape")),
    }
}

/// Reads the header at the start of `bytes` (which may hold only the file's beginning).
pub fn read_header(bytes: &[u8]) -> Result<Header> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(bad("it does not start with \\x93NUMPY"));
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(bad("the file ends inside the header"));
            }
            (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
        }
        v => return Err(bad(format!("format version {v} is not supported"))),
    };
    if header_len > MAX_HEADER {
        return Err(bad(format!("the header claims {header_len} bytes (at most {MAX_HEADER} are accepted)")));
    }
    let end = start + header_len;
    if bytes.len() < end {
        return Err(bad(format!("the file ends inside the header ({header_len} bytes announced)")));
    }
    let text = std::str::from_utf8(&bytes[start..end]).map_err(|_| bad("the header is not text"))?;
    let (descr, fortran_order, shape) = parse_dict(text)?;
    let dtype = dtype_of_descr(&descr)?;
    Ok(Header { dtype, shape, fortran_order, data_offset: end })
}

/// A CPU tensor from the whole contents of a `.npy` file.
pub fn read_npy(bytes: &[u8]) -> Result<Tensor> {
    let header = read_header(bytes)?;
    let needed = header.data_len()?;
    let data = &bytes[header.data_offset..];
    if data.len() < needed {
        return Err(bad(format!(
            "shape {:?} of {} needs {needed} bytes of data but the file has {} (truncated?)",
            header.shape,
            header.dtype,
            data.len()
        )));
    }
    if data.len() > needed {
        return Err(bad(format!(
            "{} bytes after the data of shape {:?} of {}",
            data.len() - needed,
            header.shape,
            header.dtype
        )));
    }
    tensor_of(&header, data)
}

/// Builds the tensor the header describes from exactly its data bytes.
fn tensor_of(header: &Header, data: &[u8]) -> Result<Tensor> {
    debug_assert_eq!(data.len(), header.data_len()?);
    // Fortran order holds the transpose's C layout: build with the reversed shape, permute back.
    let shape: Vec<i64> =
        if header.fortran_order { header.shape.iter().rev().copied().collect() } else { header.shape.clone() };
    let (kind, real_shape) = match header.dtype {
        DType::Complex64 => (Kind::Float, [shape.as_slice(), &[2]].concat()),
        DType::Complex128 => (Kind::Double, [shape.as_slice(), &[2]].concat()),
        // Bytes other than 0/1 in a bool array are undefined in libtorch: read them as uint8.
        DType::Bool => (Kind::Uint8, shape.clone()),
        other => (other.kind(), shape.clone()),
    };
    let mut t = Tensor::f_from_data_size(data, &real_shape, kind)?;
    t = match header.dtype {
        DType::Complex64 | DType::Complex128 => t.f_view_as_complex()?,
        DType::Bool => t.f_ne(0)?,
        _ => t,
    };
    if header.fortran_order && shape.len() > 1 {
        let dims: Vec<i64> = (0..shape.len() as i64).rev().collect();
        t = t.f_permute(&dims)?.f_contiguous()?;
    }
    Ok(t)
}

/// The bytes of a `.npy` file holding `tensor` (any device; C order, little-endian).
pub fn write_npy(tensor: &Tensor) -> Result<Vec<u8>> {
    let dtype = DType::of(tensor)?;
    let descr = descr_of_dtype(dtype)?;
    let shape = tensor.size();
    let shape_text = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad with spaces so that the data starts on a 64-byte boundary, ending in '\n'.
    let (version, prefix) = if dict.len() + 11 < 65536 { (1u8, 10) } else { (2u8, 12) };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    dict.push_str(&" ".repeat(total - prefix - dict.len() - 1));
    dict.push('\n');
    let cpu = tensor.f_detach()?.f_to_device(Device::Cpu)?;
    let cpu = if dtype.is_complex() { cpu.f_resolve_conj()?.f_view_as_real()? } else { cpu };
    let cpu = cpu.f_contiguous()?;
    let numel = cpu.numel();
    let elt = cpu.f_kind()?.elt_size_in_bytes();
    let data_len = numel.checked_mul(elt).ok_or_else(|| Error::Value("tensor too large".into()))?;
    let mut out = Vec::with_capacity(total + data_len);
    out.extend_from_slice(MAGIC);
    out.push(version);
    out.push(0);
    if version == 1 {
        out.extend_from_slice(&((total - prefix) as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&((total - prefix) as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    let start = out.len();
    out.resize(start + data_len, 0);
    if numel > 0 {
        cpu.f_copy_data_u8(&mut out[start..], numel)?;
    }
    Ok(out)
}

/// The deflate format cannot expand data more than about 1032 times: a member that claims
/// more is hostile.
const MAX_DEFLATE_RATIO: u64 = 1100;

/// Every array of an `.npz` archive (stored or deflated members), in archive order, named
/// without the `.npy` suffix as `numpy.load` does.
pub fn read_npz<R: Read + Seek>(reader: R) -> Result<Vec<(String, Tensor)>> {
    let zip_err = |e: zip::result::ZipError| Error::Value(format!("not a valid .npz file: {e}"));
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_err)?;
    let mut out = Vec::with_capacity(archive.len().min(4096));
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(zip_err)?;
        let name = member.name().to_string();
        if member.is_dir() {
            continue;
        }
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        let in_member = |e: Error| Error::Value(format!("member '{name}' of the .npz file: {e}"));
        let declared = member.size();
        let compressed = member.compressed_size();
        if declared > compressed.saturating_mul(MAX_DEFLATE_RATIO).saturating_add(4096) {
            return Err(in_member(bad(format!("it claims {declared} bytes from {compressed} compressed"))));
        }
        // The header first (from at most MAX_HEADER + 12 bytes), then exactly the data it needs.
        let mut head = Vec::new();
        (&mut member).take(12).read_to_end(&mut head).map_err(|e| in_member(Error::Value(e.to_string())))?;
        if head.len() >= 10 && &head[..6] == MAGIC {
            let header_len = if head[6] == 1 {
                u16::from_le_bytes([head[8], head[9]]) as usize
            } else if head.len() >= 12 {
                u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize
            } else {
                0
            };
            if header_len > MAX_HEADER {
                return Err(in_member(bad(format!(
                    "the header claims {header_len} bytes (at most {MAX_HEADER} are accepted)"
                ))));
            }
            (&mut member)
                .take(header_len as u64)
                .read_to_end(&mut head)
                .map_err(|e| in_member(Error::Value(e.to_string())))?;
        }
        let header = read_header(&head).map_err(in_member)?;
        let needed = header.data_len().map_err(in_member)?;
        if (header.data_offset as u64).saturating_add(needed as u64) != declared {
            return Err(in_member(bad(format!(
                "shape {:?} of {} needs {needed} bytes of data but the member holds {}",
                header.shape,
                header.dtype,
                declared.saturating_sub(header.data_offset as u64)
            ))));
        }
        let mut data = head.split_off(header.data_offset);
        // Grows with the data actually decompressed: no allocation from the header's claim.
        (&mut member)
            .take((needed - data.len().min(needed)) as u64)
            .read_to_end(&mut data)
            .map_err(|e| in_member(Error::Value(format!("cannot read the data: {e}"))))?;
        if data.len() != needed {
            return Err(in_member(bad(format!("the data is truncated ({} of {needed} bytes)", data.len()))));
        }
        out.push((key, tensor_of(&header, &data).map_err(in_member)?));
    }
    Ok(out)
}

/// Writes named tensors as an `.npz` archive (stored members, as `numpy.savez` does).
pub fn write_npz<W: Write + Seek>(writer: W, tensors: &[(String, Tensor)]) -> Result<()> {
    let zip_err = |e: zip::result::ZipError| Error::Value(format!("cannot write the .npz file: {e}"));
    let mut zip = zip::ZipWriter::new(writer);
    let options = zip::write::FileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(tensors.iter().any(|(_, t)| t.numel() as u64 * 16 > u32::MAX as u64 / 2));
    for (name, tensor) in tensors {
        let bytes = write_npy(tensor).map_err(|e| Error::Value(format!("`{name}`: {e}")))?;
        zip.start_file(format!("{name}.npy"), options).map_err(zip_err)?;
        zip.write_all(&bytes).map_err(|e| Error::Value(format!("cannot write the .npz file: {e}")))?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{tensor_to_data, Buffer};

    fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let dict = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}\n",
            if fortran { "True" } else { "False" }
        );
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        out.extend_from_slice(dict.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn f32s(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn reads_c_order_float32() {
        let t = read_npy(&npy("<f4", false, "(2, 2)", &f32s(&[1.0, 2.0, 3.0, 4.5]))).unwrap();
        assert_eq!(t.size(), vec![2, 2]);
        assert_eq!(tensor_to_data(&t).unwrap().values, Buffer::Float(vec![1.0, 2.0, 3.0, 4.5]));
    }

    #[test]
    fn fortran_order_reads_as_the_transpose() {
        // numpy.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores 1 4 2 5 3 6.
        let data: Vec<u8> = [1i64, 4, 2, 5, 3, 6].iter().flat_map(|x| x.to_le_bytes()).collect();
        let t = read_npy(&npy("<i8", true, "(2, 3)", &data)).unwrap();
        assert_eq!(t.size(), vec![2, 3]);
        assert_eq!(tensor_to_data(&t).unwrap().values, Buffer::Int(vec![1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn bool_bytes_other_than_one_are_true() {
        let t = read_npy(&npy("|b1", false, "(3,)", &[1, 97, 0])).unwrap();
        assert_eq!(tensor_to_data(&t).unwrap().values, Buffer::Bool(vec![true, true, false]));
    }

    #[test]
    fn zero_dim_and_empty_arrays() {
        let t = read_npy(&npy("<f8", false, "()", &2.5f64.to_le_bytes())).unwrap();
        assert!(t.size().is_empty());
        let t = read_npy(&npy("<f4", false, "(0, 3)", &[])).unwrap();
        assert_eq!(t.size(), vec![0, 3]);
    }

    #[test]
    fn truncated_data_is_an_error() {
        let err = read_npy(&npy("<f4", false, "(4,)", &f32s(&[1.0, 2.0]))).unwrap_err().to_string();
        assert!(err.contains("needs 16 bytes") && err.contains("has 8"), "{err}");
    }

    #[test]
    fn overflowing_and_huge_shapes_are_errors() {
        let err = read_npy(&npy("<f8", false, "(4294967296, 4294967296, 4294967296)", &[])).unwrap_err().to_string();
        assert!(err.contains("too large"), "{err}");
        let err = read_npy(&npy("<f8", false, "(1000000000000,)", &[0; 8])).unwrap_err().to_string();
        assert!(err.contains("needs 8000000000000 bytes"), "{err}");
        let err = read_npy(&npy("<f8", false, "(-1,)", &[])).unwrap_err().to_string();
        assert!(err.contains("negative"), "{err}");
    }

    #[test]
    fn oversized_and_truncated_headers_are_errors() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[2, 0]);
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        let err = read_npy(&bytes).unwrap_err().to_string();
        assert!(err.contains("at most"), "{err}");
        let full = npy("<f4", false, "(1,)", &f32s(&[1.0]));
        for cut in [0, 5, 9, 20] {
            assert!(read_npy(&full[..cut]).is_err(), "cut at {cut}");
        }
        assert!(read_npy(b"PK\x03\x04 not npy").is_err());
    }

    #[test]
    fn refused_dtypes_say_why() {
        let cases = [(">f4", "big-endian"), ("|O", "object"), ("<U3", "string"), ("<u4", "uint32")];
        for (descr, word) in cases {
            let err = read_npy(&npy(descr, false, "(0,)", &[])).unwrap_err().to_string();
            assert!(err.contains(word), "{descr}: {err}");
        }
    }

    #[test]
    fn every_dtype_round_trips() {
        for dtype in DType::all().filter(|d| *d != DType::BFloat16) {
            let t = Tensor::f_arange(6, (Kind::Float, Device::Cpu)).unwrap().f_reshape([2, 3]).unwrap();
            let t = t.f_to_kind(dtype.kind()).unwrap();
            let back = read_npy(&write_npy(&t).unwrap()).unwrap();
            assert_eq!(DType::of(&back).unwrap(), dtype);
            assert_eq!(back.size(), vec![2, 3]);
            assert!(back.f_equal(&t).unwrap(), "{dtype}");
        }
        let bf = Tensor::f_zeros([2], (Kind::BFloat16, Device::Cpu)).unwrap();
        assert!(write_npy(&bf).unwrap_err().to_string().contains("float32"));
    }

    #[test]
    fn written_headers_are_aligned() {
        let bytes = write_npy(&Tensor::f_zeros([3], (Kind::Float, Device::Cpu)).unwrap()).unwrap();
        let header = read_header(&bytes).unwrap();
        assert_eq!(header.data_offset % 64, 0);
        assert_eq!(&bytes[header.data_offset - 1..header.data_offset], b"\n");
    }

    #[test]
    fn npz_round_trips() {
        let a = Tensor::f_arange(4, (Kind::Int64, Device::Cpu)).unwrap();
        let b = Tensor::f_ones([2, 2], (Kind::Double, Device::Cpu)).unwrap();
        let mut buf = std::io::Cursor::new(Vec::new());
        write_npz(&mut buf, &[("a".into(), a.shallow_clone()), ("b".into(), b.shallow_clone())]).unwrap();
        let back = read_npz(std::io::Cursor::new(buf.into_inner())).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].0, "a");
        assert!(back[0].1.f_equal(&a).unwrap() && back[1].1.f_equal(&b).unwrap());
        assert!(read_npz(std::io::Cursor::new(b"garbage".to_vec())).is_err());
    }

    #[test]
    fn npz_members_that_lie_are_errors() {
        let member = |bytes: &[u8], method| {
            let mut buf = std::io::Cursor::new(Vec::new());
            let mut zip = zip::ZipWriter::new(&mut buf);
            zip.start_file("x.npy", zip::write::FileOptions::default().compression_method(method)).unwrap();
            zip.write_all(bytes).unwrap();
            zip.finish().unwrap();
            drop(zip);
            read_npz(std::io::Cursor::new(buf.into_inner())).map(|_| ())
        };
        let short = npy("<f8", false, "(1000,)", &[0; 80]);
        for method in [zip::CompressionMethod::Stored, zip::CompressionMethod::Deflated] {
            let err = member(&short, method).unwrap_err().to_string();
            assert!(err.contains("member 'x.npy'") && err.contains("needs 8000 bytes"), "{err}");
            let err = member(b"not npy", method).unwrap_err().to_string();
            assert!(err.contains("does not start with"), "{err}");
            assert!(member(&npy("<i4", false, "(2,)", &[1, 0, 0, 0, 2, 0, 0, 0]), method).is_ok());
        }
    }
}
