//! Completions for flag and positional values: `--dtype` (every dtype name), `--device` (this
//! machine's devices) and word choices such as `--reduction`.

use super::op::{kebab, slots, SlotKind};
use nu_protocol::engine::ArgType;
use nu_protocol::DynamicSuggestion;
use nutorch_core::catalog::{OpSpec, Ty};
use nutorch_core::{available_devices, DType};

fn suggestion(value: &str, description: Option<String>) -> DynamicSuggestion {
    DynamicSuggestion { value: value.to_string(), description, ..Default::default() }
}

pub(crate) fn dtypes() -> Vec<DynamicSuggestion> {
    DType::all_names()
        .into_iter()
        .map(|name| {
            let canonical = DType::parse(name).map(|d| d.name()).unwrap_or(name);
            let description = (canonical != name).then(|| format!("alias of {canonical}"));
            suggestion(name, description)
        })
        .collect()
}

pub(crate) fn devices() -> Vec<DynamicSuggestion> {
    available_devices().into_iter().map(|d| suggestion(&d.name, d.description)).collect()
}

/// Completions for the flag or positional `arg_type` names in `spec`'s signature, if it takes
/// a known set of values (`--reduction`, `index_reduce`'s `reduce`, `promote_types`' dtypes).
pub fn complete(spec: &'static OpSpec, arg_type: &ArgType) -> Option<Vec<DynamicSuggestion>> {
    let arg = match arg_type {
        ArgType::Flag(flag) => {
            let flag = flag.trim_start_matches('-');
            spec.flags().find(|a| kebab(a.name) == flag)?
        }
        ArgType::Positional(i) => {
            let slots = slots(spec);
            // Positions past the signature's last are the rest argument's.
            let slot = slots.get(*i).or_else(|| slots.last().filter(|(_, kind)| *kind == SlotKind::Rest))?;
            slot.0
        }
    };
    match arg.ty {
        Ty::DType => Some(dtypes()),
        Ty::Device => Some(devices()),
        Ty::Str(choices) | Ty::NumOrStr(choices) | Ty::IntsOrStr(choices) if !choices.is_empty() => {
            Some(choices.iter().map(|c| suggestion(c, None)).collect())
        }
        _ => None,
    }
}

/// Completions for the word-valued flags that hand-written commands share, by flag name:
/// `--dtype`, `--device`, `--loss`, `--optimizer`, `--init`, `--approximate`. Every command
/// gets these (the command wrapper falls back to them).
pub fn common_flag(arg_type: &ArgType) -> Option<Vec<DynamicSuggestion>> {
    let ArgType::Flag(flag) = arg_type else { return None };
    let words = |items: &[(&str, &str)]| items.iter().map(|(v, d)| suggestion(v, Some(d.to_string()))).collect();
    match flag.trim_start_matches('-') {
        "dtype" => Some(dtypes()),
        "device" => Some(devices()),
        "loss" => Some(
            nutorch_nn::LossKind::ALL
                .iter()
                .map(|(_, name, torch)| suggestion(name, Some(torch.to_string())))
                .collect(),
        ),
        "optimizer" => Some(words(&[("sgd", "torch.optim.SGD"), ("adam", "torch.optim.Adam")])),
        "init" => {
            Some(words(&[("default", "the layers' reset_parameters"), ("randn", "torch.randn for every parameter")]))
        }
        "approximate" => Some(words(&[("none", "the exact GELU"), ("tanh", "the tanh approximation")])),
        _ => None,
    }
}

/// Completions for the plain `--dtype`/`--device` flags of hand-written commands.
pub(crate) fn dtype_or_device(arg_type: &ArgType) -> Option<Vec<DynamicSuggestion>> {
    match arg_type {
        ArgType::Flag(flag) if flag.trim_start_matches('-') == "dtype" => Some(dtypes()),
        ArgType::Flag(flag) if flag.trim_start_matches('-') == "device" => Some(devices()),
        _ => None,
    }
}
