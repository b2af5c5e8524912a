//! Tensor files chosen by extension, for `nutorch save`/`nutorch load` and for Nushell's
//! `save` of a tensor: `.safetensors`, `.npy`, `.npz`, and the text forms `.json`, `.nuon`
//! and `.csv` (the values, never the summary).

use nutorch_core::npy::{read_npy, read_npz, write_npy, write_npz};
use nutorch_core::tch::Tensor;
use nutorch_core::{tensor_to_data, Buffer, DType, Data, Error, Result};
use nutorch_nn::io::{load_tensors, save_tensors};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// The formats a tensor saves to, for messages.
pub const SAVE_FORMATS: &str = ".safetensors, .npy, .npz, .json, .nuon, .csv";

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::Io(format!("cannot write '{}': {e}", path.display())))
}

fn create_file(path: &Path) -> Result<std::fs::File> {
    std::fs::File::create(path).map_err(|e| Error::Io(format!("cannot write '{}': {e}", path.display())))
}

/// How a file name without a known extension is treated.
#[derive(Clone, Copy, PartialEq)]
pub enum Unknown {
    /// Written as safetensors (`nutorch save`, as it always did).
    Safetensors,
    /// An error listing the formats (Nushell's `save`, where the user expects the extension to decide).
    Refuse,
}

/// Saves one tensor in the format the extension names.
pub fn save_one(tensor: &Tensor, path: &Path, unknown: Unknown) -> Result<()> {
    match extension(path).as_str() {
        "safetensors" => save_tensors(path, &[("tensor".to_string(), tensor.shallow_clone())], &HashMap::new()),
        "npy" => write_file(path, &write_npy(tensor)?),
        // numpy.savez(file, a) names a positional array arr_0.
        "npz" => write_npz(create_file(path)?, &[("arr_0".to_string(), tensor.shallow_clone())]),
        "json" => write_file(path, nested_text(&values(tensor)?, Text::Json)?.as_bytes()),
        "nuon" => write_file(path, nested_text(&values(tensor)?, Text::Nuon)?.as_bytes()),
        "csv" => write_file(path, csv_text(&values(tensor)?)?.as_bytes()),
        _ if unknown == Unknown::Safetensors => {
            save_tensors(path, &[("tensor".to_string(), tensor.shallow_clone())], &HashMap::new())
        }
        other => Err(unknown_extension(other, path)),
    }
}

/// Saves named tensors (a record of tensors): `.safetensors` or `.npz`.
pub fn save_named(tensors: &[(String, Tensor)], path: &Path) -> Result<()> {
    match extension(path).as_str() {
        "safetensors" => save_tensors(path, tensors, &HashMap::new()),
        "npz" => write_npz(create_file(path)?, tensors),
        "npy" if tensors.len() == 1 => save_one(&tensors[0].1, path, Unknown::Refuse),
        "npy" => Err(Error::Argument(format!(
            "a .npy file holds one array and this record has {}; use .npz or .safetensors",
            tensors.len()
        ))),
        "json" | "nuon" | "csv" => Err(Error::Argument(format!(
            "a record of tensors saves as .safetensors or .npz, not .{}; save each tensor on its own",
            extension(path)
        ))),
        // Any other name: safetensors, as `nutorch save` always wrote.
        _ => save_tensors(path, tensors, &HashMap::new()),
    }
}

fn unknown_extension(ext: &str, path: &Path) -> Error {
    Error::Argument(format!(
        "cannot tell the format of '{}' ({}): a tensor saves as {SAVE_FORMATS}; for other text, \
         convert with `nutorch tovalue` first",
        path.display(),
        if ext.is_empty() { "no extension".to_string() } else { format!(".{ext}") }
    ))
}

/// What a file holds: one array (`.npy`) or named tensors.
pub enum Loaded {
    One(Tensor),
    Named(Vec<(String, Tensor)>),
}

/// Loads a file by extension: `.npy` → one tensor; `.npz` and `.safetensors` (and any other
/// extension, read as safetensors) → named tensors.
pub fn load(path: &Path) -> Result<Loaded> {
    let read_err = |e: std::io::Error| Error::Io(format!("cannot read '{}': {e}", path.display()));
    let in_file = |e: Error| Error::Value(format!("'{}': {e}", path.display()));
    match extension(path).as_str() {
        "npy" => {
            let bytes = std::fs::read(path).map_err(read_err)?;
            Ok(Loaded::One(read_npy(&bytes).map_err(in_file)?))
        }
        "npz" => {
            let file = std::fs::File::open(path).map_err(read_err)?;
            Ok(Loaded::Named(read_npz(std::io::BufReader::new(file)).map_err(in_file)?))
        }
        _ => Ok(Loaded::Named(load_tensors(path)?.tensors.into_iter().collect())),
    }
}

fn values(tensor: &Tensor) -> Result<(Data, bool)> {
    let dtype = DType::of(tensor)?;
    if dtype.is_complex() {
        return Err(Error::Value(format!(
            "{dtype} values have no text form; save as .npy, or take `view_as_real` first"
        )));
    }
    let single = !matches!(dtype, DType::Float64);
    Ok((tensor_to_data(tensor)?, single))
}

#[derive(Clone, Copy, PartialEq)]
enum Text {
    Json,
    Nuon,
}

fn number(data: &Data, single: bool, i: usize, text: Text, out: &mut String) -> Result<()> {
    match &data.values {
        Buffer::Bool(v) => out.push_str(if v[i] { "true" } else { "false" }),
        Buffer::Int(v) => {
            let _ = write!(out, "{}", v[i]);
        }
        Buffer::Float(v) => {
            let x = v[i];
            if x.is_finite() {
                // Shortest form that reads back to the same value, in the tensor's precision.
                let _ = if single { write!(out, "{:?}", x as f32) } else { write!(out, "{x:?}") };
            } else if text == Text::Nuon {
                out.push_str(if x.is_nan() {
                    "NaN"
                } else if x > 0.0 {
                    "inf"
                } else {
                    "-inf"
                });
            } else {
                return Err(Error::Value(format!(
                    "the value {x} (at {}) cannot be written as JSON; save as .nuon or .npy instead",
                    nutorch_core::convert::position_of(&data.shape, i)
                )));
            }
        }
    }
    Ok(())
}

/// Nested lists as JSON or NUON text (a number for a 0-d tensor), ending in a newline.
fn nested_text((data, single): &(Data, bool), text: Text) -> Result<String> {
    fn build(data: &Data, single: bool, text: Text, dim: usize, offset: usize, out: &mut String) -> Result<()> {
        if dim == data.shape.len() {
            return number(data, single, offset, text, out);
        }
        let n = data.shape[dim] as usize;
        let stride: usize = data.shape[dim + 1..].iter().map(|&d| d as usize).product();
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push_str(", ");
            }
            build(data, single, text, dim + 1, offset + i * stride, out)?;
        }
        out.push(']');
        Ok(())
    }
    let mut out = String::with_capacity(data.values.len().saturating_mul(8).min(1 << 30));
    build(data, *single, text, 0, 0, &mut out)?;
    out.push('\n');
    Ok(out)
}

/// A 2-D tensor (or 1-D, as one column) as CSV with columns named 0, 1, … (pandas' default).
fn csv_text((data, single): &(Data, bool)) -> Result<String> {
    let (rows, cols) = match data.shape.as_slice() {
        [n, m] => (*n as usize, *m as usize),
        [n] => (*n as usize, 1),
        other => {
            return Err(Error::Argument(format!(
                "a .csv file holds a 1-D or 2-D tensor, this one has shape {other:?}; reshape it first, or save as .npy"
            )))
        }
    };
    let mut out = (0..cols).map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    out.push('\n');
    for r in 0..rows {
        for c in 0..cols {
            if c > 0 {
                out.push(',');
            }
            // CSV has no NaN rule: write it (and inf) as numpy/pandas do.
            match &data.values {
                Buffer::Float(v) if !v[r * cols + c].is_finite() => {
                    let x = v[r * cols + c];
                    out.push_str(if x.is_nan() {
                        "NaN"
                    } else if x > 0.0 {
                        "inf"
                    } else {
                        "-inf"
                    })
                }
                _ => number(data, *single, r * cols + c, Text::Nuon, &mut out)?,
            }
        }
        out.push('\n');
    }
    Ok(out)
}
