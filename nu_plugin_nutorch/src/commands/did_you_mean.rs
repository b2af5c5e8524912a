//! `nutorch lnspace …`: a word after a family's name that is none of its commands. The family
//! commands (`nutorch`, `nutorch nn`, `nutorch optim`, `nutorch plot`) take the rest of the
//! line, so that a typo reaches them instead of failing to parse, and answer with the closest
//! command names.

use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, Plugin};
use nu_protocol::{levenshtein_distance, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};

/// A family command's signature: any input (a pipeline into a mistyped op), the rest of the
/// line as words.
pub fn family_signature(name: &str) -> Signature {
    Signature::build(name)
        .input_output_types(vec![(Type::Nothing, Type::String), (Type::Any, Type::String)])
        .rest("command", SyntaxShape::Any, "a command of this family (for help, run the family alone)")
        .allows_unknown_args()
        .category(super::category())
}

/// Help when called alone; an "unknown command" error with suggestions when a word follows.
pub fn run_family(
    plugin: &NutorchPlugin,
    engine: &EngineInterface,
    call: &EvaluatedCall,
    family: &str,
) -> Result<PipelineData, LabeledError> {
    let Some(first) = call.positional.first() else {
        return Ok(PipelineData::Value(Value::string(engine.get_help()?, call.head), None));
    };
    let word = match first {
        Value::String { val, .. } => val.clone(),
        other => other.coerce_string().unwrap_or_else(|_| other.get_type_shallow().to_string()),
    };
    let names: Vec<String> = plugin.commands().iter().map(|c| c.name().to_string()).collect();
    let typed = format!("{family} {word}");
    let suggestions = closest(&names, family, &typed);
    let help = if suggestions.is_empty() {
        format!("`{family}` lists the commands of this family; `nutorch ops` lists the ops")
    } else {
        format!("did you mean {}?", suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "))
    };
    Err(LabeledError::new(format!("Unknown command `{typed}`"))
        .with_label(format!("`{word}` is not a nutorch command"), first.span())
        .with_help(help))
}

/// Up to three commands of `family` closest to `typed` (edit distance, at most about a third
/// of the word), nearest first.
fn closest(names: &[String], family: &str, typed: &str) -> Vec<String> {
    let prefix = format!("{family} ");
    let word = typed.trim_start_matches(&prefix);
    let limit = (word.chars().count() / 3).max(1) + 1;
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .filter(|n| n.starts_with(&prefix))
        .map(|n| (levenshtein_distance(word, n.trim_start_matches(&prefix)), n))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names_come_first() {
        let names: Vec<String> = ["nutorch linspace", "nutorch logspace", "nutorch nn linear", "nutorch sin"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest(&names, "nutorch", "nutorch lnspace"), ["nutorch linspace", "nutorch logspace"]);
        assert_eq!(closest(&names, "nutorch nn", "nutorch nn linaer"), ["nutorch nn linear"]);
        assert!(closest(&names, "nutorch", "nutorch qqqqqqqqqq").is_empty());
    }
}
